"""``mail.mail``: the outgoing e-mail queue, one row per e-mail to send.

The message itself is archived on its record (``mail.message``, type ``email``) when it
is composed; each recipient then gets a ``mail.mail`` (rendered in his language), linked
to his ``email`` notification when he is a partner, sent by the job ``_job_send`` over
SMTP (:mod:`core.mail.outgoing`). A failure is recorded on the mail and its notification
(``exception`` with the reason) and tried again from the job queue with a growing delay
(:func:`core.automation.jobs.backoff`) until :data:`MAX_ATTEMPTS`. Only the system
creates and changes mails; administrators see them (Settings › Technical › E-mails).
"""
from __future__ import annotations

import logging
from typing import Any

from core import AccessError, Model, _, api, fields
from core.automation.jobs import backoff
from core.orm.model_write import now_utc

from .. import outgoing

_logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_BASE = 60


class MailMail(Model):
    _name = "mail.mail"
    _description = "Outgoing E-mail"
    _order = "id desc"
    _rec_name = "subject"
    _journal = False

    mail_message_id = fields.Many2one("mail.message", "Message", ondelete="cascade",
                                      index=True)
    notification_id = fields.Many2one("mail.notification", "Notification",
                                      ondelete="set null", index=True)
    res_partner_id = fields.Many2one("res.partner", "Recipient", ondelete="set null")
    email_to = fields.Char("To", required=True)
    email_from = fields.Char("From")
    reply_to = fields.Char("Reply-To")
    subject = fields.Char("Subject")
    body_html = fields.Html("Body", sanitize=False)
    message_id = fields.Char("Message-Id", index=True)
    in_reply_to = fields.Char("In-Reply-To")
    references = fields.Text("References")
    auto_submitted = fields.Boolean("Automatic Reply",
                                    help="A bounce or refusal answer: marked Auto-Submitted.")
    attachment_ids = fields.Many2many("ir.attachment", "mail_mail_ir_attachment_rel",
                                      "mail_id", "attachment_id", "Attachments")
    state = fields.Selection([("outgoing", "Outgoing"), ("sent", "Sent"),
                              ("exception", "Failed"), ("bounced", "Bounced"),
                              ("cancel", "Cancelled")], "Status", default="outgoing",
                             index=True)
    attempts = fields.Integer("Attempts", default=0)
    failure_reason = fields.Text("Failure Reason")
    date_sent = fields.Datetime("Sent on")

    @api.model
    def create(self, vals_list: Any) -> Any:
        if not self.env.su:
            raise AccessError(_("E-mails are queued by the system."))
        return super().create(vals_list)

    def write(self, vals: dict[str, Any]) -> bool:
        if not self.env.su:
            raise AccessError(_("E-mails are sent by the system."))
        return super().write(vals)

    # -- the queue -----------------------------------------------------------------------
    def queue(self, delay: float = 0, attempt: int = 1) -> Any:
        """Queue a job sending these mails; returns the job."""
        if not self or "ir.job" not in self.env:
            return self.env["ir.job"] if "ir.job" in self.env else None
        return self.env["ir.job"].enqueue("mail.mail", "_job_send", args=[self.ids, attempt],
                                          name=_("Send %(count)s e-mail(s)", count=len(self)),
                                          delay=delay, max_attempts=1)

    def action_retry(self) -> bool:
        """Send failed mails again (a new series of attempts)."""
        failed = self.filtered(lambda m: m.state == "exception")
        failed.sudo().write({"state": "outgoing", "attempts": 0})
        failed.sudo().queue()
        return True

    def _job_send(self, mail_ids: list[int], attempt: int = 1) -> dict[str, int]:
        """Job: send these mails in one SMTP session; failures are recorded and queued
        again with backoff until :data:`MAX_ATTEMPTS`."""
        env = self.env(su=True)
        mails = env["mail.mail"].browse(mail_ids).exists().filtered(
            lambda m: m.state in ("outgoing", "exception"))
        if not mails:
            return {"sent": 0, "failed": 0}
        try:
            settings = outgoing.SmtpSettings.of(env)
        except outgoing.SendError as exc:
            return mails._record_failure(str(exc), attempt)
        domain = env["ir.config_parameter"].get_param("mail.catchall.domain") or "localhost"
        connection = outgoing.Connection(settings)
        sent, failed = env["mail.mail"], env["mail.mail"]
        reasons: dict[int, str] = {}
        try:
            for mail in mails:
                try:
                    connection.send(outgoing.build_message(mail, settings,
                                                           loop_header(domain)))
                except outgoing.SendError as exc:
                    failed |= mail
                    reasons[mail.id] = str(exc)
                else:
                    sent |= mail
        finally:
            connection.close()
        if sent:
            sent.write({"state": "sent", "failure_reason": False, "date_sent": now_utc(),
                        "attempts": attempt})
            sent.mapped("notification_id").write({"state": "sent", "failure_reason": False})
        for mail in failed:
            mail._record_failure(reasons[mail.id], attempt)
        _logger.info("mail: %s sent, %s failed (attempt %s)", len(sent), len(failed), attempt)
        return {"sent": len(sent), "failed": len(failed)}

    def _record_failure(self, reason: str, attempt: int) -> dict[str, int]:
        final = attempt >= MAX_ATTEMPTS
        text = reason if not final else _("%(reason)s (gave up after %(count)s attempts)",
                                          reason=reason, count=attempt)
        self.write({"state": "exception", "failure_reason": text[:1000],
                    "attempts": attempt})
        self.mapped("notification_id").write({"state": "exception",
                                              "failure_reason": text[:500]})
        if not final:
            self.queue(delay=backoff(attempt, RETRY_BASE).total_seconds(),
                       attempt=attempt + 1)
        _logger.info("mail %s failed (attempt %s): %s", self.ids, attempt, reason)
        return {"sent": 0, "failed": len(self)}


def loop_header(domain: str) -> str:
    """The X-Loop value of our outgoing mail (an incoming one carrying it is a loop)."""
    return f"comptoir@{domain}"
