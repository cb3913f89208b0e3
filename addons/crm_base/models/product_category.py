"""``product.category``: the tree the catalogue is sorted in (IT services, hardware...).

Each category shows its full path (``Services / IT services``), kept stored so that lists
sort and search on it; a category cannot be its own ancestor.
"""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields


class ProductCategory(Model):
    _name = "product.category"
    _description = "Product Category"
    _order = "complete_name, id"
    _rec_name = "complete_name"

    name = fields.Char("Name", required=True, translate=True)
    parent_id = fields.Many2one("product.category", "Parent Category", index=True,
                                ondelete="restrict")
    child_ids = fields.One2many("product.category", "parent_id", "Subcategories")
    complete_name = fields.Char("Full Name", compute="_compute_complete_name", store=True)
    product_ids = fields.One2many("product.product", "categ_id", "Products")
    product_count = fields.Integer("Products", compute="_compute_product_count")
    active = fields.Boolean("Active", default=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self) -> None:
        for category in self:
            names, current, seen = [], category, set()
            while current and current.id not in seen:  # a cycle is refused, never looped
                seen.add(current.id)
                names.append(current.name or "")
                current = current.parent_id
            category.complete_name = " / ".join(reversed(names))

    @api.depends("product_ids", "child_ids")
    def _compute_product_count(self) -> None:
        """Active products in each category and its subcategories (one count per
        category: the figure is shown on a category's form)."""
        products = self.env["product.product"].with_context(active_test=True)
        for category in self:
            category.product_count = products.search_count(
                [("categ_id", "child_of", category.id)])

    @api.constrains("parent_id")
    def _check_parent_id(self) -> None:
        for category in self:
            seen, parent = {category.id}, category.parent_id
            while parent:
                if parent.id in seen:
                    raise ValidationError(_("A category cannot be inside itself."),
                                          field="parent_id")
                seen.add(parent.id)
                parent = parent.parent_id
