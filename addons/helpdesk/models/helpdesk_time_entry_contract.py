"""Time spent on a ticket is taken from its contract's prepaid balance.

Each time entry of a ticket with a contract writes one consumption line on the contract
(``service.contract.consume``, the ticket as source) and keeps it (``consumption_id``).
Changing the hours replaces the line (the type's policy is checked again); deleting the
entry deletes its line. The contract type's policy applies: *block* refuses an entry that
would take a limited balance below zero (a ``UserError`` naming the contract), *warn*
records it and warns the account manager.

The consumption runs as the system once the ORM has checked the agent's right on the
entry: agents need not manage contracts to spend their time.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields


class HelpdeskTimeEntryContract(Model):
    _inherit = "helpdesk.time.entry"

    consumption_id = fields.Many2one("service.contract.consumption", "Contract Consumption",
                                     readonly=True, copy=False, ondelete="set null",
                                     index=True)
    contract_id = fields.Many2one("service.contract", "Contract",
                                  related="consumption_id.contract_id", store=True,
                                  index=True)
    contract_warning = fields.Char("Balance Warning", related="consumption_id.warning")

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        with self.env.savepoint():  # a refused consumption leaves no entry behind
            entries = super().create([vals_list] if single else list(vals_list))
            entries._consume_contract()
        return entries[0] if single else entries

    def write(self, vals: dict[str, Any]) -> bool:
        if {"duration", "ticket_id"} & set(vals):
            with self.env.savepoint():  # refused: the old hours and line stay
                result = super().write(vals)
                self._release_contract()
                self._consume_contract()
            return result
        result = super().write(vals)
        if {"note", "date"} & set(vals):
            for entry in self.sudo().filtered("consumption_id"):
                entry.consumption_id.write({"description": entry._consumption_description()})
        return result

    def unlink(self) -> bool:
        self._release_contract()
        return super().unlink()

    def _consumption_description(self) -> str:
        self.ensure_one()
        ticket = self.sudo().ticket_id
        text = _("Ticket %(ticket)s", ticket=ticket.display_name)
        return f"{text}: {self.note}" if self.note else text

    def _consume_contract(self) -> None:
        """One consumption line per entry of a ticket with a contract."""
        for entry in self.sudo():
            contract = entry.ticket_id.contract_id
            if not contract or entry.duration <= 0 or not contract._covers():
                continue  # the ticket's warning says the contract is not in force
            line = contract.consume(hours=entry.duration,
                                    description=entry._consumption_description(),
                                    source=entry.ticket_id)
            entry.write({"consumption_id": line.id})

    def _release_contract(self) -> None:
        """Give back the hours of these entries (their lines go)."""
        lines = self.sudo().mapped("consumption_id")
        if lines:
            self.sudo().write({"consumption_id": False})
            lines.unlink()
