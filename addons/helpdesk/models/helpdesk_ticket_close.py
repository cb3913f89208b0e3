"""Closing resolved tickets by themselves: a customer who does not come back within
``helpdesk.auto_close_days`` days (system parameter, default 7; 0 turns it off) after the
resolution is satisfied. The daily scheduled action *Helpdesk: close resolved tickets*
runs :meth:`HelpdeskTicket._cron_close_resolved`; the move is the workflow's *Close*
(its action sets ``date_closed``) and a note says why on each ticket.
"""
from __future__ import annotations

import datetime as dt
import logging

from markupsafe import escape

from core import Model, _

from .helpdesk_ticket import now_utc

_logger = logging.getLogger(__name__)
AUTO_CLOSE_PARAM = "helpdesk.auto_close_days"
DEFAULT_AUTO_CLOSE_DAYS = 7


class HelpdeskTicket(Model):
    _inherit = "helpdesk.ticket"

    def _auto_close_days(self) -> int:
        """The delay from the system parameter; a value that is not a whole number falls
        back to the default (logged), never stopping the scheduler."""
        text = self.env["ir.config_parameter"].sudo().get_param(AUTO_CLOSE_PARAM)
        if text in (None, False, ""):
            return DEFAULT_AUTO_CLOSE_DAYS
        try:
            return max(int(str(text).strip()), 0)
        except ValueError:
            _logger.warning("%s=%r is not a number of days: using %s", AUTO_CLOSE_PARAM,
                            text, DEFAULT_AUTO_CLOSE_DAYS)
            return DEFAULT_AUTO_CLOSE_DAYS

    def _cron_close_resolved(self, now: dt.datetime | None = None) -> int:
        """Close the tickets resolved for longer than the delay; returns how many."""
        days = self._auto_close_days()
        if not days:
            return 0
        limit = (now or now_utc()) - dt.timedelta(days=days)
        due = self.sudo().search([("state", "=", "resolved"), ("date_resolved", "<=", limit)])
        if not due:
            return 0
        due.workflow_move("closed", "state")
        note = escape(_("Closed automatically: resolved %(days)s days ago without news "
                        "from the customer.", days=days))
        for ticket in due:
            ticket.message_post(body=f"<p>{note}</p>", message_type="notification")
        return len(due)
