"""``comptoir sla``: the SLA of the open tickets from a terminal.

* ``comptoir sla status [--team NAME] [--all] [--json]``: the open tickets at risk or
  breached (``--all``: every open ticket under a policy), soonest deadline first;
* ``comptoir sla run [--now ISO] [--json]``: what the scheduled action does (statuses,
  escalations, overdue alerts), at once or as of a given moment (UTC), in one committed
  transaction as the system. Running it twice changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
import json

import click

from core import _
from core.cli import _database


@click.group("sla")
def sla_group() -> None:
    """Service levels of the helpdesk tickets."""


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("'%(value)s' is not a date and time such as "
                                   "2026-11-23T09:30.", value=value)) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


@sla_group.command("status")
@click.option("--team", "team_name", default=None, help="Only the tickets of this team.")
@click.option("--all", "show_all", is_flag=True, help="Every open ticket under a policy.")
@click.option("--json", "as_json", is_flag=True, help="Print the tickets as JSON.")
@click.pass_context
def status_command(ctx: click.Context, team_name: str | None, show_all: bool,
                   as_json: bool) -> None:
    """Open tickets at risk or breached, soonest deadline first."""
    with _database(ctx).environment() as env:
        domain: list = [("sla_id", "!=", False),
                        ("state", "not in", ["resolved", "closed", "cancelled"])]
        if not show_all:
            domain.append(("sla_status", "in", ["at_risk", "breached"]))
        if team_name:
            team = env["helpdesk.team"].search([("name", "=", team_name)], limit=1)
            if not team:
                raise click.ClickException(_("No helpdesk team is named '%(name)s'.",
                                             name=team_name))
            domain.append(("team_id", "=", team.id))
        tickets = env["helpdesk.ticket"].search(domain, order="sla_deadline, id")
        rows = [{"id": t.id, "number": t.number, "name": t.name, "team": t.team_id.name or None,
                 "user": t.user_id.login or None, "policy": t.sla_id.name,
                 "status": t.sla_status, "paused": t.sla_paused,
                 "deadline": t.sla_deadline.isoformat() if t.sla_deadline else None}
                for t in tickets]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("No open ticket at risk or breached."))
        return
    labels = {"ok": _("on track"), "at_risk": _("at risk"), "breached": _("breached")}
    for row in rows:
        deadline = row["deadline"] or _("no deadline")
        paused = f" ({_('paused')})" if row["paused"] else ""
        click.echo(f"{row['number']}  {labels.get(row['status'], row['status'])}{paused}  "
                   f"{deadline} UTC  {row['team'] or '-'}  {row['user'] or '-'}  "
                   f"{row['name']}")


@sla_group.command("run")
@click.option("--now", "now", default=None, help="As of this moment (ISO, UTC when no "
                                                 "offset), e.g. 2026-11-23T09:30.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def run_command(ctx: click.Context, now: str | None, as_json: bool) -> None:
    """Update statuses and deadlines, fire escalation rules, alert managers."""
    moment = _moment(now)
    with _database(ctx).environment() as env:
        result = env["helpdesk.ticket"]._cron_sla_update(moment)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(_("%(tickets)s open tickets, %(updated)s updated, %(escalated)s "
                 "escalations, %(alerted)s overdue alerts.", **result))


COMMANDS = [sla_group]
