"""Every model follows its workflows and runs its automation rules.

``create`` and ``write`` ask :func:`core.automation.plan.plan_of` whether the model has a
workflow-bound field or a write-time rule (a dictionary lookup: models without either
pay nothing else). A workflow-bound field moves only along allowed transitions, whoever
writes it, so forms, kanban, the APIs and imports are all covered; the actions of the
transitions taken and the matching rules run after the change, without ever undoing it.
"""
from __future__ import annotations

from typing import Any

from core import AbstractModel
from core.automation import plan as automation_plan
from core.automation import rules, workflow


class Base(AbstractModel):
    _inherit = "base"

    def create(self, vals_list: Any) -> Any:
        plan = automation_plan.plan_of(self)
        if plan is None:
            records = super().create(vals_list)
            if self._name in automation_plan.CONFIG_MODELS:
                automation_plan.clear_cache(self.env)
            return records
        single = isinstance(vals_list, dict)
        vals_list = [vals_list] if single else list(vals_list)
        if plan.workflows:
            vals_list = workflow.prepare_create(self, vals_list, plan)
        records = super().create(vals_list)
        rules.after_create(records, plan)
        return records[0] if single and records else records

    def write(self, vals: dict[str, Any]) -> bool:
        plan = automation_plan.plan_of(self) if self._ids else None
        if plan is None or plan.watched.isdisjoint(vals):
            result = super().write(vals)
            if self._name in automation_plan.CONFIG_MODELS:
                automation_plan.clear_cache(self.env)
            return result
        moves = workflow.check_write(self, vals, plan)
        before = rules.before_write(self, vals, plan)
        result = super().write(vals)
        workflow.run_moves(self, moves)
        rules.after_write(self, vals, plan, before, moves)
        return result

    def copy(self, default: dict[str, Any] | None = None) -> Any:
        """A copy starts its workflows afresh, in their initial state."""
        plan = automation_plan.plan_of(self)
        if plan is not None and plan.workflows:
            default = {**dict.fromkeys(plan.workflows, False), **(default or {})}
        return super().copy(default)

    def unlink(self) -> bool:
        result = super().unlink()
        if self._name in automation_plan.CONFIG_MODELS:
            automation_plan.clear_cache(self.env)
        return result

    # -- the workflow API ----------------------------------------------------------------
    def workflow_move(self, target: Any, field_name: str | None = None,
                      version: int | None = None) -> bool:
        """Move these records along a transition and run its actions: ``target`` is a
        transition id, or (with ``field_name``) the state to reach (its code, its id or
        the ``ir.workflow.state`` record). Refused moves raise ValidationError."""
        return workflow.move(self, target, field_name, version)

    def workflow_transitions(self, field_name: str) -> list[dict[str, Any]]:
        """The moves the current user may make on this record now: ``[{id, label, to}]``
        (what the form's buttons offer)."""
        self.ensure_one()
        value = self.read([field_name])[0][field_name]
        bar = workflow.statusbar(self, field_name, value)
        return bar["buttons"] if bar else []

    def workflow_statusbar(self, field_name: str, value: Any = None) -> dict[str, Any] | None:
        """What the form's status bar shows for a workflow-bound field (None when the
        field has no workflow): the states and the moves offered."""
        return workflow.statusbar(self, field_name, value)
