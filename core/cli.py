"""The ``comptoir`` command line: thin click commands over the kernel.

Every error a user can cause prints one clear line and exits non-zero; a traceback is
shown only with ``--debug``. Addons add commands through the ``comptoir_cli_commands``
hook.
"""
from __future__ import annotations

import code
import json
import logging
import sys
from typing import Any

import click
import sqlalchemy as sa

from .config import database_url
from .exceptions import ComptoirError, UserError
from .i18n.translate import _

_logger = logging.getLogger("comptoir")


class ComptoirGroup(click.Group):
    """Turns expected errors into one line; adds addon commands lazily."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ComptoirError as exc:
            _fail(ctx, str(exc))
        except sa.exc.OperationalError as exc:
            _fail(ctx, f"cannot use the database: {str(exc.orig).strip().splitlines()[0]}")
        except Exception as exc:  # never a traceback for a user
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _fail(ctx, f"unexpected error: {type(exc).__name__}: {exc} "
                       "(run with --debug to see the traceback)")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_addon_commands(ctx)))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        return command or _addon_commands(ctx).get(name)


def _fail(ctx: click.Context, message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    ctx.exit(1)


def _addon_commands(ctx: click.Context) -> dict[str, click.Command]:
    """Commands of installed addons (none when the database is not usable yet)."""
    try:
        database = _database(ctx)
        if not database.is_initialised():
            return {}
        commands: dict[str, click.Command] = {}
        for result in database.registry.pm.hook.comptoir_cli_commands():  # type: ignore
            for command in result or ():
                commands[command.name] = command
        return commands
    except Exception:  # a broken database must not hide the built-in commands
        _logger.debug("addon commands unavailable", exc_info=True)
        return {}


def _database(ctx: click.Context) -> Any:
    """The database of ``--db`` (usable before the group callback ran: click resolves
    sub-commands, addon ones included, first)."""
    from .modules.loading import Database
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    if root.obj.get("database") is None:
        root.obj["database"] = Database(database_url(root.params.get("db_url")))
    return root.obj["database"]


@click.group(cls=ComptoirGroup)
@click.option("--db", "db_url", metavar="URL", help="Database URL (default: COMPTOIR_DB, "
              "comptoir.toml, then sqlite:///comptoir.db).")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(package_name="comptoir")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, debug: bool) -> None:
    """Comptoir: CRM and customer service, one kernel, your addons."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj.setdefault("database", None)
    ctx.obj["debug"] = debug


# -- db -----------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Create and inspect the database."""


@db.command("init")
@click.option("--addons", "addons", default="", help="Comma-separated addons to install "
              "besides base.")
@click.option("--all", "all_addons", is_flag=True, help="Install every available addon.")
@click.option("--demo", is_flag=True, help="Load demonstration data.")
@click.option("--if-missing", is_flag=True, help="Do nothing if the database is initialised.")
@click.pass_context
def db_init(ctx: click.Context, addons: str, all_addons: bool, demo: bool,
            if_missing: bool) -> None:
    """Create the tables and install base (and the given addons)."""
    from .orm.db import create_database, database_exists
    database = _database(ctx)
    if not database_exists(database.url):
        create_database(database.url)
    if database.is_initialised():
        if if_missing:
            click.echo(f"Database {database.name} is already initialised.")
            return
        raise click.ClickException(f"database {database.name} is already initialised "
                                   "(use 'comptoir addons install' to add addons)")
    names = sorted(database.available) if all_addons else [
        a.strip() for a in addons.split(",") if a.strip()]
    installed = _install_with_progress(database, ["base", *names], demo)
    click.echo(f"Initialised {database.name}: installed {', '.join(installed)}"
               + (" with demo data." if demo else "."))


def _install_with_progress(database: Any, names: list[str], demo: bool) -> list[str]:
    from .modules.graph import resolve_order
    plan = resolve_order(database.available, names, database.installed())
    with click.progressbar(length=len(plan) + 1, label="Installing", file=sys.stderr,
                           show_pos=True) as bar:
        def progress(addon: str, step: str) -> None:
            bar.label = f"{addon}: {step}"
            bar.update(1 if step == "loading data" else 0)
        installed = database.install(names, demo=demo, progress=progress)
        bar.update(1)
    return installed


# -- addons -------------------------------------------------------------------------
@main.group()
def addons() -> None:
    """List, install, upgrade and uninstall addons."""


@addons.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def addons_list(ctx: click.Context, as_json: bool) -> None:
    """Every available addon with its state and version."""
    database = _database(ctx)
    installed = database.installed()
    rows = [{"name": name, "state": "installed" if name in installed else "available",
             "installed_version": installed.get(name) or None, "version": manifest.version,
             "summary": manifest.summary, "depends": list(manifest.depends)}
            for name, manifest in sorted(database.available.items())]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for row in rows:
        state = click.style(f"{row['state']:<10}", fg="green" if row["state"] == "installed"
                            else "yellow")
        version = row["installed_version"] or row["version"]
        upgrade = (f" (upgrade to {row['version']})" if row["installed_version"]
                   and row["installed_version"] != row["version"] else "")
        click.echo(f"{row['name']:<{width}}  {state} {version:<8} {row['summary']}{upgrade}")


@addons.command("install")
@click.argument("names", nargs=-1, required=True)
@click.option("--demo", is_flag=True, help="Load demonstration data.")
@click.pass_context
def addons_install(ctx: click.Context, names: tuple[str, ...], demo: bool) -> None:
    """Install addons (and what they depend on)."""
    database = _database(ctx)
    installed = _install_with_progress(database, list(names), demo)
    click.echo(f"Installed: {', '.join(installed)}" if installed else "Nothing to install.")


@addons.command("upgrade")
@click.argument("names", nargs=-1)
@click.pass_context
def addons_upgrade(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Upgrade addons (all installed ones when none is named)."""
    database = _database(ctx)
    missing = [n for n in names if n not in database.installed()]
    if missing:
        raise UserError(_("Not installed: %(names)s.", names=", ".join(missing)))
    with click.progressbar(length=1, label="Upgrading", file=sys.stderr) as bar:
        upgraded = database.upgrade(list(names) or None,
                                    progress=lambda a, s: setattr(bar, "label", f"{a}: {s}"))
        bar.update(1)
    click.echo(f"Upgraded: {', '.join(upgraded)}")


@addons.command("uninstall")
@click.argument("names", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask before deleting data.")
@click.pass_context
def addons_uninstall(ctx: click.Context, names: tuple[str, ...], yes: bool) -> None:
    """Uninstall addons: their tables, columns and data are removed."""
    database = _database(ctx)
    plan = database.uninstall_plan(names)
    if plan["rows"] and not yes:
        click.echo("Uninstalling will delete:")
        for where, count in plan["rows"].items():
            click.echo(f"  {where}: {count} row(s)")
        if not click.confirm("Delete this data?", default=False):
            raise click.ClickException("cancelled, nothing was changed")
    removed = database.uninstall(names, drop_data=True)
    click.echo(f"Uninstalled: {', '.join(removed)}")


# -- shell and check -----------------------------------------------------------------
@main.command()
@click.option("-c", "command", help="Run this Python code instead of a prompt.")
@click.pass_context
def shell(ctx: click.Context, command: str | None) -> None:
    """A Python prompt with ``env`` (superuser); call ``commit()`` to keep changes."""
    database = _database(ctx)
    from .orm import Environment
    registry = database.registry
    with database.engine.connect() as conn:
        transaction = [conn.begin()]
        env = Environment(registry, conn)

        def commit() -> None:
            transaction[0].commit()
            transaction[0] = conn.begin()

        def rollback() -> None:
            transaction[0].rollback()
            env.cache.invalidate()
            transaction[0] = conn.begin()

        namespace = {"env": env, "commit": commit, "rollback": rollback}
        if command:
            exec(compile(command, "<comptoir shell -c>", "exec"), namespace)  # noqa: S102
        else:
            code.interact(banner=f"Comptoir shell on {database.name}: env, commit(), "
                                 "rollback()", local=namespace, exitmsg="")
        transaction[0].rollback()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Report every problem in the installed addons (models, data, domains, access)."""
    from .modules.checks import run_checks
    database = _database(ctx)
    names = list(database.installed()) or ["base"]
    messages = run_checks(database.available, names)
    if as_json:
        click.echo(json.dumps([m.__dict__ for m in messages], indent=2))
    else:
        for message in messages:
            click.secho(str(message), fg="red" if message.is_error else "yellow")
        errors = sum(1 for m in messages if m.is_error)
        click.echo(f"{errors} error(s), {len(messages) - errors} warning(s).")
    if any(m.is_error for m in messages):
        ctx.exit(1)


from .cli_users import users  # noqa: E402  (it imports _database from here)
main.add_command(users)


from .cli_serve import serve  # noqa: E402

main.add_command(serve)

from .cli_i18n import i18n  # noqa: E402
main.add_command(i18n)

from .cli_fields import fields  # noqa: E402
main.add_command(fields)

from .cli_jobs import jobs  # noqa: E402
main.add_command(jobs)

from .cli_import import import_command  # noqa: E402
main.add_command(import_command)

if __name__ == "__main__":  # pragma: no cover
    main()
