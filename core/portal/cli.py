"""``comptoir portal grant`` / ``comptoir portal revoke``: portal access from the command
line (contacts by id or e-mail address), the same as the contacts' buttons, added
through the portal addon's ``comptoir_cli_commands`` hook."""
from __future__ import annotations

import json
from typing import Any

import click

from core import _
from core.exceptions import UserError


@click.group("portal")
def portal() -> None:
    """Grant or revoke customers' access to the portal."""


def _partners(env: Any, contacts: tuple[str, ...]) -> Any:
    partners = env["res.partner"].with_context(active_test=False)
    found = partners.browse()
    for item in contacts:
        match = partners.browse(int(item)).exists() if item.isdigit() else \
            partners.search([("email", "=ilike", item.strip())], limit=2)
        if len(match) != 1:
            raise UserError(_("No contact is “%(contact)s”.", contact=item) if not match
                            else _("Several contacts have the address “%(contact)s”: give "
                                   "their id.", contact=item))
        found |= match
    return found


def _report(plan: list, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([{"partner_id": item.partner.id, "name": item.partner.name,
                                "action": item.action, "reason": item.reason,
                                "user_id": item.user.id if item.user else None}
                               for item in plan]))
        return
    for item in plan:
        click.echo(f"{item.partner.display_name} [{item.action}]: {item.reason}")


@portal.command("grant")
@click.argument("contacts", nargs=-1, required=True)
@click.option("--base-url", default=None,
              help="The site's address for the invitation link (default: the setting "
                   "web.base.url).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def grant(ctx: click.Context, contacts: tuple[str, ...], base_url: str | None,
          as_json: bool) -> None:
    """Invite CONTACTS (ids or e-mail addresses) to the portal by e-mail."""
    from core.cli import _database
    from . import invite
    with _database(ctx).environment() as env:
        plan = invite.grant(_partners(env, contacts), invite.base_url(env, override=base_url))
    _report(plan, as_json)


@portal.command("revoke")
@click.argument("contacts", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def revoke(ctx: click.Context, contacts: tuple[str, ...], as_json: bool) -> None:
    """Revoke CONTACTS' (ids or e-mail addresses) portal access."""
    from core.cli import _database
    from . import invite
    with _database(ctx).environment() as env:
        plan = invite.revoke(_partners(env, contacts))
    _report(plan, as_json)


COMMANDS = [portal]
