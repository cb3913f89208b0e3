"""Outgoing e-mail: building RFC 5322 messages and sending them over SMTP.

Settings (``ir.config_parameter``): ``mail.smtp.host`` (default ``localhost``),
``mail.smtp.port`` (default 25, 465 with ``ssl``), ``mail.smtp.user`` /
``mail.smtp.password`` (login when a user is set), ``mail.smtp.security`` (``none``,
``starttls`` or ``ssl``), ``mail.smtp.from`` (the envelope and default sender),
``mail.smtp.timeout`` (seconds, default 30). The password never reaches a log or an
error message.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import formatdate, getaddresses
from typing import TYPE_CHECKING, Any, Iterable

from core import UserError, _

from .mentions import html_to_text

if TYPE_CHECKING:
    from core import Environment

SECURITY = ("none", "starttls", "ssl")


class SendError(UserError):
    """An e-mail could not be sent (the reason is kept on the mail)."""


@dataclass
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    security: str
    sender: str
    timeout: float

    @classmethod
    def of(cls, env: "Environment") -> "SmtpSettings":
        get = env["ir.config_parameter"].sudo().get_param
        security = (get("mail.smtp.security") or "none").strip().lower()
        if security not in SECURITY:
            raise SendError(_("mail.smtp.security must be one of %(values)s, not "
                              "“%(value)s”.", values=", ".join(SECURITY), value=security))
        default_port = 465 if security == "ssl" else 25
        try:
            port = int(get("mail.smtp.port") or default_port)
            timeout = float(get("mail.smtp.timeout") or 30)
        except ValueError:
            raise SendError(_("mail.smtp.port and mail.smtp.timeout must be numbers.")) \
                from None
        domain = get("mail.catchall.domain") or "localhost"
        return cls(host=(get("mail.smtp.host") or "localhost").strip(), port=port,
                   user=(get("mail.smtp.user") or "").strip(),
                   password=get("mail.smtp.password") or "", security=security,
                   sender=(get("mail.smtp.from") or f"notifications@{domain}").strip(),
                   timeout=timeout)


def build_message(mail: Any, settings: SmtpSettings, loop_header: str) -> EmailMessage:
    """The RFC 5322 message of a ``mail.mail`` row (text and HTML, attachments)."""
    msg = EmailMessage()
    msg["From"] = mail.email_from or settings.sender
    msg["To"] = mail.email_to
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Subject"] = mail.subject or ""
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-Id"] = mail.message_id
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = mail.references
    msg["X-Loop"] = loop_header
    if mail.auto_submitted:
        msg["Auto-Submitted"] = "auto-replied"
    body = mail.body_html or ""
    msg.set_content(html_to_text(body) or " ")
    msg.add_alternative(f"<html><body>{body}</body></html>", subtype="html")
    for attachment in mail.attachment_ids:
        maintype, _sep, subtype = (attachment.mimetype or "application/octet-stream"
                                   ).partition("/")
        msg.add_attachment(attachment._content(), maintype=maintype,
                           subtype=subtype or "octet-stream", filename=attachment.name)
    return msg


def recipients_of(message: EmailMessage) -> list[str]:
    return [address for _name, address in getaddresses(message.get_all("To", []))
            if address]


class Connection:
    """One SMTP session for a batch of mails (opened lazily, closed by ``close``)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError:
            raise SendError(_("The SMTP server %(host)s refused the login of %(user)s.",
                              host=s.host, user=s.user)) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(_("Cannot reach the SMTP server %(host)s:%(port)s: %(reason)s",
                              host=s.host, port=s.port, reason=_reason(exc))) from None
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._open()
        to = recipients_of(message)
        if not to:
            raise SendError(_("The e-mail has no recipient address."))
        try:
            refused = self._smtp.send_message(message, from_addr=self.settings.sender,
                                              to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(_("The SMTP server refused the recipients: %(reason)s",
                              reason=_reason(exc))) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(_("The SMTP server did not accept the e-mail: %(reason)s",
                              reason=_reason(exc))) from None
        if refused:
            raise SendError(_("The SMTP server refused %(addresses)s.",
                              addresses=", ".join(refused)))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


def _reason(exc: BaseException) -> str:
    """A short reason, never containing the password (smtplib does not echo it)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return ", ".join(f"{addr}: {code}" for addr, (code, _msg) in exc.recipients.items())
    return str(exc) or type(exc).__name__


def format_address(name: str | None, email: str) -> str:
    """``Name <address>``, quoted when needed, readable (encoded only when sent)."""
    if not name:
        return email
    try:
        return str(Address(display_name=name, addr_spec=email))
    except (ValueError, IndexError):
        return email


def thread_headers(env: "Environment", message: Any) -> tuple[str, str]:
    """``(In-Reply-To, References)`` of an outgoing message: the earlier e-mails and
    messages of its record (one query), newest as the parent."""
    if not message.res_model or not message.res_id:
        return "", ""
    rows = env["mail.message"].sudo().search_fetch(
        [("res_model", "=", message.res_model), ("res_id", "=", message.res_id),
         ("id", "<", message.id), ("message_type", "in", ["email", "comment"])],
        ["message_id"], order="id desc", limit=10)
    ids = [row.message_id for row in rows if row.message_id]
    if message.parent_id and message.parent_id.message_id not in ids:
        ids.insert(0, message.parent_id.message_id)
    return (ids[0] if ids else ""), " ".join(reversed(ids))


def join_addresses(addresses: Iterable[str]) -> str:
    return ", ".join(a for a in addresses if a)
