"""``helpdesk.skill``: what an agent knows (a product, a trade, a language).

Ticket types name the skill they need (``helpdesk.ticket.type.skill_id``); agents list
theirs (``res.users.helpdesk_skill_ids``). The "skill" assignment strategy and the
queue's *Take next* only hand a ticket to an agent with the skill it needs.
"""
from __future__ import annotations

from core import Model, fields


class HelpdeskSkill(Model):
    _name = "helpdesk.skill"
    _description = "Helpdesk Skill"
    _order = "name, id"

    name = fields.Char("Skill", required=True, translate=True)
    active = fields.Boolean("Active", default=True)
    user_ids = fields.Many2many("res.users", "helpdesk_skill_user_rel", "skill_id", "user_id",
                                "Agents", help="The agents who have this skill.")

    _sql_constraints = [
        ("name_unique", "UNIQUE(name)", "A skill with this name already exists."),
    ]
