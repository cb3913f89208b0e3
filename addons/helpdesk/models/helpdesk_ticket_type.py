"""``helpdesk.ticket.type``: the kind of request (incident, question, installation...).

A type may require a skill: the "skill" assignment strategy and *Take next* then give
its tickets only to agents having it.
"""
from __future__ import annotations

from core import Model, fields


class HelpdeskTicketType(Model):
    _name = "helpdesk.ticket.type"
    _description = "Ticket Type"
    _order = "sequence, name, id"

    name = fields.Char("Type", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    skill_id = fields.Many2one("helpdesk.skill", "Required Skill", index=True,
                               ondelete="set null",
                               help="Only agents with this skill get these tickets "
                                    "automatically or through Take next.")
    active = fields.Boolean("Active", default=True)
