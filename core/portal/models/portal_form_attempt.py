"""``portal.form.attempt``: the submissions of public web forms, counted to throttle
spam (see :mod:`core.portal.forms`), as ``res.users.login.attempt`` counts failed logins.

Rows are kept one day (older ones are purged when a new one is written); only
administrators read them.
"""
from __future__ import annotations

from core import Model, fields


class PortalFormAttempt(Model):
    _name = "portal.form.attempt"
    _description = "Public Form Submission"
    _order = "attempt_date desc, id desc"
    _log_access = False
    _journal = False  # anti-spam bookkeeping, not business changes

    form = fields.Char("Form", required=True, index=True)
    address = fields.Char("Address", index=True)
    email = fields.Char("E-mail", index=True, help="Lowercased.")
    kind = fields.Selection([("accepted", "Accepted"), ("spam", "Dropped as spam")],
                            "Outcome", default="accepted", required=True)
    attempt_date = fields.Datetime("Date", required=True, index=True)
