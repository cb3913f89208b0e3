"""The queue: agents take tickets, oldest first, among those they are able to handle.

* :meth:`HelpdeskTicket.action_take` (the *Take* button): assign these tickets to me;
* :meth:`HelpdeskTicket._take_next` (the team's *Take Next Ticket* button): the oldest
  unassigned open ticket of the agent's teams whose type needs no skill or a skill the
  agent has, assigned to him at once. Two agents pressing it at the same moment never get
  the same ticket: the candidate row is locked (PostgreSQL ``FOR UPDATE``; SQLite writes
  one transaction at a time) and checked again before it is taken;
* :meth:`HelpdeskTicket.action_reopen`: back to *in progress* from resolved or closed;
* :meth:`HelpdeskTeam.action_take_next`: the team form's button, opening the ticket taken.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core import Model, _
from core.exceptions import AccessError, UserError

from .helpdesk_team import OPEN_STATES

AGENT_GROUP = "helpdesk.group_helpdesk_agent"
#: queue order: first in, first out
FIFO = "create_date, id"
#: candidates examined per *Take next* (others may be taken meanwhile)
BATCH = 20


class HelpdeskTicket(Model):
    _inherit = "helpdesk.ticket"

    def _check_agent(self, user: Any) -> None:
        if not user.has_group(AGENT_GROUP):
            raise AccessError(_("Only support agents take tickets."))

    def action_take(self) -> bool:
        """Assign these tickets to the current user (the *Take* button)."""
        self._check_agent(self.env.user)
        closed = self.filtered(lambda t: t.state not in OPEN_STATES)
        if closed:
            raise UserError(_("%(ticket)s is %(state)s: reopen it before taking it.",
                              ticket=closed[0].display_name,
                              state=dict(self._fields["state"].selection)[closed[0].state]))
        return self.write({"user_id": self.env.uid})

    def _queue_domain(self, user: Any, teams: Any = None) -> list:
        """Unassigned open tickets of ``teams`` (default: the user's teams) that need no
        skill or one the user has."""
        if teams is None:
            teams = self.env["helpdesk.team"].sudo().search([("member_ids", "in", [user.id])])
        skills = user.sudo().helpdesk_skill_ids.ids
        return [("team_id", "in", teams.ids), ("user_id", "=", False),
                ("state", "in", list(OPEN_STATES)),
                "|", ("required_skill_id", "=", False), ("required_skill_id", "in", skills)]

    def _take_next(self, user: Any = None, teams: Any = None) -> Any:
        """Give ``user`` (default: the current one) the oldest unassigned ticket of his
        teams (or of ``teams``, among his) that fits his skills; returns it, assigned to
        him, or an empty recordset when the queue holds nothing for him."""
        user = (user or self.env.user).sudo()
        self._check_agent(user)
        mine = self.env["helpdesk.team"].sudo().search([("member_ids", "in", [user.id])])
        if teams is not None:
            mine &= teams.sudo()
        tickets = self.sudo()
        table = self._sa_table
        while True:
            candidates = tickets.search(self._queue_domain(user, mine), order=FIFO,
                                        limit=BATCH)
            if not candidates:
                return self.browse()
            for ticket in candidates:
                query = sa.select(table.c.user_id).where(table.c.id == ticket.id)
                if self.env.dialect == "postgresql":
                    query = query.with_for_update()
                if self.env.execute(query).scalar() is not None:
                    continue  # taken meanwhile by someone else
                ticket.with_user(user.id).sudo().write({"user_id": user.id})
                return self.browse(ticket.id)
            self.env.cache.invalidate([(self._name, "user_id")], candidates.ids)

    def action_reopen(self) -> bool:
        """Reopen resolved or closed tickets (back to in progress, counted)."""
        others = self.filtered(lambda t: t.state not in ("resolved", "closed"))
        if others:
            raise UserError(_("Only resolved or closed tickets can be reopened; %(ticket)s "
                              "is not.", ticket=others[0].display_name))
        return self.workflow_move("in_progress", "state")


class HelpdeskTeam(Model):
    _inherit = "helpdesk.team"

    def action_take_next(self) -> dict[str, Any] | bool:
        """The *Take Next Ticket* button: open the ticket taken from this team's queue."""
        self.ensure_one()
        if self.env.user not in self.sudo().member_ids:
            raise UserError(_("You are not an agent of %(team)s: ask its manager to add "
                              "you to the team.", team=self.name))
        ticket = self.env["helpdesk.ticket"]._take_next(self.env.user, teams=self)
        if not ticket:
            raise UserError(_("The queue of %(team)s holds no unassigned ticket fitting "
                              "your skills.", team=self.name))
        return {"type": "ir.actions.act_window", "res_model": "helpdesk.ticket",
                "xml_id": "helpdesk.helpdesk_ticket_action", "res_id": ticket.id}
