"""``service.contract.equipment``: the customer's installed equipment a contract covers
(product, serial number, where it is, when it was installed). Field service links its own
equipment records here later; until then the lines are the installed base of a contract.
"""
from __future__ import annotations

from core import Model, fields


class ServiceContractEquipment(Model):
    _name = "service.contract.equipment"
    _description = "Covered Equipment"
    _order = "contract_id, id"
    _rec_name = "serial_number"

    contract_id = fields.Many2one("service.contract", "Contract", required=True,
                                  ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True,
                                 string="Account")
    product_id = fields.Many2one("product.product", "Product", required=True,
                                 ondelete="restrict", index=True)
    serial_number = fields.Char("Serial Number", index=True)
    location = fields.Char("Location", help="Site, building, room...")
    installation_date = fields.Date("Installed on")
    note = fields.Char("Note")

    def _compute_display_name(self) -> None:
        for line in self:
            product = line.product_id.display_name or ""
            line.display_name = f"{product} ({line.serial_number})" if line.serial_number \
                else product
