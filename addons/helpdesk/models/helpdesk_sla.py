"""``helpdesk.sla``: service-level policies, and the arithmetic of their targets.

A policy promises a first response and a resolution within so many *working* hours of the
ticket's team (its ``resource.calendar``: working week, time zone, public holidays and
closures). It applies to the tickets matching all of its criteria, each optional: team,
minimum priority, ticket type and customers (accounts or contacts). A ticket gets the most
specific matching policy: customers first, then type, then the highest minimum priority,
then team; ties go to the lowest sequence.

The clock of a target runs from the ticket's creation, stops during its pauses (waiting for
the customer, or resolved until reopened: see ``helpdesk_ticket_sla.py``) and stops for
good when the target is met (first response given, ticket resolved).
:func:`target_state` is that arithmetic as a pure function of its inputs (no database, no
clock), which is what the property tests exercise.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from core import Model, ValidationError, _, api, fields
from core.automation.working_time import NoWorkingTime, PausableClock, WorkingSchedule

from .helpdesk_ticket import PRIORITIES

Pause = tuple[dt.datetime, "dt.datetime | None"]
#: ticket-level SLA statuses (False: no policy)
SLA_STATUSES = [("ok", "On Track"), ("at_risk", "At Risk"), ("breached", "Breached")]
TARGETS = [("first_response", "First Response"), ("resolution", "Resolution")]


@dataclass(frozen=True)
class TargetState:
    """Where one target of a ticket stands at a moment.

    ``deadline``: when the target is (or was) reached if the clock runs on without another
    pause (None when the calendar has no working time left); ``consumed``: working time
    counted; ``done``: the clock stopped for good (target met or missed, not running)."""

    target: dt.timedelta
    deadline: dt.datetime | None
    consumed: dt.timedelta
    paused: dt.timedelta
    done: bool
    status: str

    @property
    def breached(self) -> bool:
        return self.status == "breached"

    @property
    def left(self) -> dt.timedelta:
        """Working time left before the breach (negative once breached)."""
        return self.target - self.consumed


def target_state(schedule: WorkingSchedule, start: dt.datetime, pauses: Iterable[Pause],
                 target_hours: float, now: dt.datetime, stop: dt.datetime | None = None,
                 warning_percent: float = 80.0) -> TargetState:
    """A target of ``target_hours`` working hours on ``schedule``, its clock started at
    ``start`` and stopped during ``pauses`` (``end`` None: still paused) and for good at
    ``stop`` (the first response, the resolution; None while open), seen at ``now``.

    A pause still running counts as ending now: the deadline shown is the one the ticket
    would have if work resumed at once (it moves later as long as the pause lasts). A
    target is *breached* once its working time is used up while the clock runs, or when
    it stopped after using it up; *at risk* once ``warning_percent`` of it is used."""
    end = min(stop, now) if stop is not None else now
    end = max(end, start)
    closed = tuple((a, min(b, end) if b is not None else end) for a, b in pauses if a < end)
    clock = PausableClock(schedule, start, closed)
    target = dt.timedelta(hours=target_hours)
    consumed = clock.consumed(end)
    paused = schedule.between(start, end) - consumed
    try:
        deadline = clock.deadline(target, end)
    except NoWorkingTime:
        deadline = None
    done = stop is not None
    if consumed > target or (not done and consumed >= target):
        status = "breached"
    elif not done and consumed >= target * (warning_percent / 100.0):
        status = "at_risk"
    else:
        status = "ok"
    return TargetState(target, deadline, consumed, paused, done, status)


def worst_status(states: Iterable[TargetState | None]) -> str:
    """The ticket's status out of its targets': breached if one is, at risk if an open
    one is, on track otherwise."""
    found = [state for state in states if state is not None]
    if any(state.breached for state in found):
        return "breached"
    if any(state.status == "at_risk" for state in found):
        return "at_risk"
    return "ok"


class HelpdeskSla(Model):
    _name = "helpdesk.sla"
    _description = "SLA Policy"
    _order = "sequence, id"

    name = fields.Char("Policy", required=True, translate=True)
    description = fields.Text("Description", translate=True)
    active = fields.Boolean("Active", default=True)
    sequence = fields.Integer("Sequence", default=10,
                              help="Among equally specific policies, the lowest wins.")
    team_id = fields.Many2one("helpdesk.team", "Team", index=True, ondelete="cascade",
                              help="Empty: the tickets of every team.")
    priority = fields.Selection(PRIORITIES, "Minimum Priority", required=True, default="0",
                                help="Applies to tickets of this priority or higher.")
    ticket_type_id = fields.Many2one("helpdesk.ticket.type", "Ticket Type",
                                     ondelete="cascade", help="Empty: every type.")
    partner_ids = fields.Many2many("res.partner", "helpdesk_sla_partner_rel", "sla_id",
                                   "partner_id", "Customers",
                                   help="Accounts or contacts this policy is reserved for "
                                        "(a contract's terms); empty: every customer.")
    first_response_hours = fields.Float(
        "First Response (working hours)", digits=(16, 2), default=0.0,
        help="An agent answers the customer within this many working hours of the "
             "ticket's creation; 0: no first-response target.")
    resolution_hours = fields.Float(
        "Resolution (working hours)", digits=(16, 2), default=0.0,
        help="The ticket is resolved within this many working hours, time waiting for "
             "the customer not counted; 0: no resolution target.")
    warning_percent = fields.Integer(
        "At Risk From (%)", default=80,
        help="A ticket is shown at risk once this share of a target's time is used.")
    company_id = fields.Many2one("res.company", "Company", index=True,
                                 default=lambda self: self.env.company.id)

    @api.constrains("first_response_hours", "resolution_hours", "warning_percent")
    def _check_targets(self) -> None:
        for policy in self:
            if policy.first_response_hours < 0 or policy.resolution_hours < 0:
                raise ValidationError(_("A target cannot be negative."),
                                      field="resolution_hours")
            if not policy.first_response_hours and not policy.resolution_hours:
                raise ValidationError(
                    _("Policy “%(name)s” needs a first response or a resolution target.",
                      name=policy.name), field="resolution_hours")
            if not 1 <= policy.warning_percent <= 100:
                raise ValidationError(_("“At risk from” is a percentage between 1 and "
                                        "100."), field="warning_percent")

    # -- choosing a ticket's policy --------------------------------------------------------------
    def _specificity(self) -> tuple[Any, ...]:
        """Sort key, most specific first: customers > type > priority > team > sequence."""
        return (not self.partner_ids, not self.ticket_type_id, -int(self.priority or 0),
                not self.team_id, self.sequence, self.id)

    def _matches(self, ticket: Any) -> bool:
        """Whether this policy applies to ``ticket`` (every criterion set must hold)."""
        if self.team_id and self.team_id != ticket.team_id:
            return False
        if self.ticket_type_id and self.ticket_type_id != ticket.ticket_type_id:
            return False
        if int(ticket.priority or 0) < int(self.priority or 0):
            return False
        if self.company_id and ticket.company_id and self.company_id != ticket.company_id:
            return False
        if self.partner_ids:
            customers = ticket.partner_id | ticket.commercial_partner_id
            if not customers & self.partner_ids:
                return False
        return True

    def action_apply_to_open_tickets(self) -> bool:
        """Choose the policy of every open ticket again (a new or changed policy applies
        to tickets already in the queues, not only to new ones) and recompute their
        deadlines now."""
        tickets = self.env["helpdesk.ticket"].sudo().search(
            [("state", "not in", ["resolved", "closed", "cancelled"])])
        tickets._sla_choose_policy()
        tickets._sla_refresh()
        return True

    @api.model
    def _policy_for(self, tickets: Any) -> dict[int, int | bool]:
        """``{ticket id: policy id or False}``: the most specific active policy of each
        ticket (policies are read once for the whole batch)."""
        policies = sorted(self.sudo().search([]), key=lambda p: p._specificity())
        tickets = tickets.sudo()
        return {ticket.id: next((p.id for p in policies if p._matches(ticket)), False)
                for ticket in tickets}
