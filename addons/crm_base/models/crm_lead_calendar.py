"""Meetings about an opportunity: ``calendar.event.opportunity_id`` (Odoo's name), counted
by the opportunity form's "Meetings" smart button."""
from __future__ import annotations

from core import Model, fields


class CalendarEvent(Model):
    _inherit = "calendar.event"

    opportunity_id = fields.Many2one("crm.lead", "Opportunity", index=True,
                                     ondelete="set null",
                                     domain=[("type", "=", "opportunity")])
