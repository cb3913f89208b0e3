"""Demo data of ``calendar.event`` that depends on today's date."""
from __future__ import annotations

import datetime as dt

from core import Model, api

from .. import recurrence


class CalendarEventDemo(Model):
    """The demo week, computed from today so that a demo calendar is never empty."""

    _inherit = "calendar.event"

    @api.model
    def _create_demo_events(self, admin_id: int, colleague_id: int, client_id: int) -> None:
        users = self.env["res.users"].browse([admin_id, colleague_id])
        admin_partner, colleague_partner = (u.partner_id.id for u in users)
        tz = recurrence.zone("Europe/Paris")
        today = dt.datetime.now(tz).date()
        monday = today - dt.timedelta(days=today.weekday())

        def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
            local = dt.datetime.combine(monday + dt.timedelta(days=day),
                                        dt.time(hour, minute), tz)
            return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

        self.create([
            {"name": "Team stand-up", "start": at(0, 9, 30), "stop": at(0, 9, 45),
             "user_id": admin_id, "event_tz": "Europe/Paris", "rrule": "FREQ=WEEKLY;BYDAY=MO",
             "partner_ids": [(6, 0, [admin_partner, colleague_partner])],
             "location": "Meeting room 1"},
            {"name": "Contract review with Lucas Bernard", "start": at(1, 14),
             "stop": at(1, 15), "user_id": admin_id, "event_tz": "Europe/Paris",
             "partner_ids": [(6, 0, [admin_partner, client_id])], "location": "Visio"},
            {"name": "Support rota", "allday": True,
             "start_date": monday + dt.timedelta(days=2), "user_id": colleague_id,
             "event_tz": "Europe/Paris",
             "partner_ids": [(6, 0, [colleague_partner])]},
            {"name": "Dentist", "start": at(3, 11), "stop": at(3, 12),
             "user_id": colleague_id, "event_tz": "Europe/Paris", "privacy": "private",
             "partner_ids": [(6, 0, [colleague_partner])]},
            {"name": "Customer workshop", "start": at(3, 14), "stop": at(3, 16, 30),
             "user_id": colleague_id, "event_tz": "Europe/Paris",
             "partner_ids": [(6, 0, [colleague_partner, admin_partner, client_id])],
             "location": "Lyon office"},
        ])
