"""``crm.lost.reason``: why opportunities are lost (chosen when marking one lost)."""
from __future__ import annotations

from core import Model, fields


class CrmLostReason(Model):
    _name = "crm.lost.reason"
    _description = "Opportunity Lost Reason"
    _order = "sequence, name, id"

    name = fields.Char("Description", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    leads_count = fields.Integer("Lost Opportunities", compute="_compute_leads_count")

    def _compute_leads_count(self) -> None:
        counts: dict[int, int] = {}
        if self.ids:
            rows = self.env["crm.lead"].with_context(active_test=False)._read_group_raw(
                [("lost_reason_id", "in", self.ids)], ["lost_reason_id"], ["__count"])
            counts = {key: count for key, count in rows}
        for reason in self:
            reason.leads_count = counts.get(reason.id, 0)
