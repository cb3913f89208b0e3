"""The SLA seen from a team: its policies, how many of its open tickets are at risk or
breached (one grouped query for any number of teams), and deadlines that follow a change
of the team's working hours at once rather than at the next scheduled run."""
from __future__ import annotations

from typing import Any

from core import Model, fields

from .helpdesk_ticket_sla import STOPPED


class HelpdeskTeamSla(Model):
    _inherit = "helpdesk.team"

    sla_ids = fields.One2many("helpdesk.sla", "team_id", "SLA Policies")
    sla_at_risk_count = fields.Integer("SLA at Risk", compute="_compute_sla_counts",
                                       help="Open tickets most of whose SLA time is used.")
    sla_breached_count = fields.Integer("Overdue", compute="_compute_sla_counts",
                                        help="Open tickets past an SLA deadline.")

    def _compute_sla_counts(self) -> None:
        counts: dict[tuple[int, str], int] = {}
        if self.ids:
            rows = self.env["helpdesk.ticket"]._read_group_raw(
                [("team_id", "in", self.ids), ("state", "not in", list(STOPPED)),
                 ("sla_status", "in", ["at_risk", "breached"])],
                ["team_id", "sla_status"], ["__count"])
            counts = {(team_id, status): count for team_id, status, count in rows}
        for team in self:
            team.sla_at_risk_count = counts.get((team.id, "at_risk"), 0)
            team.sla_breached_count = counts.get((team.id, "breached"), 0)

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if "resource_calendar_id" in vals:
            tickets = self.env["helpdesk.ticket"].sudo().search(
                [("team_id", "in", self.ids), ("sla_id", "!=", False),
                 ("state", "not in", list(STOPPED))])
            tickets._sla_refresh()
        return result
