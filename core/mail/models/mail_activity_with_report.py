"""Structured reports of activities: marking an activity done that writes a record.

Some activities end with a document, not a line of outcome: a customer visit ends with a
visit report. An activity type names the model of its report (``report_model``), a model
inheriting the ``mail.activity.report`` mixin; marking an activity of that type done
(from the chatter, the activity form, the API or a sync) creates its report, pre-filled
from the activity by the report model (:meth:`MailActivityReport._prepare_from_activity`),
then logs the activity as done as usual. The chatter then opens the report's form for
the user to complete it (:func:`core.mail.controllers.activity_done`).

A user who may not create reports of that model still marks the activity done: the
report is then left out (the outcome is logged on the record as for any activity).
"""
from __future__ import annotations

import logging
from typing import Any

from core import AbstractModel, Model, ValidationError, _, api, fields

_logger = logging.getLogger(__name__)
MIXIN = "mail.activity.report"


class MailActivityType(Model):
    _inherit = "mail.activity.type"

    report_model = fields.Char(
        "Report Model",
        help="The technical name of a report model (e.g. crm.visit.report): marking an "
             "activity of this type done creates its report and opens it.")

    @api.constrains("report_model")
    def _check_report_model(self) -> None:
        for kind in self:
            if kind.report_model and not is_report_model(self.env, kind.report_model):
                raise ValidationError(_("“%(model)s” is not a report model: it must exist "
                                        "and inherit %(mixin)s.", model=kind.report_model,
                                        mixin=MIXIN), field="report_model")


def is_report_model(env: Any, name: str) -> bool:
    """Whether ``name`` is a model writing activity reports (it inherits the mixin)."""
    return name in env and name != MIXIN and \
        callable(getattr(env[name], "_create_from_activities", None))


class MailActivityReport(AbstractModel):
    """The mixin of report models: the activity a report comes from, and how a report
    is pre-filled from it. Report models override :meth:`_prepare_from_activity`."""

    _name = MIXIN
    _description = "Activity Report"

    activity_id = fields.Many2one("mail.activity", "Activity", readonly=True, index=True,
                                  ondelete="set null", copy=False,
                                  help="The activity this report was written for.")

    @api.model
    def _prepare_from_activity(self, activity: Any, feedback: str | None = None
                               ) -> dict[str, Any]:
        """Values of the report of ``activity`` (done with ``feedback``)."""
        return {"activity_id": activity.id}

    @api.model
    def _create_from_activities(self, activities: Any, feedback: str | None = None) -> Any:
        """Create one report per activity (as the current user); returns them."""
        values = [self._prepare_from_activity(activity, feedback) for activity in activities]
        return self.create(values) if values else self.browse(())


class MailActivity(Model):
    _inherit = "mail.activity"

    def action_done(self, feedback: str | None = None) -> Any:
        """Create the reports of activities whose type asks for one, then mark all of
        them done (see :meth:`core.mail.models.mail_activity.MailActivity.action_done`)."""
        pending = self.filtered(lambda a: a.active and a.activity_type_id.report_model)
        if pending:
            pending._check_access("write")
            pending._check_rules("write")
            by_model: dict[str, list[int]] = {}
            for activity in pending:
                by_model.setdefault(activity.activity_type_id.report_model, []).append(
                    activity.id)
            for name, ids in by_model.items():
                if not is_report_model(self.env, name):
                    continue  # a model uninstalled since: the activity is done all the same
                reports = self.env[name]
                if not reports._check_access("create", raise_exception=False):
                    _logger.info("user %s may not create %s: activities %s done without "
                                 "report", self.env.uid, name, ids)
                    continue
                reports._create_from_activities(self.browse(ids), feedback)
        return super().action_done(feedback)

    def _done_report(self) -> Any:
        """The report written when this activity was done, or None (no report, or one
        the user may not read)."""
        self.ensure_one()
        name = self.activity_type_id.report_model
        if not name or not is_report_model(self.env, name):
            return None
        reports = self.env[name].with_context(active_test=False)
        if not reports._check_access("read", raise_exception=False):
            return None
        return reports.search([("activity_id", "=", self.id)], limit=1) or None
