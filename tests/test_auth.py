"""Authentication: password hashes, authenticate and its throttling, sessions, API keys."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from core.exceptions import AccessDenied, AccessError, ValidationError
from core.security import auth, sessions

DENIED = "Wrong login or password."
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", FAST)


class Clock:
    def __init__(self) -> None:
        self.now = auth.utcnow()

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture(scope="module")
def authdb(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A database of this module's own, for what must really commit (failure records
    are written in a transaction of their own); throttling limits are small."""
    from core.modules.discovery import discover_addons
    from core.modules.loading import Database
    from core.orm.db import create_database, drop_database
    from core.testing.engines import pg_test_url
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('auth') / 'auth.db'}"
    else:
        url = pg_test_url(f"comptoir_auth_{os.getpid()}_{uuid.uuid4().hex[:6]}")
        create_database(url)
    database = Database(url, available={"base": discover_addons()["base"]})
    try:
        database.install(["base"])
        with database.environment() as env:
            params = env["ir.config_parameter"]
            params.set_param("auth.throttle.login_max", 3)
            params.set_param("auth.throttle.address_max", 5)
        yield database
    finally:
        database.engine.dispose()
        if engine_name != "sqlite":
            drop_database(url)


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def make_user(env: Any, login: str | None = None, password: str | None = "password1",
              groups: tuple[str, ...] = ("base.group_user",), **vals: Any) -> Any:
    vals = {"name": "Test User", "login": login or unique(),
            "groups_id": [(6, 0, [env.ref(g).id for g in groups])], **vals}
    if password is not None:
        vals["password"] = password
    return env["res.users"].create(vals)


def stored_row(env: Any, user: Any) -> dict[str, Any]:
    table = env["res.users"]._sa_table
    return dict(env.execute(sa.select(table).where(table.c.id == user.id)).mappings().one())


def refusal(database: Any, login: str, password: str, address: str) -> str:
    """Authenticate in a request transaction that is rolled back; the error message."""
    with pytest.raises(AccessDenied) as info, database.environment() as env:
        env["res.users"].authenticate(login, password, address)
    return str(info.value)


def attempts(database: Any, **where: str) -> int:
    with database.environment() as env:
        return env["res.users.login.attempt"].search_count(
            [(k, "=", v) for k, v in where.items()])


# -- passwords -------------------------------------------------------------------------
def test_password_is_stored_as_an_argon2_hash_only(env: Any) -> None:
    user = make_user(env, password="s3cret-horse")
    row = stored_row(env, user)
    assert row["password_hash"].startswith("$argon2id$")
    assert not any("s3cret-horse" in str(value) for value in row.values())
    assert user.password == ""
    assert all("s3cret-horse" not in str(values) for values in env.cache._data.values())
    first = row["password_hash"]
    user.write({"password": "another-horse"})
    assert stored_row(env, user)["password_hash"] not in (first, None)
    user.write({"password": ""})  # an empty password in a form means "unchanged"
    assert auth.verify_password(stored_row(env, user)["password_hash"], "another-horse")
    assert user.copy({"login": unique()}).sudo().password_hash is None


def test_password_policy(env: Any) -> None:
    with pytest.raises(ValidationError, match="at least 8 characters"):
        make_user(env, password="short")
    env["ir.config_parameter"].set_param("auth.password_min_length", 12)
    user = make_user(env, password=None)
    with pytest.raises(ValidationError, match="at least 12 characters"):
        user.write({"password": "eleven-char"})
    user.write({"password": "twelve-chars"})
    assert all("eleven-char" not in str(values) for values in env.cache._data.values())


def test_hash_field_is_hidden_from_every_user(env: Any) -> None:
    user = make_user(env)
    admin = make_user(env, groups=("base.group_system",))
    for who in (user, admin):
        users = env["res.users"].with_user(who)
        with pytest.raises(AccessError):
            users.browse(who.id).read(["password_hash"])
        assert "password_hash" not in users.browse(who.id).read()[0]
        assert "password_hash" not in users.fields_get()
    with pytest.raises(AccessError):
        env["res.users"].with_user(admin).browse(user.id).write({"password_hash": "x"})
    nobody = env.ref("base.group_nobody")
    with pytest.raises(ValidationError, match="Nobody may be a member"):
        admin.write({"groups_id": [(4, nobody.id)]})
    env.ref("base.group_portal").write({"implied_ids": [(4, nobody.id)]})
    with pytest.raises(ValidationError, match="Nobody may be a member"):
        make_user(env, groups=("base.group_portal",))


def test_hash_cannot_be_probed_through_a_domain(env: Any) -> None:
    user = make_user(env)
    with pytest.raises(AccessError):
        env["res.users"].with_user(user).search([("password_hash", "=like", "$argon2id%")])


def test_hash_cannot_be_read_as_an_attribute(env: Any) -> None:
    user = make_user(env)
    with pytest.raises(AccessError):
        env["res.users"].with_user(user).browse(user.id).password_hash  # noqa: B018


def test_rehash_when_parameters_change(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(env, password="rehash-me-1")
    sid, _csrf = sessions.create_session(env, user.id)
    old = stored_row(env, user)["password_hash"]
    assert "t=1" in old
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=2, memory_cost=8,
                                                       parallelism=1))
    assert env["res.users"].authenticate(user.login, "rehash-me-1") == user.id
    new = stored_row(env, user)["password_hash"]
    assert "t=2" in new and new != old
    assert stored_row(env, user)["version"] == user.version  # maintenance, not an edit
    assert sessions.get_session(env, sid)  # the same password: sessions stay


def test_demo_password_never_overwrites_a_set_password(env: Any) -> None:
    fresh, done = make_user(env, password=None), make_user(env, password="keep-mine-1")
    env["res.users"]._set_password_if_unset([fresh.id, done.id], "admin")
    assert env["res.users"].authenticate(fresh.login, "admin") == fresh.id
    assert env["res.users"].authenticate(done.login, "keep-mine-1") == done.id


# -- authenticate ---------------------------------------------------------------------
def test_every_bad_credential_gets_the_same_refusal(authdb: Any) -> None:
    with authdb.environment() as env:
        good = make_user(env, password="right-password")
        archived = make_user(env, password="right-password", active=False)
        nopass = make_user(env, password=None)
    address = unique("10.0.")
    assert {refusal(authdb, login, password, address) for login, password in [
        (unique("ghost"), "right-password"), (good.login, "wrong-password"),
        (archived.login, "right-password"), (nopass.login, ""),
        ("__system__", "")]} == {DENIED}
    assert attempts(authdb, address=address) == 5
    with authdb.environment() as env:
        assert env["res.users"].authenticate(good.login, "right-password", unique()) \
            == good.id


def test_failure_survives_the_rollback_of_the_request(authdb: Any) -> None:
    login, address = unique(), unique("10.1.")
    with authdb.engine.connect() as conn:
        from core.orm import Environment
        transaction = conn.begin()
        env = Environment(authdb.registry, conn)
        with pytest.raises(AccessDenied):
            env["res.users"].authenticate(login, "whatever-1", address)
        transaction.rollback()
    assert attempts(authdb, login=login, address=address) == 1


def test_throttling_per_login(authdb: Any, clock: Clock) -> None:
    with authdb.environment() as env:
        user = make_user(env, password="right-password")
    ghost = unique("ghost")
    for _attempt in range(3):
        assert refusal(authdb, user.login, "bad-password", unique()) == DENIED
        assert refusal(authdb, ghost, "bad-password", unique()) == DENIED
    clock.advance(minutes=1)
    throttled = "Too many failed attempts; try again in 14 minutes."
    # same message for a real and an unknown login; even the right password waits
    assert refusal(authdb, user.login, "right-password", unique()) == throttled
    assert refusal(authdb, ghost.upper(), "bad-password", unique()) == throttled
    clock.advance(minutes=14, seconds=1)
    with authdb.environment() as env:
        assert env["res.users"].authenticate(user.login, "right-password") == user.id
    assert attempts(authdb, login=user.login) == 0  # a success clears the failures
    assert attempts(authdb, login=ghost) == 3


def test_throttling_per_address(authdb: Any, clock: Clock) -> None:
    with authdb.environment() as env:
        user = make_user(env, password="right-password")
    address = unique("10.2.")
    for _attempt in range(5):
        refusal(authdb, unique(), "bad-password", address)
    assert refusal(authdb, user.login, "right-password", address).startswith("Too many")
    with authdb.environment() as env:  # another address is not affected
        assert env["res.users"].authenticate(user.login, "right-password", "10.9.9.9")


@pytest.mark.sqlite_only
def test_sqlite_falls_back_to_the_callers_transaction_when_it_holds_the_lock(
        env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "SQLITE_LOCK_WAIT_MS", 20)
    make_user(env)  # the test's transaction now holds SQLite's write lock
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("nobody-here", "password1", "10.3.0.1")
    assert env["res.users.login.attempt"].search_count([("address", "=", "10.3.0.1")]) == 1


def test_change_password_checks_the_old_one_and_ends_sessions(authdb: Any) -> None:
    with authdb.environment() as env:
        user = make_user(env, password="old-password")
        sid, _csrf = sessions.create_session(env, user.id)
    with pytest.raises(AccessDenied), authdb.environment() as env:
        env["res.users"].with_user(user).change_password("wrong-one", "new-password")
    with authdb.environment() as env:
        assert sessions.get_session(env, sid)
        env["res.users"].with_user(user).change_password("old-password", "new-password")
        assert sessions.get_session(env, sid) is None
        assert env["res.users"].authenticate(user.login, "new-password") == user.id


# -- sessions -------------------------------------------------------------------------
def test_session_lifecycle_and_expiry(env: Any, clock: Clock) -> None:
    user = make_user(env)
    sid, csrf = sessions.create_session(env, user.id, "10.4.0.1", "pytest")
    session = sessions.get_session(env, sid)
    assert session.user_id == user and sessions.check_csrf(session, csrf)
    table = env["res.users.session"]._sa_table
    stored = env.execute(sa.select(table.c.sid_hash)).scalars().all()
    assert hashlib.sha256(sid.encode()).hexdigest() in stored and sid not in stored
    seen = session.last_seen
    clock.advance(seconds=30)
    assert sessions.get_session(env, sid).last_seen == seen  # touched once a minute only
    clock.advance(seconds=31)
    assert sessions.get_session(env, sid).last_seen == clock.now
    clock.advance(hours=8)
    assert sessions.get_session(env, sid) is None  # idle too long
    sid, _csrf = sessions.create_session(env, user.id)
    for _step in range(23):  # active every 7 hours, yet a week is the most
        clock.advance(hours=7)
        assert sessions.get_session(env, sid)
    clock.advance(hours=7)
    assert sessions.get_session(env, sid) is None
    assert sessions.get_session(env, "not-a-sid") is None
    assert sessions.get_session(env, None) is None
    assert sessions.purge(env) == 2


def test_revoke_revoke_all_and_password_change(env: Any) -> None:
    user = make_user(env)
    first, second, third = (sessions.create_session(env, user.id)[0] for _ in range(3))
    assert sessions.revoke(env, first) and not sessions.revoke(env, first)
    assert sessions.get_session(env, first) is None
    assert sessions.revoke_all(env, user.id, except_sid=second) == 1
    assert sessions.get_session(env, second) and not sessions.get_session(env, third)
    user.write({"password": "brand-new-password"})
    assert sessions.get_session(env, second) is None
    user.write({"active": False})
    assert sessions.get_session(env, sessions.create_session(env, user.id)[0]) is None


def test_login_rotates_the_session_id(env: Any) -> None:
    user = make_user(env, password="rotate-me-1")
    anonymous_sid, _csrf = sessions.create_session(env, user.id)
    uid, sid, csrf = sessions.login(env, user.login, "rotate-me-1", old_sid=anonymous_sid)
    assert uid == user.id and sid != anonymous_sid
    assert sessions.get_session(env, anonymous_sid) is None
    _uid, again, other_csrf = sessions.login(env, user.login, "rotate-me-1")
    assert again != sid and other_csrf != csrf


def test_csrf_tokens(env: Any) -> None:
    user = make_user(env)
    one = sessions.get_session(env, sessions.create_session(env, user.id)[0])
    two = sessions.get_session(env, sessions.create_session(env, user.id)[0])
    assert sessions.check_csrf(one, sessions.csrf_token(one))
    assert not sessions.check_csrf(one, sessions.csrf_token(two))
    for bad in ("", None, 42, sessions.csrf_token(one)[:-1], "é"):
        assert not sessions.check_csrf(one, bad)
    assert not sessions.check_csrf(None, sessions.csrf_token(one))


def test_users_see_and_revoke_only_their_own_sessions(env: Any) -> None:
    alice, bob = make_user(env), make_user(env)
    sessions.create_session(env, alice.id)
    sessions.create_session(env, bob.id)
    mine = env["res.users.session"].with_user(alice).search([])
    assert mine.mapped("user_id") == alice
    with pytest.raises(AccessError):
        mine.read(["sid_hash"])
    with pytest.raises(AccessError):
        mine.write({"user_id": bob.id})
    mine.action_revoke()
    theirs = env["res.users.session"].search([("user_id", "=", bob.id)])
    with pytest.raises(AccessError):
        theirs.with_user(alice).action_revoke()


# -- API keys -------------------------------------------------------------------------
def test_apikey_generate_authenticate_revoke(authdb: Any, clock: Clock) -> None:
    with authdb.environment() as env:
        user = make_user(env)
        key = env["res.users.apikey"].with_user(user).generate("laptop")
    assert key.startswith("cpt_") and len(key) >= 40
    with authdb.environment() as env:
        record = env["res.users.apikey"].search([("user_id", "=", user.id)])
        assert record.key_prefix == key[4:12]
        table = record._sa_table
        row = env.execute(sa.select(table).where(table.c.id == record.id)).mappings().one()
        assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
        assert not any(key in str(value) for value in row.values())
        assert env["res.users.apikey"].authenticate_apikey(key, "10.5.0.1") == user.id
        assert record.last_used == clock.now
    clock.advance(seconds=30)
    with authdb.environment() as env:
        env["res.users.apikey"].authenticate_apikey(key)
        assert env["res.users.apikey"].browse(record.id).last_used < clock.now
        env["res.users.apikey"].browse(record.id).with_user(user).action_revoke()
    address = unique("10.5.")
    for bad in (key, key[:-1] + "x", "cpt_nothing-like-a-key", None):
        with pytest.raises(AccessDenied, match=DENIED), authdb.environment() as env:
            env["res.users.apikey"].authenticate_apikey(bad, address)
    assert attempts(authdb, address=address) == 4
    for message in (DENIED, "Too many failed attempts"):  # the 5th fails, then throttled
        with pytest.raises(AccessDenied, match=message), authdb.environment() as env:
            env["res.users.apikey"].authenticate_apikey("cpt_wrong", address)


def test_apikeys_of_others_are_out_of_reach(env: Any) -> None:
    alice, bob = make_user(env), make_user(env)
    admin = make_user(env, groups=("base.group_system",))
    keys = env["res.users.apikey"]
    keys.with_user(alice).generate("alice key")
    keys.with_user(bob).generate("bob key")
    bobs = keys.search([("user_id", "=", bob.id)])
    assert keys.with_user(alice).search([]).mapped("name") == ["alice key"]
    with pytest.raises(AccessError):
        bobs.with_user(alice).read(["name"])
    with pytest.raises(AccessError):
        bobs.with_user(alice).action_revoke()
    with pytest.raises(AccessError):
        keys.with_user(alice).generate("for bob", bob.id)
    with pytest.raises(AccessError):
        keys.with_user(alice).search([]).write({"user_id": bob.id})
    assert len(keys.with_user(admin).search([])) >= 2
    bobs.with_user(admin).action_revoke()
    with pytest.raises(ValidationError, match="cannot be reactivated"):
        bobs.with_context(active_test=False).write({"active": True})
