"""``res.partner``: the one address book every addon shares (companies and people)."""
from __future__ import annotations

from core import Model, _, api, fields
from core.exceptions import ValidationError


class ResPartner(Model):
    _name = "res.partner"
    _description = "Contact"
    _order = "name, id"

    name = fields.Char("Name", required=True, index=True)
    is_company = fields.Boolean("Is a Company", default=False)
    parent_id = fields.Many2one("res.partner", "Related Company", index=True)
    child_ids = fields.One2many("res.partner", "parent_id", "Contacts")
    type = fields.Selection([("contact", "Contact"), ("invoice", "Invoice Address"),
                             ("delivery", "Delivery Address"), ("other", "Other Address")],
                            "Address Type", default="contact")
    function = fields.Char("Job Position")
    ref = fields.Char("Reference", index=True)
    street = fields.Char("Street")
    street2 = fields.Char("Street 2")
    zip = fields.Char("ZIP", size=24)
    city = fields.Char("City")
    country_id = fields.Many2one("res.country", "Country", ondelete="restrict")
    email = fields.Char("Email")
    phone = fields.Char("Phone")
    mobile = fields.Char("Mobile")
    website = fields.Char("Website")
    vat = fields.Char("Tax ID")
    comment = fields.Text("Notes")
    lang = fields.Selection("_lang_selection", "Language")
    tz = fields.Char("Timezone")
    user_id = fields.Many2one("res.users", "Salesperson")
    company_id = fields.Many2one("res.company", "Company", index=True)
    commercial_partner_id = fields.Many2one(
        "res.partner", "Commercial Entity", compute="_compute_commercial_partner", store=True,
        index=True)
    active = fields.Boolean("Active", default=True)

    def _lang_selection(self) -> list[tuple[str, str]]:
        return self.env["res.users"]._lang_selection()

    @api.depends("is_company", "parent_id.commercial_partner_id")
    def _compute_commercial_partner(self) -> None:
        for partner in self:
            current, seen = partner, set()
            # a cyclic hierarchy is refused by _check_parent_id; stop walking it here
            while current.parent_id and not current.is_company and current.id not in seen:
                seen.add(current.id)
                current = current.parent_id
            partner.commercial_partner_id = current

    def _compute_display_name(self) -> None:
        for partner in self:
            name = partner.name or ""
            if partner.parent_id and not partner.is_company:
                name = f"{partner.parent_id.name}, {name}" if name else partner.parent_id.name
            partner.display_name = name

    @api.constrains("parent_id")
    def _check_parent_id(self) -> None:
        for partner in self:
            seen = {partner.id}
            parent = partner.parent_id
            while parent:
                if parent.id in seen:
                    raise ValidationError(_("A contact cannot be its own parent company."),
                                          field="parent_id")
                seen.add(parent.id)
                parent = parent.parent_id
