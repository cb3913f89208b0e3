"""``res.partner.industry``: the business sector of an account (Odoo's model).

The French sectors most customers need are shipped as data (``data/partner_data.xml``,
updatable: admins add theirs, archive those they do not use). A contact's sector follows
its company's (a commercial field, see :mod:`.res_partner`).
"""
from __future__ import annotations

from core import Model, fields


class ResPartnerIndustry(Model):
    _name = "res.partner.industry"
    _description = "Sector"
    _order = "name, id"

    name = fields.Char("Name", required=True, translate=True)
    full_name = fields.Char("Full Name", translate=True,
                            help="The sector's official wording (e.g. the NAF section).")
    naf_section = fields.Char("NAF Section", size=2,
                              help="The letter of the French NAF/NACE section (A to U).")
    active = fields.Boolean("Active", default=True)
