"""``helpdesk.tag``: free labels on tickets, for filters and reports."""
from __future__ import annotations

from core import Model, fields


class HelpdeskTag(Model):
    _name = "helpdesk.tag"
    _description = "Helpdesk Tag"
    _order = "name, id"

    name = fields.Char("Tag", required=True, translate=True)
    color = fields.Integer("Color Index", default=0)

    _sql_constraints = [
        ("name_unique", "UNIQUE(name)", "A tag with this name already exists."),
    ]
