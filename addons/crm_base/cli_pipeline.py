"""``comptoir leads assign``: give a salesperson to every open lead that has none.

For leads that arrived without one (imports, a team without members at the time, a
strategy changed since): each lead goes to a member of its team by the team's strategy,
as a new lead would. ``--team`` limits the run to one team (by name); ``--json`` prints
the result for scripts. One committed transaction, as the system.
"""
from __future__ import annotations

import json

import click

from core import _
from core.cli import _database


@click.group("leads")
def leads_group() -> None:
    """Leads and opportunities of the CRM."""


@leads_group.command("assign")
@click.option("--team", "team_name", default=None, help="Only the leads of this sales team.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def assign_command(ctx: click.Context, team_name: str | None, as_json: bool) -> None:
    """Assign the open leads without salesperson, by their team's strategy."""
    with _database(ctx).environment() as env:
        leads = env["crm.lead"]
        domain: list = [("user_id", "=", False), ("team_id", "!=", False),
                        ("won_status", "=", "pending")]
        if team_name:
            team = env["crm.team"].search([("name", "=", team_name)], limit=1)
            if not team:
                raise click.ClickException(_("No sales team is named '%(name)s'.",
                                             name=team_name))
            domain.append(("team_id", "=", team.id))
        pending = leads.search(domain)
        leads._assign_unassigned(pending.ids)
        rows = [{"id": lead.id, "name": lead.name, "team": lead.team_id.name,
                 "user": lead.user_id.login or None} for lead in pending]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    assigned = [row for row in rows if row["user"]]
    click.echo(_("%(assigned)s of %(total)s leads assigned.", assigned=len(assigned),
                 total=len(rows)))
    for row in rows:
        click.echo(f"  {row['name']} ({row['team']}): {row['user'] or _('nobody')}")


COMMANDS = [leads_group]
