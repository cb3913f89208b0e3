"""``crm.lead.source``: where leads come from (website, phone, trade show...)."""
from __future__ import annotations

from core import Model, fields


class CrmLeadSource(Model):
    _name = "crm.lead.source"
    _description = "Lead Source"
    _order = "sequence, name, id"

    name = fields.Char("Source", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
