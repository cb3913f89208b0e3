"""The inbox: a user's notifications (mentions, messages of the records he follows,
assignments, reminders), with links to the records, marked read one by one or all at
once, and his notification preferences (inbox or e-mail, extra channels)."""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _, route
from core.i18n.formatting import format_datetime
from core.web.client.values import html
from core.web.http import Request

from .channels import available_channels
from .controllers import _json

PAGE_SIZE = 40


def _inbox_url(request: Request) -> str:
    show = request.values.get("show")
    return "/mail/inbox?show=all" if show == "all" else "/mail/inbox"


@route("/mail/inbox", auth="user")
def inbox(request: Request) -> Response:
    env = request.env
    if "mail.notification" not in env:
        raise NotFound()
    show_all = request.args.get("show") == "all"
    page = max(request.args.get("page", type=int) or 1, 1)
    notifications = env["mail.notification"]
    domain = notifications._inbox_domain(unread=not show_all)
    found = notifications.search(domain, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    shown = found[:PAGE_SIZE]
    rows = shown.read(["mail_message_id", "is_read"], load="_classic_write") if shown else []
    messages = env["mail.message"].sudo().browse([r["mail_message_id"] for r in rows])
    # the notification is the user's: what it is about is shown to him, hence sudo
    details = {m["id"]: m for m in messages.read(
        ["subject", "body", "date", "author_id", "record_name", "res_model", "res_id",
         "message_type", "subtype_id"])} if rows else {}
    lang, tz = request.lang, env.context.get("tz") or "UTC"
    items = []
    for row in rows:
        message = details.get(row["mail_message_id"], {})
        items.append({
            "id": row["id"], "is_read": row["is_read"],
            "author": (message.get("author_id") or (0, _("System", lang=lang)))[1],
            "when": format_datetime(message.get("date"), lang, tz),
            "record": message.get("record_name") or "",
            "url": f"/mail/open/{message['res_model']}/{message['res_id']}"
            if message.get("res_model") and message.get("res_id") else "",
            "subject": message.get("subject") or "",
            "subtype": (message.get("subtype_id") or (0, ""))[1],
            "body": html(message.get("body"))})
    user = env.user
    channels = available_channels(env)
    return request.render(
        "mail/inbox.html", items=items, show_all=show_all, page=page,
        has_more=len(found) > PAGE_SIZE, unread=notifications.unread_count(),
        apps=env["ir.ui.menu"].visible_tree(), app=None, saved=request.args.get("saved"),
        preference=user.notification_type or "inbox",
        channels=[{"key": key, "label": _(channel.label, lang=lang),
                   "help": _(channel.help, lang=lang) if channel.help else "",
                   "checked": key in (user.notification_channels or [])}
                  for key, channel in channels.items()],
        title=_("Inbox", lang=lang))


def _mine(request: Request, notification_id: int) -> Any:
    notification = request.env["mail.notification"].browse(notification_id)
    if not notification.exists():
        raise NotFound()
    notification.read(["is_read"])  # only one's own (record rule)
    return notification


@route("/mail/inbox/<int:notification_id>/read", methods=("POST",), auth="user")
def mark_read(request: Request, notification_id: int) -> Response:
    _mine(request, notification_id).mark_read()
    if request.wants_json():
        return _json({"ok": True, "unread": request.env["mail.notification"].unread_count()})
    return redirect(_inbox_url(request), code=303)


@route("/mail/inbox/read_all", methods=("POST",), auth="user")
def mark_all_read(request: Request) -> Response:
    count = request.env["mail.notification"].mark_all_read()
    if request.wants_json():
        return _json({"ok": True, "marked": count, "unread": 0})
    return redirect(_inbox_url(request), code=303)


@route("/mail/inbox/open/<int:notification_id>", auth="user")
def open_notification(request: Request, notification_id: int) -> Response:
    """Follow a notification's link: it is read now."""
    notification = _mine(request, notification_id)
    notification.mark_read()
    message = notification.mail_message_id.sudo()
    if not message.res_model or not message.res_id:
        return redirect("/mail/inbox", code=303)
    return redirect(f"/mail/open/{message.res_model}/{message.res_id}", code=303)


@route("/mail/inbox/preferences", methods=("POST",), auth="user")
def preferences(request: Request) -> Response:
    channel_keys = [key for key in request.form.getlist("channels") if key]
    with request.env.savepoint():
        request.env.user.with_env(request.env).set_notification_preferences(
            request.form.get("notification_type") or "inbox", channel_keys)
    return redirect("/mail/inbox?saved=1#notification-preferences", code=303)


ROUTES = [inbox, mark_read, mark_all_read, open_notification, preferences]
