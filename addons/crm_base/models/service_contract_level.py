"""``service.level``: what a contract promises (bronze, silver, gold...).

Response and resolution times are in working hours; the helpdesk reads them to set the
deadlines of a contract's tickets. Kept as data an administrator edits, not as a fixed
list, so that each company sells its own levels.
"""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields


class ServiceLevel(Model):
    _name = "service.level"
    _description = "Service Level"
    _order = "sequence, id"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True, size=32,
                       help="A stable key other addons may refer to (e.g. gold).")
    sequence = fields.Integer("Sequence", default=10, help="From the lowest level up.")
    response_hours = fields.Float("Response Time (hours)", digits=(10, 2),
                                  help="Working hours within which a request gets a first "
                                       "answer; 0: no commitment.")
    resolution_hours = fields.Float("Resolution Time (hours)", digits=(10, 2),
                                    help="Working hours within which a request is solved; "
                                         "0: no commitment.")
    coverage = fields.Selection([("business", "Business hours"),
                                 ("extended", "Extended hours"),
                                 ("always", "24/7")], "Coverage", default="business",
                                required=True, help="When the clock of the times above runs.")
    description = fields.Text("Description", translate=True)
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("code_unique", "unique(code)",
                         "Another service level already has this code.")]

    @api.constrains("response_hours", "resolution_hours")
    def _check_hours(self) -> None:
        for level in self:
            if level.response_hours < 0 or level.resolution_hours < 0:
                raise ValidationError(_("Response and resolution times cannot be negative."),
                                      field="response_hours")
            if level.resolution_hours and level.response_hours > level.resolution_hours:
                raise ValidationError(_("The response time cannot exceed the resolution "
                                        "time."), field="response_hours")
