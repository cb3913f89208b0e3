"""``comptoir mail-gateway`` (one e-mail on standard input, for an MTA pipe) and
``comptoir mail-fetch`` (poll the IMAP mailboxes), added through the mail addon's
``comptoir_cli_commands`` hook."""
from __future__ import annotations

import json
import sys

import click

#: sysexits' "temporary failure": an MTA keeps the e-mail and delivers it again later
EX_TEMPFAIL = 75


@click.command("mail-gateway")
@click.option("--alias-domain", default=None, help="The domain of the aliases (default: "
              "the setting mail.catchall.domain).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def mail_gateway(ctx: click.Context, alias_domain: str | None, as_json: bool) -> None:
    """Route one RFC 822 e-mail read on standard input (exit 75 when the database
    fails, so that the MTA retries; a refused e-mail is answered, exit 0)."""
    from core.cli import _database
    from .gateway import process
    data = sys.stdin.buffer.read()
    if not data.strip():
        raise click.ClickException("no e-mail on standard input")
    try:
        with _database(ctx).environment() as env:
            outcome = process(env, data, alias_domain.lower() if alias_domain else None)
    except Exception as exc:  # noqa: BLE001 - the MTA keeps the e-mail and tries again
        if ctx.find_root().obj.get("debug"):
            raise
        click.secho(f"Error: cannot route the e-mail now ({type(exc).__name__}: {exc}); "
                    "the MTA will try again", fg="red", err=True)
        ctx.exit(EX_TEMPFAIL)
    if as_json:
        click.echo(json.dumps(vars(outcome)))
    else:
        click.echo(str(outcome))


@click.command("mail-fetch")
@click.pass_context
def mail_fetch(ctx: click.Context) -> None:
    """Fetch and route the unseen e-mails of every IMAP mailbox."""
    from core.cli import _database
    from .fetch import fetch_all
    with _database(ctx).environment() as env:
        results = fetch_all(env)
    for name, outcomes in results.items():
        routed = sum(1 for o in outcomes if o.status == "routed")
        click.echo(f"{name}: {len(outcomes)} e-mail(s), {routed} routed")
        for outcome in outcomes:
            click.echo(f"  {outcome}")


COMMANDS = [mail_gateway, mail_fetch]
