"""``ir.module.module``: which addons this database has installed, at which version."""
from __future__ import annotations

from core import Model, fields


class IrModuleModule(Model):
    _name = "ir.module.module"
    _description = "Addon"
    _order = "name"
    _journal = False

    name = fields.Char("Technical Name", required=True)
    summary = fields.Char("Summary")
    state = fields.Selection([("installed", "Installed"), ("uninstalled", "Not Installed")],
                             "Status", default="uninstalled", required=True)
    latest_version = fields.Char("Installed Version")
    demo = fields.Boolean("Demo Data Loaded")
    license = fields.Char("License")
    category = fields.Char("Category")

    _sql_constraints = [("name_unique", "unique(name)", "Each addon is listed once.")]
