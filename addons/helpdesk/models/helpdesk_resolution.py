"""``helpdesk.resolution``: the steps that solve one or more known problems.

Agents apply a resolution to a ticket (``helpdesk.ticket._apply_resolution``: the ticket's
``resolution_id``, a note with the steps on its chatter); how often each was applied
(``ticket_count``) ranks equal suggestions. A resolved ticket's resolution can be
published to the knowledge base by whichever addon implements the hook
``comptoir_publish_resolution``.
"""
from __future__ import annotations

from core import Model, api, fields


class HelpdeskResolution(Model):
    _name = "helpdesk.resolution"
    _description = "Standard Resolution"
    _inherit = ["fts.mixin"]
    _order = "sequence, name, id"
    _fts_fields = {"name": 3.0, "steps": 1.0}

    name = fields.Char("Resolution", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    steps = fields.Html("Steps", help="What to do, step by step (sent to the customer when "
                                      "the agent chooses to).")
    problem_ids = fields.Many2many("helpdesk.problem", "helpdesk_problem_resolution_rel",
                                   "resolution_id", "problem_id", "Problems Solved")
    ticket_ids = fields.One2many("helpdesk.ticket", "resolution_id", "Tickets")
    ticket_count = fields.Integer("Times Applied", compute="_compute_ticket_count",
                                  help="Tickets this resolution was applied to.")

    @api.depends("ticket_ids")
    def _compute_ticket_count(self) -> None:
        counts: dict[int, int] = {}
        if self.ids:
            rows = self.env["helpdesk.ticket"].sudo().with_context(
                active_test=False)._read_group_raw(
                [("resolution_id", "in", self.ids)], ["resolution_id"], ["__count"])
            counts = {resolution_id: count for resolution_id, count in rows}
        for resolution in self:
            resolution.ticket_count = counts.get(resolution.id, 0)
