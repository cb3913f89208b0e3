"""``calendar.feed.token``: the secret in a user's personal iCalendar feed URL.

Calendar clients (Outlook, Thunderbird, Apple Calendar) subscribe to a URL and cannot
log in, so the URL itself carries the secret: ``/calendar/feed/<token>.ics``. Unlike an
API key, the user must be able to read the URL again (to subscribe a second device), so
the token is kept, in a field of the nobody group that only this model's code reads
with ``sudo()``; the feed is read-only and the token is revocable. A user has at most
one active token; regenerating revokes the previous one. The check compares the whole
token in constant time after a lookup by its first characters.
"""
from __future__ import annotations

import hmac
import secrets

from core import Model, api, fields

SECRET_GROUP = "base.group_nobody"
PREFIX_LENGTH = 8


class CalendarFeedToken(Model):
    _name = "calendar.feed.token"
    _description = "Calendar Feed Token"
    _order = "create_date desc, id desc"

    user_id = fields.Many2one("res.users", "User", required=True, index=True,
                              ondelete="cascade", default=lambda self: self.env.uid)
    prefix = fields.Char("Prefix", required=True, index=True, readonly=True)
    token = fields.Char("Token", groups=SECRET_GROUP, copy=False, prefetch=False)
    last_used = fields.Datetime("Last Used", readonly=True)
    active = fields.Boolean("Active", default=True)

    @api.private
    @api.model
    def generate(self) -> str:
        """A new token for the current user (revoking the previous one); returned in
        clear."""
        self.current().write({"active": False})
        token = secrets.token_urlsafe(32)
        record = self.create({"user_id": self.env.uid, "prefix": token[:PREFIX_LENGTH]})
        record.sudo().write({"token": token})
        return token

    @api.private
    @api.model
    def current(self) -> "CalendarFeedToken":
        return self.search([("user_id", "=", self.env.uid)], limit=1)

    @api.private
    def secret(self) -> str:
        """The token of this (own, visible) record, for the feed page."""
        self.ensure_one()
        self._check_access("read")
        return self.sudo().token or ""

    @api.private
    @api.model
    def authenticate(self, token: str) -> int | None:
        """The id of the active user whose active token is ``token``, else None."""
        if not isinstance(token, str) or len(token) < 20:
            return None
        tokens = self.sudo().with_context(active_test=False)
        match = None
        for candidate in tokens.search([("prefix", "=", token[:PREFIX_LENGTH])]):
            if hmac.compare_digest((candidate.token or "").encode(), token.encode()):
                match = candidate
        if not match or not match.active or not match.user_id.active:
            return None
        return match.user_id.id
