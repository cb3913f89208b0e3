"""``comptoir jobs``: run the scheduler (scheduled actions and the job queue), list jobs.

``comptoir jobs run`` loops until interrupted (``--once``: one round, for a system cron
or a test); on PostgreSQL any number of them may run side by side, each job running
once. ``comptoir serve`` with one worker runs the same loop in a thread.
"""
from __future__ import annotations

import json
from typing import Any

import click


@click.group()
def jobs() -> None:
    """Scheduled actions and queued jobs."""


@jobs.command("run")
@click.option("--once", is_flag=True, help="Run one round (due scheduled actions, then due "
              "jobs) and exit.")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(0.5),
              help="Seconds between rounds.")
@click.option("--json", "as_json", is_flag=True, help="With --once: print the outcome as JSON.")
@click.pass_context
def jobs_run(ctx: click.Context, once: bool, interval: float, as_json: bool) -> None:
    """Run due scheduled actions and queued jobs."""
    from .automation import Scheduler
    from .cli import _database
    database = _database(ctx)
    scheduler = Scheduler(database)
    if once:
        outcome = scheduler.tick()
        if as_json:
            click.echo(json.dumps({"crons": {str(k): v for k, v in outcome["crons"].items()},
                                   "jobs": outcome["jobs"]}))
        else:
            failed = sum(1 for v in outcome["crons"].values() if v == "failed")
            counts = outcome["jobs"]
            click.echo(f"Scheduled actions: {len(outcome['crons'])} run ({failed} failed). "
                       f"Jobs: {counts['done']} done, {counts['retry']} to retry, "
                       f"{counts['failed']} failed.")
        return
    click.echo(f"Scheduler running on {database.name} every {interval:g}s (Ctrl+C stops).")
    try:
        scheduler.run_forever(interval=interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")


@jobs.command("list")
@click.option("--state", type=click.Choice(["pending", "running", "done", "failed",
                                            "cancelled"]), help="Only jobs in this state.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def jobs_list(ctx: click.Context, state: str | None, limit: int, as_json: bool) -> None:
    """The latest jobs, newest first."""
    from .cli import _database
    database = _database(ctx)
    with database.environment() as env:
        domain = [("state", "=", state)] if state else []
        rows: list[dict[str, Any]] = env["ir.job"].search_read(
            domain, ["name", "model", "method", "state", "attempts", "max_attempts",
                     "next_try", "error"], limit=limit)
    for row in rows:
        row["next_try"] = row["next_try"].isoformat() if row["next_try"] else None
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        error = f"  {row['error'].splitlines()[0][:80]}" if row["error"] else ""
        click.echo(f"{row['id']:>6}  {row['state']:<9} {row['attempts']}/{row['max_attempts']}"
                   f"  {row['name']}{error}")
    click.echo(f"{len(rows)} job(s).")
