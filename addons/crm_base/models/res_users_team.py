"""``res.users`` in sales: the teams a user belongs to and the main one.

``sale_team_id`` is the team a salesperson's new leads go to by default; it is set to
the first team a user joins and may be changed. ``crm_team_ids`` (the teams the user is a
member of) and ``crm_territory_ids`` (the territories the user covers) feed the
``field_match`` assignment strategy and the record rules of team leaders.
"""
from __future__ import annotations

from core import Model, fields


class ResUsers(Model):
    _inherit = "res.users"

    sale_team_id = fields.Many2one("crm.team", "User's Sales Team", ondelete="set null",
                                   help="The team the user's new leads go to by default.")
    crm_team_ids = fields.Many2many("crm.team", "crm_team_member_rel", "user_id", "team_id",
                                    "Sales Teams")
    crm_territory_ids = fields.Many2many("crm.territory", "crm_territory_user_rel",
                                         "user_id", "territory_id", "Territories")
