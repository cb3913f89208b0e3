"""``test.mail.report``: a structured report written when an activity is done (the
``mail.activity.report`` mixin), for the tests of activity reports."""
from __future__ import annotations

from typing import Any

from core import Model, api, fields


class TestMailReport(Model):
    _name = "test.mail.report"
    _description = "Mail Test Report"
    _inherit = ["mail.activity.report"]

    name = fields.Char("Name")
    record_id = fields.Many2one("test.mail.record", "Record", ondelete="set null")

    @api.model
    def _prepare_from_activity(self, activity: Any, feedback: str | None = None
                               ) -> dict[str, Any]:
        values = super()._prepare_from_activity(activity, feedback)
        values["name"] = feedback or activity.summary or False
        if activity.res_model == "test.mail.record":
            values["record_id"] = activity.res_id
        return values
