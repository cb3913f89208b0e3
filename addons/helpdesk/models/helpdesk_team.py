"""``helpdesk.team``: a support queue, its agents, its hours and how tickets reach them.

A team has a manager (``user_id``), members (``member_ids``, the agents), working hours
(``resource_calendar_id``: SLAs count in them), an assignment strategy and an optional
e-mail alias: mail sent to ``<alias>@<catchall domain>`` becomes a ticket of the team
through the kernel's mail gateway, and replies land on the ticket's chatter.

Strategies (``assignment_strategy``) map to the kernel's (``core.automation.assignment``):

* ``manual``: nobody is chosen, agents take tickets from the queue (*Take next*);
* ``round_robin``: members in turn;
* ``load``: the member with the fewest open tickets;
* ``skill``: members having the skill the ticket type requires, fewest open first;
* ``region``: members serving the customer's region, fewest open first.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, fields
from core.automation.assignment import assign

STRATEGIES = [("manual", "Manual (agents take tickets)"), ("round_robin", "Round robin"),
              ("load", "Fewest open tickets"), ("skill", "Required skill"),
              ("region", "Customer's region")]
#: ticket states that count as an agent's workload
OPEN_STATES = ("new", "assigned", "in_progress", "waiting")


class HelpdeskTeam(Model):
    _name = "helpdesk.team"
    _description = "Helpdesk Team"
    _inherit = ["mail.thread", "mail.alias.mixin"]
    _order = "sequence, name, id"
    _mail_follow_fields = ("user_id",)

    name = fields.Char("Team", required=True, translate=True, tracking=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    user_id = fields.Many2one("res.users", "Manager", index=True, tracking=True,
                              ondelete="set null")
    member_ids = fields.Many2many("res.users", "helpdesk_team_member_rel", "team_id",
                                  "user_id", "Agents")
    resource_calendar_id = fields.Many2one(
        "resource.calendar", "Working Hours", ondelete="restrict",
        default=lambda self: self._default_calendar(),
        help="Working hours and days off of the team: SLA deadlines count in them.")
    assignment_strategy = fields.Selection(
        STRATEGIES, "Assignment", required=True, default="manual", tracking=True,
        help="How a new ticket of the team without an assignee gets one.")
    company_id = fields.Many2one("res.company", "Company", index=True,
                                 default=lambda self: self.env.company.id)
    color = fields.Integer("Color Index", default=0)
    ticket_ids = fields.One2many("helpdesk.ticket", "team_id", "Tickets")
    open_ticket_count = fields.Integer("Open Tickets", compute="_compute_ticket_counts")
    unassigned_ticket_count = fields.Integer("Unassigned", compute="_compute_ticket_counts")

    def _default_calendar(self) -> int | bool:
        calendar = self.env.ref("base.resource_calendar_standard", raise_if_not_found=False)
        return calendar.id if calendar else False

    def _compute_ticket_counts(self) -> None:
        open_counts: dict[int, int] = {}
        unassigned: dict[int, int] = {}
        if self.ids:
            rows = self.env["helpdesk.ticket"]._read_group_raw(
                [("team_id", "in", self.ids), ("state", "in", list(OPEN_STATES))],
                ["team_id", "user_id"], ["__count"])
            for team_id, user_id, count in rows:
                open_counts[team_id] = open_counts.get(team_id, 0) + count
                if not user_id:
                    unassigned[team_id] = unassigned.get(team_id, 0) + count
        for team in self:
            team.open_ticket_count = open_counts.get(team.id, 0)
            team.unassigned_ticket_count = unassigned.get(team.id, 0)

    # -- e-mail alias (mail.alias.mixin) ---------------------------------------------------
    def _alias_values(self) -> dict[str, Any]:
        """Mail to the team's alias becomes a ticket of the team, channel e-mail."""
        return {"model": "helpdesk.ticket",
                "defaults": {"team_id": self.id, "channel": "email"}}

    # -- assignment ------------------------------------------------------------------------
    def _agents(self) -> Any:
        """Who may receive the team's tickets: its active members."""
        self.ensure_one()
        return self.sudo().member_ids.filtered(lambda u: u.active)

    def _assign_tickets(self, tickets: Any, strategy: str | None = None
                        ) -> dict[int, int | bool]:
        """Give each of ``tickets`` (of this team, unassigned) to an agent with the team's
        strategy (or ``strategy``); returns ``{ticket id: user id or False}``. Runs as
        the system: whoever creates the ticket need not see the agents' workload."""
        self.ensure_one()
        strategy = strategy or self.assignment_strategy or "manual"
        agents = self._agents()
        if strategy == "manual" or not tickets or not agents:
            return {}
        kernel, options = self._strategy_options(strategy)
        return assign(tickets.sudo(), kernel, agents, "user_id",
                      key=f"helpdesk.team,{self.id}", **options)

    @staticmethod
    def _strategy_options(strategy: str) -> tuple[str, dict[str, Any]]:
        """The kernel strategy and its options for one of the team's strategies."""
        load = {"load_domain": [("state", "in", list(OPEN_STATES))]}
        if strategy == "skill":
            return "field_match", {**load, "match_field": "required_skill_id",
                                   "user_match_field": "helpdesk_skill_ids"}
        if strategy == "region":
            return "field_match", {**load, "match_field": "region_scope_ids",
                                   "user_match_field": "helpdesk_region_ids"}
        if strategy == "load":
            return "load", load
        return "round_robin", {}

    # -- buttons ---------------------------------------------------------------------------
    def action_open_queue(self) -> dict[str, Any]:
        """The team's unassigned open tickets, oldest first."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "helpdesk.ticket",
                "name": _("Queue of %(team)s", team=self.name), "view_mode": "list,form",
                "domain": [("team_id", "=", self.id), ("user_id", "=", False),
                           ("state", "in", list(OPEN_STATES))]}
