"""``crm.stage``: the steps of the sales pipeline, the columns of the pipeline board.

A stage carries the probability an opportunity gets when it enters it (editable on the
opportunity afterwards), whether it is folded on the board and whether reaching it means
the deal is won. A stage with a team belongs to that team's pipeline only; without one it
is shared by every team.
"""
from __future__ import annotations

from core import Model, _, api, fields
from core.exceptions import ValidationError


class CrmStage(Model):
    _name = "crm.stage"
    _description = "CRM Stage"
    _order = "sequence, name, id"

    name = fields.Char("Stage Name", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10, help="Order of the stages on the board.")
    fold = fields.Boolean("Folded in Pipeline", default=False,
                          help="A folded column on the pipeline board (still a drop target).")
    is_won = fields.Boolean("Is Won Stage",
                            help="Opportunities reaching this stage are won (probability 100%).")
    probability = fields.Float("Probability (%)", default=10.0, digits=(5, 2),
                               help="The probability an opportunity gets when it enters "
                                    "this stage; salespeople may change it afterwards.")
    team_id = fields.Many2one("crm.team", "Sales Team", ondelete="set null",
                              help="Only this team's pipeline uses the stage; empty: every "
                                   "team's.")
    requirements = fields.Text("Requirements",
                               help="What must be done before moving an opportunity here "
                                    "(shown to salespeople as a reminder).")
    active = fields.Boolean("Active", default=True)

    @api.constrains("probability", "is_won")
    def _check_probability(self) -> None:
        for stage in self:
            if not 0 <= (stage.probability or 0) <= 100:
                raise ValidationError(_("A probability is between 0 and 100%."),
                                      field="probability")

    @api.model
    def _default_stage_for(self, team_id: int | None = None) -> "CrmStage":
        """The first stage of a team's pipeline (shared stages included), not won."""
        domain: list = [("is_won", "=", False)]
        if team_id:
            domain = ["&", "|", ("team_id", "=", False), ("team_id", "=", team_id)] + domain
        else:
            domain = [("team_id", "=", False)] + domain
        stage = self.search(domain, limit=1)
        return stage or self.search([], limit=1)

    @api.model
    def _won_stage_for(self, team_id: int | None = None) -> "CrmStage":
        """The first won stage of a team's pipeline (a shared one if the team has none)."""
        if team_id:
            stage = self.search([("is_won", "=", True), ("team_id", "=", team_id)], limit=1)
            if stage:
                return stage
        return self.search([("is_won", "=", True), ("team_id", "=", False)], limit=1) or \
            self.search([("is_won", "=", True)], limit=1)
