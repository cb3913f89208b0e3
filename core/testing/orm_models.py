"""Models used by :func:`core.testing.plugin.orm_env` when a test brings no ``res.users``."""
from __future__ import annotations

from ..orm import Model, fields


class MinimalUsers(Model):
    _name = "res.users"
    _description = "User"

    name = fields.Char(required=True)
