"""``helpdesk.time.entry``: time spent on a ticket (who, when, how long, what).

The ticket sums them (``total_hours``); the contracts module consumes them from the
customer's prepaid balance (``helpdesk_time_entry_contract.py``).
"""
from __future__ import annotations

from core import Model, _, api, fields
from core.exceptions import ValidationError
from core.mail.models.mail_activity import local_today

#: the longest entry accepted (a day and a night): longer is a typing mistake
MAX_HOURS = 24.0


class HelpdeskTimeEntry(Model):
    _name = "helpdesk.time.entry"
    _description = "Ticket Time Entry"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one("helpdesk.ticket", "Ticket", required=True, index=True,
                                ondelete="cascade")
    user_id = fields.Many2one("res.users", "User", required=True, index=True,
                              default=lambda self: self.env.user.id, ondelete="restrict")
    date = fields.Date("Date", required=True, default=lambda self: local_today(self.env.user.tz))
    duration = fields.Float("Hours", digits=(8, 2), required=True, default=0.0,
                            help="Time spent, in hours (1.5 = 1 h 30).")
    note = fields.Char("Note")
    company_id = fields.Many2one("res.company", "Company", related="ticket_id.company_id",
                                 store=True, index=True)

    @api.constrains("duration")
    def _check_duration(self) -> None:
        for entry in self:
            if entry.duration <= 0 or entry.duration > MAX_HOURS:
                raise ValidationError(_("A time entry lasts more than 0 and at most %(max)s "
                                        "hours.", max=int(MAX_HOURS)), field="duration")
