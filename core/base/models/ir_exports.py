"""``ir.exports``: the fields each user last chose to export from a model.

The export dialog pre-ticks them and the one-click exports use them. A choice is a
personal preference: every user, administrators included, sees and changes only their
own (record rule ``base.rule_ir_exports_own``).
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError


class IrExports(Model):
    _name = "ir.exports"
    _description = "Export Choice"
    _order = "resource, id"
    _rec_name = "resource"

    resource = fields.Char("Model", required=True, index=True)
    user_id = fields.Many2one("res.users", "User", required=True, index=True,
                              ondelete="cascade", default=lambda self: self.env.uid)
    field_names = fields.Json("Fields", help="Field paths in column order, such as "
                                             "['name', 'partner_id.email'].")

    _sql_constraints = [("user_resource_unique", "unique(user_id, resource)",
                         "A user has one export choice per model.")]

    @api.model
    def remembered(self, model_name: str) -> list[str] | None:
        """The current user's last choice for ``model_name`` (None: never exported)."""
        choice = self.search([("resource", "=", model_name),
                              ("user_id", "=", self.env.uid)], limit=1)
        names = choice.field_names if choice else None
        return [str(n) for n in names] if isinstance(names, list) else None

    @api.model
    def remember(self, model_name: str, names: list[str]) -> None:
        """Keep ``names`` as the current user's choice for ``model_name``."""
        if not names or not all(isinstance(n, str) and n for n in names):
            raise ValidationError(_("Choose at least one field to export."),
                                  field="field_names")
        choice = self.search([("resource", "=", model_name),
                              ("user_id", "=", self.env.uid)], limit=1)
        values: dict[str, Any] = {"field_names": list(names)}
        if choice:
            if choice.field_names != values["field_names"]:
                choice.write(values)
        else:
            self.create({**values, "resource": model_name, "user_id": self.env.uid})
