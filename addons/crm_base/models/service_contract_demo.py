"""Demo data of service contracts that depends on the day the demo is loaded: their dates
(so that some are active, some to renew, some expired whenever the demo is installed)
and what they consumed, through the real API (see ``demo/contract_demo.xml``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import Model, api


class ServiceContractDemo(Model):
    _inherit = "service.contract"

    @api.model
    def _demo_dates(self, plan: list[list[Any]]) -> None:
        """``plan``: ``[contract id, start in days, end in days, cancelled in days or
        None]`` from today."""
        today = self._contract_today()
        for contract_id, start, end, cancelled in plan:
            vals = {"date_start": today + dt.timedelta(days=start),
                    "date_end": today + dt.timedelta(days=end)}
            if cancelled is not None:
                vals["date_cancelled"] = today + dt.timedelta(days=cancelled)
            self.browse(contract_id).write(vals)

    @api.model
    def _demo_consume(self, plan: list[list[Any]]) -> None:
        """``plan``: ``[contract id, days ago, hours, amount, description]``, consumed
        with :meth:`consume` as on that day."""
        today = self._contract_today()
        for contract_id, days_ago, hours, amount, description in plan:
            day = (today - dt.timedelta(days=days_ago)).isoformat()
            self.browse(contract_id).with_context(contract_today=day).consume(
                hours=hours, amount=amount, description=description)
