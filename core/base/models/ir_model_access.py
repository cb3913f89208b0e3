"""``ir.model.access``: which groups may read, write, create or delete a model's records.

Rows come from each addon's ``security/access.csv`` (Odoo's columns). No row for a model
means nobody but the superuser can touch it.
"""
from __future__ import annotations

from core import Model, fields


class IrModelAccess(Model):
    _name = "ir.model.access"
    _description = "Model Access"
    _order = "model_id, group_id, name"

    name = fields.Char("Name", required=True, index=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    group_id = fields.Many2one("res.groups", "Group", ondelete="cascade",
                               help="Empty: applies to every user.")
    perm_read = fields.Boolean("Read Access")
    perm_write = fields.Boolean("Write Access")
    perm_create = fields.Boolean("Create Access")
    perm_unlink = fields.Boolean("Delete Access")
    active = fields.Boolean("Active", default=True)
