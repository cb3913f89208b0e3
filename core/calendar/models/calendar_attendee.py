"""``calendar.attendee``: one partner's answer to one event (iCalendar PARTSTAT).

Lines follow the event's ``partner_ids`` (see ``CalendarEvent._sync_attendees``); adding
a line directly adds its partner to the event, so the record rules, which test
``partner_ids``, always agree with the lines.
"""
from __future__ import annotations

from core import Model, api, fields

STATES = [("needsAction", "Needs Action"), ("tentative", "Maybe"),
          ("declined", "Declined"), ("accepted", "Accepted")]
#: iCalendar PARTSTAT values and ours
PARTSTAT = {"NEEDS-ACTION": "needsAction", "ACCEPTED": "accepted",
            "DECLINED": "declined", "TENTATIVE": "tentative"}


class CalendarAttendee(Model):
    _name = "calendar.attendee"
    _description = "Calendar Attendee"
    _order = "event_id, id"
    _rec_name = "partner_id"

    event_id = fields.Many2one("calendar.event", "Meeting", required=True,
                               ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", "Contact", required=True,
                                 ondelete="cascade", index=True)
    email = fields.Char("Email", related="partner_id.email")
    state = fields.Selection(STATES, "Answer", default="needsAction", required=True)

    _sql_constraints = [("event_partner_unique", "unique(event_id, partner_id)",
                         "This contact already attends the event.")]

    @api.model
    def create(self, vals_list):  # type: ignore[override]
        single = isinstance(vals_list, dict)
        records = super().create([vals_list] if single else vals_list)
        if not self.env.context.get("calendar_no_sync"):
            by_event: dict[int, set[int]] = {}
            for row in records.read(["event_id", "partner_id"]):
                by_event.setdefault(row["event_id"][0], set()).add(row["partner_id"][0])
            events = self.env["calendar.event"].with_context(calendar_no_sync=True)
            for event_id, partner_ids in by_event.items():
                events.browse(event_id).write(
                    {"partner_ids": [(4, pid) for pid in sorted(partner_ids)]})
        return records[0] if single else records
