"""``crm.lead.assign``: the "Assign" bulk action on the leads' lists.

The user ticks leads, picks "Assign" and chooses either a salesperson, or a team whose
members share the leads by the team's strategy (or another one, such as territory or
load, chosen for this run). Applying it calls :meth:`crm.lead.action_assign`.
"""
from __future__ import annotations

from core import Model, _, fields
from core.automation.assignment import strategy_selection
from core.exceptions import UserError, ValidationError

MODES = [("team", "Share among a team"), ("user", "Give to a salesperson")]


class CrmLeadAssign(Model):
    _name = "crm.lead.assign"
    _description = "Assign Leads"

    lead_ids = fields.Many2many("crm.lead", "crm_lead_assign_lead_rel", "wizard_id",
                                "lead_id", "Leads", default=lambda self: self._default_leads())
    mode = fields.Selection(MODES, "Assign", required=True, default="team")
    user_id = fields.Many2one("res.users", "Salesperson")
    team_id = fields.Many2one("crm.team", "Sales Team",
                              help="Empty: each lead stays in its own team.")
    strategy = fields.Selection(lambda model: strategy_selection(model.env), "Strategy",
                                help="Empty: each team's own strategy.")

    def _default_leads(self) -> list:
        return [(6, 0, self._context_active_ids("crm.lead"))]

    def action_apply(self) -> bool:
        self.ensure_one()
        if not self.lead_ids:
            raise UserError(_("Select the leads to assign first."))
        if self.mode == "user" and not self.user_id:
            raise ValidationError(_("Choose the salesperson."), field="user_id")
        if self.mode == "user":
            self.lead_ids.action_assign(user_id=self.user_id.id,
                                        team_id=self.team_id.id or None)
        else:
            self.lead_ids.action_assign(team_id=self.team_id.id or None,
                                        strategy=self.strategy or None)
        self.sudo().unlink()
        return True
