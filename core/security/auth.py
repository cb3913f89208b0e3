"""Authentication building blocks: password hashing, password policy, login throttling.

The models of ``base`` (``res.users.authenticate``, ``res.users.apikey``) and the web
layer build on these functions; nothing here knows HTTP.

Hashing
    argon2id through argon2-cffi (:data:`HASHER`, the library's RFC 9106 "low memory"
    profile). A stored hash carries its own parameters: :func:`needs_rehash` tells when
    they differ from :data:`HASHER`'s, and a successful login then stores a fresh hash.
    :func:`verify_dummy` spends the time of one verification, so that an unknown login is
    refused as slowly as a wrong password (no user enumeration by timing).

Policy
    :func:`check_password_policy`: at least ``auth.password_min_length`` characters
    (``ir.config_parameter``, default 8).

Throttling
    Failed attempts are rows of ``res.users.login.attempt`` (login, address, date). When a
    login has ``auth.throttle.login_max`` failures (default 5), or an address
    ``auth.throttle.address_max`` (default 20), within ``auth.throttle.window_minutes``
    (default 15), further attempts are refused with :func:`throttled_error` before any
    password is checked, until the window has passed. Unknown logins are throttled like
    known ones, so the message says nothing about whether a login exists. A refused
    attempt is not itself recorded (a locked-out user is not locked out for longer).

    A failure must be remembered even when the caller's transaction is rolled back
    (an RPC call that fails is rolled back; an attacker must not reset the counter that
    way): :func:`record_failure` writes on a connection of its own, committed at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from ..exceptions import AccessDenied, ValidationError
from ..i18n.translate import _
from ..orm.db import SQLITE_BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    from ..orm import Environment

_logger = logging.getLogger(__name__)

#: the hasher of new passwords; a stored hash made with other parameters is rehashed
#: at the next successful login
HASHER = PasswordHasher()
#: how long a failure record waits for SQLite's write lock before falling back to the
#: caller's transaction (see :func:`record_failure`)
SQLITE_LOCK_WAIT_MS = 2000
#: failure records older than this are purged when a new failure is recorded
ATTEMPT_RETENTION = dt.timedelta(days=1)

PARAM_DEFAULTS = {
    "auth.password_min_length": 8,
    "auth.throttle.login_max": 5,
    "auth.throttle.address_max": 20,
    "auth.throttle.window_minutes": 15,
}

_dummy_hashes: dict[tuple, str] = {}


def utcnow() -> dt.datetime:
    """Naive UTC now, the storage format of datetimes (tests monkeypatch this)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def int_param(env: "Environment", key: str, default: int | None = None) -> int:
    """An integer ``ir.config_parameter`` (its default when unset or not a number)."""
    fallback = PARAM_DEFAULTS[key] if default is None else default
    value = env["ir.config_parameter"].sudo().get_param(key)
    if value in (None, ""):
        return fallback
    try:
        return int(str(value).strip())
    except ValueError:
        _logger.warning("ir.config_parameter %s=%r is not a whole number; using %s",
                        key, value, fallback)
        return fallback


def denied() -> AccessDenied:
    """The one refusal of bad credentials, whatever was wrong."""
    return AccessDenied(_("Wrong login or password."))


def login_key(login: Any) -> str:
    """What failures are counted under: case and surrounding spaces do not matter."""
    return login.strip().lower() if isinstance(login, str) else ""


# -- hashing -------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for a malformed hash)."""
    if not isinstance(password, str):
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def verify_dummy(password: Any) -> None:
    """Spend one verification's time against a hash of the current parameters."""
    params = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism, HASHER.hash_len,
              HASHER.salt_len, HASHER.type)
    if params not in _dummy_hashes:
        _dummy_hashes[params] = HASHER.hash("comptoir-dummy-password")
    verify_password(_dummy_hashes[params], password if isinstance(password, str) else "")


def check_password_policy(env: "Environment", password: Any) -> None:
    minimum = int_param(env, "auth.password_min_length")
    if not isinstance(password, str) or len(password) < minimum:
        raise ValidationError(_("A password must have at least %(count)s characters.",
                                count=minimum), field="password")


# -- throttling ------------------------------------------------------------------------------
def _attempts(env: "Environment") -> sa.Table:
    return env["res.users.login.attempt"]._sa_table


def throttled_error(minutes: int) -> AccessDenied:
    return AccessDenied(_("Too many failed attempts; try again in %(minutes)s minutes.",
                          minutes=minutes))


def check_throttle(env: "Environment", login: str | None, address: str) -> None:
    """Raise :func:`throttled_error` when ``login`` (a :func:`login_key`) or ``address``
    has too many recent failures; either may be empty (not checked then)."""
    window = dt.timedelta(minutes=int_param(env, "auth.throttle.window_minutes"))
    now = utcnow()
    table = _attempts(env)
    for column, value, key in ((table.c.login, login, "auth.throttle.login_max"),
                               (table.c.address, address, "auth.throttle.address_max")):
        limit = int_param(env, key)
        if not value or limit <= 0:
            continue
        recent = [row[0] for row in env.execute(
            sa.select(table.c.attempt_date).where(column == value,
                                                  table.c.attempt_date > now - window)
            .order_by(table.c.attempt_date.desc()).limit(limit))]
        if len(recent) >= limit:
            # allowed again once the limit-th most recent failure leaves the window
            seconds = (recent[-1] + window - now).total_seconds()
            raise throttled_error(max(1, math.ceil(seconds / 60)))


def record_failure(env: "Environment", login: str | None, address: str,
                   kind: str = "password") -> None:
    """Remember a failed attempt, surviving a rollback of the caller's transaction.

    The row is inserted on another connection of the same engine and committed at once.
    Two cases fall back to the caller's transaction (and so depend on it committing):

    * an in-memory SQLite database, whose engine has one connection only;
    * SQLite when the write lock stays taken for :data:`SQLITE_LOCK_WAIT_MS` — typically
      because the caller's own transaction wrote before authenticating (the web layer
      authenticates first, so it never does) — rather than wait for a lock that the
      caller itself holds.

    On SQLite, a transaction that read before the commit cannot write afterwards (its
    snapshot is stale): after a refused login, roll the request back, as for any error.
    """
    now = utcnow()
    values = {"login": login or None, "address": address or None, "kind": kind,
              "attempt_date": now}
    engine = env.conn.engine
    if isinstance(engine.pool, (StaticPool, SingletonThreadPool)):
        _insert_failure(env.conn, _attempts(env), values, now)
        return
    try:
        with engine.connect() as conn, _sqlite_lock_wait(conn, env.dialect):
            with conn.begin():
                _insert_failure(conn, _attempts(env), values, now)
    except sa.exc.OperationalError:
        if env.dialect != "sqlite":
            raise
        _logger.warning("SQLite is locked: a failed login is recorded in the request's "
                        "own transaction")
        _insert_failure(env.conn, _attempts(env), values, now)


def _insert_failure(conn: sa.Connection, table: sa.Table, values: dict[str, Any],
                    now: dt.datetime) -> None:
    extra = {"version": 1} if "version" in table.c else {}
    conn.execute(table.insert().values(**values, **extra))
    conn.execute(table.delete().where(table.c.attempt_date < now - ATTEMPT_RETENTION))


@contextmanager
def _sqlite_lock_wait(conn: sa.Connection, dialect: str) -> Iterator[None]:
    if dialect != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    raw.execute(f"PRAGMA busy_timeout={int(SQLITE_LOCK_WAIT_MS)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def clear_failures(env: "Environment", login: str) -> None:
    """Forget a login's failures (after a success, in the caller's transaction: if that
    is rolled back, the login did not really happen and the failures stay)."""
    if not login:
        return
    table = _attempts(env)
    # look first: on SQLite even a DELETE of nothing would take the write lock
    if env.execute(sa.select(table.c.id).where(table.c.login == login).limit(1)).first():
        env.execute(table.delete().where(table.c.login == login))
