"""The job queue runner: claims pending ``ir.job`` rows and runs them, retrying failures.

A job names a model method whose name starts with ``_job_`` and its JSON arguments
(``env['ir.job'].enqueue(...)``). Claiming is one short transaction that marks jobs
``running``: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several workers share
the queue and never take the same job; on SQLite with a compare-and-set UPDATE (SQLite
serialises writers) under a process lock. Each job then runs in a transaction of its
own, as superuser (``uid`` is the job's user), its work inside a savepoint: a failure
rolls the work back, records the error and puts the job back in the queue after
``RETRY_BASE * 2**(attempts - 1)`` seconds (capped at ``RETRY_MAX``) until
``max_attempts``, then marks it ``failed``. A job left ``running`` by a worker that died
returns to the queue once its lease has expired.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any

import sqlalchemy as sa

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _
from ..orm import SUPERUSER_ID, Environment
from ..orm.model_write import now_utc

_logger = logging.getLogger(__name__)
RETRY_BASE = 30
RETRY_MAX = 3600
LEASE_SECONDS = 900
JOB_PREFIX = "_job_"
_SQLITE_LOCK = threading.Lock()


def backoff(attempts: int, base: int = RETRY_BASE) -> dt.timedelta:
    """How long a job waits before its next try, after ``attempts`` tries."""
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), RETRY_MAX))


def job_method(model: Any, name: str) -> Any:
    """The bound method a job may call: it must exist and start with ``_job_``."""
    if not name.startswith(JOB_PREFIX):
        raise ValidationError(_("A job method's name must start with '%(prefix)s', not "
                                "'%(method)s'.", prefix=JOB_PREFIX, method=name), field="method")
    method = getattr(model, name, None)
    if not callable(method):
        raise ValidationError(_("%(model)s has no method '%(method)s'.", model=model._name,
                                method=name), field="method")
    return method


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class JobRunner:
    """Runs the queue of one database (``database``: a :class:`core.modules.loading.
    Database`, or anything with ``engine`` and ``registry``)."""

    def __init__(self, database: Any, worker: str | None = None,
                 lease_seconds: int = LEASE_SECONDS, retry_base: int = RETRY_BASE) -> None:
        self.database = database
        self.worker = worker or worker_name()
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.retry_base = retry_base

    def _table(self) -> sa.Table:
        return self.database.registry.metadata.tables["ir_job"]

    # -- claiming ------------------------------------------------------------------------
    def claim(self, limit: int = 10) -> list[int]:
        """Mark up to ``limit`` due jobs as running for this worker; returns their ids."""
        table = self._table()
        now = now_utc()
        engine = self.database.engine
        with engine.connect() as conn, conn.begin():
            conn.execute(table.update().where(
                table.c.state == "running", table.c.claimed_at <= now - self.lease).values(
                state="pending", version=table.c.version + 1))
            due = sa.select(table.c.id).where(
                table.c.state == "pending", table.c.next_try <= now).order_by(
                table.c.priority, table.c.next_try, table.c.id).limit(limit)
            values = {"state": "running", "claimed_at": now, "worker": self.worker,
                      "attempts": sa.func.coalesce(table.c.attempts, 0) + 1,
                      "version": table.c.version + 1}
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
                return list(conn.execute(table.update().where(
                    table.c.id.in_(due.scalar_subquery())).values(**values).returning(
                    table.c.id)).scalars())
            with _SQLITE_LOCK:
                claimed = []
                for job_id in conn.execute(due).scalars().all():
                    result = conn.execute(table.update().where(
                        table.c.id == job_id, table.c.state == "pending").values(**values))
                    if result.rowcount == 1:
                        claimed.append(job_id)
                return claimed

    # -- running -------------------------------------------------------------------------
    def run(self, job_id: int) -> str:
        """Run one claimed job; returns ``done``, ``retry``, ``failed`` or ``skipped``."""
        table = self._table()
        registry = self.database.registry
        with self.database.engine.connect() as conn, conn.begin():
            job = conn.execute(sa.select(table).where(table.c.id == job_id)).first()
            if job is None or job.state != "running" or job.worker != self.worker:
                return "skipped"
            env = Environment(registry, conn, uid=job.user_id or SUPERUSER_ID, su=True)
            try:
                with env.savepoint():
                    if job.model not in env:
                        raise ValidationError(_("Unknown model '%(model)s'.", model=job.model))
                    method = job_method(env[job.model], job.method)
                    method(*(job.args or []), **(job.kwargs or {}))
            except Exception as exc:  # noqa: BLE001 - recorded on the job, retried
                error = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
                retry = (job.attempts or 0) < (job.max_attempts or 1)
                if not isinstance(exc, UserError):
                    _logger.warning("job %s (%s.%s) failed, attempt %s/%s", job.id, job.model,
                                    job.method, job.attempts, job.max_attempts, exc_info=True)
                values = {"error": error[:4000], "version": table.c.version + 1,
                          "worker": None, "claimed_at": None}
                if retry:
                    values.update(state="pending", next_try=now_utc() + backoff(
                        job.attempts or 1, self.retry_base))
                else:
                    values.update(state="failed", date_done=now_utc())
                conn.execute(table.update().where(table.c.id == job.id).values(**values))
                return "retry" if retry else "failed"
            conn.execute(table.update().where(table.c.id == job.id).values(
                state="done", date_done=now_utc(), error=None, worker=None,
                version=table.c.version + 1))
            return "done"

    def run_pending(self, limit: int | None = None, batch: int = 10) -> dict[str, int]:
        """Claim and run due jobs until none is left (or ``limit`` ran); returns counts
        per outcome."""
        counts = {"done": 0, "retry": 0, "failed": 0, "skipped": 0}
        total = 0
        while limit is None or total < limit:
            size = batch if limit is None else min(batch, limit - total)
            ids = self.claim(size)
            if not ids:
                break
            for job_id in ids:
                counts[self.run(job_id)] += 1
                total += 1
        return counts
