"""``res.users`` for the portal: the signup token of an invitation.

An invitation carries a random token (32 bytes) in its link; only its SHA-256 digest is
stored (a copy of the table lets nobody sign up in a customer's place), in a field of the
nobody group that only this code reads with ``sudo()``. A token works once, until
``signup_expiration`` (``portal.signup.valid_hours``, default 72 hours after it was
sent), and only for an active user: a new invitation replaces it, using it or revoking
the access clears it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from core import Model, api, fields
from core.security import auth

SECRET_GROUP = "base.group_nobody"
DEFAULT_VALID_HOURS = 72
MIN_TOKEN_LENGTH = 20


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ResUsers(Model):
    _inherit = "res.users"

    signup_token_hash = fields.Char("Signup Token Digest", groups=SECRET_GROUP, copy=False,
                                    prefetch=False, index=True)
    signup_expiration = fields.Datetime(
        "Invitation Valid Until", copy=False, readonly=True,
        help="Until when the link of the last invitation lets the customer choose his "
             "password; empty once used.")

    @api.private
    def _portal_issue_token(self) -> tuple[str, dt.datetime]:
        """A new signup token for this user (the previous one stops working): the token
        in clear, to put in the link, and until when it works."""
        self.ensure_one()
        hours = auth.int_param(self.env, "portal.signup.valid_hours", DEFAULT_VALID_HOURS)
        token = secrets.token_urlsafe(32)
        expiration = auth.utcnow() + dt.timedelta(hours=max(hours, 1))
        self.sudo().write({"signup_token_hash": token_digest(token),
                           "signup_expiration": expiration})
        return token, expiration

    @api.private
    @api.model
    def _portal_signup_user(self, token: Any) -> tuple[Any, str]:
        """``(user, problem)`` for a signup link's token: the user when the token is
        valid (``problem`` empty), else an empty recordset and ``"unknown"`` (never
        issued, already used or replaced) or ``"expired"``."""
        users = self.sudo().with_context(active_test=False)
        if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
            return users.browse(), "unknown"
        user = users.search([("signup_token_hash", "=", token_digest(token))], limit=1)
        if not user or not user.active:
            return users.browse(), "unknown"
        if not user.signup_expiration or user.signup_expiration <= auth.utcnow():
            return users.browse(), "expired"
        return user, ""

    @api.private
    def _portal_complete_signup(self, password: str) -> None:
        """Set the password the customer chose (the password policy applies) and spend
        the token."""
        self.ensure_one()
        self.sudo().write({"password": password, "signup_token_hash": False,
                           "signup_expiration": False})

    @api.private
    def _portal_clear_token(self) -> None:
        self.sudo().write({"signup_token_hash": False, "signup_expiration": False})
