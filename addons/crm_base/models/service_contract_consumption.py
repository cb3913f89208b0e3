"""``service.contract.consumption``: what a contract's prepaid balance was used for.

Lines are written by :meth:`service.contract.consume` (the helpdesk, field service) with
the ticket or intervention they come from (``res_model`` / ``res_id``); sales managers
may also enter or correct them by hand. The contract's consumed and remaining totals are
stored sums of these lines.
"""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields


class ServiceContractConsumption(Model):
    _name = "service.contract.consumption"
    _description = "Service Contract Consumption"
    _order = "date desc, id desc"

    contract_id = fields.Many2one("service.contract", "Contract", required=True,
                                  ondelete="restrict", index=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True,
                                 string="Account")
    date = fields.Date("Date", required=True,
                       default=lambda self: self.env["service.contract"]._contract_today())
    hours = fields.Float("Hours", digits=(10, 2))
    amount = fields.Monetary("Amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="contract_id.currency_id", string="Currency")
    description = fields.Char("Description")
    res_model = fields.Char("Source Model", readonly=True, index=True)
    res_id = fields.Integer("Source ID", readonly=True, index=True)
    source_name = fields.Char("Source", compute="_compute_source_name")
    user_id = fields.Many2one("res.users", "Recorded by", readonly=True,
                              default=lambda self: self.env.uid)
    warning = fields.Char("Warning", readonly=True,
                          help="Set when the line took the balance below zero.")

    @api.constrains("hours", "amount")
    def _check_figures(self) -> None:
        for line in self:
            if line.hours < 0 or line.amount < 0:
                raise ValidationError(_("Hours and amounts consumed cannot be negative."),
                                      field="hours")
            if not line.hours and not line.amount:
                raise ValidationError(_("A consumption line needs hours or an amount."),
                                      field="hours")

    def _compute_source_name(self) -> None:
        """Names of the sources, one query per source model (the user may not be allowed
        to open a ticket: its name is shown anyway, as the line's own information)."""
        wanted: dict[str, set[int]] = {}
        for line in self:
            if line.res_model and line.res_model in self.env and line.res_id:
                wanted.setdefault(line.res_model, set()).add(line.res_id)
        names = {model: dict(self.env[model].sudo().browse(sorted(ids)).exists().name_get())
                 for model, ids in wanted.items()}
        for line in self:
            line.source_name = names.get(line.res_model or "", {}).get(line.res_id) or False
