"""``comptoir users``: create users, set passwords, manage groups and API keys.

Thin commands over ``res.users`` and ``res.users.apikey``, each in one committed
transaction. Passwords are read from a hidden prompt or from standard input
(``--password-stdin``), so that they stay out of shell history and process lists;
``--password`` exists for throwaway setups only.
"""
from __future__ import annotations

import difflib
import json
import sys
from typing import Any

import click

from .cli import _database
from .exceptions import UserError
from .i18n.translate import _
from .orm import SUPERUSER_ID


@click.group()
def users() -> None:
    """Create users, set passwords, manage groups and API keys."""


def _user(env: Any, login: str) -> Any:
    user = env["res.users"].with_context(active_test=False).search([("login", "=", login)],
                                                                     limit=1)
    if not user:
        raise UserError(_("No user has the login '%(login)s'.", login=login))
    return user


def _group_xmlids(env: Any) -> dict[int, str]:
    rows = env["ir.model.data"].search_read([("model", "=", "res.groups")],
                                            ["module", "name", "res_id"])
    return {row["res_id"]: f"{row['module']}.{row['name']}" for row in rows}


def _groups(env: Any, names: tuple[str, ...] | list[str]) -> list[int]:
    """Group ids of comma-separated external ids, with a suggestion for typos."""
    known = {xml_id: gid for gid, xml_id in _group_xmlids(env).items()}
    ids = []
    for name in (n.strip() for value in names for n in value.split(",")):
        if not name:
            continue
        if name not in known:
            near = difflib.get_close_matches(name, sorted(known), 1)
            hint = _(" Did you mean '%(name)s'?", name=near[0]) if near else ""
            raise UserError(_("Unknown group '%(group)s'.", group=name) + hint)
        ids.append(known[name])
    return ids


def _read_password(password_stdin: bool, password: str | None = None) -> str:
    if password is not None:
        return password
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat password")


@users.command("create")
@click.argument("login")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", default=None, help="Email address.")
@click.option("--groups", "groups", default="base.group_user", show_default=True,
              help="Comma-separated group external ids.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--password", default=None, help="The password (visible in the process "
              "list: prefer --password-stdin or 'users passwd').")
@click.pass_context
def users_create(ctx: click.Context, login: str, name: str, email: str | None, groups: str,
                 password_stdin: bool, password: str | None) -> None:
    """Create a user (without a password unless one is given)."""
    with _database(ctx).environment() as env:
        vals: dict[str, Any] = {"login": login, "name": name, "email": email or False,
                                "groups_id": [(6, 0, _groups(env, [groups]))]}
        if password_stdin or password is not None:
            vals["password"] = _read_password(password_stdin, password)
        if env["res.users"].with_context(active_test=False).search_count(
                [("login", "=", login)]):
            raise UserError(_("A user with the login '%(login)s' exists already.",
                              login=login))
        user = env["res.users"].create(vals)
        click.echo(f"Created user {login} (id {user.id})"
                   + ("." if "password" in vals else
                      f"; set a password with: comptoir users passwd {login}"))


@users.command("passwd")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.pass_context
def users_passwd(ctx: click.Context, login: str, password_stdin: bool) -> None:
    """Set a user's password (prompted twice, hidden); ends the user's sessions."""
    with _database(ctx).environment() as env:
        user = _user(env, login)
        password = _read_password(password_stdin)
        if not password:
            raise UserError(_("The password is empty; nothing was changed."))
        user.write({"password": password})
        click.echo(f"Password of {login} changed.")


@users.command("groups")
@click.argument("login")
@click.option("--add", "add", multiple=True, help="Group external id(s) to add.")
@click.option("--remove", "remove", multiple=True, help="Group external id(s) to remove.")
@click.pass_context
def users_groups(ctx: click.Context, login: str, add: tuple[str, ...],
                 remove: tuple[str, ...]) -> None:
    """List a user's groups, or add and remove some."""
    with _database(ctx).environment() as env:
        user = _user(env, login)
        commands = [(4, gid) for gid in _groups(env, add)] + [
            (3, gid) for gid in _groups(env, remove)]
        if commands:
            user.write({"groups_id": commands})
        xmlids = _group_xmlids(env)
        for group in user.groups_id:
            click.echo(f"{xmlids.get(group.id, group.id)}  {group.name}")


@users.command("apikey")
@click.argument("login")
@click.argument("name", required=False)
@click.option("--revoke", "revoke", metavar="PREFIX", help="Revoke the key with this prefix.")
@click.pass_context
def users_apikey(ctx: click.Context, login: str, name: str | None,
                 revoke: str | None) -> None:
    """Create an API key named NAME (printed once), or revoke one by its prefix."""
    with _database(ctx).environment() as env:
        user = _user(env, login)
        keys = env["res.users.apikey"].with_context(active_test=False)
        if revoke:
            prefix = revoke.removeprefix("cpt_").rstrip(".…")
            found = keys.search([("user_id", "=", user.id), ("key_prefix", "=", prefix)])
            if not found.filtered("active"):
                raise UserError(_("%(login)s has no active API key with the prefix "
                                  "'%(prefix)s'.", login=login, prefix=prefix))
            found.filtered("active").action_revoke()
            click.echo(f"Revoked API key cpt_{prefix}… of {login}.")
            return
        if not name:
            raise click.UsageError("give the key a NAME, or use --revoke PREFIX")
        key = keys.generate(name, user.id)
        click.echo(key)
        click.echo("Store this key now: it is not shown again.", err=True)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """Every user (archived ones included) with their groups."""
    with _database(ctx).environment() as env:
        records = env["res.users"].with_context(active_test=False).search(
            [("id", "!=", SUPERUSER_ID)], order="login")
        xmlids = _group_xmlids(env)
        rows = [{"id": user.id, "login": user.login, "name": user.name,
                 "email": user.email or None, "active": user.active,
                 "has_password": bool(user.password_hash),
                 "groups": sorted(str(xmlids.get(g, g)) for g in user.groups_id.ids)}
                for user in records]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["login"]) for r in rows), default=5)
    for row in rows:
        flags = ("" if row["active"] else " [archived]") + (
            "" if row["has_password"] else " [no password]")
        click.echo(f"{row['login']:<{width}}  {row['name']}{flags}  "
                   f"{', '.join(row['groups'])}")


@users.command("demo-logins")
@click.pass_context
def users_demo_logins(ctx: click.Context) -> None:
    """The demo accounts still usable with their demo password (the login itself), with
    their roles: what `make run` prints. Accounts whose password was changed are left
    out, so this never shows a working password of a real user."""
    from .security.auth import verify_password
    with _database(ctx).environment() as env:
        records = env["res.users"].search([("id", "!=", SUPERUSER_ID)], order="id")
        names = {g.id: g.name for g in records.mapped("groups_id")}
        rows = [(user.login, user.name, ", ".join(sorted(
                    names[g] for g in user.groups_id.ids if g in names)))
                for user in records
                if user.password_hash and verify_password(user.password_hash, user.login)]
    if not rows:
        click.echo(_("No demo login (demo data not loaded, or every demo password changed)."))
        return
    width = max(len(login) for login, _name, _roles in rows)
    click.echo(_("Demo logins (password = login):"))
    for login, name, roles in rows:
        click.echo(f"  {login:<{width}} / {login:<{width}}  {name} — {roles}")
