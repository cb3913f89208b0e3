"""``ir.config_parameter``: key-value settings of the database (admins edit them)."""
from __future__ import annotations

from typing import Any

from core import Model, fields


class IrConfigParameter(Model):
    _name = "ir.config_parameter"
    _description = "System Parameter"
    _order = "key"
    _rec_name = "key"

    key = fields.Char("Key", required=True, index=True)
    value = fields.Text("Value", required=True)

    _sql_constraints = [("key_unique", "unique(key)", "Each key is set once.")]

    def get_param(self, key: str, default: Any = None) -> Any:
        record = self.sudo().search([("key", "=", key)], limit=1)
        return record.value if record else default

    def set_param(self, key: str, value: Any) -> None:
        record = self.sudo().search([("key", "=", key)], limit=1)
        if value is None or value is False:
            record.unlink()
        elif record:
            record.write({"value": str(value)})
        else:
            self.sudo().create({"key": key, "value": str(value)})
