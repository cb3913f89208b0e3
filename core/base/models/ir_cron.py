"""``ir.cron``: scheduled actions, a model method run at a fixed interval.

The method's name must start with ``_cron_`` (a method meant to be scheduled, checked
when the row is saved); it runs as superuser through :mod:`core.automation.scheduler`.
The kernel schedules its own upkeep here: time-relative automation rules, the change
journal's retention purge, and the purge of old automation runs and finished jobs.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core import Model, UserError, ValidationError, _, api, fields
from core.automation import scheduler
from core.orm.model_write import now_utc

#: days kept, per table, by :meth:`IrCron._cron_purge_automation` (settings override them)
RETENTION = {"automation.run_retention_days": ("ir_automation_run", "date", 90),
             "jobs.retention_days": ("ir_job", "date_done", 30)}


class IrCron(Model):
    _name = "ir.cron"
    _description = "Scheduled Action"
    _order = "priority, name"

    name = fields.Char("Name", required=True, translate=True)
    model = fields.Char("Model", required=True)
    method = fields.Char("Method", required=True, help="A method whose name starts with "
                                                       "_cron_.")
    args = fields.Char("Arguments", help="A list literal, e.g. [30].")
    interval_number = fields.Integer("Every", default=1, required=True)
    interval_type = fields.Selection([(u, u.capitalize()) for u in scheduler.INTERVALS],
                                     "Unit", default="days", required=True)
    nextcall = fields.Datetime("Next Run", required=True, default=lambda self: now_utc())
    last_call = fields.Datetime("Last Run", readonly=True)
    last_state = fields.Selection([("done", "Done"), ("failed", "Failed")], "Last Outcome",
                                  readonly=True)
    last_error = fields.Text("Last Error", readonly=True)
    priority = fields.Integer("Priority", default=10, help="Lower runs first.")
    user_id = fields.Many2one("res.users", "Run As", ondelete="set null")
    active = fields.Boolean("Active", default=True)

    @api.constrains("model", "method", "args", "interval_number")
    def _check_cron(self) -> None:
        for cron in self:
            if cron.model not in self.env:
                raise ValidationError(_("Unknown model '%(model)s'.", model=cron.model),
                                      field="model")
            scheduler.cron_method(self.env[cron.model], cron.method)
            scheduler.cron_args(cron.args)
            if (cron.interval_number or 0) < 1:
                raise ValidationError(_("The interval must be at least 1."),
                                      field="interval_number")

    def action_run_now(self) -> bool:
        """Run now, in this transaction (a failure is shown and changes nothing)."""
        for cron in self:
            try:
                with self.env.savepoint():
                    scheduler.run_cron_now(self.env, cron.sudo())
            except UserError:
                raise
            except Exception as exc:  # noqa: BLE001 - shown to the administrator
                raise UserError(_("%(name)s failed: %(error)s", name=cron.name,
                                  error=f"{type(exc).__name__}: {exc}")) from exc
            cron.sudo().write({"last_call": now_utc(), "last_state": "done",
                               "last_error": False})
        return True

    # -- the kernel's own upkeep --------------------------------------------------------
    def _cron_purge_journal(self) -> int:
        """The change journal's retention (setting ``journal.retention_days``)."""
        return self.env["ir.journal"].sudo()._purge()

    def _cron_purge_automation(self) -> int:
        """Drop automation runs and finished jobs older than their retention (settings
        ``automation.run_retention_days``, 90, and ``jobs.retention_days``, 30)."""
        params = self.env["ir.config_parameter"].sudo()
        deleted = 0
        for key, (table_name, column, default) in RETENTION.items():
            try:
                days = int(params.get_param(key) or default)
            except ValueError:
                days = default
            if days <= 0:
                continue
            table = self.env.registry.metadata.tables[table_name]
            limit = now_utc() - dt.timedelta(days=days)
            where = table.c[column] < limit
            if table_name == "ir_job":
                where = sa.and_(where, table.c.state.in_(("done", "cancelled")))
            deleted += self.env.execute(table.delete().where(where)).rowcount
        return deleted
