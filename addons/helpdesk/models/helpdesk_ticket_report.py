"""Durations of a ticket the reports average: stored, so that graph and pivot views (and
:mod:`.helpdesk_report`) average them in SQL by team, type, priority or month.

Both are elapsed (calendar) hours from the ticket's creation: ``first_response_hours`` to the
first agent reply, ``handling_hours`` to the resolution (empty while unresolved; a reopened
ticket counts again from its creation when resolved anew). The SLA's deadlines, in the team's
working hours, are the SLA's own fields.
"""
from __future__ import annotations

import datetime as dt

from core import Model, api, fields


def hours_between(start: dt.datetime | None, end: dt.datetime | None) -> float | bool:
    """Elapsed hours from ``start`` to ``end``; empty when either is missing (averages
    select the tickets that have the date)."""
    if not start or not end:
        return False
    return round(max((end - start).total_seconds(), 0.0) / 3600.0, 2)


class HelpdeskTicket(Model):
    _inherit = "helpdesk.ticket"

    first_response_hours = fields.Float(
        "Hours to First Response", digits=(10, 2), compute="_compute_report_hours",
        store=True, group_operator="avg", readonly=True,
        help="Elapsed hours from the ticket's creation to the first agent reply.")
    handling_hours = fields.Float(
        "Hours to Resolve", digits=(10, 2), compute="_compute_report_hours", store=True,
        group_operator="avg", readonly=True,
        help="Elapsed hours from the ticket's creation to its resolution.")

    @api.depends("create_date", "date_first_response", "date_resolved")
    def _compute_report_hours(self) -> None:
        for ticket in self:
            ticket.first_response_hours = hours_between(ticket.create_date,
                                                        ticket.date_first_response)
            ticket.handling_hours = hours_between(ticket.create_date, ticket.date_resolved)
