"""Composing e-mails from a record and queuing them (``mail.mail``).

:func:`queue_emails` turns the ``email`` notifications of a posted message into queued
mails (the message's own subject and body, or per-recipient renderings), with the
thread's headers and the Reply-To alias of the record's model; :func:`compose` is what
the chatter's *Send message* and the "send a template" automation call: render (template
or free text), archive the message on the record at once (type ``email``), queue one mail
per recipient in his language. Constant number of queries per message (plus one
rendering per language).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from core import ValidationError, _

from . import outgoing

if TYPE_CHECKING:
    from core import Environment

Renderer = Callable[[str | None], dict[str, str]]


def reply_to_of(env: "Environment", res_model: str | None) -> str:
    """``alias@domain`` of the model's first active alias, or empty."""
    if not res_model or "mail.alias" not in env:
        return ""
    alias = env["mail.alias"].sudo().search([("model", "=", res_model)], limit=1)
    return alias.email if alias else ""


def partner_langs(env: "Environment", partner_ids: Iterable[int]) -> dict[int, str]:
    """Each partner's language: his own, else his user's (two queries)."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    env = env(su=True)
    langs = {row.id: row.lang for row in env["res.partner"].browse(ids) if row.lang}
    missing = [i for i in ids if i not in langs]
    if missing:
        for user in env["res.users"].search_fetch([("partner_id", "in", missing)],
                                                  ["partner_id", "lang"]):
            if user.lang:
                langs.setdefault(user.partner_id.id, user.lang)
    return langs


def queue_emails(env: "Environment", message: Any, notifications: Any,
                 renderer: Renderer | None = None, extra_emails: Iterable[str] = (),
                 lang: str | None = None) -> Any:
    """Queue the mails of ``message`` for its ``email`` notifications (and plain
    ``extra_emails``); ``renderer(lang)`` gives per-language subject and body (default:
    the message's own); ``lang`` forces one language. Returns the mails."""
    env = env(su=True)
    mails = env["mail.mail"]
    notifications = notifications.filtered(lambda n: n.notification_type == "email"
                                           and n.state == "ready")
    extra_emails = [e for e in extra_emails if e]
    if not notifications and not extra_emails:
        return mails
    in_reply_to, references = outgoing.thread_headers(env, message)
    reply_to = reply_to_of(env, message.res_model)
    langs = partner_langs(env, notifications.mapped("res_partner_id").ids) \
        if renderer and not lang else {}
    cache: dict[str | None, dict[str, str]] = {}

    def content(for_lang: str | None) -> dict[str, str]:
        if renderer is None:
            return {"subject": message.subject or message.record_name or "",
                    "body_html": message.body or ""}
        if for_lang not in cache:
            cache[for_lang] = renderer(for_lang)
        return cache[for_lang]

    common = {"mail_message_id": message.id, "email_from": message.email_from or False,
              "reply_to": reply_to or False, "message_id": message.message_id,
              "in_reply_to": in_reply_to or False, "references": references or False,
              "attachment_ids": [(6, 0, message.attachment_ids.ids)]}
    values = []
    for notification in notifications:
        partner = notification.res_partner_id
        if not partner.email:
            continue
        parts = content(lang or langs.get(partner.id))
        values.append({**common, **parts, "notification_id": notification.id,
                       "res_partner_id": partner.id,
                       "email_to": outgoing.format_address(partner.name, partner.email)})
    for address in extra_emails:
        values.append({**common, **content(lang), "email_to": address})
    if values:
        mails = mails.create(values)
        mails.queue()
    return mails


def compose(record: Any, template: Any = None, subject: str | None = None,
            body: str | None = None, partner_ids: Iterable[int] = (),
            attachment_ids: Iterable[int] = (), attachments: Iterable[tuple] = (),
            email_to: Iterable[str] = ()) -> Any:
    """Send an e-mail about ``record`` (as the current user): a template, or a free
    ``subject`` and ``body``; to the record's followers (Discussions) plus
    ``partner_ids``, the template's recipients and ``email_to``. The message is archived
    on the record at once; the mails are queued. Returns the message."""
    record.ensure_one()
    partners = [int(p) for p in partner_ids]
    emails = [e.strip() for e in email_to if e and "@" in e]
    files = [int(a) for a in attachment_ids]
    renderer: Renderer | None = None
    forced_lang = None
    if template:
        template = template.with_env(record.env)
        template.ensure_one()
        t_partners, t_emails = template.render_recipients(record)
        partners += [p for p in t_partners if p not in partners]
        emails += [e for e in t_emails if e not in emails]
        files += [a for a in template.sudo().attachment_ids.ids if a not in files]
        forced_lang = template.render_lang(record)

        def render_template(lang: str | None) -> dict[str, str]:
            return template.render_for(record, lang)

        renderer = render_template
        archived = renderer(forced_lang)
        subject, body = archived["subject"], archived["body_html"]
    if not (body or "").strip():
        raise ValidationError(_("Write the e-mail's message, or choose a template."),
                              field="body")
    message = record.with_context(mail_defer_email=True).message_post(
        body=body, subject=subject or None, message_type="email",
        subtype_xmlid="mail.mt_comment", partner_ids=partners, attachment_ids=files,
        attachments=attachments)
    queue_emails(record.env, message, message.sudo().notification_ids, renderer, emails,
                 lang=forced_lang)
    return message
