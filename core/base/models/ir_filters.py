"""``ir.filters``: searches users save, for themselves or shared with everyone.

A saved search is the list page's query string (text, filters, group-by, conditions,
order) for one action, so it reopens exactly as it was saved.
"""
from __future__ import annotations

from core import Model, fields


class IrFilters(Model):
    _name = "ir.filters"
    _description = "Saved Search"
    _order = "name, id"

    name = fields.Char("Name", required=True)
    action_id = fields.Many2one("ir.actions.act_window", "Action", required=True,
                                ondelete="cascade")
    query = fields.Char("Search", help="The list page's query string.")
    user_id = fields.Many2one("res.users", "Owner", ondelete="cascade",
                              help="Empty: shared with every user.")
    active = fields.Boolean("Active", default=True)
