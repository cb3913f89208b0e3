"""``crm.team``: sales teams, their members and how new leads are shared among them.

A team has a leader (``user_id``, the *sales manager* of its opportunities), members
(``member_ids``) and an assignment strategy chosen among the kernel's and the addons'
(``core.automation.assign``): a new lead of the team without a salesperson gets one on
creation (see :meth:`CrmTeam._assign_leads`). A team may have an e-mail alias: mail sent
to it becomes a lead of the team (the mail gateway creates it, then assignment applies).
"""
from __future__ import annotations

from typing import Any

from core import Model, api, fields
from core.automation.assignment import assign, strategy_selection

DEFAULT_STRATEGY = "round_robin"


class CrmTeam(Model):
    _name = "crm.team"
    _inherit = ["mail.alias.mixin"]
    _description = "Sales Team"
    _order = "sequence, name, id"
    _mail_follow_fields = ("user_id",)

    name = fields.Char("Sales Team", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    user_id = fields.Many2one("res.users", "Team Leader", index=True,
                              help="The sales manager of the team's opportunities.")
    member_ids = fields.Many2many("res.users", "crm_team_member_rel", "team_id", "user_id",
                                  "Salespersons")
    company_id = fields.Many2one("res.company", "Company", index=True,
                                 default=lambda self: self.env.company.id)
    color = fields.Integer("Color Index", default=0)
    assignment_strategy = fields.Selection(
        lambda model: strategy_selection(model.env), "Assignment", default=DEFAULT_STRATEGY,
        required=True,
        help="How new leads of the team without a salesperson are given to its members.")
    lead_count = fields.Integer("Open Leads", compute="_compute_counts")
    opportunity_count = fields.Integer("Open Opportunities", compute="_compute_counts")
    territory_ids = fields.One2many("crm.territory", "team_id", "Territories")

    # -- counts -----------------------------------------------------------------------
    def _compute_counts(self) -> None:
        counts: dict[tuple[int, str], int] = {}
        if self.ids:
            rows = self.env["crm.lead"]._read_group_raw(
                [("team_id", "in", self.ids), ("won_status", "=", "pending")],
                ["team_id", "type"], ["__count"])
            counts = {(team_id, kind): count for team_id, kind, count in rows}
        for team in self:
            team.lead_count = counts.get((team.id, "lead"), 0)
            team.opportunity_count = counts.get((team.id, "opportunity"), 0)

    # -- membership ---------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        teams = super().create([vals_list] if single else list(vals_list))
        teams._sync_main_team()
        return teams[0] if single else teams

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if {"member_ids", "user_id"} & set(vals):
            self._sync_main_team()
        return result

    def _sync_main_team(self) -> None:
        """Users of these teams without a main team get the first one they join."""
        users = self.sudo().mapped("member_ids") | self.sudo().mapped("user_id")
        for user in users.filtered(lambda u: not u.sale_team_id):
            team = self.sudo().filtered(lambda t: user in t.member_ids or t.user_id == user)
            if team:
                user.write({"sale_team_id": team[0].id})

    def _team_users(self) -> Any:
        """Who may receive the team's leads: its active members, else its leader."""
        self.ensure_one()
        members = self.member_ids.filtered(lambda u: u.active)
        return members or self.user_id.filtered(lambda u: u.active)

    # -- e-mail alias (mail.alias.mixin) ---------------------------------------------------
    def _alias_values(self) -> dict[str, Any]:
        """Mail to the team's alias becomes a lead of the team."""
        return {"model": "crm.lead", "defaults": {"team_id": self.id, "type": "lead"}}

    # -- assignment ------------------------------------------------------------------------
    def _assign_leads(self, leads: Any) -> dict[int, int | bool]:
        """Give each of ``leads`` (of this team, without salesperson) to a member with the
        team's strategy; returns ``{lead id: user id or False}``. Runs as the system: the
        user creating the lead need not see the members' workload."""
        self.ensure_one()
        candidates = self._team_users()
        if not leads or not candidates:
            return {}
        strategy = self.env.context.get("crm_assignment_strategy") or \
            self.assignment_strategy or DEFAULT_STRATEGY
        return assign(leads.sudo(), strategy, candidates, "user_id", key=f"crm.team,{self.id}",
                      **self._strategy_options(strategy))

    def _strategy_options(self, strategy: str) -> dict[str, Any]:
        """Options per strategy: the workload is the open opportunities and leads."""
        options: dict[str, Any] = {}
        if strategy in ("load", "field_match", "territory"):
            options["load_domain"] = [("won_status", "=", "pending")]
        if strategy == "field_match":
            options.update(match_field="territory_id",
                           user_match_field="crm_territory_ids")
        return options
