"""Prepaid balances of service contracts and the API the helpdesk and field service call.

A contract may prepay hours, an amount, or both; what tickets and interventions use is
written as consumption lines (``service.contract.consumption``) and the consumed and
remaining figures are stored totals of those lines. A balance of 0 prepaid is no limit:
the lines are still recorded (what the customer used), never refused.

Stable API (see ``docs/crm-contracts.md``)::

    line = contract.consume(hours=1.5, amount=0, description="Printer fixed", source=ticket)
    contracts = partner._active_contracts(on_date=None)
    contract._covers(product=None, on_date=None)
"""
from __future__ import annotations

from typing import Any

from core import Model, UserError, ValidationError, _, api, fields

from .service_contract import IN_FORCE

#: tolerance on balances (hours and amounts are rounded to 2 decimals)
EPSILON = 0.005


class ServiceContractBalance(Model):
    _inherit = "service.contract"

    prepaid_hours = fields.Float("Prepaid Hours", digits=(10, 2), tracking=True,
                                 help="0: hours are not limited.")
    prepaid_amount = fields.Monetary("Prepaid Amount", currency_field="currency_id",
                                     tracking=True, help="0: the amount is not limited.")
    consumption_ids = fields.One2many("service.contract.consumption", "contract_id",
                                      "Consumption")
    consumed_hours = fields.Float("Hours Used", digits=(10, 2), compute="_compute_balance",
                                  store=True)
    consumed_amount = fields.Monetary("Amount Used", currency_field="currency_id",
                                      compute="_compute_balance", store=True)
    remaining_hours = fields.Float("Hours Left", digits=(10, 2), compute="_compute_balance",
                                   store=True)
    remaining_amount = fields.Monetary("Amount Left", currency_field="currency_id",
                                       compute="_compute_balance", store=True)
    hours_used_percent = fields.Float("Hours Used (%)", digits=(6, 1),
                                      compute="_compute_balance", store=True)
    amount_used_percent = fields.Float("Amount Used (%)", digits=(6, 1),
                                       compute="_compute_balance", store=True)
    date_last_consumption = fields.Date("Last Consumption", readonly=True, copy=False)

    @api.depends("prepaid_hours", "prepaid_amount", "consumption_ids.hours",
                 "consumption_ids.amount")
    def _compute_balance(self) -> None:
        totals = self._consumed_totals()
        for contract in self:
            hours, amount = totals.get(contract.id, (0.0, 0.0))
            contract.consumed_hours = hours
            contract.consumed_amount = amount
            contract.remaining_hours = contract.prepaid_hours - hours
            contract.remaining_amount = contract.prepaid_amount - amount
            contract.hours_used_percent = 100.0 * hours / contract.prepaid_hours \
                if contract.prepaid_hours else 0.0
            contract.amount_used_percent = 100.0 * amount / contract.prepaid_amount \
                if contract.prepaid_amount else 0.0

    def _consumed_totals(self) -> dict[int, tuple[float, float]]:
        """``{contract id: (hours, amount)}`` summed by the database (one query)."""
        if not self.ids:
            return {}
        groups = self.env["service.contract.consumption"].sudo().read_group(
            [("contract_id", "in", self.ids)], ["hours:sum", "amount:sum"], ["contract_id"])
        return {g["contract_id"][0]: (g["hours"] or 0.0, g["amount"] or 0.0) for g in groups}

    @api.constrains("prepaid_hours", "prepaid_amount")
    def _check_prepaid(self) -> None:
        for contract in self:
            if contract.prepaid_hours < 0 or contract.prepaid_amount < 0:
                raise ValidationError(_("A prepaid balance cannot be negative."),
                                      field="prepaid_hours")

    # -- the API ------------------------------------------------------------------------
    def consume(self, hours: float = 0, amount: float = 0, description: str = "",
                source: Any = None) -> Any:
        """Use ``hours`` and/or ``amount`` of this contract's prepaid balance for
        ``source`` (the ticket or intervention, any record); returns the
        ``service.contract.consumption`` line written.

        The contract must be in force (active or to renew). When a limited balance (one
        prepaid above 0) would go below zero, the contract type's policy decides: *block*
        raises :class:`UserError` and writes nothing; *warn* writes the line with its
        ``warning`` filled and posts the warning on the contract's chatter, where the
        account manager (a follower) is told. Concurrent calls on one contract queue up
        behind its row: two tickets cannot both spend the last hour."""
        self.ensure_one()
        hours, amount = self._consumption_figures(hours, amount)
        if self.state not in IN_FORCE:
            state = dict(self._fields["state"].get_values(self.env))[self.state]
            raise UserError(_("%(contract)s is not in force (%(state)s): its balance cannot "
                              "be used.", contract=self.name, state=_(state)))
        res_model, res_id = self._consumption_source(source)
        lines = self.env["service.contract.consumption"]
        lines._check_access("create")  # before taking the lock: nothing to undo
        with self.env.savepoint():      # a refusal leaves no trace, not even the lock date
            line = self._consume_locked(lines, hours, amount, description, res_model, res_id)
        if line.warning:
            self._post_note(f"{line.warning} {line.description or ''}".strip(), notify=True)
        return line

    def _consume_locked(self, lines: Any, hours: float, amount: float, description: str,
                        res_model: str | bool, res_id: int | bool) -> Any:
        today = self._contract_today()
        # the write takes the contract's row lock until the transaction ends: the figures
        # read next include every line committed before us, and nobody else's after
        self.sudo().write({"date_last_consumption": today})
        self.env.invalidate_all()
        used_hours, used_amount = self._consumed_totals().get(self.id, (0.0, 0.0))
        problems = []
        if self.prepaid_hours and self.prepaid_hours - used_hours - hours < -EPSILON:
            problems.append(_("%(hours)s h used of %(prepaid)s h prepaid",
                              hours=round(used_hours + hours, 2), prepaid=self.prepaid_hours))
        if self.prepaid_amount and self.prepaid_amount - used_amount - amount < -EPSILON:
            problems.append(_("%(amount)s used of %(prepaid)s prepaid (%(currency)s)",
                              amount=round(used_amount + amount, 2),
                              prepaid=self.prepaid_amount, currency=self.currency_id.name))
        warning = ""
        if problems:
            if self.type_id.balance_policy == "block":
                raise UserError(_("%(contract)s has not enough prepaid balance left: "
                                  "%(problems)s. Ask the account manager to top it up.",
                                  contract=self.name, problems="; ".join(problems)))
            warning = _("Prepaid balance exceeded: %(problems)s.", problems="; ".join(problems))
        return lines.create({
            "contract_id": self.id, "date": today, "hours": hours, "amount": amount,
            "description": description or False, "res_model": res_model, "res_id": res_id,
            "warning": warning or False})

    @staticmethod
    def _consumption_figures(hours: Any, amount: Any) -> tuple[float, float]:
        try:
            hours, amount = round(float(hours or 0), 2), round(float(amount or 0), 2)
        except (TypeError, ValueError):
            raise ValidationError(_("Hours and amounts consumed must be numbers.")) from None
        if hours < 0 or amount < 0:
            raise ValidationError(_("Hours and amounts consumed cannot be negative."))
        if not hours and not amount:
            raise ValidationError(_("Give the hours or the amount consumed."))
        return hours, amount

    @staticmethod
    def _consumption_source(source: Any) -> tuple[str | bool, int | bool]:
        if source is None or source is False:
            return False, False
        if hasattr(source, "_name") and hasattr(source, "ids") and len(source.ids) == 1:
            return source._name, source.ids[0]
        raise ValidationError(_("The source of a consumption is one record (a ticket, an "
                                "intervention...)."))

    def _covers(self, product: Any = None, on_date: Any = None) -> bool:
        """Whether this contract is in force on ``on_date`` (default: today) and, when
        ``product`` (a record or an id) is given, covers it: listed, installed as covered
        equipment, or the contract covers every product."""
        self.ensure_one()
        day = self._contract_today(on_date)
        if self.state not in IN_FORCE or self.date_start > day or (
                self.date_end and self.date_end < day):
            return False
        if product is None or product is False:
            return True
        product_id = product.id if hasattr(product, "_name") else int(product)
        return bool(self.all_products or product_id in self.product_ids.ids
                    or product_id in self.equipment_ids.mapped("product_id").ids)
