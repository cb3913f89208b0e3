"""``res.users.apikey``: API keys for the external APIs, one user each.

A key is ``cpt_`` followed by 32 random bytes (URL-safe base64); the first 8 characters
after ``cpt_`` are the *prefix*, stored in clear and shown to users to tell their keys
apart. Only the SHA-256 digest of the whole key is stored: a slow password hash
(argon2) protects low-entropy secrets against guessing, but nobody can guess 256 random
bits, and a fast digest keeps every API call cheap. The clear key is returned once, by
:meth:`ResUsersApikey.generate`.

Users see, create and revoke their own keys only (record rules in ``base_data.xml``);
administrators manage everyone's. A revoked key (``active`` False) stays revoked.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from core import Model, _, api, fields
from core.exceptions import AccessError, ValidationError
from core.security import auth

from .res_users_auth import SECRET_GROUP

KEY_PREFIX = "cpt_"
PREFIX_LENGTH = 8
TOUCH_EVERY_SECONDS = 60


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(secret: object) -> bool:
    """Whether ``secret`` has the shape of an API key (the RPC APIs take a password or a
    key in the same argument: a key-shaped secret is checked as a key only)."""
    return isinstance(secret, str) and secret.startswith(KEY_PREFIX) and len(secret) > 20


class ResUsersApikey(Model):
    _name = "res.users.apikey"
    _description = "API Key"
    _order = "create_date desc, id desc"

    name = fields.Char("Description", required=True)
    user_id = fields.Many2one("res.users", "User", required=True, index=True,
                              ondelete="cascade", default=lambda self: self.env.uid)
    key_prefix = fields.Char("Key Prefix", required=True, index=True, readonly=True,
                             help="The first characters of the key after 'cpt_'.")
    key_hash = fields.Char("Key Digest", groups=SECRET_GROUP, copy=False, prefetch=False)
    last_used = fields.Datetime("Last Used", readonly=True)
    active = fields.Boolean("Active", default=True, help="Unchecked: revoked for good.")

    @api.private
    @api.model
    def generate(self, name: str, user_id: int | None = None) -> str:
        """Create a key for ``user_id`` (default: the current user) and return it in
        clear: the only time anybody sees it. Access rights and rules apply.

        Private to the external APIs: keys are made in the preferences page or the CLI,
        so that a stolen key cannot mint others that would outlive its revocation."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(_("Describe what the API key is for."), field="name")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        record = self.create({"name": name.strip(), "user_id": user_id or self.env.uid,
                              "key_prefix": key[len(KEY_PREFIX):][:PREFIX_LENGTH]})
        record.sudo().write({"key_hash": key_digest(key)})
        return key

    def action_revoke(self) -> bool:
        return self.write({"active": False})

    def write(self, vals: dict[str, Any]) -> bool:
        if vals.get("active") and self.filtered(lambda key: not key.active):
            raise ValidationError(_("A revoked API key cannot be reactivated; generate a "
                                    "new one."), field="active")
        if not self.env.su and set(vals) - {"name", "active"}:
            raise AccessError(_("Only the description of an API key can be changed, or the "
                                "key revoked."))
        return super().write(vals)

    @api.private
    @api.model
    def authenticate_apikey(self, key: str, address: str = "") -> int:
        """The id of the user owning ``key`` (an active key of an active user);
        otherwise :class:`~core.exceptions.AccessDenied`. Failures count towards the
        throttling of ``address`` like failed logins (see :mod:`core.security.auth`)."""
        env = self.env(su=True)
        auth.check_throttle(env, None, address)
        keys = env[self._name].with_context(active_test=False)
        match = keys.browse(())
        if looks_like_key(key):
            wanted = key_digest(key)
            prefix = key[len(KEY_PREFIX):][:PREFIX_LENGTH]
            for candidate in keys.search([("key_prefix", "=", prefix)]):
                if hmac.compare_digest(candidate.key_hash or "", wanted):
                    match = candidate
        if not match or not match.active or not match.user_id.active:
            auth.record_failure(env, None, address, kind="apikey")
            raise auth.denied()
        now = auth.utcnow()
        if not match.last_used or (now - match.last_used).total_seconds() >= \
                TOUCH_EVERY_SECONDS:
            match.write({"last_used": now})
        return match.user_id.id
