"""``ir.automation.action``: one step an automation rule or a workflow transition runs.

The ``kind`` picks the code (the catalogue of :mod:`core.automation.actions`: set
values, assign, call a webhook, and the kinds addons register); the other fields are
its parameters, checked when the action is saved rather than when it first runs.
"""
from __future__ import annotations

from typing import Any

from core import Model, ValidationError, _, api, fields
from core.automation import actions as catalogue
from core.automation import assignment, webhook


class IrAutomationAction(Model):
    _name = "ir.automation.action"
    _description = "Automated Action"
    _order = "sequence, id"

    name = fields.Char("Description")
    sequence = fields.Integer("Sequence", default=10)
    rule_id = fields.Many2one("ir.automation.rule", "Rule", ondelete="cascade", index=True)
    transition_id = fields.Many2one("ir.workflow.transition", "Transition",
                                    ondelete="cascade", index=True)
    kind = fields.Selection("_kind_selection", "Action", required=True, default="set_values")
    values = fields.Text("Values to Set", help="A dict: {'user_id': uid, 'date_closed': now, "
                                               "'priority': '2'}; may use now, today, uid.")
    strategy = fields.Selection("_strategy_selection", "Strategy", default="round_robin")
    assign_field = fields.Char("Field to Assign", default="user_id")
    user_ids = fields.Many2many("res.users", "ir_automation_action_user_rel", "action_id",
                                "user_id", "Candidates")
    group_id = fields.Many2one("res.groups", "Candidate Group", ondelete="set null",
                               help="Its members are candidates too.")
    load_domain = fields.Text("Workload", help="A domain of the records that count as "
                                               "workload (default: open states).")
    match_field = fields.Char("Record Field to Match", help="e.g. country_id, skill_ids")
    user_match_field = fields.Char("User Field to Match",
                                   help="A field or path of users, e.g. partner_id.country_id "
                                        "(default: the same name).")
    webhook_url = fields.Char("Webhook URL")
    webhook_fields = fields.Char("Fields Sent", help="Comma-separated field names.")
    webhook_attempts = fields.Integer("Attempts", default=5)
    params = fields.Text("Parameters", help="A dict literal for actions added by addons.")

    def _kind_selection(self) -> list[tuple[str, str]]:
        return catalogue.kind_selection(self.env)

    def _strategy_selection(self) -> list[tuple[str, str]]:
        return assignment.strategy_selection(self.env)

    def _target_model(self) -> Any:
        name = self.rule_id.model or self.transition_id.workflow_id.model
        return self.env[name] if name in self.env else None

    @api.constrains("rule_id", "transition_id", "kind", "values", "strategy", "assign_field",
                    "match_field", "webhook_url", "params")
    def _check_action(self) -> None:
        for action in self:
            if bool(action.rule_id) == bool(action.transition_id):
                raise ValidationError(_("An action belongs to one rule or to one transition."),
                                      field="rule_id")
            model = action._target_model()
            if model is None:
                continue
            if action.kind == "set_values":
                catalogue.check_values(action.values, model)
            elif action.kind == "assign":
                field = model._fields.get(action.assign_field or "user_id")
                if field is None or field.type != "many2one" or field.comodel_name != "res.users":
                    raise ValidationError(_("%(model)s has no user field '%(field)s'.",
                                            model=model._name, field=action.assign_field),
                                          field="assign_field")
                if action.strategy == "field_match":
                    if not action.match_field:
                        raise ValidationError(_("Name the record field to match."),
                                              field="match_field")
                    model._field_or_error(action.match_field.split(".")[0], ValidationError)
            elif action.kind == "webhook":
                webhook.check_url(action.webhook_url)
            if action.params:
                run = catalogue.ActionRun(self.env, model, action, "rule", 0, "check")
                run.params  # noqa: B018 - evaluates and validates the literal

    def _job_webhook(self, url: str, body: dict[str, Any]) -> int:
        """The queued half of "call a webhook" (retried by the job queue)."""
        return webhook.send(url, body)
