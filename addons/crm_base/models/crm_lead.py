"""``crm.lead``: leads and opportunities, one model with a ``type``.

A *lead* is an unqualified contact (marketing sees and qualifies them); converting it
makes it an *opportunity* linked to an account, which moves through the pipeline's
stages (``crm.stage``) until it is won or lost. What this module keeps consistent on
every create and write, whoever makes it (forms, kanban drags, imports, the APIs):

* the stage: the first of the team's pipeline for a new record; entering a stage sets
  ``date_last_stage_update`` and, while the probability follows the stages
  (``is_automated_probability``), the stage's probability; a won stage means 100%;
* the team: the salesperson's main team when none is given, the sales manager
  (``manager_id``) being its leader;
* the territory: the account's, else the one matching the lead's own address;
* the salesperson: a new lead of a team without one is assigned by the team's strategy.

Buttons (won, lost, restore, convert, assign) are in :mod:`.crm_lead_actions`.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from core import Model, api, fields

TYPES = [("lead", "Lead"), ("opportunity", "Opportunity")]
PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]
WON_STATUS = [("won", "Won"), ("lost", "Lost"), ("pending", "Pending")]
PROJECT_KINDS = [("simple", "Simple project"), ("complex", "Complex project")]
ACTIVITY_STATES = [("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned")]
#: the lead's own address, used to find its territory when it has no account
ADDRESS_FIELDS = ("country_id", "zip", "partner_id")


def now_utc() -> dt.datetime:
    """Now, as the ORM stores datetimes (naive UTC, whole seconds)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class CrmLead(Model):
    _name = "crm.lead"
    _description = "Lead/Opportunity"
    _inherit = ["mail.thread"]
    _order = "priority desc, id desc"
    _mail_follow_fields = ("user_id",)

    name = fields.Char("Opportunity", required=True, index=True, tracking=True)
    type = fields.Selection(TYPES, "Type", required=True, index=True, tracking=True,
                            default=lambda self: self._default_type(),
                            help="A lead is not qualified yet; an opportunity is in the "
                                 "pipeline.")
    active = fields.Boolean("Active", default=True, tracking=True)
    company_id = fields.Many2one("res.company", "Company", index=True,
                                 default=lambda self: self.env.company.id)
    # -- the account and the contact ------------------------------------------------------
    partner_id = fields.Many2one("res.partner", "Customer", index=True, tracking=True,
                                 ondelete="set null",
                                 help="The account (company or person) of the opportunity.")
    partner_name = fields.Char("Company Name",
                               help="The company of a lead without account: the account "
                                    "created when converting it.")
    contact_name = fields.Char("Contact Name")
    function = fields.Char("Job Position")
    email_from = fields.Char("Email", index=True)
    phone = fields.Char("Phone")
    mobile = fields.Char("Mobile")
    website = fields.Char("Website")
    street = fields.Char("Street")
    street2 = fields.Char("Street 2")
    zip = fields.Char("ZIP", size=24)
    city = fields.Char("City")
    country_id = fields.Many2one("res.country", "Country", ondelete="restrict")
    # -- who -----------------------------------------------------------------------------
    user_id = fields.Many2one("res.users", "Salesperson", index=True, tracking=True,
                              default=lambda self: self._default_user_id())
    team_id = fields.Many2one("crm.team", "Sales Team", index=True, tracking=True,
                              ondelete="set null",
                              default=lambda self: self._default_team_id())
    manager_id = fields.Many2one("res.users", "Sales Manager", related="team_id.user_id",
                                 store=True, index=True,
                                 help="The leader of the opportunity's sales team.")
    territory_id = fields.Many2one("crm.territory", "Territory", index=True,
                                   ondelete="set null", tracking=True,
                                   help="The account's territory, else the one of the "
                                        "lead's address.")
    # -- the pipeline ---------------------------------------------------------------------------
    stage_id = fields.Many2one("crm.stage", "Stage", index=True, tracking=True,
                               ondelete="restrict",
                               default=lambda self: self._default_stage_id())
    priority = fields.Selection(PRIORITIES, "Priority", default="0", index=True)
    expected_revenue = fields.Monetary("Expected Revenue", currency_field="currency_id",
                                       tracking=True)
    currency_id = fields.Many2one("res.currency", "Currency", compute="_compute_currency_id",
                                  store=True)
    probability = fields.Float("Probability (%)", digits=(5, 2), tracking=True,
                               group_operator="avg",
                               help="Follows the stage until you change it.")
    automated_probability = fields.Float("Stage Probability (%)", digits=(5, 2),
                                         compute="_compute_automated_probability",
                                         store=True, group_operator="avg")
    is_automated_probability = fields.Boolean(
        "Probability Follows the Stage", compute="_compute_is_automated_probability")
    prorated_revenue = fields.Monetary("Prorated Revenue", currency_field="currency_id",
                                       compute="_compute_prorated_revenue", store=True)
    date_deadline = fields.Date("Expected Closing", index=True, tracking=True)
    project_kind = fields.Selection(PROJECT_KINDS, "Project Kind", default="simple",
                                    tracking=True)
    source_id = fields.Many2one("crm.lead.source", "Source", ondelete="set null")
    tag_ids = fields.Many2many("crm.tag", "crm_tag_rel", "lead_id", "tag_id", "Tags")
    lost_reason_id = fields.Many2one("crm.lost.reason", "Lost Reason", index=True,
                                     tracking=True, ondelete="restrict")
    won_status = fields.Selection(WON_STATUS, "Is Won", compute="_compute_won_status",
                                  store=True, index=True)
    description = fields.Html("Notes")
    color = fields.Integer("Color Index", default=0)
    # -- dates -----------------------------------------------------------------------------
    date_open = fields.Datetime("Assignment Date", readonly=True, copy=False)
    date_closed = fields.Datetime("Closed Date", readonly=True, copy=False, index=True)
    date_conversion = fields.Datetime("Conversion Date", readonly=True, copy=False)
    date_last_stage_update = fields.Datetime("Last Stage Update", readonly=True, index=True,
                                             copy=False)
    # -- activities, for the cards and the filters --------------------------------------------
    activity_date_deadline = fields.Date("Next Activity Deadline",
                                         compute="_compute_activity_summary",
                                         search="_search_activity_date_deadline")
    activity_state = fields.Selection(ACTIVITY_STATES, "Activity State",
                                      compute="_compute_activity_summary",
                                      search="_search_activity_state")
    activity_summary = fields.Char("Next Activity", compute="_compute_activity_summary")

    _sql_constraints = [
        ("probability_range", "CHECK(probability >= 0 AND probability <= 100)",
         "The probability of an opportunity is between 0 and 100%."),
    ]

    # -- defaults ----------------------------------------------------------------------------
    def _default_type(self) -> str:
        """Marketing people (not in sales) create leads; salespeople opportunities."""
        if self.env.su or self.env.user.has_group("crm_base.group_sale_salesman"):
            return "opportunity"
        return "lead"

    def _default_user_id(self) -> int | bool:
        """The salesperson creating the record; nobody when someone else does (marketing,
        the mail gateway, imports), so that assignment rules choose."""
        if self.env.su or not self.env.user.has_group("crm_base.group_sale_salesman"):
            return False
        return self.env.uid

    def _default_team_id(self) -> int | bool:
        return self.env.user.sale_team_id.id if not self.env.su else False

    def _default_stage_id(self) -> int | bool:
        team_id = self.env.context.get("default_team_id") or self._default_team_id()
        return self.env["crm.stage"].sudo()._default_stage_for(team_id).id

    # -- computed --------------------------------------------------------------------------------
    @api.depends("company_id.currency_id")
    def _compute_currency_id(self) -> None:
        fallback = self.env.company.currency_id
        for lead in self:
            lead.currency_id = lead.company_id.currency_id or fallback

    @api.depends("stage_id.probability", "stage_id.is_won")
    def _compute_automated_probability(self) -> None:
        for lead in self:
            stage = lead.stage_id
            lead.automated_probability = 100.0 if stage.is_won else (stage.probability or 0.0)

    @api.depends("probability", "automated_probability")
    def _compute_is_automated_probability(self) -> None:
        for lead in self:
            lead.is_automated_probability = \
                round(lead.probability or 0, 2) == round(lead.automated_probability or 0, 2)

    @api.depends("expected_revenue", "probability")
    def _compute_prorated_revenue(self) -> None:
        for lead in self:
            lead.prorated_revenue = (lead.expected_revenue or 0) * (lead.probability or 0) / 100

    @api.depends("active", "probability", "stage_id.is_won")
    def _compute_won_status(self) -> None:
        for lead in self:
            if lead.active and lead.stage_id.is_won:
                lead.won_status = "won"
            elif not lead.active and not lead.probability:
                lead.won_status = "lost"
            else:
                lead.won_status = "pending"

    def _compute_activity_summary(self) -> None:
        """The earliest open activity of each lead, in one query for the batch."""
        first: dict[int, Any] = {}
        if self.ids:
            activities = self.env["mail.activity"].sudo().search_fetch(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id", "date_deadline", "state", "summary", "activity_type_id"],
                order="date_deadline, id")
            for activity in activities:
                first.setdefault(activity.res_id, activity)
        for lead in self:
            activity = first.get(lead.id)
            lead.activity_date_deadline = activity.date_deadline if activity else False
            lead.activity_state = activity.state if activity else False
            lead.activity_summary = (activity.summary or activity.activity_type_id.name
                                     ) if activity else False

    def _leads_with_activities(self, domain: list) -> list[int]:
        activities = self.env["mail.activity"].sudo().search_fetch(
            [("res_model", "=", self._name)] + domain, ["res_id"])
        return sorted({activity.res_id for activity in activities})

    def _search_activity_state(self, operator: str, value: Any) -> list:
        """``('activity_state', '=', 'overdue')``; ``= False``: leads without activity."""
        if value is False or value is None:
            positive = operator == "!="
            return [("id", "in" if positive else "not in", self._leads_with_activities([]))]
        if operator not in ("=", "!=", "in", "not in"):
            operator = "="
        return [("id", "in", self._leads_with_activities([("state", operator, value)]))]

    def _search_activity_date_deadline(self, operator: str, value: Any) -> list:
        return [("id", "in", self._leads_with_activities([("date_deadline", operator, value)]))]

    # -- create and write --------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [self._prepare_create(dict(vals))
                     for vals in ([vals_list] if single else vals_list)]
        leads = super().create(vals_list)
        pending = leads.browse([lead.id for lead, vals in zip(leads, vals_list)
                                if not vals.get("user_id")])
        if pending and not self.env.context.get("crm_no_assign"):
            pending._assign_new()
        return leads[0] if single else leads

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        """Complete the values of a new lead: team, stage, probability, territory, dates."""
        now = now_utc()
        if "user_id" not in vals:
            vals["user_id"] = self.default_get(["user_id"]).get("user_id") or False
        if not vals.get("team_id") and vals.get("user_id"):
            user = self.env["res.users"].sudo().browse(vals["user_id"])
            vals["team_id"] = user.sale_team_id.id or vals.get("team_id") or False
        if "team_id" not in vals:
            vals["team_id"] = self.default_get(["team_id"]).get("team_id") or False
        if "territory_id" not in vals:
            vals["territory_id"] = self._territory_for(vals)
        if not vals.get("team_id") and vals.get("territory_id"):
            territory = self.env["crm.territory"].sudo().browse(vals["territory_id"])
            vals["team_id"] = territory.team_id.id or False
        stages = self.env["crm.stage"].sudo()
        if not vals.get("stage_id"):
            vals["stage_id"] = (self.env.context.get("default_stage_id")
                                or stages._default_stage_for(vals.get("team_id")).id or False)
        stage = stages.browse(vals["stage_id"]) if vals.get("stage_id") else stages
        if "probability" not in vals:
            vals["probability"] = 100.0 if stage.is_won else (stage.probability or 0.0)
        vals.setdefault("date_last_stage_update", now)
        if vals.get("user_id"):
            vals.setdefault("date_open", now)
        if stage.is_won:
            vals.setdefault("date_closed", now)
        kind = vals.get("type") or self.default_get(["type"]).get("type")
        if kind == "opportunity":
            vals.setdefault("date_conversion", now)
        return vals

    def _territory_for(self, vals: dict[str, Any]) -> int | bool:
        """The account's territory, else the territory matching the lead's address."""
        if vals.get("partner_id"):
            partner = self.env["res.partner"].sudo().browse(vals["partner_id"])
            commercial = partner.commercial_partner_id or partner
            if commercial.territory_id or partner.territory_id:
                return (partner.territory_id or commercial.territory_id).id
        if not (vals.get("country_id") or vals.get("zip")):
            return False
        return self.env["crm.territory"].sudo()._match(
            [(vals.get("country_id"), vals.get("zip"), None)])[0]

    def write(self, vals: dict[str, Any]) -> bool:
        vals = dict(vals)
        now = now_utc()
        automated: Any = self.browse(())
        if "stage_id" in vals:
            vals.setdefault("date_last_stage_update", now)
            if "probability" not in vals:
                automated = self.filtered(lambda lead: lead.is_automated_probability)
            stage = self.env["crm.stage"].sudo().browse(vals["stage_id"] or ())
            if stage.is_won:
                vals.setdefault("date_closed", now)
                vals.setdefault("probability", 100.0)
            elif vals["stage_id"]:
                vals.setdefault("date_closed", False)
        if vals.get("user_id"):
            vals.setdefault("date_open", now)
        if vals.get("type") == "opportunity":
            vals.setdefault("date_conversion", now)
        follow_team = self._teams_to_follow(vals)
        result = super().write(vals)
        if automated:
            stage = self.env["crm.stage"].sudo().browse(vals["stage_id"] or ())
            automated.write({"probability": 100.0 if stage.is_won else
                             (stage.probability or 0.0)})
        for team_id, leads in follow_team.items():
            leads.write({"team_id": team_id})
        if "territory_id" not in vals and set(ADDRESS_FIELDS) & set(vals):
            self._refresh_territory()
        return result

    def _teams_to_follow(self, vals: dict[str, Any]) -> dict[int, Any]:
        """A lead given to a salesperson outside its team moves to that person's team."""
        if not vals.get("user_id") or "team_id" in vals:
            return {}
        user = self.env["res.users"].sudo().browse(vals["user_id"])
        team = user.sale_team_id
        if not team:
            return {}
        moving = self.sudo().filtered(
            lambda lead: lead.team_id != team and user not in lead.team_id.member_ids
            and lead.team_id.user_id != user)
        return {team.id: moving.with_env(self.env)} if moving else {}

    def _refresh_territory(self) -> None:
        by_territory: dict[int | bool, list[int]] = defaultdict(list)
        for lead in self.sudo():
            territory = self._territory_for({
                "partner_id": lead.partner_id.id, "country_id": lead.country_id.id,
                "zip": lead.zip})
            if territory != (lead.territory_id.id or False):
                by_territory[territory].append(lead.id)
        for territory_id, ids in by_territory.items():
            self.browse(ids).write({"territory_id": territory_id})

    def _assign_new(self) -> None:
        """New leads without salesperson: their team's strategy chooses (as the system)."""
        by_team: dict[int, list[int]] = defaultdict(list)
        for lead in self.sudo():
            if lead.team_id and not lead.user_id and lead.active:
                by_team[lead.team_id.id].append(lead.id)
        teams = self.env["crm.team"].sudo()
        for team_id, ids in by_team.items():
            teams.browse(team_id)._assign_leads(self.sudo().browse(ids))
