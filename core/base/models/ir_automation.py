"""``ir.automation.rule`` and its log ``ir.automation.run``; the bookkeeping of time
triggers (``ir.automation.mark``) and of round-robin turns (``ir.automation.pointer``).

A rule watches one model: a trigger (on create, on write of given fields, on entering a
workflow state, at a time relative to a date field, on an incoming message), a filter
domain, and actions (``ir.automation.action``). The engine is
:mod:`core.automation.rules`; every run is logged here with its outcome.
"""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields
from core.automation import plan as automation_plan
from core.automation.rules import run_time_rules
from core.automation.workflow import eval_domain
from core.orm.model_write import now_utc

TRIGGERS = [("on_create", "On creation"), ("on_write", "On update of fields"),
            ("on_state", "On entering a state"), ("on_time", "At a time relative to a date"),
            ("on_message", "On incoming message")]
UNITS = [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks")]


class IrAutomationRule(Model):
    _name = "ir.automation.rule"
    _description = "Automation Rule"
    _order = "sequence, id"

    name = fields.Char("Name", required=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    model = fields.Char("Model Name", related="model_id.model", store=True, index=True)
    trigger = fields.Selection(TRIGGERS, "Trigger", required=True, default="on_create")
    trigger_fields = fields.Char("Watched Fields",
                                 help="Comma-separated field names: the rule runs when one "
                                      "of them changes.")
    state_id = fields.Many2one("ir.workflow.state", "State Entered", ondelete="cascade")
    date_field = fields.Char("Date Field", help="A date or datetime field of the model, "
                                                "e.g. date_end.")
    delay_amount = fields.Integer("Delay", default=0)
    delay_unit = fields.Selection(UNITS, "Delay Unit", default="days")
    delay_direction = fields.Selection([("before", "Before"), ("after", "After")],
                                       "Before or After", default="before")
    activated_on = fields.Datetime("Watching Dates Since", default=lambda self: now_utc(),
                                   help="Records whose trigger moment came before this are "
                                        "left alone.")
    filter_domain = fields.Text("Apply On", help="A domain the records must match, e.g. "
                                                 "[('priority', '=', '3')].")
    description = fields.Text("Description")
    action_ids = fields.One2many("ir.automation.action", "rule_id", "Actions")
    run_ids = fields.One2many("ir.automation.run", "rule_id", "Runs")

    @api.constrains("model_id", "trigger", "trigger_fields", "state_id", "date_field",
                    "filter_domain", "delay_amount")
    def _check_rule(self) -> None:
        for rule in self:
            model_name = rule.model_id.model
            if model_name not in self.env or self.env[model_name]._abstract or \
                    model_name in automation_plan.INTERNAL_MODELS:
                raise ValidationError(_("Automation rules cannot watch %(model)s.",
                                        model=model_name), field="model_id")
            model = self.env[model_name]
            if rule.trigger == "on_write":
                names = [n.strip() for n in (rule.trigger_fields or "").split(",") if n.strip()]
                if not names:
                    raise ValidationError(_("Name the fields whose update runs the rule."),
                                          field="trigger_fields")
                for name in names:
                    model._field_or_error(name, ValidationError)
            if rule.trigger == "on_state" and (
                    not rule.state_id or rule.state_id.workflow_id.model != model_name):
                raise ValidationError(_("Choose a state of a workflow of %(model)s.",
                                        model=model_name), field="state_id")
            if rule.trigger == "on_time":
                field = model._fields.get(rule.date_field or "")
                if field is None or field.type not in ("date", "datetime") \
                        or not field.stored_column:
                    raise ValidationError(_("'%(field)s' is not a stored date field of "
                                            "%(model)s.", field=rule.date_field,
                                            model=model_name), field="date_field")
                if (rule.delay_amount or 0) < 0:
                    raise ValidationError(_("The delay cannot be negative; choose before or "
                                            "after."), field="delay_amount")
            if rule.filter_domain:
                model.sudo()._where(eval_domain(rule.filter_domain, self.env))

    def _cron_time_triggers(self) -> int:
        """The scheduled action firing time-relative rules."""
        return run_time_rules(self.env)


class IrAutomationRun(Model):
    _name = "ir.automation.run"
    _description = "Automation Run"
    _order = "date desc, id desc"
    _log_access = False
    _journal = False

    rule_id = fields.Many2one("ir.automation.rule", "Rule", ondelete="set null", index=True,
                              readonly=True)
    transition_id = fields.Many2one("ir.workflow.transition", "Transition",
                                    ondelete="set null", index=True, readonly=True)
    name = fields.Char("Rule or Transition", readonly=True)
    model = fields.Char("Model", readonly=True)
    res_ids = fields.Json("Record IDs", readonly=True)
    record_count = fields.Integer("Records", readonly=True)
    trigger = fields.Selection([*TRIGGERS, ("transition", "Transition")], "Trigger",
                               readonly=True)
    state = fields.Selection([("done", "Done"), ("failed", "Failed")], "Outcome",
                             readonly=True, index=True)
    message = fields.Text("Error", readonly=True)
    date = fields.Datetime("Date", readonly=True, index=True)
    duration = fields.Float("Duration (ms)", readonly=True)
    user_id = fields.Many2one("res.users", "Triggered by", ondelete="set null", readonly=True)


class IrAutomationMark(Model):
    _name = "ir.automation.mark"
    _description = "Automation Time Trigger Mark"
    _log_access = False
    _journal = False

    rule_id = fields.Many2one("ir.automation.rule", "Rule", required=True, ondelete="cascade",
                              index=True)
    res_id = fields.Integer("Record ID", required=True)
    date_value = fields.Char("Date Value")

    _sql_constraints = [("mark_unique", "unique(rule_id, res_id, date_value)",
                         "A rule fires once per record and date.")]


class IrAutomationPointer(Model):
    _name = "ir.automation.pointer"
    _description = "Round-Robin Turn"
    _log_access = False
    _journal = False
    _rec_name = "key"

    key = fields.Char("Key", required=True)
    last_user_id = fields.Many2one("res.users", "Last Assigned", ondelete="set null")

    _sql_constraints = [("key_unique", "unique(key)", "One turn per key.")]
