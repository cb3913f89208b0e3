"""The incoming mail gateway: one received e-mail is routed to a record, or refused.

In order: a message already received (same Message-Id) is ignored; one carrying our
``X-Loop`` header, or the :data:`LOOP_LIMIT`-th from the same sender within a minute, is
dropped (a mail loop); a bounce (DSN or ARF report, empty Return-Path, MAILER-DAEMON) or
an automatic reply (``Auto-Submitted``) creates nothing and is recorded on the original
recipient (his ``mail.mail`` marked bounced, his partner's bounce counter); a reply
(``In-Reply-To`` / ``References`` naming one of our messages) is posted on that record;
an e-mail to an alias creates a record of the alias's model, then is posted on it. The
alias's contact policy decides about unknown senders. Attachments become
``ir.attachment`` of the record; the automation ``on_message`` rules run.

The gateway runs as the system (there is no user behind an MTA pipe): records are created
as the alias's owner when one is set, messages are authored by the sender's partner.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core import UserError, _
from core.orm.model_write import now_utc

from .models.mail_mail import loop_header
from .parse import Parsed, addresses, header, message_ids, parse

if TYPE_CHECKING:
    from core import Environment

_logger = logging.getLogger(__name__)
LOOP_LIMIT = 20


@dataclass
class Outcome:
    """What became of one e-mail: ``status`` is ``routed``, ``bounce``, ``ignored`` or
    ``refused``; ``reason`` says why (for the log and the CLI)."""

    status: str
    reason: str
    model: str = ""
    res_id: int = 0
    message_id: int = 0
    attachments: int = 0

    def __str__(self) -> str:
        target = f" {self.model},{self.res_id}" if self.model else ""
        return f"{self.status}{target}: {self.reason}"


def process(env: "Environment", data: bytes, alias_domain: str | None = None) -> Outcome:
    """Route one raw e-mail (see the module's documentation); never raises for a
    malformed or unwanted message, only for database failures."""
    env = env(su=True)
    try:
        parsed = parse(data)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is refused, not fatal
        _logger.info("mail gateway: unreadable message: %s", exc)
        return Outcome("refused", _("unreadable message: %(reason)s", reason=exc))
    try:
        with env.savepoint():
            outcome = _route(env, parsed, alias_domain or _domain(env))
    except UserError as exc:
        outcome = Outcome("refused", str(exc))
    _logger.info("mail gateway: %s %s: %s", parsed.message_id or "(no Message-Id)",
                 parsed.author[1], outcome)
    return outcome


def _domain(env: "Environment") -> str:
    return (env["ir.config_parameter"].get_param("mail.catchall.domain") or "").lower()


def _route(env: "Environment", parsed: Parsed, domain: str) -> Outcome:
    messages = env["mail.message"]
    if parsed.message_id and messages.search_count([("message_id", "=",
                                                      parsed.message_id)]):
        return Outcome("ignored", _("already received (same Message-Id)"))
    loop = header(parsed.message, "X-Loop").lower()
    if loop and loop_header(_domain(env) or "localhost") in loop:
        return Outcome("ignored", _("mail loop: the message carries our X-Loop header"))
    sender = parsed.author[1]
    if sender and messages.search_count([
            ("email_from", "ilike", sender), ("message_type", "=", "email"),
            ("date", ">=", now_utc() - dt.timedelta(minutes=1))]) >= LOOP_LIMIT:
        return Outcome("ignored", _("mail loop: too many messages from %(sender)s in a "
                                    "minute", sender=sender))
    kind = bounce_kind(parsed)
    if kind:
        return _record_bounce(env, parsed, kind)
    parent = _thread_parent(env, parsed)
    if parent is not None:
        return _post_reply(env, parsed, parent)
    alias = _find_alias(env, parsed, domain)
    if alias is None:
        return Outcome("refused", _("no thread and no alias for %(to)s", to=", ".join(
            a for _n, a in parsed.to) or _("(no recipient)")))
    return _create_from_alias(env, parsed, alias)


# -- bounces ---------------------------------------------------------------------------------
def bounce_kind(parsed: Parsed) -> str:
    """``dsn``, ``arf``, ``mdn``, ``bounce`` or ``auto-reply``; empty for a normal e-mail."""
    msg = parsed.message
    if parsed.report_type in ("delivery-status", "feedback-report",
                              "disposition-notification"):
        return {"delivery-status": "dsn", "feedback-report": "arf",
                "disposition-notification": "mdn"}[parsed.report_type]
    if header(msg, "Return-Path").strip() == "<>":
        return "bounce"
    if parsed.author[1].split("@")[0] == "mailer-daemon":
        return "bounce"
    auto = header(msg, "Auto-Submitted").lower()
    if (auto and auto != "no") or header(msg, "X-Autoreply") or \
            header(msg, "X-Autorespond") or \
            header(msg, "Precedence").lower() in ("auto_reply",):
        return "auto-reply"
    return ""


def _record_bounce(env: "Environment", parsed: Parsed, kind: str) -> Outcome:
    """Find the e-mail we sent (by the ids the report quotes) and mark it bounced."""
    ids = list(parsed.references)
    failed: set[str] = set()
    for part in parsed.message.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            text = _safe_text(part)
            ids += [i for i in message_ids(_header_line(text, "message-id")) if i not in ids]
        if ctype == "message/delivery-status":
            text = _safe_text(part).lower()
            for line in text.splitlines():
                if line.startswith(("final-recipient:", "original-recipient:")):
                    failed.add(line.split(";")[-1].strip())
    if kind in ("dsn", "bounce") and not ids:
        return Outcome("bounce", _("%(kind)s about an e-mail we do not know", kind=kind))
    mails = env["mail.mail"].search([("message_id", "in", ids)]) if ids else env["mail.mail"]
    if failed:
        mails = mails.filtered(lambda m: any(addr in (m.email_to or "").lower()
                                             for addr in failed)) or mails
    if kind in ("dsn", "bounce", "arf") and mails:
        reason = _("bounced (%(kind)s): %(subject)s", kind=kind, subject=parsed.subject)
        mails.write({"state": "bounced", "failure_reason": reason[:500]})
        mails.mapped("notification_id").write({"state": "exception",
                                                "failure_reason": reason[:500]})
        for partner in mails.mapped("res_partner_id"):
            partner.write({"message_bounce": (partner.message_bounce or 0) + 1})
    target = mails[:1].mail_message_id if mails else None
    reason = _("%(kind)s recorded on %(count)s sent e-mail(s)", kind=kind, count=len(mails)) \
        if kind in ("dsn", "bounce", "arf") else \
        _("%(kind)s: nothing to do (no record is created)", kind=kind)
    return Outcome("bounce", reason,
                   model=target.res_model or "" if target else "",
                   res_id=target.res_id or 0 if target else 0)


def _safe_text(part: Any) -> str:
    try:
        payload = part.get_payload()
        if isinstance(payload, list):
            return "\n".join(str(p) for p in payload)
        return str(part.get_content())
    except Exception:  # noqa: BLE001 - a broken report part is just not used
        return ""


def _header_line(text: str, name: str) -> str:
    for line in text.splitlines():
        if line.lower().startswith(name + ":"):
            return line.split(":", 1)[1]
    return ""


# -- replies and aliases ---------------------------------------------------------------------
def _thread_parent(env: "Environment", parsed: Parsed) -> Any:
    if not parsed.references:
        return None
    found = env["mail.message"].search([("message_id", "in", parsed.references),
                                        ("res_model", "!=", False)], order="id desc",
                                       limit=1)
    if not found or found.res_model not in env:
        return None
    return found


def _author(env: "Environment", parsed: Parsed) -> Any:
    name, address = parsed.author
    if not address:
        return env["res.partner"]
    return env["res.partner"].with_context(active_test=False).search(
        [("email", "=ilike", address)], order="id", limit=1)


def _alias_of_model(env: "Environment", model: str) -> Any:
    return env["mail.alias"].search([("model", "=", model)], limit=1)


def _accept(env: "Environment", parsed: Parsed, alias: Any, record: Any = None
            ) -> tuple[Any, str]:
    """``(author partner, refusal reason)`` per the alias's contact policy."""
    author = _author(env, parsed)
    policy = alias.contact_policy if alias else "everyone"
    if policy == "followers" and record is not None:
        followers = env["mail.followers"].search_count([
            ("res_model", "=", record._name), ("res_id", "=", record.id),
            ("partner_id", "=", author.id or 0)])
        if not followers:
            return author, _("%(sender)s does not follow this record",
                             sender=parsed.author[1])
    elif policy in ("partners", "followers") and not author:
        return author, _("%(sender)s is not a known contact", sender=parsed.author[1])
    if not author and parsed.author[1]:
        author = env["res.partner"].create({"name": parsed.author[0] or parsed.author[1],
                                            "email": parsed.author[1]})
    return author, ""


def _refuse(env: "Environment", parsed: Parsed, alias: Any, reason: str) -> Outcome:
    """Queue the alias's refusal message to the sender (never for automatic mail)."""
    if parsed.author[1]:
        mail = env["mail.mail"].create({
            "email_to": parsed.author[1], "subject": _("Not delivered: %(subject)s",
                                                        subject=parsed.subject),
            "body_html": f"<p>{_escape(alias.refusal_text())}</p>",
            "in_reply_to": parsed.message_id or False, "auto_submitted": True,
            "references": parsed.message_id or False,
            "message_id": _new_message_id(env)})
        mail.queue()
    return Outcome("refused", reason)


def _post(env: "Environment", record: Any, parsed: Parsed, author: Any,
          parent_id: int | None = None) -> Outcome:
    files = env["ir.attachment"]
    for name, data in parsed.attachments:
        try:
            with env.savepoint():
                files |= files.create({"name": name[:250] or "file", "datas": data,
                                       "res_model": record._name, "res_id": record.id})
        except UserError as exc:  # a refused type or a too large file: the mail stays
            _logger.info("mail gateway: attachment %s not kept: %s", name, exc)
    message = record.message_post(
        body=parsed.body_html, subject=parsed.subject or None, message_type="email",
        author_id=author.id or False, email_from=_from_line(parsed),
        message_id=parsed.message_id or None, parent_id=parent_id,
        attachment_ids=files.ids)
    from core.automation.rules import message_received
    message_received(record, message)
    return Outcome("routed", _("posted"), model=record._name, res_id=record.id,
                   message_id=message.id, attachments=len(files))


def _post_reply(env: "Environment", parsed: Parsed, parent: Any) -> Outcome:
    record = env[parent.res_model].browse(parent.res_id).exists()
    if not record:
        return Outcome("refused", _("the record this replies to was deleted"))
    alias = _alias_of_model(env, record._name)
    author, refusal = _accept(env, parsed, alias, record)
    if refusal:
        return _refuse(env, parsed, alias, refusal)
    outcome = _post(env, record, parsed, author, parent_id=parent.id)
    outcome.reason = _("reply posted on the thread")
    return outcome


def _find_alias(env: "Environment", parsed: Parsed, domain: str) -> Any:
    names = []
    for _name, address in parsed.to:
        local, _sep, host = address.partition("@")
        if not domain or host == domain:
            names.append(local.split("+")[0])
    if not names:
        return None
    alias = env["mail.alias"].search([("name", "in", names)], limit=1)
    return alias or None


def _create_from_alias(env: "Environment", parsed: Parsed, alias: Any) -> Outcome:
    author, refusal = _accept(env, parsed, alias)
    if refusal:
        return _refuse(env, parsed, alias, refusal)
    model = env[alias.model]
    if alias.user_id:
        model = model.with_env(env(uid=alias.user_id.id, su=False))
    values = dict(alias.default_values())
    rec_name = model._rec_name or "name"
    if rec_name in model._fields:
        values.setdefault(rec_name, parsed.subject or _("(no subject)"))
    for name in ("description", "partner_id", "email_from"):
        field = model._fields.get(name)
        if field is None or name in values:
            continue
        if name == "description":
            from .mentions import html_to_text
            values[name] = html_to_text(parsed.body_html)
        elif name == "partner_id" and getattr(field, "comodel_name", "") == "res.partner":
            values[name] = author.id or False
        elif name == "email_from" and field.type == "char":
            values[name] = parsed.author[1]
    record = model.with_context(mail_create_nosubscribe=True).create(values).with_env(env)
    if author:
        record.message_subscribe([author.id])
    outcome = _post(env, record, parsed, author)
    outcome.reason = _("created by the alias %(alias)s", alias=alias.name)
    return outcome


def _from_line(parsed: Parsed) -> str | bool:
    name, address = parsed.author
    return f"{name} <{address}>" if name and address else (address or False)


def _new_message_id(env: "Environment") -> str:
    from .models.mail_message import make_message_id
    return make_message_id(_domain(env) or None)


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))


__all__ = ["LOOP_LIMIT", "Outcome", "addresses", "bounce_kind", "process"]
