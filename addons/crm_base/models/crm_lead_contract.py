"""A won opportunity leads to a service contract, and each keeps the other in its history.

*Create contract* on a won opportunity creates a draft contract prefilled from it (the
account, the account manager, the expected revenue as price, the opportunity as origin)
and opens it; the creation is written on both chatters (``service_contract_lead.py``:
a contract created by hand with an opportunity as origin is announced the same way).
"""
from __future__ import annotations

from typing import Any

from core import Model, UserError, _, api, fields

#: the window action a created contract is opened with
CONTRACT_ACTION = "crm_base.service_contract_action"


class CrmLeadContract(Model):
    _inherit = "crm.lead"

    contract_ids = fields.One2many("service.contract", "lead_id", "Service Contracts")
    contract_count = fields.Integer("Contracts", compute="_compute_contract_count")

    @api.depends("contract_ids")
    def _compute_contract_count(self) -> None:
        groups = self.env["service.contract"].read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["lead_id"]) if self.ids else []
        counts = {g["lead_id"][0]: g["lead_id_count"] for g in groups}
        for lead in self:
            lead.contract_count = counts.get(lead.id, 0)

    def action_create_contract(self) -> dict[str, Any]:
        """Create the draft contract of this won opportunity and open it."""
        self.ensure_one()
        if self.won_status != "won":
            raise UserError(_("Only a won opportunity leads to a contract: mark "
                              "%(lead)s as won first.", lead=self.display_name))
        if not self.partner_id:
            raise UserError(_("%(lead)s has no customer: choose the account before creating "
                              "its contract.", lead=self.display_name))
        kind = self.env["service.contract.type"].search([], limit=1)
        if not kind:
            raise UserError(_("There is no contract type: add one in Configuration > "
                              "Contract Types."))
        account = self.partner_id.commercial_partner_id
        vals = {"partner_id": account.id, "type_id": kind.id, "title": self.name,
                "price": self.expected_revenue, "lead_id": self.id,
                "contact_id": self.partner_id.id if self.partner_id != account else False,
                "user_id": (self.user_id or account.user_id).id or False}
        if self.currency_id:
            vals["currency_id"] = self.currency_id.id
        contract = self.env["service.contract"].create(vals)
        return {"type": "ir.actions.act_window", "res_model": "service.contract",
                "res_id": contract.id, "xml_id": CONTRACT_ACTION, "views": [[False, "form"]]}
