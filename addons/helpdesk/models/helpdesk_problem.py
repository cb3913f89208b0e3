"""``helpdesk.problem``: a known problem of the support library, and how it is solved.

A problem describes what customers report (``symptoms``, ``keywords`` people type); it
links to one or more resolutions (``helpdesk.resolution``), and one resolution may solve
several problems. Both are indexed by the kernel's keyword search (``fts.mixin``): a
ticket's subject and description find the problems that look like it, hence their
resolutions (``helpdesk.ticket._suggest_resolutions``).
"""
from __future__ import annotations

from core import Model, api, fields


class HelpdeskProblem(Model):
    _name = "helpdesk.problem"
    _description = "Known Problem"
    _inherit = ["fts.mixin"]
    _order = "sequence, name, id"
    _fts_fields = {"name": 3.0, "keywords": 2.0, "symptoms": 1.0}

    name = fields.Char("Problem", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    symptoms = fields.Html("Symptoms",
                           help="What the customer sees or reports, in their words.")
    keywords = fields.Char("Keywords",
                           help="Other words customers use for it (error codes, product "
                                "names...), separated by spaces or commas.")
    product_ids = fields.Many2many("product.product", "helpdesk_problem_product_rel",
                                   "problem_id", "product_id", "Products",
                                   help="The products it happens with (empty: any).")
    resolution_ids = fields.Many2many("helpdesk.resolution", "helpdesk_problem_resolution_rel",
                                      "problem_id", "resolution_id", "Resolutions")
    resolution_count = fields.Integer("Resolutions Count", compute="_compute_resolution_count")

    @api.depends("resolution_ids")
    def _compute_resolution_count(self) -> None:
        for problem in self:
            problem.resolution_count = len(problem.resolution_ids)
