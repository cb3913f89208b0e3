"""``comptoir users``: create, passwd, groups, apikey, list — end to end on a real database."""
from __future__ import annotations

import json
import os
import uuid
from typing import Any, Iterator

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result

from core.cli import main
from core.exceptions import AccessDenied
from core.modules.loading import Database
from core.security import auth


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                       parallelism=1))


@pytest.fixture(scope="module")
def cli_db(engine_name: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Database]:
    """One database initialised through the CLI for the whole module; commands then
    share its registry (handed to click as ``obj``) instead of rebuilding it each time."""
    from core.orm.db import create_database, drop_database
    from core.testing.engines import pg_test_url
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('cli_users') / 'users.db'}"
    else:
        url = pg_test_url(f"comptoir_users_{os.getpid()}_{uuid.uuid4().hex[:6]}")
        create_database(url)
    try:
        result = CliRunner().invoke(main, ["--db", url, "db", "init"])
        assert result.exit_code == 0, result.output
        database = Database(url)
        yield database
        database.engine.dispose()
    finally:
        if engine_name != "sqlite":
            drop_database(url)


def run(database: Database, *args: str, input: str | None = None) -> Result:  # noqa: A002
    return CliRunner().invoke(main, ["--db", database.url, "users", *args], input=input,
                              obj={"database": database})


def login_name() -> str:
    return f"user{uuid.uuid4().hex[:8]}"


def authenticate(database: Database, login: str, password: str) -> int:
    with database.environment() as env:
        return env["res.users"].authenticate(login, password)


def listed(database: Database, login: str) -> dict[str, Any]:
    result = run(database, "list", "--json")
    assert result.exit_code == 0, result.output
    return next(row for row in json.loads(result.output) if row["login"] == login)


def test_create_with_password_from_stdin(cli_db: Database) -> None:
    login = login_name()
    result = run(cli_db, "create", login, "--name", "Stdin User", "--password-stdin",
                 input="from-stdin-pw\n")
    assert result.exit_code == 0, result.output
    assert f"Created user {login}" in result.output and "from-stdin-pw" not in result.output
    uid = authenticate(cli_db, login, "from-stdin-pw")
    row = listed(cli_db, login)
    assert row["id"] == uid and row["has_password"] and row["groups"] == ["base.group_user"]
    again = run(cli_db, "create", login, "--name", "Twice")
    assert again.exit_code == 1 and "exists already" in again.output
    assert "Traceback" not in again.output


def test_create_without_password_then_passwd_prompt(cli_db: Database) -> None:
    login = login_name()
    result = run(cli_db, "create", login, "--name", "Later", "--groups",
                 "base.group_user, base.group_system")
    assert result.exit_code == 0 and f"comptoir users passwd {login}" in result.output
    row = listed(cli_db, login)
    assert not row["has_password"]
    assert row["groups"] == ["base.group_system", "base.group_user"]
    with pytest.raises(AccessDenied):
        authenticate(cli_db, login, "")
    mismatch = run(cli_db, "passwd", login, input="first-secret\nother-secret\n"
                   "first-secret\nfirst-secret\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output
    assert "first-secret" not in mismatch.output
    assert authenticate(cli_db, login, "first-secret") == row["id"]
    piped = run(cli_db, "passwd", login, "--password-stdin", input="second-secret\n")
    assert piped.exit_code == 0 and f"Password of {login} changed." in piped.output
    assert authenticate(cli_db, login, "second-secret") == row["id"]


@pytest.mark.parametrize("args, stdin, message", [
    (["create", "{login}", "--name", "X", "--password", "short"], None,
     "at least 8 characters"),
    (["create", "{login}", "--name", "X", "--groups", "base.group_sytem"], None,
     "Did you mean 'base.group_system'?"),
    (["passwd", "nobody-at-all", "--password-stdin"], "whatever-pw\n",
     "No user has the login 'nobody-at-all'"),
    (["passwd", "admin", "--password-stdin"], "\n", "The password is empty"),
])
def test_errors_are_one_line(cli_db: Database, args: list[str], stdin: str | None,
                             message: str) -> None:
    result = run(cli_db, *[a.format(login=login_name()) for a in args], input=stdin)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_groups_list_add_remove(cli_db: Database) -> None:
    login = login_name()
    assert run(cli_db, "create", login, "--name", "Grouped").exit_code == 0
    shown = run(cli_db, "groups", login)
    assert shown.exit_code == 0 and shown.output.startswith("base.group_user")
    added = run(cli_db, "groups", login, "--add", "base.group_system")
    assert "base.group_system" in added.output and "base.group_user" in added.output
    removed = run(cli_db, "groups", login, "--remove", "base.group_user")
    assert removed.exit_code == 0
    assert listed(cli_db, login)["groups"] == ["base.group_system"]
    refused = run(cli_db, "groups", login, "--add", "base.group_nobody")
    assert refused.exit_code == 1 and "Nobody may be a member" in refused.output


def test_apikey_create_and_revoke(cli_db: Database) -> None:
    login = login_name()
    assert run(cli_db, "create", login, "--name", "Robot").exit_code == 0
    created = run(cli_db, "apikey", login, "ci server")
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("cpt_") and "not shown again" in created.stderr
    with cli_db.environment() as env:
        uid = env["res.users.apikey"].authenticate_apikey(key)
    assert uid == listed(cli_db, login)["id"]
    unknown = run(cli_db, "apikey", login, "--revoke", "zzzzzzzz")
    assert unknown.exit_code == 1 and "no active API key" in unknown.output
    revoked = run(cli_db, "apikey", login, "--revoke", key[:12])
    assert revoked.exit_code == 0 and "Revoked API key" in revoked.output
    with pytest.raises(AccessDenied), cli_db.environment() as env:
        env["res.users.apikey"].authenticate_apikey(key)
    missing_name = run(cli_db, "apikey", login)
    assert missing_name.exit_code == 2 and "NAME" in missing_name.output


def test_list_text_output(cli_db: Database) -> None:
    login = login_name()
    assert run(cli_db, "create", login, "--name", "Listed Person").exit_code == 0
    result = run(cli_db, "list")
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith(login))
    assert "Listed Person" in line and "[no password]" in line
    assert "__system__" not in result.output


def test_demo_logins_show_only_accounts_still_on_their_demo_password(cli_db: Database) -> None:
    demo, changed = login_name(), login_name()
    for login in (demo, changed):
        assert run(cli_db, "create", login, "--name", f"Demo {login}",
                   "--password-stdin", input=f"{login}\n").exit_code == 0
    assert run(cli_db, "passwd", changed, "--password-stdin",
               input="a much better secret 42\n").exit_code == 0
    shown = run(cli_db, "demo-logins")
    assert shown.exit_code == 0, shown.output
    assert f"{demo} / {demo}" in shown.output and f"Demo {demo}" in shown.output
    assert changed not in shown.output
