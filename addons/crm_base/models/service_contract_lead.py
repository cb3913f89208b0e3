"""Service contracts remember the opportunity they were won by (``lead_id``); creating
one with an origin writes it on both chatters. The opportunity's side (the *Create
contract* button, the contracts of a lead) is in ``crm_lead_contract.py``.
"""
from __future__ import annotations

from typing import Any

from markupsafe import escape

from core import Model, _, api, fields


class ServiceContractLead(Model):
    _inherit = "service.contract"

    lead_id = fields.Many2one("crm.lead", "Opportunity", index=True, ondelete="set null",
                              tracking=True, help="The opportunity the contract was won by.")

    @api.model
    def create(self, vals_list: Any) -> Any:
        records = super().create(vals_list)
        for contract in records:
            if contract.lead_id:
                contract._tell_lead()
        return records

    def _tell_lead(self) -> None:
        """Both chatters say where the contract comes from (as the system: the user's
        create was allowed, telling about it needs no more rights)."""
        lead = self.lead_id.sudo()
        self._post_note(_("Created from the opportunity %(lead)s.", lead=lead.display_name))
        text = _("Service contract %(contract)s created from this opportunity.",
                 contract=self.name)
        lead.message_post(body=f"<p>{escape(text)}</p>", message_type="notification",
                          author_id=self.env.user.partner_id.id or None)
