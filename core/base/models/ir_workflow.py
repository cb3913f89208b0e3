"""``ir.workflow``, ``ir.workflow.state``, ``ir.workflow.transition``: workflows as data.

A workflow drives one field of one model (a selection or char field holding state
codes, or a many2one to ``ir.workflow.state``): its states (sequence, folded, kind
open / done / cancelled, initial) and its transitions (from a state or from any state,
to a state, button label, allowed groups, condition domain, actions). Addons ship them in
XML data files; administrators edit them; upgrades keep what they changed. Enforcement
lives in :mod:`core.automation.workflow`.
"""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields
from core.automation import plan as automation_plan
from core.automation.workflow import eval_domain

KINDS = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")]


class IrWorkflow(Model):
    _name = "ir.workflow"
    _description = "Workflow"
    _order = "model, name"

    name = fields.Char("Name", required=True, translate=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    model = fields.Char("Model Name", related="model_id.model", store=True, index=True)
    field_name = fields.Char("Field", required=True,
                             help="The field the workflow drives: a selection or text field "
                                  "holding state codes, or a link to a workflow state.")
    active = fields.Boolean("Active", default=True)
    description = fields.Text("Description", translate=True)
    state_ids = fields.One2many("ir.workflow.state", "workflow_id", "States")
    transition_ids = fields.One2many("ir.workflow.transition", "workflow_id", "Transitions")

    @api.constrains("model_id", "field_name", "active")
    def _check_binding(self) -> None:
        for workflow in self:
            model_name = workflow.model_id.model
            if model_name not in self.env or self.env[model_name]._abstract:
                raise ValidationError(_("A workflow needs a stored model, not %(model)s.",
                                        model=model_name), field="model_id")
            if model_name in automation_plan.INTERNAL_MODELS:
                raise ValidationError(_("%(model)s is bookkeeping of the kernel: it cannot "
                                        "have a workflow.", model=model_name), field="model_id")
            model = self.env[model_name]
            field = model._fields.get(workflow.field_name or "")
            if field is None:
                import difflib
                near = difflib.get_close_matches(workflow.field_name or "", list(model._fields), 1)
                hint = _(" Did you mean '%(name)s'?", name=near[0]) if near else ""
                raise ValidationError(_("%(model)s has no field '%(field)s'.", model=model_name,
                                        field=workflow.field_name) + hint, field="field_name")
            if field.type not in automation_plan.BINDABLE_TYPES or not field.stored_column or (
                    field.type == "many2one"
                    and field.comodel_name != automation_plan.STATE_MODEL):
                raise ValidationError(_(
                    "A workflow drives a stored selection or text field, or a link to "
                    "workflow states; '%(field)s' is a %(type)s field.",
                    field=workflow.field_name, type=field.type), field="field_name")
            if workflow.active and self.search_count([
                    ("model_id", "=", workflow.model_id.id), ("active", "=", True),
                    ("field_name", "=", workflow.field_name), ("id", "!=", workflow.id)]):
                raise ValidationError(_("%(model)s.%(field)s already has an active workflow.",
                                        model=model_name, field=workflow.field_name),
                                      field="field_name")


class IrWorkflowState(Model):
    _name = "ir.workflow.state"
    _description = "Workflow State"
    _order = "workflow_id, sequence, id"

    workflow_id = fields.Many2one("ir.workflow", "Workflow", required=True, ondelete="cascade",
                                  index=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True,
                       help="The value the workflow's field stores for this state.")
    sequence = fields.Integer("Sequence", default=10)
    fold = fields.Boolean("Folded", help="Folded in kanban columns; shown in the status bar "
                                         "only when it is the current state.")
    kind = fields.Selection(KINDS, "Kind", default="open", required=True,
                            help="Open states count as workload (assignment by load).")
    is_initial = fields.Boolean("Initial State",
                                help="A new record may start here (none flagged: the first "
                                     "state).")

    _sql_constraints = [("code_unique", "unique(workflow_id, code)",
                         "A workflow cannot have two states with the same code.")]

    @api.constrains("code", "workflow_id")
    def _check_code(self) -> None:
        for state in self:
            workflow = state.workflow_id
            model = self.env[workflow.model] if workflow.model in self.env else None
            field = model._fields.get(workflow.field_name) if model is not None else None
            if field is None or field.type != "selection":
                continue
            keys = [key for key, _label in field.get_values(self.env)]
            if state.code not in keys:
                raise ValidationError(_("'%(code)s' is not a value of %(field)s (values: "
                                        "%(keys)s).", code=state.code, field=field.string,
                                        keys=", ".join(map(str, keys))), field="code")


class IrWorkflowTransition(Model):
    _name = "ir.workflow.transition"
    _description = "Workflow Transition"
    _order = "workflow_id, sequence, id"

    workflow_id = fields.Many2one("ir.workflow", "Workflow", required=True, ondelete="cascade",
                                  index=True)
    name = fields.Char("Button Label", translate=True,
                       help="Shown on the form's button (default: the target state's name).")
    sequence = fields.Integer("Sequence", default=10)
    from_state_id = fields.Many2one("ir.workflow.state", "From", ondelete="cascade",
                                    help="Empty: from any other state.")
    to_state_id = fields.Many2one("ir.workflow.state", "To", required=True, ondelete="cascade")
    group_ids = fields.Many2many("res.groups", "ir_workflow_transition_group_rel",
                                 "transition_id", "group_id", "Allowed Groups",
                                 help="Empty: everyone who may modify the record.")
    condition = fields.Text("Condition", help="A domain the record must match, e.g. "
                                              "[('user_id', '!=', False)]; may use uid, "
                                              "context_today and now.")
    action_ids = fields.One2many("ir.automation.action", "transition_id", "Actions")
    active = fields.Boolean("Active", default=True)

    @api.constrains("workflow_id", "from_state_id", "to_state_id", "condition")
    def _check_transition(self) -> None:
        for transition in self:
            workflow = transition.workflow_id
            for state in (transition.from_state_id, transition.to_state_id):
                if state and state.workflow_id != workflow:
                    raise ValidationError(_("The state %(state)s belongs to another workflow.",
                                            state=state.name), field="to_state_id")
            if transition.from_state_id and transition.from_state_id == transition.to_state_id:
                raise ValidationError(_("A transition must lead to another state."),
                                      field="to_state_id")
            if transition.condition and workflow.model in self.env:
                domain = eval_domain(transition.condition, self.env)
                self.env[workflow.model].sudo()._where(domain)

    def _compute_display_name(self) -> None:
        for transition in self:
            source = transition.from_state_id.name or _("any state")
            label = f"{source} → {transition.to_state_id.name or ''}"
            transition.display_name = f"{transition.name} ({label})" if transition.name \
                else label
