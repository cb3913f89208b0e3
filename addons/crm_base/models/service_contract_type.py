"""``service.contract.type``: the kinds of contracts sold (on-call service, accounting
service, IT service; administrators add more) and the defaults a new contract of the
kind takes: service level, notice period, renewal alert, renewal term, and what happens
when a prepaid balance runs out (the helpdesk and field service ask the contract).
"""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields

BALANCE_POLICIES = [("warn", "Warn and go on"), ("block", "Block")]


class ServiceContractType(Model):
    _name = "service.contract.type"
    _description = "Service Contract Type"
    _order = "sequence, name, id"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", size=32, help="A stable key other addons may refer to.")
    sequence = fields.Integer("Sequence", default=10)
    service_level_id = fields.Many2one("service.level", "Default Service Level",
                                       ondelete="set null")
    tacit_renewal = fields.Boolean("Tacit Renewal by Default", default=True,
                                   help="New contracts of this type renew themselves at "
                                        "their end unless cancelled.")
    renewal_duration = fields.Integer("Renewal Term (months)", default=12, required=True)
    notice_days = fields.Integer("Notice Period (days)", default=30,
                                 help="How long before the end a customer must cancel.")
    renewal_alert_days = fields.Integer(
        "Renewal Alert (days before end)", default=60,
        help="When the scheduler marks a contract 'to renew' and alerts its account "
             "manager.")
    balance_policy = fields.Selection(
        BALANCE_POLICIES, "When the Prepaid Balance Runs Out", default="warn", required=True,
        help="Warn: the consumption is recorded and the account manager warned. Block: "
             "the consumption is refused.")
    description = fields.Text("Description", translate=True)
    contract_ids = fields.One2many("service.contract", "type_id", "Contracts")
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("code_unique", "unique(code)",
                         "Another contract type already has this code.")]

    @api.constrains("renewal_duration", "notice_days", "renewal_alert_days")
    def _check_days(self) -> None:
        for kind in self:
            if kind.renewal_duration < 1:
                raise ValidationError(_("A renewal term is at least one month."),
                                      field="renewal_duration")
            if kind.notice_days < 0 or kind.renewal_alert_days < 0:
                raise ValidationError(_("Notice and alert periods cannot be negative."),
                                      field="notice_days")
