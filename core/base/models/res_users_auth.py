"""Passwords of ``res.users`` (argon2 hashes, write-only field), ``authenticate``, and the
``res.users.login.attempt`` log that throttles guessing (see :mod:`core.security.auth`).

The hash lives in ``password_hash``, restricted to :data:`SECRET_GROUP`: a group the data
files define and that no user may join (a constraint refuses it), so only ``sudo()``
code reads or writes it. ``password`` is a computed field that always reads ``''``;
writing it (in ``create`` or ``write``) checks the policy and stores the hash through its
inverse, and the clear text leaves the cache as soon as the inverse ran.
"""
from __future__ import annotations

import sqlalchemy as sa

from core import SUPERUSER_ID, Model, _, api, fields
from core.exceptions import ValidationError
from core.security import auth, sessions

#: group external id of fields nobody may read or write without ``sudo()``
SECRET_GROUP = "base.group_nobody"


class ResUsersLoginAttempt(Model):
    _name = "res.users.login.attempt"
    _description = "Failed Login Attempt"
    _order = "attempt_date desc, id desc"
    _log_access = False
    _journal = False  # security bookkeeping, not business changes

    login = fields.Char("Login", index=True, help="Lowercased; empty for API keys.")
    address = fields.Char("Address", index=True)
    kind = fields.Selection([("password", "Password"), ("apikey", "API key")], "Kind",
                            default="password")
    attempt_date = fields.Datetime("Date", index=True)


class ResUsers(Model):
    _inherit = "res.users"

    password_hash = fields.Char("Password Hash", groups=SECRET_GROUP, copy=False,
                                prefetch=False)
    password = fields.Char("Password", compute="_compute_password",
                           inverse="_inverse_password", copy=False,
                           help="Write-only: reading it always gives an empty string.")

    def _compute_password(self) -> None:
        for user in self:
            user.password = ""

    def _inverse_password(self) -> None:
        key = (self._name, "password")
        try:
            for user in self:
                clear = self.env.cache.get(key, user.id) if self.env.cache.contains(
                    key, user.id) else ""
                if not clear:
                    continue  # an empty password in a form means "unchanged"
                auth.check_password_policy(self.env, clear)
                user._set_password_hash(auth.hash_password(clear))
        finally:
            self.env.cache.invalidate([key], self.ids)

    def _set_password_hash(self, new_hash: str | None) -> None:
        """Store a hash; replacing an existing one ends the user's sessions."""
        for user in self.sudo():
            had_password = bool(user.password_hash)
            user.write({"password_hash": new_hash})
            if had_password:
                sessions.revoke_all(self.env, user.id)

    @api.constrains("groups_id")
    def _check_secret_group(self) -> None:
        secret = self.env.ref(SECRET_GROUP, raise_if_not_found=False)
        if not secret:
            return
        for user in self.sudo():
            groups = user.groups_id
            todo = groups
            while todo:
                todo = todo.mapped("implied_ids") - groups
                groups |= todo
            if secret in groups:
                raise ValidationError(_("Nobody may be a member of the group '%(group)s': it "
                                        "guards secrets such as password hashes.",
                                        group=secret.name), field="groups_id")

    # -- authentication ------------------------------------------------------------------
    @api.model
    def authenticate(self, login: str, password: str, address: str = "") -> int:
        """The id of the active user with this login and password; otherwise
        :class:`~core.exceptions.AccessDenied` with one message whatever was wrong
        (unknown login, wrong password, no password, archived user), or the throttling
        message when the login or ``address`` failed too often (see
        :mod:`core.security.auth`). Runs as superuser; ``address`` is the client's IP.

        A failure is recorded in a transaction of its own (it survives a rollback of
        the caller's); a success clears the login's failures and, when the hashing
        parameters changed, stores a new hash, both in the caller's transaction.
        """
        env = self.env(su=True)
        key = auth.login_key(login)
        auth.check_throttle(env, key, address)
        user = env["res.users"].browse(())
        if key and isinstance(login, str):
            user = env["res.users"].with_context(active_test=False).search(
                [("login", "=", login)], limit=1)
        stored = user.password_hash if user else None
        if stored:
            valid = auth.verify_password(stored, password)
        else:
            auth.verify_dummy(password)
            valid = False
        if not valid or not user.active or user.id == SUPERUSER_ID:
            auth.record_failure(env, key, address)
            raise auth.denied()
        auth.clear_failures(env, key)
        if auth.needs_rehash(stored):
            user._store_rehash(auth.hash_password(password))
        return user.id

    def _store_rehash(self, new_hash: str) -> None:
        """A new hash of the same password: no version bump, sessions stay valid."""
        table = self._sa_table
        self.env.execute(sa.update(table).where(table.c.id == self.id).values(
            password_hash=new_hash))
        self.env.cache.invalidate([(self._name, "password_hash")], self.ids)

    @api.model
    def change_password(self, old_password: str, new_password: str,
                        address: str = "") -> bool:
        """Self-service: the current user changes their own password, proving they know
        the old one (checked by :meth:`authenticate`, so guesses are throttled). Every
        session of the user ends: the web layer opens a new one for the request."""
        user = self.env.user
        self.authenticate(user.login, old_password, address)
        user.sudo().write({"password": new_password})
        return True

    @api.model
    def _set_password_if_unset(self, user_ids: list[int], password: str) -> None:
        """Demo data only: give these users ``password`` unless they have one already
        (an upgrade never resets a changed password; the policy is not applied)."""
        for user in self.sudo().browse(user_ids):
            if not user.password_hash:
                user._set_password_hash(auth.hash_password(password))
