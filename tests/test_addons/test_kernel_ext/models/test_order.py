"""``test.order`` extended: a field, a default and a super() chain on create/copy."""
from __future__ import annotations

from core import Model, fields


class TestOrder(Model):
    _inherit = "test.order"

    origin = fields.Char("Origin", default="ext")
    name = fields.Char(help="Extended help text")

    def create(self, vals_list):  # type: ignore[override]
        records = super().create(vals_list)
        for record in records if not isinstance(vals_list, dict) else [records]:
            if not record.note:
                record.note = "created through test_kernel_ext"
        return records

    def mixin_method(self) -> str:
        return "ext+" + super().mixin_method()
