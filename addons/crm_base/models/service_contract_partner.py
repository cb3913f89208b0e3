"""Accounts know their service contracts: ``partner._active_contracts()`` is what the
helpdesk and field service ask before serving a customer."""
from __future__ import annotations

from typing import Any

from core import Model, fields

from .service_contract import IN_FORCE


class ResPartnerContracts(Model):
    _inherit = "res.partner"

    contract_ids = fields.One2many("service.contract", "partner_id", "Service Contracts")

    def _active_contracts(self, on_date: Any = None) -> Any:
        """The contracts in force on ``on_date`` (default: today) for these partners'
        accounts: a contact person's are those of the company he belongs to. Searched as
        the current user (record rules apply): call it with ``sudo()`` to check coverage
        for someone who may not read contracts."""
        contracts = self.env["service.contract"]
        if not self:
            return contracts
        day = contracts._contract_today(on_date).isoformat()
        accounts = (self | self.mapped("commercial_partner_id")).ids
        return contracts.search([("partner_id", "in", accounts), ("state", "in", IN_FORCE),
                                 ("date_start", "<=", day),
                                 "|", ("date_end", "=", False), ("date_end", ">=", day)])
