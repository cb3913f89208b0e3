"""``res.company``: the organisations using this database."""
from __future__ import annotations

from core import Model, fields


class ResCompany(Model):
    _name = "res.company"
    _description = "Company"
    _order = "sequence, name"

    name = fields.Char("Company Name", required=True)
    sequence = fields.Integer("Sequence", default=10)
    partner_id = fields.Many2one("res.partner", "Partner", ondelete="restrict")
    currency_id = fields.Many2one("res.currency", "Currency", ondelete="restrict")
    email = fields.Char(related="partner_id.email", readonly=False)
    phone = fields.Char(related="partner_id.phone", readonly=False)
    country_id = fields.Many2one(related="partner_id.country_id", readonly=False)
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("name_unique", "unique(name)", "A company with this name already exists.")]
