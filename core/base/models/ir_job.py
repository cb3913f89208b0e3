"""``ir.job``: the queue of work done later, outside the request that asked for it.

Code enqueues (``env['ir.job'].enqueue('res.partner', '_job_geocode', args=[42])``); the
runner of :mod:`core.automation.jobs` claims and runs jobs, retrying failures with a
growing delay. Only code creates jobs: a job names a method, so nobody may create one
through the interface or the APIs. Administrators watch, retry and cancel them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import AccessError, Model, ValidationError, _, api, fields
from core.automation.jobs import job_method
from core.orm.model_write import now_utc

STATES = [("pending", "Pending"), ("running", "Running"), ("done", "Done"),
          ("failed", "Failed"), ("cancelled", "Cancelled")]
#: fields that decide what a job runs: set at creation, by code, only
TARGET_FIELDS = frozenset({"model", "method", "args", "kwargs", "user_id"})


class IrJob(Model):
    _name = "ir.job"
    _description = "Queued Job"
    _order = "id desc"
    _journal = False

    name = fields.Char("Description")
    model = fields.Char("Model", required=True, readonly=True)
    method = fields.Char("Method", required=True, readonly=True)
    args = fields.Json("Arguments", readonly=True)
    kwargs = fields.Json("Keyword Arguments", readonly=True)
    user_id = fields.Many2one("res.users", "Run As", ondelete="set null", readonly=True)
    state = fields.Selection(STATES, "State", required=True, default="pending", index=True)
    priority = fields.Integer("Priority", default=10, help="Lower runs first.")
    attempts = fields.Integer("Attempts", default=0, readonly=True)
    max_attempts = fields.Integer("Maximum Attempts", default=5)
    next_try = fields.Datetime("Next Try", index=True, default=lambda self: now_utc())
    claimed_at = fields.Datetime("Started", readonly=True)
    worker = fields.Char("Worker", readonly=True)
    date_done = fields.Datetime("Finished", readonly=True)
    error = fields.Text("Last Error", readonly=True)

    @api.constrains("model", "method")
    def _check_target(self) -> None:
        for job in self:
            if job.model not in self.env:
                raise ValidationError(_("Unknown model '%(model)s'.", model=job.model),
                                      field="model")
            job_method(self.env[job.model], job.method)

    @api.model
    def enqueue(self, model: str, method: str, args: list | None = None,
                kwargs: dict | None = None, *, name: str | None = None, delay: float = 0,
                priority: int = 10, max_attempts: int = 5) -> Any:
        """Queue ``env[model].method(*args, **kwargs)`` (JSON-serialisable arguments),
        to run after ``delay`` seconds, as the current user (superuser rights)."""
        return self.sudo().create({
            "name": name or f"{model}.{method}", "model": model, "method": method,
            "args": list(args or []), "kwargs": dict(kwargs or {}),
            "user_id": self.env.uid if self.env.uid else False, "priority": priority,
            "max_attempts": max(int(max_attempts), 1),
            "next_try": now_utc() + dt.timedelta(seconds=delay)})

    def create(self, vals_list: Any) -> Any:
        if not self.env.su:
            raise AccessError(_("Jobs are queued by code, not created by hand."))
        return super().create(vals_list)

    def write(self, vals: dict[str, Any]) -> bool:
        if not self.env.su and TARGET_FIELDS & set(vals):
            raise AccessError(_("What a job runs cannot be changed; cancel it instead."))
        return super().write(vals)

    def action_retry(self) -> bool:
        """Put failed or cancelled jobs back in the queue, for a full set of attempts."""
        self.filtered(lambda job: job.state in ("failed", "cancelled")).write(
            {"state": "pending", "attempts": 0, "next_try": now_utc(), "error": False})
        return True

    def action_cancel(self) -> bool:
        self.filtered(lambda job: job.state in ("pending", "failed")).write(
            {"state": "cancelled"})
        return True
