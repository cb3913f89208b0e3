"""``ir.journal``: the append-only change journal (who changed what, when, how).

Every create, write and unlink of a journaled model appends entries here (see
``base_journal`` and :mod:`core.security.journal`). Entries are never modified or
deleted through the ORM, not even by the superuser: only the retention purge removes
the oldest ones. Administrators read and search them.
"""
from __future__ import annotations

from typing import Any

from core import AccessError, Model, _, fields
from core.security import journal


class IrJournal(Model):
    _name = "ir.journal"
    _description = "Change Journal Entry"
    _order = "date desc, id desc"
    _rec_name = "record_name"
    _log_access = False
    _journal = False

    model = fields.Char("Model", required=True, index=True, readonly=True)
    res_id = fields.Integer("Record ID", index=True, readonly=True)
    record_name = fields.Char("Record", readonly=True,
                              help="The record's name when the change was made: the history "
                                   "of a deleted record stays readable.")
    operation = fields.Selection([("create", "Created"), ("write", "Modified"),
                                  ("unlink", "Deleted")], "Operation", required=True,
                                 readonly=True)
    user_id = fields.Many2one("res.users", "User", ondelete="set null", index=True,
                              readonly=True)
    date = fields.Datetime("Date", required=True, index=True, readonly=True)
    changes = fields.Json("Changes", readonly=True,
                          help="{field: [old value, new value]}, changed fields only.")

    def write(self, vals: dict[str, Any]) -> bool:
        raise AccessError(_("The change journal is append-only: its entries cannot be "
                            "modified."))

    def unlink(self) -> bool:
        raise AccessError(_("The change journal is append-only: its entries are only "
                            "removed by the retention purge (setting %(key)s).",
                            key=journal.RETENTION_PARAM))

    def _purge(self, days: int | None = None) -> int:
        """Delete entries older than ``days`` (default: the ``journal.retention_days``
        setting, 365 when unset; 0 keeps everything). Superuser only (the scheduler);
        returns how many entries were deleted."""
        return journal.purge(self.env, days)
