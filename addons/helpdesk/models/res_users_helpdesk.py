"""Agents' skills and regions, used by assignment and by *Take next*."""
from __future__ import annotations

from core import Model, fields


class ResUsers(Model):
    _inherit = "res.users"

    helpdesk_skill_ids = fields.Many2many("helpdesk.skill", "helpdesk_skill_user_rel",
                                          "user_id", "skill_id", "Helpdesk Skills")
    helpdesk_region_ids = fields.Many2many("crm.territory", "helpdesk_user_region_rel",
                                           "user_id", "territory_id", "Helpdesk Regions",
                                           help="Regions whose customers this agent serves "
                                                "(a region covers its sectors).")
    helpdesk_team_ids = fields.Many2many("helpdesk.team", "helpdesk_team_member_rel",
                                         "user_id", "team_id", "Helpdesk Teams")
