"""``crm.tag``: free labels on leads and opportunities (products of interest, events...)."""
from __future__ import annotations

from core import Model, fields


class CrmTag(Model):
    _name = "crm.tag"
    _description = "CRM Tag"
    _order = "name, id"

    name = fields.Char("Tag Name", required=True, translate=True)
    color = fields.Integer("Color Index", default=0)
