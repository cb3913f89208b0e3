"""``comptoir helpdesk-report``: the helpdesk's key figures from a terminal.

* ``comptoir helpdesk-report kpis [--team NAME] [--period month] [--from DATE --to DATE]
  [--by FIELD] [--json]``: opened, resolved, average first response and handling time, first-contact
  resolution, reopen and SLA success rates, escalations, for the current period (or the
  dates given), every team or one, or per team, priority, agent (``--by``);
* ``comptoir helpdesk-report backlog [--team NAME] [--by team_id] [--json]``: the unresolved
  tickets by age;
* ``comptoir helpdesk-report recap [--today DATE]``: what the Monday schedule does (last
  week's recaps e-mailed to the helpdesk managers and team managers), in one committed
  transaction.

Figures are the system's (every ticket), read-only except ``recap``.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from core import _
from core.cli import _database
from core.exceptions import ValidationError
from core.i18n.translate import _lt

from .models.helpdesk_report import AGE_BUCKETS, PERIODS, bounds_of, bucket_labels

LABELS = (("opened", _lt("Opened")), ("resolved", _lt("Resolved")),
          ("avg_first_response_hours", _lt("Avg. first response (h)")),
          ("avg_handling_hours", _lt("Avg. handling time (h)")),
          ("fcr_rate", _lt("First-contact resolution (%)")),
          ("reopen_rate", _lt("Reopen rate (%)")),
          ("sla_success_rate", _lt("SLA success (%)")), ("escalations", _lt("Escalations")))


@click.group("helpdesk-report")
def report_group() -> None:
    """Key figures of the helpdesk."""


def _day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("'%(value)s' is not a date such as 2026-03-31.",
                                   value=value), param_hint=option) from None


def _team_domain(env: Any, team_name: str | None) -> list:
    if not team_name:
        return []
    team = env["helpdesk.team"].search([("name", "=", team_name)], limit=1)
    if not team:
        raise click.ClickException(_("No helpdesk team is named '%(name)s'.", name=team_name))
    return [("team_id", "=", team.id)]


@report_group.command("kpis")
@click.option("--team", "team_name", default=None, help="Only the tickets of this team.")
@click.option("--period", type=click.Choice(PERIODS), default="month", show_default=True,
              help="The current period of this kind (unless --from and --to are given).")
@click.option("--from", "date_from", default=None, help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Last day (YYYY-MM-DD).")
@click.option("--by", default=None,
              help="One line per value of this ticket field (team_id, priority, user_id...).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def kpis_command(ctx: click.Context, team_name: str | None, period: str,
                 date_from: str | None, date_to: str | None, by: str | None,
                 as_json: bool) -> None:
    """The key figures of a period (of every ticket, one team, or per group)."""
    first, last = _day(date_from, "--from"), _day(date_to, "--to")
    if bool(first) != bool(last):
        raise click.UsageError(_("Give both --from and --to, or neither."))
    with _database(ctx).environment() as env:
        if not first:
            first, last = bounds_of(dt.date.today(), period)
        try:
            groups = env["helpdesk.report"]._kpis_by(_team_domain(env, team_name), first,
                                                     last, by)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from None
        names = _names(env, by, list(groups)) if by else {None: ""}
    if as_json:
        data = groups[None] if not by else [{"group": names.get(key), **figures}
                                            for key, figures in groups.items()]
        click.echo(json.dumps(data, default=str, ensure_ascii=False, indent=2))
        return
    click.echo(_("Helpdesk, %(first)s to %(last)s%(team)s", first=first.isoformat(),
                 last=last.isoformat(), team=f" · {team_name}" if team_name else ""))
    for key in sorted(groups, key=lambda k: (k in (None, False), str(names.get(k) or ""))):
        if by:
            click.echo(f"{names.get(key) or _('None')}")
        for name, label in LABELS:
            value = groups[key][name]
            click.echo(f"  {_(label):<32} {'—' if value is None else value}")


def _names(env: Any, by: str, keys: list[Any]) -> dict[Any, str]:
    """Display names of group keys: records' names or selection labels."""
    field = env["helpdesk.ticket"]._fields[by]
    if field.type == "many2one":
        records = env[field.comodel_name].with_context(active_test=False).browse(
            [key for key in keys if key])
        return {record.id: record.display_name for record in records}
    if field.type == "selection":
        labels = dict(env["helpdesk.ticket"].fields_get([by], ["selection"])[by]["selection"])
        return {key: labels.get(key, str(key)) for key in keys if key}
    return {key: str(key) for key in keys if key is not None}


@report_group.command("backlog")
@click.option("--team", "team_name", default=None, help="Only the tickets of this team.")
@click.option("--by", default="team_id", show_default=True,
              help="The ticket field to group by (team_id, priority, user_id...).")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.pass_context
def backlog_command(ctx: click.Context, team_name: str | None, by: str, as_json: bool) -> None:
    """The unresolved tickets by age."""
    with _database(ctx).environment() as env:
        try:
            table = env["helpdesk.report"]._backlog_by_age(_team_domain(env, team_name), by)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from None
        names = _names(env, by, list(table))
        rows = [{"group": names.get(key, key if key is not None else ""), **counts}
                for key, counts in table.items()]
    if as_json:
        click.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    labels = bucket_labels()
    click.echo(f"{'':<24}" + "".join(f"{labels[k]:>12}" for k, _lo, _hi in AGE_BUCKETS) +
               f"{_('Total'):>8}")
    for row in sorted(rows, key=lambda r: str(r["group"])):
        click.echo(f"{str(row['group'] or _('None')):<24}" +
                   "".join(f"{row[k]:>12}" for k, _lo, _hi in AGE_BUCKETS) +
                   f"{row['total']:>8}")


@report_group.command("recap")
@click.option("--today", "today", default=None,
              help="Act as on this day (YYYY-MM-DD): the recaps of the week before.")
@click.pass_context
def recap_command(ctx: click.Context, today: str | None) -> None:
    """E-mail last week's recaps, as the Monday schedule does."""
    day = _day(today, "--today")
    with _database(ctx).environment() as env:
        sent = env["helpdesk.weekly.recap"]._send_weekly(day)
        lines = [f"  {recap.display_name}: {', '.join(recap.recipient_ids.mapped('email'))}"
                 for recap in sent]
    click.echo(_("%(count)s recaps sent.", count=len(lines)))
    for line in lines:
        click.echo(line)


COMMANDS = [report_group]
