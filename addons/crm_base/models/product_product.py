"""``product.product``: the catalogue sales reps sell from and contracts cover.

A product has an internal reference, unique whatever its case (``LAP-14`` and ``lap-14``
are the same reference: the database enforces it on a normalised copy, so two users
saving at once cannot both get it), a translatable designation, a category, a list price
in a currency, the sales pitch (selling arguments, strengths, weaknesses), a picture and
video links; more photos and brochures are the record's documents. A product withdrawn
from sale is archived, never deleted while contracts still refer to it.
"""
from __future__ import annotations

from typing import Any, Sequence

from core import Model, UserError, _, api, fields


def default_currency(model: Any) -> Any:
    """The user's company currency (the main company's for the superuser)."""
    currency = model.env.company.currency_id
    if not currency:
        currency = model.env["res.company"].sudo().search([], limit=1).currency_id
    return currency


class ProductProduct(Model):
    _name = "product.product"
    _description = "Product"
    _order = "default_code, name, id"
    _inherit = ["mail.thread"]

    default_code = fields.Char("Internal Reference", index=True, copy=False, tracking=True,
                               help="Unique, whatever its case (LAP-14 and lap-14 are the "
                                    "same reference).")
    code_key = fields.Char("Reference Key", compute="_compute_code_key", store=True,
                           index=True, copy=False)
    name = fields.Char("Designation", required=True, translate=True, tracking=True)
    categ_id = fields.Many2one("product.category", "Category", ondelete="restrict",
                               tracking=True)
    type = fields.Selection([("service", "Service"), ("goods", "Goods")], "Product Type",
                            default="service", required=True)
    list_price = fields.Monetary("Sales Price", currency_field="currency_id", tracking=True)
    currency_id = fields.Many2one("res.currency", "Currency", required=True,
                                  ondelete="restrict",
                                  default=default_currency)
    description = fields.Html("Description", translate=True)
    selling_arguments = fields.Html("Selling Arguments", translate=True)
    strengths = fields.Html("Strengths", translate=True)
    weaknesses = fields.Html("Weaknesses", translate=True)
    image = fields.Image("Picture")
    video_ids = fields.One2many("product.video", "product_id", "Videos")
    photo_count = fields.Integer("More Photos", compute="_compute_photo_count",
                                 help="Pictures among the product's documents.")
    user_id = fields.Many2one("res.users", "Product Manager",
                              help="Follows the product: told of its changes.")
    date_withdrawn = fields.Date("Withdrawn on", readonly=True, copy=False)
    active = fields.Boolean("Active", default=True, tracking=True,
                            help="Unticked when the product is withdrawn from sale.")

    _sql_constraints = [
        ("code_key_unique", "unique(code_key)",
         "Another product already has this internal reference (references are unique, "
         "whatever their case)."),
        ("list_price_positive", "check(list_price >= 0)", "A sales price cannot be negative."),
    ]

    @api.depends("default_code")
    def _compute_code_key(self) -> None:
        for product in self:
            product.code_key = (product.default_code or "").strip().casefold() or False

    def _compute_photo_count(self) -> None:
        """Image documents per product, in one query for the batch."""
        attachments = self.env["ir.attachment"].sudo().search_fetch(
            [("res_model", "=", self._name), ("res_id", "in", self.ids),
             ("mimetype", "=like", "image/%")], ["res_id"]) if self.ids else []
        counts: dict[int, int] = {}
        for attachment in attachments:
            counts[attachment.res_id] = counts.get(attachment.res_id, 0) + 1
        for product in self:
            product.photo_count = counts.get(product.id, 0)

    def _compute_display_name(self) -> None:
        for product in self:
            code = product.default_code
            product.display_name = f"[{code}] {product.name}" if code else (product.name or "")

    @api.model
    def name_search(self, name: str = "", domain: Sequence | None = None,
                    operator: str = "ilike", limit: int = 100) -> list[tuple[int, str]]:
        """By designation or internal reference (what reps type in an order line)."""
        if not name or operator not in ("ilike", "like", "=", "=ilike"):
            return super().name_search(name, domain, operator, limit)
        search = ["|", ("default_code", "=ilike", f"{name.strip()}%"), ("name", operator, name)]
        return self.search(list(domain or []) + search, limit=limit).name_get()

    # -- writing -----------------------------------------------------------------------
    @staticmethod
    def _clean_vals(vals: dict[str, Any]) -> dict[str, Any]:
        if isinstance(vals.get("default_code"), str):
            vals = {**vals, "default_code": vals["default_code"].strip() or False}
        return vals

    @api.model
    def create(self, vals_list: Any) -> Any:
        if isinstance(vals_list, dict):
            return super().create(self._clean_vals(vals_list))
        return super().create([self._clean_vals(vals) for vals in vals_list])

    def write(self, vals: dict[str, Any]) -> bool:
        return super().write(self._clean_vals(vals))

    def copy(self, default: dict[str, Any] | None = None) -> Any:
        """A duplicate keeps the video links (without the reference: it is unique)."""
        duplicate = super().copy(default)
        if "video_ids" not in (default or {}):
            for video in self.video_ids:
                video.copy({"product_id": duplicate.id, "name": video.name})
        return duplicate

    def unlink(self) -> bool:
        """Refused while contracts cover the products: withdraw (archive) them instead,
        so the contracts and their history stay complete."""
        contracts = self.env["service.contract"].sudo().with_context(active_test=False)
        used = contracts.search_count(["|", ("product_ids", "in", self.ids),
                                       ("equipment_ids.product_id", "in", self.ids)])
        if used:
            raise UserError(_("These products are covered by %(count)s service contract(s): "
                              "withdraw them (archive) instead of deleting them.", count=used))
        return super().unlink()

    # -- buttons -----------------------------------------------------------------------
    def action_withdraw(self) -> bool:
        """Withdraw from sale: archived (hidden from choices), kept on contracts."""
        today = self.env["service.contract"]._contract_today()
        self.filtered("active").write({"active": False, "date_withdrawn": today})
        return True

    def action_reintroduce(self) -> bool:
        """Back on sale."""
        self.filtered(lambda p: not p.active).write({"active": True, "date_withdrawn": False})
        return True
