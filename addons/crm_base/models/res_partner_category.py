"""``res.partner.category``: the tags of accounts and contacts (Odoo's model and table).

Tags may nest (``Customers / VIP``): the full name shows the path. A contact's tags follow
its company's (a commercial field, see :mod:`.res_partner`).
"""
from __future__ import annotations

from core import Model, _, api, fields
from core.exceptions import ValidationError


class ResPartnerCategory(Model):
    _name = "res.partner.category"
    _description = "Contact Tag"
    _order = "name, id"

    name = fields.Char("Tag Name", required=True, translate=True)
    color = fields.Integer("Color Index", default=0,
                           help="A colour number (0-11) the kanban cards and tags use.")
    parent_id = fields.Many2one("res.partner.category", "Parent Tag", ondelete="cascade",
                                index=True)
    child_ids = fields.One2many("res.partner.category", "parent_id", "Child Tags")
    partner_ids = fields.Many2many("res.partner", "res_partner_res_partner_category_rel",
                                   "category_id", "partner_id", "Contacts")
    active = fields.Boolean("Active", default=True,
                            help="Archived tags are kept on their contacts but no longer "
                                 "offered.")

    @api.constrains("parent_id")
    def _check_parent_id(self) -> None:
        for tag in self:
            seen, parent = {tag.id}, tag.parent_id
            while parent:
                if parent.id in seen:
                    raise ValidationError(_("A tag cannot be its own parent."),
                                          field="parent_id")
                seen.add(parent.id)
                parent = parent.parent_id

    @api.constrains("color")
    def _check_color(self) -> None:
        for tag in self:
            if not 0 <= (tag.color or 0) <= 11:
                raise ValidationError(_("A tag's colour is a number from 0 to 11."),
                                      field="color")

    def _compute_display_name(self) -> None:
        for tag in self:
            names, current, seen = [], tag, set()
            while current and current.id not in seen:
                seen.add(current.id)
                names.append(current.name or "")
                current = current.parent_id
            tag.display_name = " / ".join(reversed(names))
