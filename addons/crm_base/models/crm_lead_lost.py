"""``crm.lead.lost``: the small wizard asking why opportunities are lost.

Opened by the "Lost" button of the form (``crm.lead.action_open_lost``) on the leads in
``active_ids``; applying it calls :meth:`crm.lead.action_set_lost` as the user, then the
wizard's row is removed (wizards are not kept).
"""
from __future__ import annotations

from core import Model, _, fields
from core.exceptions import UserError


class CrmLeadLost(Model):
    _name = "crm.lead.lost"
    _description = "Mark Opportunities Lost"

    lead_ids = fields.Many2many("crm.lead", "crm_lead_lost_lead_rel", "wizard_id", "lead_id",
                                "Opportunities",
                                default=lambda self: self._default_leads())
    lost_reason_id = fields.Many2one("crm.lost.reason", "Lost Reason", ondelete="cascade")
    lost_feedback = fields.Text("Closing Note",
                                help="What happened: logged on the opportunity's chatter.")

    def _default_leads(self) -> list:
        return [(6, 0, self._context_active_ids("crm.lead"))]

    def action_lost_reason_apply(self) -> bool:
        self.ensure_one()
        leads = self.lead_ids
        if not leads:
            raise UserError(_("There is no opportunity to mark lost."))
        leads.action_set_lost(lost_reason_id=self.lost_reason_id.id or None,
                              lost_feedback=self.lost_feedback)
        self.sudo().unlink()
        return True
