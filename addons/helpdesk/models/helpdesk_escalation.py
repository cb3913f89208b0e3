"""Escalation rules and their log: what happens before and at an SLA breach.

A rule (``helpdesk.escalation.rule``) watches one target (first response or resolution) of
the tickets of some teams and policies (empty: all) and fires *N working hours before the
breach* or *at the breach*. Its actions: notify the team's manager (a message on the
ticket and a to-do activity), raise the priority (never lowers it), hand the ticket to
another team and/or agent. It fires once per ticket and rule: every firing is a row of
``helpdesk.escalation.log``, which the scheduled action checks first, so running it twice
changes nothing. The ticket keeps its SLA policy (see ``helpdesk_ticket_sla.py``).

The same log records the *overdue* alerts (``kind = 'overdue'``): the first time the
scheduled action finds a target of an open ticket breached, the team's manager gets an
activity and a message, once per ticket and target.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from markupsafe import escape

from core import Model, UserError, ValidationError, _, api, fields

from .helpdesk_sla import TARGETS, TargetState
from .helpdesk_ticket import PRIORITIES
from .helpdesk_ticket_sla import KEEP_POLICY_KEY

_logger = logging.getLogger(__name__)
TRIGGERS = [("before", "Before the breach"), ("breach", "At the breach")]


class HelpdeskEscalationRule(Model):
    _name = "helpdesk.escalation.rule"
    _description = "Escalation Rule"
    _order = "sequence, id"

    name = fields.Char("Rule", required=True, translate=True)
    active = fields.Boolean("Active", default=True)
    sequence = fields.Integer("Sequence", default=10, help="Rules due together run in "
                                                          "this order.")
    team_ids = fields.Many2many("helpdesk.team", "helpdesk_escalation_rule_team_rel",
                                "rule_id", "team_id", "Teams",
                                help="Empty: the tickets of every team.")
    sla_ids = fields.Many2many("helpdesk.sla", "helpdesk_escalation_rule_sla_rel", "rule_id",
                               "sla_id", "SLA Policies",
                               help="Empty: tickets under any policy.")
    target = fields.Selection(TARGETS, "Target", required=True, default="resolution")
    trigger = fields.Selection(TRIGGERS, "When", required=True, default="before")
    hours_before = fields.Float("Working Hours Before", digits=(16, 2), default=2.0,
                                help="How long before the deadline the rule fires.")
    notify_manager = fields.Boolean("Notify the Manager", default=True,
                                    help="The team's manager gets a to-do activity and "
                                         "the message on the ticket.")
    priority = fields.Selection(PRIORITIES, "Raise Priority To",
                                help="Empty: keep the priority. Never lowers it.")
    reassign_team_id = fields.Many2one("helpdesk.team", "Hand Over to Team",
                                       ondelete="set null")
    reassign_user_id = fields.Many2one("res.users", "Hand Over to Agent",
                                       ondelete="set null")
    note = fields.Text("Message", translate=True,
                       help="Added to the message posted on the ticket.")
    log_count = fields.Integer("Fired", compute="_compute_log_count")

    @api.constrains("trigger", "hours_before", "notify_manager", "priority",
                    "reassign_team_id", "reassign_user_id")
    def _check_rule(self) -> None:
        for rule in self:
            if rule.trigger == "before" and rule.hours_before <= 0:
                raise ValidationError(_("A rule firing before the breach needs a number "
                                        "of working hours above 0."), field="hours_before")
            if not (rule.notify_manager or rule.priority or rule.reassign_team_id
                    or rule.reassign_user_id):
                raise ValidationError(_("Rule “%(name)s” does nothing: notify the manager, "
                                        "raise the priority or hand the ticket over.",
                                        name=rule.name), field="notify_manager")

    def _compute_log_count(self) -> None:
        rows = self.env["helpdesk.escalation.log"].sudo()._read_group_raw(
            [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]) if self.ids else []
        counts = {rule_id: count for rule_id, count in rows}
        for rule in self:
            rule.log_count = counts.get(rule.id, 0)

    # -- firing ---------------------------------------------------------------------------------
    def _applies_to(self, ticket: Any) -> bool:
        return (not self.team_ids or ticket.team_id in self.team_ids) and \
            (not self.sla_ids or ticket.sla_id in self.sla_ids)

    def _due(self, state: TargetState | None) -> bool:
        """Whether the rule's moment has come for a target in ``state``: a running clock
        that reached the breach (or ``hours_before`` before it, not yet breached)."""
        if state is None or state.done:
            return False
        if self.trigger == "breach":
            return state.breached
        threshold = max(state.target - dt.timedelta(hours=self.hours_before), dt.timedelta())
        return not state.breached and state.consumed >= threshold

    @api.model
    def _escalate(self, tickets: Any, states: dict[int, dict[str, Any]], now: dt.datetime
                  ) -> Any:
        """Fire the due rules that have not fired yet on these tickets (``states`` from
        ``tickets._sla_states(now)``); returns the new log rows."""
        logs = self.env["helpdesk.escalation.log"].sudo()
        rules = self.sudo().search([])
        if not rules or not tickets:
            return logs
        done = {(log.ticket_id.id, log.rule_id.id) for log in logs.search(
            [("ticket_id", "in", tickets.ids), ("rule_id", "in", rules.ids)])}
        created = logs.browse()
        for ticket in tickets.sudo():
            targets = states.get(ticket.id) or {}
            for rule in rules:
                if (ticket.id, rule.id) in done or not rule._applies_to(ticket):
                    continue
                state = targets.get(rule.target)
                if not rule._due(state):
                    continue
                try:
                    with self.env.savepoint():
                        created |= rule._fire(ticket, state, now)
                except UserError as exc:
                    # a refused change (a workflow, a constraint) must not stop the run
                    # for the other tickets; the rule tries again at the next run
                    _logger.warning("Escalation rule %s failed on ticket %s: %s",
                                    rule.id, ticket.id, exc)
        return created

    def _fire(self, ticket: Any, state: TargetState, now: dt.datetime) -> Any:
        """Run this rule's actions on ``ticket`` and log them."""
        self.ensure_one()
        done: list[str] = []
        vals: dict[str, Any] = {}
        if self.priority and int(self.priority) > int(ticket.priority or 0):
            vals["priority"] = self.priority
            labels = dict(ticket.fields_get(["priority"])["priority"]["selection"])
            done.append(_("priority raised to %(priority)s",
                          priority=labels.get(self.priority, self.priority)))
        if self.reassign_team_id and self.reassign_team_id != ticket.team_id:
            vals["team_id"] = self.reassign_team_id.id
            done.append(_("handed over to team %(team)s", team=self.reassign_team_id.name))
            if not self.reassign_user_id and ticket.user_id and \
                    ticket.user_id not in self.reassign_team_id.member_ids:
                vals["user_id"] = False
        if self.reassign_user_id and self.reassign_user_id != ticket.user_id:
            vals["user_id"] = self.reassign_user_id.id
            done.append(_("handed over to %(user)s", user=self.reassign_user_id.name))
        if vals:
            ticket.with_context(**{KEEP_POLICY_KEY: True}).write(vals)
            if "team_id" in vals and not ticket.user_id:
                ticket._auto_assign()          # the new team's strategy picks an agent
        manager = ticket.team_id.user_id if self.notify_manager else ticket.env["res.users"]
        if manager:
            done.append(_("%(manager)s notified", manager=manager.name))
        if self.trigger == "breach":
            head = _("Escalated (%(rule)s): the %(target)s deadline is passed.",
                     rule=self.name, target=_target_label(self.target))
        else:
            head = _("Escalated (%(rule)s): the %(target)s deadline is near.",
                     rule=self.name, target=_target_label(self.target))
        return self.env["helpdesk.escalation.log"]._record(
            ticket, "escalation", self.target, state, now, manager, head,
            done, self.note or "", rule=self)


def _target_label(target: str) -> str:
    return _("first response") if target == "first_response" else _("resolution")


class HelpdeskEscalationLog(Model):
    _name = "helpdesk.escalation.log"
    _description = "Escalation"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one("helpdesk.ticket", "Ticket", required=True, index=True,
                                ondelete="cascade")
    team_id = fields.Many2one("helpdesk.team", "Team", related="ticket_id.team_id",
                              store=True, index=True)
    rule_id = fields.Many2one("helpdesk.escalation.rule", "Rule", index=True,
                              ondelete="set null")
    kind = fields.Selection([("escalation", "Escalation"), ("overdue", "Overdue alert")],
                            "Kind", required=True, default="escalation", index=True)
    target = fields.Selection(TARGETS, "Target", required=True)
    date = fields.Datetime("Date", required=True, index=True)
    deadline = fields.Datetime("Deadline")
    manager_id = fields.Many2one("res.users", "Manager Notified", ondelete="set null")
    actions = fields.Char("Actions Taken")

    @api.model
    def _record(self, ticket: Any, kind: str, target: str, state: TargetState,
                now: dt.datetime, manager: Any, head: str, done: list[str], note: str = "",
                rule: Any = None) -> Any:
        """Tell the ticket's followers (a note naming the manager) and the manager (a
        to-do activity due today), then log it."""
        deadline = state.deadline
        lines = [f"<p>{escape(head)}</p>"]
        if done:
            lines.append(f"<p>{escape('; '.join(done))}.</p>")
        if note:
            lines.append(f"<p>{escape(note)}</p>")
        body = "".join(lines)
        ticket.message_post(body=body, partner_ids=manager.partner_id.ids if manager else [])
        if manager:
            summary = _("Escalated: %(ticket)s", ticket=ticket.display_name) \
                if kind == "escalation" else _("Overdue: %(ticket)s", ticket=ticket.display_name)
            ticket.activity_schedule("mail.activity_type_todo", date_deadline=now.date(),
                                     summary=summary, note=body, user_id=manager.id)
        return self.sudo().create({
            "ticket_id": ticket.id, "rule_id": rule.id if rule else False, "kind": kind,
            "target": target, "date": now, "deadline": deadline or False,
            "manager_id": manager.id if manager else False,
            "actions": "; ".join(done) or False})

    @api.model
    def _alert_overdue(self, tickets: Any, states: dict[int, dict[str, Any]],
                       now: dt.datetime) -> Any:
        """Alert the team manager once per ticket and target newly overdue (a running
        target whose deadline is passed); returns the new log rows."""
        logs = self.sudo()
        alerted = {(log.ticket_id.id, log.target) for log in logs.search(
            [("ticket_id", "in", tickets.ids), ("kind", "=", "overdue")])} \
            if tickets else set()
        created = logs.browse()
        for ticket in tickets.sudo():
            for target, state in (states.get(ticket.id) or {}).items():
                if state is None or state.done or not state.breached or \
                        (ticket.id, target) in alerted:
                    continue
                manager = ticket.team_id.user_id
                head = _("Overdue: the %(target)s deadline of this ticket is passed.",
                         target=_target_label(target))
                done = [_("%(manager)s notified", manager=manager.name)] if manager else []
                created |= logs._record(ticket, "overdue", target, state, now, manager,
                                        head, done)
        return created
