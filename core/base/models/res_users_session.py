"""``res.users.session``: server-side sessions (managed by :mod:`core.security.sessions`).

Users read their own sessions, administrators every session; both may only revoke one
(write ``revoked``). The sid digest and the CSRF token are readable with ``sudo()`` only.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, fields
from core.exceptions import AccessError

from .res_users_auth import SECRET_GROUP


class ResUsersSession(Model):
    _name = "res.users.session"
    _description = "User Session"
    _order = "last_seen desc, id desc"
    _log_access = False
    _journal = False  # security bookkeeping, not business changes

    user_id = fields.Many2one("res.users", "User", required=True, index=True,
                              ondelete="cascade")
    sid_hash = fields.Char("Session Id Digest", required=True, unique=True,
                           groups=SECRET_GROUP, copy=False)
    csrf_token = fields.Char("CSRF Token", groups=SECRET_GROUP, copy=False, prefetch=False)
    address = fields.Char("Address")
    user_agent = fields.Char("User Agent")
    created = fields.Datetime("Created")
    last_seen = fields.Datetime("Last Seen")
    expires = fields.Datetime("Expires", help="Absolute expiry; idleness ends it sooner.")
    revoked = fields.Boolean("Revoked", default=False)

    def write(self, vals: dict[str, Any]) -> bool:
        if not self.env.su and (set(vals) - {"revoked"} or vals.get("revoked") is not True):
            raise AccessError(_("A session can only be revoked."))
        return super().write(vals)

    def action_revoke(self) -> bool:
        return self.write({"revoked": True})
