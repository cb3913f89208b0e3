"""``ir.config_parameter``: key-value settings of the database (admins edit them)."""
from __future__ import annotations

from typing import Any

from core import Model, fields
from core.orm import signals


class IrConfigParameter(Model):
    _name = "ir.config_parameter"
    _description = "System Parameter"
    _order = "key"
    _rec_name = "key"

    key = fields.Char("Key", required=True, index=True)
    value = fields.Text("Value", required=True)

    _sql_constraints = [("key_unique", "unique(key)", "Each key is set once.")]

    def get_param(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` (cached per process until a parameter changes: settings
        such as session lifetimes are read on every request)."""
        cache = self._params_cache()
        if key not in cache:
            record = self.sudo().search([("key", "=", key)], limit=1)
            cache[key] = record.value if record else None
        value = cache[key]
        return default if value is None else value

    def _params_cache(self) -> dict[str, Any]:
        """Shared by the process, except in a transaction that changed parameters (its
        values must not outlive a rollback)."""
        if self.env.transaction.__dict__.get("params_changed"):
            return self.env.transaction.__dict__.setdefault("params_cache", {})
        return self.env.registry.__dict__.setdefault("config_parameters", {})

    def _params_changed(self) -> None:
        signals.caches_changed(self.env)  # every worker reads the new values
        self.env.transaction.__dict__["params_changed"] = True
        self.env.transaction.__dict__["params_cache"] = {}

    def create(self, vals_list: Any) -> Any:
        self._params_changed()
        return super().create(vals_list)

    def write(self, vals: dict[str, Any]) -> bool:
        self._params_changed()
        return super().write(vals)

    def unlink(self) -> bool:
        self._params_changed()
        return super().unlink()

    def set_param(self, key: str, value: Any) -> None:
        record = self.sudo().search([("key", "=", key)], limit=1)
        if value is None or value is False:
            record.unlink()
        elif record:
            record.write({"value": str(value)})
        else:
            self.sudo().create({"key": key, "value": str(value)})
