"""Who calls the external APIs, checked on every request.

REST: ``Authorization: Bearer <API key>``, or the web client's session cookie — then a
state-changing call must also carry the session's ``X-CSRF-Token`` header (a cookie is
sent by browsers on their own; a header is not). RPC: the ``(db, uid, password)`` that
Odoo's protocol repeats on every call, where an API key may stand for the password.

Every check goes through ``res.users.authenticate`` or ``authenticate_apikey``, so API
guesses are throttled (per login and per address) and recorded exactly like those of
the login page. Verifying an argon2 hash on each of a script's thousand calls would cost
seconds, so a successful ``(uid, password)`` is remembered in this process for a few
minutes — as an HMAC under a key that never leaves memory, and only while the user's
stored hash is unchanged (a new password, or an archived user, ends it at once).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ...base.models.res_users_apikey import looks_like_key
from ...exceptions import AccessDenied, AccessError, UserError
from ...i18n.translate import _, current_lang
from ...orm import SUPERUSER_ID
from ...security import auth, sessions
from ..http import SAFE_METHODS
from .values import INT32, check_input

if TYPE_CHECKING:
    from ...orm import Environment
    from ..http import Request

CACHE_SECONDS = 600
CACHE_SIZE = 2048
_PEPPER = secrets.token_bytes(32)
#: ``(database url, uid) -> (HMAC of the password, stored hash, expiry)``
_verified: dict[tuple[str, int], tuple[bytes, str, float]] = {}
_verified_lock = threading.Lock()  # requests run in threads


def coded(exc: UserError, code: str) -> UserError:
    """``exc`` with a more precise stable error code than its class gives."""
    exc.code = code  # type: ignore[misc]
    return exc


def root_env(request: "Request") -> "Environment":
    """The superuser environment of the request's transaction (authentication only)."""
    return request.env(uid=SUPERUSER_ID, su=True)


def check_database(request: "Request", db: Any) -> None:
    """RPC clients name a database: it must be the one this server serves."""
    served = request.database.name
    if db in (None, False, "") or db == served:
        return
    raise coded(UserError(_("This server serves the database '%(served)s', not "
                            "'%(asked)s'.", served=served, asked=db)), "unknown_database")


def user_env(request: "Request", uid: int, extra: dict[str, Any] | None = None
             ) -> "Environment":
    """The environment of user ``uid`` in their language and time zone (plus ``extra``,
    already filtered by :func:`client_context`); messages follow the user's language."""
    user = root_env(request)["res.users"].browse(uid)
    context = {"lang": user.lang or "en_US", "tz": user.tz or "UTC", **(extra or {})}
    request.lang = context["lang"]
    current_lang.set(context["lang"])
    return request.env(uid=uid, su=False, context=context)


def client_context(request: "Request", raw: Any) -> dict[str, Any]:
    """The context keys a remote caller may set: ``lang`` (an installed language),
    ``tz`` (an IANA zone), ``active_test`` and ``default_<field>``; others are dropped
    (Odoo clients send many that mean nothing here)."""
    if not isinstance(raw, dict):
        return {}
    result: dict[str, Any] = {}
    lang = raw.get("lang")
    if isinstance(lang, str) and lang in dict(
            root_env(request)["res.users"]._lang_selection()):
        result["lang"] = lang
    tz = raw.get("tz")
    if isinstance(tz, str) and tz:
        try:
            ZoneInfo(tz)
            result["tz"] = tz
        except (ValueError, LookupError, OSError):
            pass
    if "active_test" in raw:
        result["active_test"] = bool(raw["active_test"])
    result.update({key: check_input(value) for key, value in raw.items()
                   if isinstance(key, str) and key.startswith("default_") and len(key) > 8})
    return result


# -- RPC -----------------------------------------------------------------------------------
def login(request: "Request", db: Any, login_name: Any, secret: Any) -> int:
    """The id of the user with this login and password (or API key); otherwise
    :class:`AccessDenied`, throttled and recorded like the login page."""
    check_database(request, db)
    root = root_env(request)
    if looks_like_key(secret):
        uid = root["res.users.apikey"].authenticate_apikey(secret, request.address)
        if auth.login_key(root["res.users"].browse(uid).login) != auth.login_key(login_name):
            auth.record_failure(root, auth.login_key(login_name), request.address, "apikey")
            raise auth.denied()
        return uid
    return root["res.users"].authenticate(login_name, secret, request.address)


def check_uid(request: "Request", db: Any, uid: Any, secret: Any) -> int:
    """Check the ``(db, uid, password or API key)`` of an RPC call; returns ``uid``."""
    check_database(request, db)
    root = root_env(request)
    address = request.address
    if looks_like_key(secret):
        if root["res.users.apikey"].authenticate_apikey(secret, address) != uid:
            raise auth.denied()
        return uid
    user = root["res.users"].browse(())
    if isinstance(uid, int) and not isinstance(uid, bool) and 0 < uid <= INT32[1]:
        user = root["res.users"].with_context(active_test=False).search_fetch(
            [("id", "=", uid)], ["login", "active", "password_hash", "lang", "tz"])
    if not user:
        auth.check_throttle(root, None, address)
        auth.verify_dummy(secret)
        auth.record_failure(root, None, address)
        raise auth.denied()
    auth.check_throttle(root, auth.login_key(user.login), address)
    key = (str(request.database.url), uid)
    fingerprint = _fingerprint(secret)
    with _verified_lock:
        cached = _verified.get(key)
    if cached and user.active and fingerprint and cached[2] > time.monotonic() and \
            cached[1] == user.password_hash and hmac.compare_digest(cached[0], fingerprint):
        return uid
    if root["res.users"].authenticate(user.login, secret, address) != uid:
        raise auth.denied()
    if fingerprint:
        _remember(key, fingerprint, root["res.users"].browse(uid).password_hash or "")
    return uid


def _fingerprint(secret: Any) -> bytes | None:
    if not isinstance(secret, str):
        return None
    return hmac.new(_PEPPER, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _remember(key: tuple[str, int], fingerprint: bytes, stored_hash: str) -> None:
    with _verified_lock:
        if len(_verified) >= CACHE_SIZE:
            now = time.monotonic()
            for stale in [k for k, v in _verified.items() if v[2] <= now] or \
                    list(_verified)[:1]:
                _verified.pop(stale, None)
        _verified[key] = (fingerprint, stored_hash, time.monotonic() + CACHE_SECONDS)


def forget_verified() -> None:
    """Drop every remembered password (tests; a process that wants to be sure)."""
    with _verified_lock:
        _verified.clear()


# -- REST ----------------------------------------------------------------------------------
def rest_env(request: "Request") -> "Environment":
    """The caller of a REST request: an API key (``Authorization: Bearer``), else the
    session cookie plus, on a state-changing method, the ``X-CSRF-Token`` header."""
    header = request.headers.get("Authorization")
    if header:
        scheme, _sep, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AccessDenied(_("Send the API key as 'Authorization: Bearer <key>'."))
        uid = root_env(request)["res.users.apikey"].authenticate_apikey(
            token.strip(), request.address)
        return user_env(request, uid)
    if request.session is None:
        raise coded(AccessDenied(_("Authenticate with an API key ('Authorization: Bearer "
                                   "<key>') or a Comptoir session.")), "authentication_required")
    if request.method not in SAFE_METHODS and not sessions.check_csrf(
            request.session, request.headers.get("X-CSRF-Token")):
        raise coded(AccessError(_("A request authenticated by the session cookie must send "
                                  "the session's CSRF token in the 'X-CSRF-Token' header.")),
                    "csrf_failed")
    return request.env
