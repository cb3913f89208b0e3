"""Renewals: their history (``service.contract.renewal``) and the daily scheduler.

The scheduled action *Contracts: renewals and expiries* (``data/contract_data.xml``) calls
:meth:`ServiceContractRenewals._cron_contract_renewals` once a day. On a given day:

1. active contracts whose renewal alert date (end minus ``renewal_alert_days``) has come
   move to *to renew*; their account manager gets an activity (due by the notice
   deadline) and the followers a message;
2. contracts *to renew* that reach their end are renewed when tacitly renewable (on
   their last day, so that the coverage never lapses; a term per missed period) and
   expire the day after their end otherwise. Cancelled contracts are never touched.

Running it twice on a day changes nothing the second time. The day is a parameter (or
the context key ``contract_today``), never read from the server's clock alone.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import Model, _, fields
from core.i18n.formatting import format_date

from .service_contract import AUTO_RENEWAL_KEY, TODAY_KEY

#: renewals at most per contract and run (a contract forgotten for years catches up)
MAX_TERMS_PER_RUN = 100


class ServiceContractRenewal(Model):
    _name = "service.contract.renewal"
    _description = "Service Contract Renewal"
    _order = "date desc, id desc"

    contract_id = fields.Many2one("service.contract", "Contract", required=True,
                                  ondelete="cascade", index=True)
    date = fields.Date("Renewed on", required=True)
    old_date_end = fields.Date("Previous End", required=True)
    new_date_end = fields.Date("New End", required=True)
    automatic = fields.Boolean("Tacit", help="Renewed by the scheduler.")
    user_id = fields.Many2one("res.users", "Renewed by", ondelete="set null")


class ServiceContractRenewals(Model):
    _inherit = "service.contract"

    def _cron_contract_renewals(self, today: Any = None) -> dict[str, int]:
        """The daily run (see the module's docstring); returns how many contracts were
        alerted, renewed and expired."""
        day = self._contract_today(today)
        contracts = self.with_context(**{TODAY_KEY: day.isoformat()})
        alerted = contracts._alert_renewals(day)
        renewed, expired = contracts._renew_or_expire(day)
        # a renewal term shorter than the alert period: the new term is due already
        alerted |= contracts._alert_renewals(day)
        return {"alerted": len(alerted), "renewed": len(renewed), "expired": len(expired)}

    def _alert_renewals(self, day: dt.date) -> "ServiceContractRenewals":
        due = self.search([("state", "=", "active"), ("alert_date", "<=", day.isoformat())])
        if not due:
            return due
        due.workflow_move("to_renew", "state")
        for contract in due:
            contract._renewal_alert(day)
        return due

    def _renewal_alert(self, day: dt.date) -> None:
        """Tell the account manager (an activity due by the notice deadline) and the
        followers (a message) that the contract comes to its end."""
        lang = self.user_id.lang or self.env.lang
        end = format_date(self.date_end, lang)
        deadline = self.notice_deadline if self.notice_deadline and \
            self.notice_deadline >= day else day
        if self.tacit_renewal:
            text = _("%(contract)s ends on %(end)s and will renew itself for %(months)s "
                     "months unless it is cancelled by %(deadline)s.", contract=self.name,
                     end=end, months=self.renewal_duration,
                     deadline=format_date(deadline, lang), lang=lang)
        else:
            text = _("%(contract)s ends on %(end)s and will expire unless it is renewed.",
                     contract=self.name, end=end, lang=lang)
        if self.user_id:
            self.sudo().activity_schedule(
                "mail.activity_type_todo", date_deadline=deadline, user_id=self.user_id.id,
                summary=_("Renewal of %(contract)s", contract=self.name, lang=lang), note=text)
        self._post_note(text, notify=True)

    def _renew_or_expire(self, day: dt.date) -> tuple[Any, Any]:
        ending = self.search([("state", "=", "to_renew"), ("date_end", "<=", day.isoformat())])
        renewing = ending.filtered("tacit_renewal")
        expiring = (ending - renewing).filtered(lambda c: c.date_end < day)
        if renewing:
            renewing.with_context(**{AUTO_RENEWAL_KEY: True}).workflow_move("active", "state")
            late = renewing.filtered(lambda c: c.date_end <= day)
            for _term in range(MAX_TERMS_PER_RUN):
                if not late:
                    break
                late._extend_term(automatic=True)
                late = late.filtered(lambda c: c.date_end <= day)
        if expiring:
            expiring.workflow_move("expired", "state")
            for contract in expiring:
                contract._post_note(_("Expired: its term ended on %(date)s.",
                                      date=format_date(contract.date_end, self.env.lang)),
                                    notify=True)
        return renewing, expiring
