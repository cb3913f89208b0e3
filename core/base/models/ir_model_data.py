"""``ir.model.data``: external ids (``addon.name``) of records that addons load.

An external id names a record independently of its database id, so data files can refer
to each other and upgrades can find what an addon owns. ``values`` keeps what the addon
last loaded into each field: on upgrade, a field whose current value still equals it is
updated, a field an admin changed since is left alone.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, fields
from core.exceptions import MissingError, ValidationError


class IrModelData(Model):
    _name = "ir.model.data"
    _description = "External Identifier"
    _order = "module, name"
    _rec_name = "name"
    _journal = False  # bookkeeping of data files, not business changes

    name = fields.Char("External Identifier", required=True)
    module = fields.Char("Addon", required=True)
    model = fields.Char("Model", required=True)
    res_id = fields.Integer("Record ID", index=True)
    noupdate = fields.Boolean("Not Updated by Upgrades", default=False)
    values = fields.Json("Values Loaded by the Addon")

    _sql_constraints = [("module_name_unique", "unique(module, name)",
                         "An external identifier must be unique within its addon.")]

    def _xmlid_lookup(self, xml_id: str) -> tuple[str, int, bool] | None:
        """``(model, res_id, noupdate)`` for ``addon.name``, cached per transaction."""
        cache: dict[str, Any] = self.env.transaction.__dict__.setdefault("xmlids", {})
        if xml_id in cache:
            return cache[xml_id]
        module, dot, name = xml_id.partition(".")
        if not dot:
            raise ValidationError(_("External id '%(xmlid)s' must be 'addon.name'.", xmlid=xml_id))
        found = self.sudo().search([("module", "=", module), ("name", "=", name)], limit=1)
        result = (found.model, found.res_id, found.noupdate) if found else None
        cache[xml_id] = result
        return result

    def _xmlid_to_record(self, xml_id: str, raise_if_not_found: bool = True) -> Any:
        found = self._xmlid_lookup(xml_id)
        if found:
            record = self.env[found[0]].browse(found[1])
            if record.sudo().exists():
                return record
        if raise_if_not_found:
            raise MissingError(_("External id '%(xmlid)s' does not exist.", xmlid=xml_id))
        return None

    def _forget_xmlids(self) -> None:
        self.env.transaction.__dict__.pop("xmlids", None)

    def check_object_reference(self, module: str, name: str) -> tuple[str, int]:
        """``(model, id)`` of an external id (Odoo's API, used by RPC clients)."""
        found = self._xmlid_lookup(f"{module}.{name}")
        if not found:
            raise MissingError(_("External id '%(xmlid)s' does not exist.",
                                 xmlid=f"{module}.{name}"))
        return found[0], found[1]
