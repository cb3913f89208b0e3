"""Tickets know the customer's service contract (crm_base) and what is left of it.

On creation a ticket of a customer takes the account's contract in force that covers the
ticket's product (``service.contract._covers``), preferring one with prepaid balance left;
changing the customer or the product looks again when the contract no longer fits. An
agent may pick another contract of the account or none.

``contract_warning`` tells the agent what is wrong before he spends time: no contract in
force, the product not covered, the prepaid balance used up (with the type's policy:
*warn* goes on past zero, *block* refuses the time entries, see
``helpdesk_time_entry_contract.py``). The balance (hours and amount left) shows on the
ticket through related fields.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError


class HelpdeskTicketContract(Model):
    _inherit = "helpdesk.ticket"

    contract_id = fields.Many2one(
        "service.contract", "Contract", index=True, tracking=True, ondelete="set null",
        domain="[('partner_id', '=', commercial_partner_id), "
               "('state', 'in', ['active', 'to_renew'])]",
        help="The customer's service contract this request is served under: time spent is "
             "taken from its prepaid balance. Found when the ticket is created.")
    contract_warning = fields.Char("Contract Warning", compute="_compute_contract_warning")
    contract_balance_policy = fields.Selection(related="contract_id.type_id.balance_policy",
                                               string="Balance Policy")
    contract_prepaid_hours = fields.Float(related="contract_id.prepaid_hours",
                                          string="Prepaid Hours")
    contract_remaining_hours = fields.Float(related="contract_id.remaining_hours",
                                            string="Contract Hours Left")
    contract_prepaid_amount = fields.Monetary(related="contract_id.prepaid_amount",
                                              string="Prepaid Amount",
                                              currency_field="contract_currency_id")
    contract_remaining_amount = fields.Monetary(related="contract_id.remaining_amount",
                                                string="Contract Amount Left",
                                                currency_field="contract_currency_id")
    contract_currency_id = fields.Many2one(related="contract_id.currency_id",
                                           string="Contract Currency")

    # -- finding the contract ------------------------------------------------------------------
    @api.model
    def _find_contract(self, partner: Any, product: Any = None) -> Any:
        """The contract in force of ``partner``'s account covering ``product`` (any in
        force when no product): one with prepaid balance left first, then the one ending
        last. Read as the system: whoever opens a ticket (a customer on the portal, the
        mail gateway) need not read contracts. Empty when none fits."""
        contracts = self.env["service.contract"].sudo()
        if not partner:
            return contracts
        partner = self.env["res.partner"].sudo().browse(getattr(partner, "id", partner))
        product = getattr(product, "id", product) or None
        fitting = partner._active_contracts().filtered(lambda c: c._covers(product))
        if not fitting:
            return contracts

        def rank(contract: Any) -> tuple:
            used_up = bool((contract.prepaid_hours and contract.remaining_hours <= 0)
                           or (contract.prepaid_amount and contract.remaining_amount <= 0))
            return (used_up, -(contract.date_end.toordinal() if contract.date_end else 10**7),
                    contract.id)
        return sorted(fitting, key=rank)[0]

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(v) for v in ([vals_list] if single else vals_list)]
        for vals in vals_list:
            if "contract_id" not in vals and vals.get("partner_id"):
                vals["contract_id"] = self._find_contract(
                    vals["partner_id"], vals.get("product_id")).id or False
        tickets = super().create(vals_list)
        return tickets[0] if single else tickets

    def write(self, vals: dict[str, Any]) -> bool:
        if "partner_id" in vals and "contract_id" not in vals:
            # another account's contract goes in the same write (the check runs in it)
            account = self.env["res.partner"].sudo().browse(
                vals["partner_id"] or []).commercial_partner_id
            stale = self.sudo().filtered(
                lambda t: t.contract_id and t.contract_id.partner_id != account)
            if stale:
                result = super(HelpdeskTicketContract, self.browse(stale.ids)).write(
                    {**vals, "contract_id": False})
                rest = self - self.browse(stale.ids)
                if rest:
                    result = super(HelpdeskTicketContract, rest).write(vals) and result
                self._refind_contracts(vals)
                return result
        result = super().write(vals)
        self._refind_contracts(vals)
        return result

    def _refind_contracts(self, vals: dict[str, Any]) -> None:
        """After a change of customer or product, a contract that no longer fits is
        replaced by the one that does (or none)."""
        if "contract_id" not in vals and {"partner_id", "product_id"} & set(vals):
            for ticket in self.sudo():
                contract = ticket.contract_id
                if contract and contract.partner_id == ticket.commercial_partner_id and \
                        contract._covers(ticket.product_id or None):
                    continue
                found = self._find_contract(ticket.partner_id, ticket.product_id)
                if found != contract:
                    super(HelpdeskTicketContract, ticket).write({"contract_id": found.id or False})

    @api.constrains("contract_id", "partner_id")
    def _check_contract_account(self) -> None:
        for ticket in self.sudo():
            contract = ticket.contract_id
            if contract and contract.partner_id != ticket.commercial_partner_id:
                raise ValidationError(_("Contract %(contract)s is not a contract of the "
                                        "customer's account (%(account)s).",
                                        contract=contract.name,
                                        account=ticket.commercial_partner_id.name or "-"),
                                      field="contract_id")

    # -- what the agent is told -------------------------------------------------------------------
    @api.depends("contract_id", "partner_id", "product_id", "contract_id.state",
                 "contract_id.remaining_hours", "contract_id.remaining_amount")
    def _compute_contract_warning(self) -> None:
        for ticket in self:
            ticket.contract_warning = ticket.sudo()._contract_problem() or False

    def _contract_problem(self) -> str:
        """What is wrong with this ticket's contract, in a sentence ('' when all is well)."""
        self.ensure_one()
        contract, product = self.contract_id, self.product_id
        if not self.partner_id:
            return ""
        if not contract:
            in_force = self.partner_id._active_contracts()
            if in_force and product:
                return _("No contract in force for %(account)s covers %(product)s.",
                         account=self.commercial_partner_id.display_name,
                         product=product.display_name)
            if in_force:
                return ""
            return _("%(account)s has no service contract in force.",
                     account=self.commercial_partner_id.display_name)
        if not contract._covers():
            return _("Contract %(contract)s is not in force.", contract=contract.name)
        if product and not contract._covers(product):
            return _("Contract %(contract)s does not cover %(product)s.",
                     contract=contract.name, product=product.display_name)
        used_up = []
        if contract.prepaid_hours and contract.remaining_hours <= 0:
            used_up.append(_("hours"))
        if contract.prepaid_amount and contract.remaining_amount <= 0:
            used_up.append(_("amount"))
        if not used_up:
            return ""
        if contract.type_id.balance_policy == "block":
            return _("The prepaid %(what)s of contract %(contract)s are used up: time spent "
                     "cannot be recorded until the account manager tops it up.",
                     what=_(" and ").join(used_up), contract=contract.name)
        return _("The prepaid %(what)s of contract %(contract)s are used up: time spent "
                 "goes beyond the balance.", what=_(" and ").join(used_up),
                 contract=contract.name)
