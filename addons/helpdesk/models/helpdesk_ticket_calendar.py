"""Meetings about a ticket (an on-site visit, a call with the customer's IT):
``calendar.event.helpdesk_ticket_id``, counted by the ticket form's "Meetings" smart
button, which also creates them already linked. Calls and to-dos are the chatter's
activities."""
from __future__ import annotations

from core import Model, fields


class CalendarEvent(Model):
    _inherit = "calendar.event"

    helpdesk_ticket_id = fields.Many2one("helpdesk.ticket", "Ticket", index=True,
                                         ondelete="set null",
                                         help="The helpdesk ticket this meeting is about.")
