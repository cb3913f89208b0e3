"""A model with ranked keyword search, for the tests of ``fts.mixin``."""
from __future__ import annotations

from core import Model, fields


class TestNote(Model):
    _name = "test.note"
    _inherit = ["fts.mixin"]
    _description = "Test Note"
    _fts_fields = {"name": 3.0, "body": 1.0}

    name = fields.Char("Title", required=True, translate=True)
    body = fields.Html("Body")
    user_id = fields.Many2one("res.users", "Author")
    active = fields.Boolean("Active", default=True)
