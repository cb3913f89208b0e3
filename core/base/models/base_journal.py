"""Every model journals its changes: create, write and unlink append ``ir.journal``
entries, in batch (a constant number of queries whatever the number of records).

A model opts out with ``_journal = False``. Writes the ORM makes while recomputing stored
computed fields do not go through ``write`` and are not journaled: they are not user
changes, and the fields they derive from are.
"""
from __future__ import annotations

from typing import Any

from core import AbstractModel, AccessError, _
from core.security import has_group, journal


class Base(AbstractModel):
    _inherit = "base"

    #: set to False on a model whose changes are not worth journaling
    _journal = True

    def create(self, vals_list: Any) -> Any:
        if not isinstance(vals_list, dict):
            vals_list = list(vals_list)
        records = super().create(vals_list)
        plan = journal.plan_of(type(self))
        if plan is None or not records:
            return records
        given = {n for vals in ([vals_list] if isinstance(vals_list, dict) else vals_list)
                 for n in vals}
        # x2many fields cost a query each: read only those the values (or defaults) set
        names = [n for n, f in plan.fields.items() if not f.column_less or n in given
                 or f.default is not None or f"default_{n}" in self.env.context]
        after, labels = journal.snapshot(records, names, with_names=True)
        journal.record(records, "create", journal.created_changes(after), labels)
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        plan = journal.plan_of(type(self))
        names = plan.written(vals) if plan is not None and self._ids else []
        if not names:
            return super().write(vals)
        before, _labels = journal.snapshot(self, names, blobs=True)
        result = super().write(vals)
        after, labels = journal.snapshot(self, names, blobs=True, with_names=True)
        journal.record(self, "write", journal.written_changes(before, after), labels)
        return result

    def unlink(self) -> bool:
        plan = journal.plan_of(type(self))
        if plan is None or not self._ids:
            return super().unlink()
        before, labels = journal.snapshot(self, list(plan.fields), with_names=True)
        result = super().unlink()
        journal.record(self, "unlink", journal.deleted_changes(before), labels)
        return result

    def _journal_history(self) -> list[dict[str, Any]]:
        """The journal entries of these records, newest first: ``{id, res_id, date (UTC),
        operation, user_id, user, display_name, changes: [{field, string, old, new}]}``.
        Needs read access to the records; deleted records' history is for administrators
        (their record rules can no longer be checked)."""
        if not self._ids or "ir.journal" not in self.env:
            return []
        if not self.env.su:
            self._check_access("read")
            existing = self.sudo().exists()
            if existing:
                existing.with_env(self.env)._check_rules("read")
            if len(existing) != len(set(self._ids)) and not has_group(
                    self.env, self.env.uid, "base.group_system"):
                raise AccessError(_("Only administrators may read the history of deleted "
                                    "%(model)s records.",
                                    model=self._description or self._name))
        return journal.history(self)
