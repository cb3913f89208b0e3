"""What the chatter panel and the top bar show: functions the templates call.

``chatter_panel(record)`` (``views/client/chatter.html``, under every form of a thread
model) gathers the record's followers, activities and a first page of its timeline, in
the user's language and time zone, each part in a constant number of queries;
``mail_unread(request)`` is the top bar's unread counter (one query, once per request).
Both are registered in :data:`core.web.templates.GLOBALS`.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from core.i18n.formatting import format_date, format_datetime
from core.i18n.translate import _
from core.orm.fields import resolve_selection
from core.web.client.attachments import _writable, human_size
from core.web.client.values import display, from_iso, html
from core.web.templates import GLOBALS

from .models.mail_activity import activity_state, local_today
from .models.mail_activity_type import ICONS
from .timeline import Item, timeline

_logger = logging.getLogger(__name__)
PAGE_SIZE = 20


def mail_unread(request: Any) -> int | None:
    """The user's unread inbox notifications, counted once per request (None where mail
    is not installed, and on error pages, drawn after the request's transaction)."""
    if hasattr(request, "_mail_unread"):
        return request._mail_unread
    env = getattr(request, "env", None)
    count = None
    if env is not None and request.session is not None and "mail.notification" in env \
            and not env.conn.closed and env.conn.in_transaction():
        try:
            count = env["mail.notification"].unread_count()
        except sa.exc.SQLAlchemyError:  # a failed transaction: the page matters more
            _logger.debug("unread counter skipped", exc_info=True)
    request._mail_unread = count
    return count


def can_post(record: Any, writable: bool | None = None) -> bool:
    """Whether the user may post on ``record`` (``writable``: already known)."""
    operation = getattr(record, "_mail_post_access", "write")
    if not record._check_access(operation, raise_exception=False):
        return False
    if operation == "read":
        return True
    return _writable(record) if writable is None else writable


def chatter_panel(record: Any, offset: int = 0) -> dict[str, Any]:
    """Everything the chatter of ``record`` shows. Followers and activities are those of
    a record the user reads (checked first), which is what reading them needs: they are
    fetched by the system, with their names, in one query each."""
    env = record.env
    record._ensure_readable()
    lang, tz = env.lang, env.context.get("tz") or "UTC"
    writable = record._check_access("write", raise_exception=False) and _writable(record)
    page = timeline(record, limit=PAGE_SIZE, offset=offset)
    return {"model": record._name, "res_id": record.id,
            "can_post": can_post(record, writable), "can_write": writable,
            **_followers(record, writable), **_activities(record, writable, lang, tz),
            "items": format_items(record, page.items, lang, tz),
            "has_more": page.has_more, "next_offset": offset + len(page.items),
            "templates": _templates(record)}


def _templates(record: Any) -> list[dict[str, Any]]:
    """The e-mail templates of the record's model the user may read (one query)."""
    templates = record.env["mail.template"]
    if not templates._check_access("read", raise_exception=False):
        return []
    return [{"id": t.id, "name": t.name} for t in templates.search_fetch(
        [("model", "=", record._name)], ["name"])]


def _followers(record: Any, writable: bool) -> dict[str, Any]:
    env = record.env
    me = env.user.partner_id.id
    registry = env.registry
    table = registry["mail.followers"]._sa_table
    partners = registry["res.partner"]._sa_table
    found = env.execute(sa.select(table.c.id, table.c.partner_id, partners.c.name).join(
        partners, partners.c.id == table.c.partner_id).where(
        table.c.res_model == record._name, table.c.res_id == record.id)).all()
    rows = [{"id": row.id, "partner_id": row.partner_id, "name": row.name or "",
             "is_me": row.partner_id == me, "can_remove": writable or row.partner_id == me}
            for row in found]
    rows.sort(key=lambda row: (not row["is_me"], row["name"].lower()))
    mine = next((row for row in rows if row["is_me"]), None)
    subtypes = []
    if mine is not None:
        field = registry["mail.followers"]._fields["subtype_ids"]
        rel = field.relation_table(registry.metadata)
        chosen = {r[0] for r in env.execute(sa.select(rel.c[field.column2]).where(
            rel.c[field.column1] == mine["id"]))}
        offered = env["mail.message.subtype"].sudo().search_fetch(
            ["|", ("res_model", "=", False), ("res_model", "=", record._name)], ["name"])
        subtypes = [{"id": s.id, "name": s.name, "checked": s.id in chosen} for s in offered]
    return {"followers": rows, "following": mine, "subtypes": subtypes}


def _activities(record: Any, writable: bool, lang: str, tz: str) -> dict[str, Any]:
    env = record.env
    # the form reads its record with active_test off; done (archived) activities stay out
    activities = env["mail.activity"].sudo().with_context(active_test=True).search_fetch(
        [("res_model", "=", record._name), ("res_id", "=", record.id)],
        ["activity_type_id", "summary", "note", "date_deadline", "user_id", "create_uid"])
    kinds = env["mail.activity.type"].search_fetch(
        ["|", ("res_model", "=", False), ("res_model", "=", record._name)],
        ["name", "summary", "category", "icon", "delay_days", "report_model"])
    by_kind = {k.id: k for k in kinds}
    owners = env["res.users"].sudo()._display_names(
        {a.user_id.id for a in activities}) if activities else {}
    states = dict(resolve_selection(env["mail.activity"]._fields["state"], env))
    today = local_today(tz)
    items = []
    for activity in activities:
        kind = by_kind.get(activity.activity_type_id.id)
        state = activity_state(activity.date_deadline, today)
        owner, author = activity.user_id.id, activity.create_uid.id
        items.append({
            "id": activity.id, "type_id": kind.id if kind else "",
            "type": kind.name if kind else _("Activity", lang=lang),
            "icon": kind.symbol() if kind else ICONS["todo"],
            "summary": activity.summary or "", "note": html(activity.note),
            "note_text": _note_text(activity.note),
            "deadline": format_date(activity.date_deadline, lang),
            "deadline_iso": activity.date_deadline.isoformat() if activity.date_deadline
            else "",
            "state": state, "state_label": _(states.get(state, state), lang=lang),
            "owner": owners.get(owner, ""), "owner_id": owner,
            "report": bool(kind and kind.report_model),
            "can_edit": writable or env.uid in (owner, author)})
    return {"activities": items, "today": today.isoformat(),
            "activity_types": [{"id": k.id, "name": k.name, "delay": k.delay_days or 0,
                                "summary": k.summary or ""} for k in kinds],
            "me": {"id": env.uid, "name": env.user.name}}


def _note_text(value: Any) -> str:
    from .mentions import html_to_text
    return html_to_text(value or "")


def format_items(record: Any, items: list[Item], lang: str, tz: str) -> list[dict[str, Any]]:
    """Timeline items as the template shows them: dates in the user's zone, changed
    values as the form shows them (names, labels), bodies as safe HTML."""
    env = record.env
    names = [c["field"] for item in items for c in item.changes]
    described = record.fields_get(list(set(names)), attributes=[
        "type", "string", "selection", "relation", "digits"]) if names else {}
    ids_by_model: dict[str, set[int]] = {}
    for item in items:
        for change in item.changes:
            description = described.get(change["field"], {})
            if description.get("type") == "many2one":
                for value in (change["old"], change["new"]):
                    if isinstance(value, int):
                        ids_by_model.setdefault(description["relation"], set()).add(value)
    # a change shows the names the values had: the journal keeps ids, whatever the
    # user may read today (as the form's history does)
    labels = {model: env[model].sudo()._display_names(ids) for model, ids in ids_by_model.items()}
    result = []
    for item in items:
        changes = []
        for change in item.changes:
            description = described.get(change["field"])
            if not description:
                continue
            shown = []
            for value in (change["old"], change["new"]):
                if value is None:  # no value before (a creation) or after
                    shown.append("")
                    continue
                if description["type"] == "many2one" and isinstance(value, int):
                    value = (value, labels.get(description["relation"], {}).get(value, value))
                elif description["type"] in ("date", "datetime") and isinstance(value, str):
                    value = from_iso(value, description["type"])
                shown.append(display(value, description, lang, tz))
            changes.append({"field": description.get("string") or change["field"],
                            "old": shown[0], "new": shown[1]})
        result.append({
            "kind": item.kind, "id": item.id, "when": format_datetime(item.date, lang, tz),
            "iso": item.date.isoformat() if item.date else "", "author": item.author,
            "type": item.message_type, "subtype": item.subtype, "internal": item.internal,
            "subject": item.subject, "body": html(item.body) if item.body else Markup(""),
            "email_from": item.email_from, "activity_type": item.activity_type,
            "operation": item.operation, "changes": changes,
            "files": [{**f, "url": f"/web/attachment/{f['id']}",
                       "size_text": human_size(f["size"], lang)} for f in item.attachments]})
    return result


GLOBALS["chatter_panel"] = chatter_panel
GLOBALS["mail_unread"] = mail_unread
__all__ = ["chatter_panel", "mail_unread", "format_items", "can_post"]
