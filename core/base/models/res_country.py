"""``res.country`` and ``res.currency``: ISO 3166 and ISO 4217, names from CLDR (babel)."""
from __future__ import annotations

from core import Model, fields


class ResCountry(Model):
    _name = "res.country"
    _description = "Country"
    _order = "name"

    name = fields.Char("Country Name", required=True, translate=True)
    code = fields.Char("Country Code", size=2, required=True)
    currency_id = fields.Many2one("res.currency", "Currency")
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("code_unique", "unique(code)", "The country code must be unique.")]


class ResCurrency(Model):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"

    name = fields.Char("Currency", size=3, required=True)
    full_name = fields.Char("Name", translate=True)
    symbol = fields.Char("Symbol")
    decimal_places = fields.Integer("Decimal Places", default=2)
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("name_unique", "unique(name)", "The currency code must be unique.")]

    def round(self, amount: float) -> float:
        self.ensure_one()
        return round(amount, self.decimal_places)
