"""``comptoir tickets``: the helpdesk queues from the command line.

* ``comptoir tickets assign [--team NAME] [--json]``: give an agent to every open ticket
  without one, by its team's strategy (tickets that arrived while a team had no agents,
  or before its strategy changed). Teams assigning by hand are left alone.
* ``comptoir tickets queue [--team NAME] [--json]``: the unassigned open tickets per
  team, oldest first (what *Take next* would give).

One committed transaction each, as the system.
"""
from __future__ import annotations

import json
from typing import Any

import click

from core import _
from core.cli import _database

from .models.helpdesk_team import OPEN_STATES


def _teams(env: Any, team_name: str | None) -> Any:
    teams = env["helpdesk.team"]
    if not team_name:
        return teams.search([])
    team = teams.search([("name", "=", team_name)], limit=1)
    if not team:
        raise click.ClickException(_("No helpdesk team is named '%(name)s'.", name=team_name))
    return team


def _unassigned(env: Any, teams: Any) -> Any:
    return env["helpdesk.ticket"].search(
        [("team_id", "in", teams.ids), ("user_id", "=", False),
         ("state", "in", list(OPEN_STATES))], order="create_date, id")


@click.group("tickets")
def tickets_group() -> None:
    """Helpdesk tickets and their queues."""


@tickets_group.command("assign")
@click.option("--team", "team_name", default=None, help="Only the tickets of this team.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def assign_command(ctx: click.Context, team_name: str | None, as_json: bool) -> None:
    """Assign the open tickets without agent, by their team's strategy."""
    with _database(ctx).environment() as env:
        teams = _teams(env, team_name)
        pending = _unassigned(env, teams)
        for team in pending.mapped("team_id"):
            team._assign_tickets(pending.filtered(lambda t, team=team: t.team_id == team))
        rows = [{"id": t.id, "number": t.number, "name": t.name, "team": t.team_id.name,
                 "user": t.user_id.login or None} for t in pending]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    assigned = [row for row in rows if row["user"]]
    click.echo(_("%(assigned)s of %(total)s tickets assigned.", assigned=len(assigned),
                 total=len(rows)))
    for row in rows:
        click.echo(f"  {row['number']} {row['name']} ({row['team']}): "
                   f"{row['user'] or _('nobody')}")


@tickets_group.command("queue")
@click.option("--team", "team_name", default=None, help="Only this team's queue.")
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON.")
@click.pass_context
def queue_command(ctx: click.Context, team_name: str | None, as_json: bool) -> None:
    """List the unassigned open tickets per team, oldest first."""
    with _database(ctx).environment() as env:
        teams = _teams(env, team_name)
        tickets = _unassigned(env, teams)
        queues = {team.name: [{"id": t.id, "number": t.number, "name": t.name,
                               "priority": t.priority, "created": str(t.create_date),
                               "skill": t.required_skill_id.name or None}
                              for t in tickets if t.team_id == team] for team in teams}
    if as_json:
        click.echo(json.dumps(queues, ensure_ascii=False, indent=2))
        return
    for name, rows in queues.items():
        click.echo(_("%(team)s: %(count)s waiting", team=name, count=len(rows)))
        for row in rows:
            skill = f" [{row['skill']}]" if row["skill"] else ""
            click.echo(f"  {row['created']}  {row['number']}  {row['name']}{skill}")


COMMANDS = [tickets_group]
