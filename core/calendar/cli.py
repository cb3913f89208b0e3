"""``comptoir calendar import`` and ``comptoir contacts import-vcard``.

Each import runs in one committed transaction as the given user (access rules apply),
or as the administrator without ``--user``, and prints its report: what was created,
updated, skipped and why (``--json`` for scripts). A file that is no calendar or no
vCard at all is one clear error line and a non-zero exit.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import click

from ..exceptions import UserError
from ..i18n.translate import _
from .ical_import import import_ics
from .report import ImportReport
from .vcard import import_vcards


def _env_for(env: Any, login: str | None) -> Any:
    if not login:
        admin = env.ref("base.user_admin")
        return env(uid=admin.id, su=False, context={"tz": admin.tz or "UTC"})
    user = env["res.users"].search([("login", "=", login)], limit=1)
    if not user:
        raise UserError(_("No user has the login '%(login)s'.", login=login))
    return env(uid=user.id, su=False, context={"tz": user.tz or "UTC",
                                               "lang": user.lang or "en_US"})


def _run(ctx: click.Context, path: str, login: str | None, as_json: bool,
         run: Callable[[Any, bytes], ImportReport]) -> None:
    from ..cli import _database
    data = Path(path).read_bytes()
    with _database(ctx).environment() as env:
        report = run(_env_for(env, login), data)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(_("%(created)s created, %(updated)s updated, %(skipped)s skipped.",
                 created=len(report.created), updated=len(report.updated),
                 skipped=len(report.skipped)))
    for item, reason in report.skipped:
        click.echo(_("  skipped %(item)s: %(reason)s", item=item, reason=reason))
    for item, note in report.warnings:
        click.echo(_("  note on %(item)s: %(note)s", item=item, note=note))


@click.group("calendar")
def calendar_group() -> None:
    """Calendar: import .ics files."""


@calendar_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "login", default=None, help="Login of the calendar's owner "
              "(default: admin).")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def calendar_import(ctx: click.Context, file: str, login: str | None, as_json: bool) -> None:
    """Import the events of an iCalendar FILE (again: updates them by UID)."""
    _run(ctx, file, login, as_json, import_ics)


@click.group("contacts")
def contacts_group() -> None:
    """Contacts: import vCard files."""


@contacts_group.command("import-vcard")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "login", default=None, help="Login of the importing user "
              "(default: admin).")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def contacts_import(ctx: click.Context, file: str, login: str | None, as_json: bool) -> None:
    """Create the contacts of a vCard FILE (duplicates by e-mail are reported)."""
    _run(ctx, file, login, as_json, import_vcards)


COMMANDS = [calendar_group, contacts_group]
