"""Server-side sessions and their CSRF tokens, for the web layer (no HTTP here).

Contract for the web layer:

* Login: :func:`login` (or :meth:`res.users.authenticate` then :func:`create_session`)
  returns a NEW random session id ``sid`` and a CSRF token. Send ``sid`` in a cookie
  (``HttpOnly``, ``Secure``, ``SameSite=Lax``); pass the pre-login sid, if any, as
  ``old_sid`` so that it is revoked: a sid known before login is never valid after it
  (session fixation).
* Each request: :func:`get_session` with the cookie's sid gives the session record
  (superuser environment; ``session.user_id`` is who acts) or ``None`` when unknown,
  expired (idle for ``auth.session.idle_hours``, default 8, or older than
  ``auth.session.max_days``, default 7) or revoked: then treat the request as
  anonymous. ``last_seen`` is written at most once a minute.
* Each state-changing request: :func:`check_csrf` with the token the form or the
  ``X-CSRF-Token`` header sent; refuse the request when it is False. Render forms with
  :func:`csrf_token`.
* Logout: :func:`revoke`. Password change: every session of the user is revoked (by
  ``res.users``); "log out my other sessions": :func:`revoke_all` with ``except_sid``.

Only a SHA-256 digest of each sid is stored: a sid is 32 random bytes, so a fast hash is
enough, and a copy of the table lets nobody take over a session. The CSRF token is
stored as is: it is worthless without the session cookie.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from . import auth

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

SESSION_MODEL = "res.users.session"
TOUCH_EVERY = dt.timedelta(minutes=1)
PARAM_DEFAULTS = {"auth.session.idle_hours": 8, "auth.session.max_days": 7}


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _sessions(env: "Environment") -> "BaseModel":
    return env(su=True)[SESSION_MODEL]


def _param(env: "Environment", key: str) -> int:
    return auth.int_param(env, key, PARAM_DEFAULTS[key])


def create_session(env: "Environment", uid: int, address: str = "",
                   user_agent: str = "") -> tuple[str, str]:
    """A new session of user ``uid``: ``(sid, csrf_token)``; the sid is shown only here."""
    sid = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = auth.utcnow()
    _sessions(env).create({
        "user_id": uid, "sid_hash": digest(sid), "csrf_token": csrf,
        "address": address or False, "user_agent": (user_agent or "")[:512] or False,
        "created": now, "last_seen": now,
        "expires": now + dt.timedelta(days=_param(env, "auth.session.max_days")),
    })
    return sid, csrf


#: what every request reads of its session, fetched with the lookup (one query)
_SESSION_FIELDS = ("user_id", "revoked", "expires", "last_seen", "csrf_token")


def _find(env: "Environment", sid: Any) -> "BaseModel":
    if not isinstance(sid, str) or not sid:
        return _sessions(env)
    return _sessions(env).search_fetch([("sid_hash", "=", digest(sid))], _SESSION_FIELDS,
                                       limit=1)


def get_session(env: "Environment", sid: str | None) -> "BaseModel | None":
    """The valid session of ``sid``, or None (unknown, revoked, expired, user archived)."""
    session = _find(env, sid)
    if not session or session.revoked:
        return None
    now = auth.utcnow()
    idle = dt.timedelta(hours=_param(env, "auth.session.idle_hours"))
    if now >= session.expires or now >= session.last_seen + idle:
        return None
    if not session.user_id.active:
        return None
    if now - session.last_seen >= TOUCH_EVERY:
        session.write({"last_seen": now})
    return session


def rotate(env: "Environment", old_sid: str | None, uid: int, address: str = "",
           user_agent: str = "") -> tuple[str, str]:
    """Revoke ``old_sid`` (when given) and open a new session: after a login or any
    change of privileges, never keep a sid the client had before."""
    if old_sid:
        revoke(env, old_sid)
    return create_session(env, uid, address, user_agent)


def login(env: "Environment", login_name: str, password: str, address: str = "",
          user_agent: str = "", old_sid: str | None = None) -> tuple[int, str, str]:
    """Authenticate and open a new session: ``(uid, sid, csrf_token)``; raises
    :class:`~core.exceptions.AccessDenied` like ``res.users.authenticate``."""
    uid = env["res.users"].authenticate(login_name, password, address)
    sid, csrf = rotate(env, old_sid, uid, address, user_agent)
    return uid, sid, csrf


def revoke(env: "Environment", sid: str) -> bool:
    """End one session (logout); False when the sid is unknown or already revoked."""
    session = _find(env, sid)
    if not session or session.revoked:
        return False
    session.write({"revoked": True})
    return True


def revoke_all(env: "Environment", uid: int, except_sid: str | None = None) -> int:
    """End every session of a user but ``except_sid``; returns how many ended."""
    domain: list = [("user_id", "=", uid), ("revoked", "=", False)]
    if except_sid:
        domain.append(("sid_hash", "!=", digest(except_sid)))
    sessions = _sessions(env).search(domain)
    if sessions:
        sessions.write({"revoked": True})
    return len(sessions)


def purge(env: "Environment") -> int:
    """Delete sessions that can no longer be used (for a scheduled job)."""
    now = auth.utcnow()
    idle = dt.timedelta(hours=_param(env, "auth.session.idle_hours"))
    dead = _sessions(env).search(["|", "|", ("revoked", "=", True), ("expires", "<=", now),
                                  ("last_seen", "<=", now - idle)])
    dead.unlink()
    return len(dead)


def csrf_token(session: "BaseModel") -> str:
    """The CSRF token to embed in the session's forms."""
    return session.sudo().csrf_token or ""


def check_csrf(session: "BaseModel | None", token: Any) -> bool:
    """Whether ``token`` is the session's CSRF token (compared in constant time)."""
    if not session or not isinstance(token, str) or not token:
        return False
    expected = csrf_token(session)
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())
