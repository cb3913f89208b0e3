"""The SLA of a ticket: its policy, its deadlines, its status and its pauses.

* **Policy**: chosen when the ticket is created and chosen again when its team, type,
  priority or customer change (:meth:`HelpdeskSla._policy_for`). Escalations change the
  priority, team or assignee with the context key ``helpdesk_sla_keep_policy``: escalating
  never changes what was promised to the customer.
* **Clock**: starts at ``sla_start`` (the creation), counts the working hours of the team's
  calendar (``base.resource_calendar_standard`` without team) and stops during pauses.
* **Pauses** are kept in ``helpdesk.sla.pause`` rows (not derived from the change journal,
  whose entries the retention purge removes): one opens when the ticket enters *waiting
  for the customer* (reason ``waiting``) or *resolved / closed / cancelled* (reason
  ``resolved``, closed again when it is reopened), and closes when it leaves that state.
  Reconciling is idempotent: whatever writes the state, at most one pause is open.
* **Targets**: the first response stops at ``date_first_response`` (or at the resolution,
  a ticket resolved without a reply); the resolution at the moment the ticket was
  resolved. Deadlines, statuses and paused hours are stored, recomputed on every change
  that matters and by the scheduled action; while a ticket waits for the customer
  nothing moves (its open deadlines are empty, its status and figures are those of the
  moment it started waiting), so the scheduled action never writes on waiting tickets (:meth:`_cron_sla_update`, every 10 minutes),
  which also runs the escalation rules and alerts managers of overdue tickets.

"Now" is the context key ``helpdesk_now`` (a datetime or an ISO string) when given, so
that tests and replays never depend on the server's clock.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import Model, api, fields

from .helpdesk_sla import SLA_STATUSES, TargetState, target_state, worst_status
from .helpdesk_ticket import now_utc

NOW_KEY = "helpdesk_now"
KEEP_POLICY_KEY = "helpdesk_sla_keep_policy"
#: set while the SLA bookkeeping writes its own fields (no refresh of the refresh)
REFRESHING_KEY = "helpdesk_sla_refreshing"
#: the states during which the SLA clock stands still, and why
PAUSE_REASONS = {"waiting": "waiting", "resolved": "resolved", "closed": "resolved",
                 "cancelled": "resolved"}
#: states in which the resolution clock stopped for good (until reopened)
STOPPED = ("resolved", "closed", "cancelled")
#: changes that may choose another policy
POLICY_FIELDS = frozenset({"team_id", "ticket_type_id", "priority", "partner_id"})
#: changes after which deadlines and statuses are computed again
REFRESH_FIELDS = POLICY_FIELDS | {"state", "date_first_response", "date_resolved",
                                  "date_closed", "sla_id", "sla_start"}
SLA_VALUE_FIELDS = ("sla_first_response_deadline", "sla_resolution_deadline", "sla_deadline",
                    "sla_status", "sla_first_response_breached", "sla_resolution_breached",
                    "sla_paused", "sla_paused_hours")


def as_datetime(value: Any) -> dt.datetime:
    """A naive UTC datetime out of a datetime (aware or not) or an ISO string."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


class HelpdeskSlaPause(Model):
    _name = "helpdesk.sla.pause"
    _description = "SLA Pause"
    _order = "date_start desc, id desc"

    ticket_id = fields.Many2one("helpdesk.ticket", "Ticket", required=True, index=True,
                                ondelete="cascade")
    reason = fields.Selection([("waiting", "Waiting for the customer"),
                               ("resolved", "Resolved")], "Reason", required=True)
    date_start = fields.Datetime("From", required=True)
    date_end = fields.Datetime("To", help="Empty while the pause lasts.")


class HelpdeskTicketSla(Model):
    _inherit = "helpdesk.ticket"

    sla_id = fields.Many2one("helpdesk.sla", "SLA Policy", readonly=True, index=True,
                             ondelete="set null", copy=False)
    sla_start = fields.Datetime("SLA Start", readonly=True, copy=False,
                                help="When the SLA clock started: the ticket's creation.")
    sla_first_response_deadline = fields.Datetime("First Response Due", readonly=True,
                                                  copy=False)
    sla_resolution_deadline = fields.Datetime("Resolution Due", readonly=True, copy=False)
    sla_deadline = fields.Datetime(
        "SLA Deadline", readonly=True, copy=False, index=True,
        help="The next deadline: the first response's until it is given, then the "
             "resolution's. Empty while the ticket waits for the customer: the clock "
             "stands still, the deadline is set again when work resumes.")
    sla_status = fields.Selection(SLA_STATUSES, "SLA Status", readonly=True, copy=False,
                                  index=True)
    sla_first_response_breached = fields.Boolean("First Response Late", readonly=True,
                                                 copy=False)
    sla_resolution_breached = fields.Boolean("Resolution Late", readonly=True, copy=False)
    sla_paused = fields.Boolean("SLA Paused", readonly=True, copy=False,
                                help="The clock stands still: the ticket waits for the "
                                     "customer.")
    sla_paused_hours = fields.Float("Paused (working hours)", readonly=True, copy=False,
                                    digits=(16, 2))
    sla_pause_ids = fields.One2many("helpdesk.sla.pause", "ticket_id", "SLA Pauses",
                                    readonly=True)
    escalation_log_ids = fields.One2many("helpdesk.escalation.log", "ticket_id",
                                         "Escalations", readonly=True)

    # -- now ------------------------------------------------------------------------------------
    def _sla_now(self) -> dt.datetime:
        """Now (naive UTC): the context key ``helpdesk_now`` when set."""
        value = self.env.context.get(NOW_KEY)
        return as_datetime(value) if value else now_utc()

    # -- create / write -------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        now = self._sla_now()
        vals_list = [{"sla_start": now, **v} for v in ([vals_list] if single else vals_list)]
        tickets = super().create(vals_list)
        tickets._sla_track_pauses(now)
        tickets._sla_choose_policy()
        tickets._sla_refresh(now)
        return tickets[0] if single else tickets

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if self.env.context.get(REFRESHING_KEY) or REFRESH_FIELDS.isdisjoint(vals):
            return result
        now = self._sla_now()
        if "state" in vals:
            self._sla_track_pauses(now)
        if not POLICY_FIELDS.isdisjoint(vals) and not self.env.context.get(KEEP_POLICY_KEY):
            self._sla_choose_policy()
        self._sla_refresh(now)
        return result

    # -- pauses ---------------------------------------------------------------------------------
    def _sla_track_pauses(self, now: dt.datetime) -> None:
        """Make the open pauses agree with the states: at most one open pause per ticket,
        of the reason its state gives (idempotent)."""
        pauses = self.env["helpdesk.sla.pause"].sudo()
        open_pauses = pauses.search([("ticket_id", "in", self.ids), ("date_end", "=", False)])
        by_ticket = {pause.ticket_id.id: pause for pause in open_pauses}
        to_close = pauses.browse()
        to_open = []
        for ticket in self:
            wanted = PAUSE_REASONS.get(ticket.state)
            current = by_ticket.get(ticket.id)
            if current and current.reason == wanted:
                continue
            if current:
                to_close |= current
            if wanted:
                to_open.append({"ticket_id": ticket.id, "reason": wanted, "date_start": now})
        if to_close:
            to_close.write({"date_end": now})
        if to_open:
            pauses.create(to_open)

    def _sla_pauses(self) -> dict[int, list[tuple[dt.datetime, dt.datetime | None]]]:
        """``{ticket id: [(start, end or None)]}`` in one query."""
        result: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
        if not self.ids:
            return result
        pauses = self.env["helpdesk.sla.pause"].sudo().search(
            [("ticket_id", "in", self.ids)], order="date_start, id")
        for pause in pauses:
            result.setdefault(pause.ticket_id.id, []).append(
                (pause.date_start, pause.date_end or None))
        return result

    # -- policy ---------------------------------------------------------------------------------
    def _sla_choose_policy(self) -> None:
        """Give each ticket its most specific policy (one write per policy changed)."""
        chosen = self.env["helpdesk.sla"]._policy_for(self)
        groups: dict[int | bool, list[int]] = {}
        for ticket in self.sudo():
            if (ticket.sla_id.id or False) != (chosen.get(ticket.id) or False):
                groups.setdefault(chosen.get(ticket.id) or False, []).append(ticket.id)
        for policy_id, ids in groups.items():
            self.sudo().browse(ids).with_context(**{REFRESHING_KEY: True}).write(
                {"sla_id": policy_id})

    # -- deadlines and statuses -----------------------------------------------------------------
    def _sla_states(self, now: dt.datetime
                    ) -> dict[int, dict[str, TargetState | None]]:
        """``{ticket id: {"first_response": state, "resolution": state}}`` at ``now``
        (None for a target the policy does not set); one query for the pauses, one
        schedule per calendar."""
        pauses = self._sla_pauses()
        schedules: dict[int, Any] = {}
        default = self.env.ref("base.resource_calendar_standard", raise_if_not_found=False)
        result: dict[int, dict[str, TargetState | None]] = {}
        for ticket in self.sudo():
            policy = ticket.sla_id
            if not policy or not ticket.sla_start:
                continue
            calendar = ticket.team_id.resource_calendar_id or default
            if calendar.id not in schedules:
                schedules[calendar.id] = calendar._schedule()
            schedule = schedules[calendar.id]
            own = pauses.get(ticket.id, [])
            resolved_at = _resolved_at(ticket, own, now)
            # while the customer is awaited nothing moves: seen as of the pause's start
            seen_at = _waiting_since(ticket, own) or now
            response_stops = [d for d in (ticket.date_first_response, resolved_at) if d]
            response_at = min(response_stops) if response_stops else None

            def state(hours: float, stop: dt.datetime | None) -> TargetState | None:
                if not hours:
                    return None
                return target_state(schedule, ticket.sla_start, own, hours, seen_at, stop,
                                    policy.warning_percent)

            result[ticket.id] = {
                "first_response": state(policy.first_response_hours, response_at),
                "resolution": state(policy.resolution_hours, resolved_at)}
        return result

    def _sla_values(self, now: dt.datetime, states: dict[int, dict[str, Any]]
                    ) -> dict[int, dict[str, Any]]:
        """The stored SLA fields of each ticket out of its targets' states."""
        values: dict[int, dict[str, Any]] = {}
        for ticket in self:
            targets = states.get(ticket.id)
            if not targets:
                values[ticket.id] = dict.fromkeys(SLA_VALUE_FIELDS, False)
                values[ticket.id]["sla_paused_hours"] = 0.0
                continue
            first, resolution = targets["first_response"], targets["resolution"]
            pending = first if first is not None and not first.done else resolution
            clock = resolution or first
            paused = ticket.state == "waiting"

            def deadline(state: TargetState | None) -> dt.datetime | bool:
                # a running target has no deadline while paused: it is set on resuming
                if state is None or (paused and not state.done):
                    return False
                return state.deadline or False

            values[ticket.id] = {
                "sla_first_response_deadline": deadline(first),
                "sla_resolution_deadline": deadline(resolution),
                "sla_deadline": deadline(pending),
                "sla_status": worst_status([first, resolution]),
                "sla_first_response_breached": bool(first and first.breached),
                "sla_resolution_breached": bool(resolution and resolution.breached),
                "sla_paused": paused,
                "sla_paused_hours": round(clock.paused.total_seconds() / 3600, 2),
            }
        return values

    def _sla_refresh(self, now: dt.datetime | None = None,
                     states: dict[int, dict[str, Any]] | None = None) -> int:
        """Store the SLA fields computed at ``now``; only what changed is written (one
        write per distinct set of values). Returns how many tickets changed."""
        now = now or self._sla_now()
        tickets = self.sudo().exists()
        if not tickets:
            return 0
        states = states if states is not None else tickets._sla_states(now)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for ticket_id, vals in tickets._sla_values(now, states).items():
            ticket = tickets.browse(ticket_id)
            changed = {name: value for name, value in vals.items()
                       if _differs(ticket[name], value)}
            if changed:
                groups.setdefault(tuple(sorted(changed.items())), []).append(ticket_id)
        for key, ids in groups.items():
            tickets.browse(ids).with_context(**{REFRESHING_KEY: True}).write(dict(key))
        return sum(len(ids) for ids in groups.values())

    @api.model
    def _sla_apply_policies(self) -> int:
        """Give every ticket its policy and fresh deadlines: after loading data (the demo)
        or a change of policies meant to apply to tickets already open. Tickets that
        predate the SLA module start their clock at their creation. Returns how many
        tickets changed."""
        tickets = self.sudo().search([])
        for ticket in tickets.filtered(lambda t: not t.sla_start and t.create_date):
            ticket.with_context(**{REFRESHING_KEY: True}).write({"sla_start": ticket.create_date})
        tickets._sla_track_pauses(self._sla_now())
        tickets._sla_choose_policy()
        return tickets._sla_refresh()

    def action_sla_refresh(self) -> bool:
        """The form's button: choose the policy again and recompute the deadlines now."""
        self._sla_choose_policy()
        self._sla_refresh()
        return True

    # -- the scheduled action ---------------------------------------------------------------------
    @api.model
    def _cron_sla_update(self, now: Any = None) -> dict[str, int]:
        """Every 10 minutes: statuses and deadlines of the open tickets under a policy,
        then the escalation rules, then an alert to the team manager for each target
        newly overdue. Idempotent: a second run at the same moment does nothing."""
        now = as_datetime(now) if now else self._sla_now()
        tickets = self.sudo().with_context(**{NOW_KEY: now.isoformat()}).search(
            [("sla_id", "!=", False), ("state", "not in", list(STOPPED))])
        states = tickets._sla_states(now)
        updated = tickets._sla_refresh(now, states)
        logs = self.env["helpdesk.escalation.rule"].sudo()._escalate(tickets, states, now)
        alerts = self.env["helpdesk.escalation.log"].sudo()._alert_overdue(
            tickets, states, now)
        return {"tickets": len(tickets), "updated": updated, "escalated": len(logs),
                "alerted": len(alerts)}


def _resolved_at(ticket: Any, pauses: list[tuple[dt.datetime, dt.datetime | None]],
                 now: dt.datetime) -> dt.datetime | None:
    """When the ticket was resolved (or closed, cancelled) if it is now: the start of its
    open *resolved* pause, else its resolution or closing date."""
    if ticket.state not in STOPPED:
        return None
    open_starts = [start for start, end in pauses if end is None]
    if open_starts:
        return max(open_starts)
    return ticket.date_resolved or ticket.date_closed or now


def _waiting_since(ticket: Any, pauses: list[tuple[dt.datetime, dt.datetime | None]]
                   ) -> dt.datetime | None:
    """When the ticket started waiting for the customer, if it does now."""
    if ticket.state != "waiting":
        return None
    open_starts = [start for start, end in pauses if end is None]
    return max(open_starts) if open_starts else None


def _differs(current: Any, value: Any) -> bool:
    if hasattr(current, "_name"):
        current = current.id or False
    if isinstance(value, float) or isinstance(current, float):
        return round(float(current or 0.0), 2) != round(float(value or 0.0), 2)
    if isinstance(current, dt.datetime) and isinstance(value, dt.datetime):
        return current != value.replace(microsecond=0)
    return (current or False) != (value or False)
