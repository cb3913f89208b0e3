"""The scheduler: scheduled actions (``ir.cron``) and the job queue, in one loop.

A tick runs the scheduled actions that are due, then the queued jobs. A scheduled action
is claimed by moving its next call forward with a compare-and-set UPDATE (on
PostgreSQL after ``FOR UPDATE SKIP LOCKED``), in a transaction of its own, so two
schedulers never run it twice for the same moment; it then runs as superuser in another
transaction, its work in a savepoint: a failure is recorded on the row and the next call
keeps its date. Missed calls are not replayed: an action due several times runs once.

``comptoir jobs run`` runs the loop (PostgreSQL: as many as you like, on any machine);
``comptoir serve`` with one worker starts it in a background thread
(:func:`start_background`), which is how a SQLite installation works.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
import threading
from typing import Any

import sqlalchemy as sa

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _
from ..orm import SUPERUSER_ID, Environment
from ..orm.model_write import now_utc
from ..views import eval_literal
from .jobs import JobRunner, worker_name
from .plan import drop_shared

_logger = logging.getLogger(__name__)
CRON_PREFIX = "_cron_"
INTERVALS = ("minutes", "hours", "days", "weeks", "months")


def add_interval(when: dt.datetime, number: int, unit: str) -> dt.datetime:
    if unit == "months":
        month = when.month - 1 + number
        year, month = when.year + month // 12, month % 12 + 1
        day = min(when.day, calendar.monthrange(year, month)[1])
        return when.replace(year=year, month=month, day=day)
    return when + dt.timedelta(**{unit: number})


def next_call(previous: dt.datetime, number: int, unit: str, now: dt.datetime) -> dt.datetime:
    """The first moment after ``now`` on the schedule that started at ``previous``."""
    number = max(int(number or 1), 1)
    when = add_interval(previous, number, unit)
    while when <= now:
        when = add_interval(when, number, unit)
    return when


def cron_method(model: Any, name: str) -> Any:
    """The bound method a scheduled action may call: it must start with ``_cron_``."""
    if not (name or "").startswith(CRON_PREFIX):
        raise ValidationError(_("A scheduled action's method must start with '%(prefix)s', "
                                "not '%(method)s'.", prefix=CRON_PREFIX, method=name),
                              field="method")
    method = getattr(model, name, None)
    if not callable(method):
        raise ValidationError(_("%(model)s has no method '%(method)s'.", model=model._name,
                                method=name), field="method")
    return method


def cron_args(text: str | None) -> list:
    value = eval_literal(text, {}, default=[])
    if not isinstance(value, (list, tuple)):
        raise ValidationError(_("The arguments must be a list such as [30]."), field="args")
    return list(value)


def run_cron_now(env: Environment, cron: Any) -> None:
    """Run one scheduled action in the current transaction (raises on failure)."""
    run_env = env(uid=cron.user_id.id or SUPERUSER_ID, su=True)
    if cron.model not in run_env:
        raise ValidationError(_("Unknown model '%(model)s'.", model=cron.model), field="model")
    cron_method(run_env[cron.model], cron.method)(*cron_args(cron.args))


class Scheduler:
    """Scheduled actions and jobs of one database."""

    def __init__(self, database: Any, worker: str | None = None, **runner_options: Any) -> None:
        self.database = database
        self.worker = worker or worker_name()
        self.jobs = JobRunner(database, self.worker, **runner_options)

    def claim_crons(self, now: dt.datetime) -> list[int]:
        table = self.database.registry.metadata.tables["ir_cron"]
        with self.database.engine.connect() as conn, conn.begin():
            due = sa.select(table.c.id, table.c.nextcall, table.c.interval_number,
                            table.c.interval_type).where(
                table.c.active.is_(True), table.c.nextcall <= now).order_by(
                table.c.priority, table.c.nextcall, table.c.id)
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = []
            for row in conn.execute(due).all():
                upcoming = next_call(row.nextcall, row.interval_number,
                                     row.interval_type or "days", now)
                result = conn.execute(table.update().where(
                    table.c.id == row.id, table.c.nextcall == row.nextcall).values(
                    nextcall=upcoming, version=table.c.version + 1))
                if result.rowcount == 1:
                    claimed.append(row.id)
            return claimed

    def run_cron(self, cron_id: int) -> str:
        """Run one claimed scheduled action; returns ``done`` or ``failed``."""
        table = self.database.registry.metadata.tables["ir_cron"]
        with self.database.engine.connect() as conn, conn.begin():
            env = Environment(self.database.registry, conn)
            cron = env["ir.cron"].browse(cron_id)
            state, error = "done", None
            try:
                with env.savepoint():
                    run_cron_now(env, cron)
            except Exception as exc:  # noqa: BLE001 - recorded on the row
                state = "failed"
                error = str(exc) if isinstance(exc, UserError) else \
                    f"{type(exc).__name__}: {exc}"
                if not isinstance(exc, UserError):
                    _logger.exception("scheduled action %s (%s.%s) failed", cron_id,
                                      cron.model, cron.method)
            conn.execute(table.update().where(table.c.id == cron_id).values(
                last_call=now_utc(), last_state=state, last_error=error,
                version=table.c.version + 1))
            return state

    def run_due_crons(self, now: dt.datetime | None = None) -> dict[int, str]:
        return {cron_id: self.run_cron(cron_id)
                for cron_id in self.claim_crons(now or now_utc())}

    def refresh(self) -> None:
        """Catch up with changes other processes made (addons, workflows, rules)."""
        check = getattr(self.database, "check_signals", None)
        if check is None:
            drop_shared(self.database.registry)
            return
        with self.database.engine.connect() as conn:
            check(conn)

    def tick(self, job_limit: int | None = None) -> dict[str, Any]:
        """One round: due scheduled actions, then due jobs."""
        self.refresh()
        crons = self.run_due_crons()
        jobs = self.jobs.run_pending(limit=job_limit)
        return {"crons": crons, "jobs": jobs}

    def run_forever(self, interval: float = 10.0, stop: threading.Event | None = None,
                    once: bool = False) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the loop must survive a bad round
                _logger.exception("scheduler round failed")
            if once:
                return
            stop.wait(interval)


def start_background(database: Any, interval: float = 30.0) -> tuple[threading.Thread,
                                                                     threading.Event]:
    """Run the scheduler in a daemon thread of this process (single-worker servers,
    SQLite); set the returned event to stop it."""
    stop = threading.Event()
    scheduler = Scheduler(database)
    thread = threading.Thread(target=scheduler.run_forever, kwargs={
        "interval": interval, "stop": stop}, name="comptoir-scheduler", daemon=True)
    thread.start()
    return thread, stop
