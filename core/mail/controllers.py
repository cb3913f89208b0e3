"""The chatter's web endpoints: post, follow, activities, @mention suggestions, older
messages, and links that open a record from anywhere (inbox, mentions, SMS).

Every endpoint runs as the logged-in user (the models check access); forms are plain
POSTs that come back to the record (``next``), and answer JSON to the page's script when
it asks for it (``Accept: application/json``). Registered through the mail addon's
``comptoir_routes`` hook, like any addon's.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import ValidationError, _, route
from core.web.http import Request

from .mentions import mentioned, text_to_html
from .web import PAGE_SIZE, format_items

MENTION_LIMIT = 8
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


# -- helpers -----------------------------------------------------------------------------------
def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, mimetype="application/json")


def back_url(request: Request, default: str = "/web") -> str:
    """Where a form comes back to: a path of this site only (never an open redirect)."""
    target = request.values.get("next") or ""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _done(request: Request, payload: dict[str, Any] | None = None,
          anchor: str = "chatter") -> Response:
    if request.wants_json():
        return _json({"ok": True, **(payload or {})})
    target = back_url(request)
    return redirect(f"{target.split('#')[0]}#{anchor}", code=303)


def thread_of(request: Request, model: str | None, res_id: Any) -> Any:
    """The thread record ``model``/``res_id`` as the user (404 when not a thread)."""
    env = request.env
    if not model or model not in env or "message_ids" not in env[model]._fields:
        raise NotFound()
    try:
        record = env[model].with_context(active_test=False).browse(int(res_id))
    except (TypeError, ValueError):
        raise NotFound() from None
    if not record.exists():
        raise NotFound()
    record.read(["display_name"])  # record rules: reading the record comes first
    return record


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if str(v).strip().isdigit()]


def _date(text: str | None, lang: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a valid date (YYYY-MM-DD).", value=text,
                                lang=lang), field="date_deadline") from None


# -- posting -----------------------------------------------------------------------------------
@route("/mail/thread/post", methods=("POST",), auth="user")
def post(request: Request) -> Response:
    """Log a note (``kind=note``) or send a message to the followers (``kind=message``),
    with @mentions (``mention_ids``, picked from the suggestions) and files."""
    form = request.form
    record = thread_of(request, form.get("res_model"), form.get("res_id"))
    text = (form.get("body") or "").strip()
    files = [f for f in request.files.getlist("files") if f.filename]
    if not text and not files:
        raise ValidationError(_("Write something or attach a file first.", lang=request.lang),
                              field="body")
    picked = _ids(form.getlist("mention_ids"))
    partners = request.env["res.partner"].browse(picked).exists()
    names = {row["id"]: row["name"] for row in partners.read(["name"])} if partners else {}
    partner_ids = mentioned(text, names)
    body = text_to_html(text, [(pid, names[pid]) for pid in partner_ids])
    kind = "mail.mt_comment" if form.get("kind") == "message" else "mail.mt_note"
    with request.env.savepoint():
        message = record.message_post(
            body=body, message_type="comment", subtype_xmlid=kind, partner_ids=partner_ids,
            attachments=[(f.filename, f.read()) for f in files])
    return _done(request, {"id": message.id})


@route("/mail/thread/email", methods=("POST",), auth="user")
def send_email(request: Request) -> Response:
    """Send an e-mail from the record: a template (``template_id``) or a free subject and
    text, to the followers plus a chosen contact and addresses; files attached. Archived
    on the record at once, then sent by the outgoing queue."""
    form = request.form
    record = thread_of(request, form.get("res_model"), form.get("res_id"))
    template = None
    if form.get("template_id", type=int):
        template = request.env["mail.template"].browse(form.get("template_id", type=int))
        if not template.exists() or template.model != record._name:
            raise ValidationError(_("Choose a template of this kind of record.",
                                    lang=request.lang), field="template_id")
    text = (form.get("body") or "").strip()
    emails = [e.strip() for e in (form.get("email_to") or "").replace(";", ",").split(",")
              if e.strip()]
    wrong = [e for e in emails if not EMAIL.match(e)]
    if wrong:
        raise ValidationError(_("“%(value)s” is not an e-mail address.", value=wrong[0],
                                lang=request.lang), field="email_to")
    partner_ids = _ids(form.getlist("partner_id"))
    if partner_ids:
        request.env["res.partner"].browse(partner_ids).read(["name"])  # known to the user
    files = [f for f in request.files.getlist("files") if f.filename]
    with request.env.savepoint():
        message = record.message_send_mail(
            template=template, subject=(form.get("subject") or "").strip() or None,
            body=text_to_html(text) if text else None, partner_ids=partner_ids,
            email_to=emails, attachments=[(f.filename, f.read()) for f in files])
    return _done(request, {"id": message.id})


@route("/mail/mentions", auth="user")
def mentions(request: Request) -> Response:
    """Colleagues whose name matches ``q``: ``[{id (partner), name}]`` for the @ list."""
    query = (request.args.get("q") or "").strip()
    domain: list = [("groups_id", "not any", [("share", "=", True)]),
                    ("groups_id", "!=", False)]
    if query:
        domain.append(("name", "ilike", query))
    users = request.env["res.users"].search_fetch(domain, ["name", "partner_id"],
                                                  limit=MENTION_LIMIT)
    return _json([{"id": u.partner_id.id, "name": u.name} for u in users if u.partner_id])


@route("/mail/thread/timeline", auth="user")
def older(request: Request) -> Response:
    """Older entries of a record's timeline: a fragment for the page's script
    (``fragment=1``), else a page of its own."""
    record = thread_of(request, request.args.get("model"), request.args.get("id"))
    offset = max(request.args.get("offset", type=int) or 0, 0)
    page = record._message_timeline(limit=PAGE_SIZE, offset=offset)
    tz = request.env.context.get("tz") or "UTC"
    values = {"record": record, "items": format_items(record, page.items, request.lang, tz),
              "has_more": page.has_more, "next_offset": offset + len(page.items),
              "model": record._name, "res_id": record.id,
              "apps": request.env["ir.ui.menu"].visible_tree(), "app": None,
              "title": _("Older messages of %(name)s", name=record.display_name,
                         lang=request.lang)}
    template = "mail/timeline_items.html" if request.args.get("fragment") else \
        "mail/timeline_page.html"
    response = request.render(template, **values)
    response.headers["X-Has-More"] = "1" if page.has_more else "0"
    return response


@route("/mail/thread/panel", auth="user")
def panel(request: Request) -> Response:
    """The chatter alone (refreshed in place by the page's script)."""
    record = thread_of(request, request.args.get("model"), request.args.get("id"))
    return request.render("client/chatter.html", record=record,
                          next=back_url(request))


# -- followers ---------------------------------------------------------------------------------
@route("/mail/thread/follow", methods=("POST",), auth="user")
def follow(request: Request) -> Response:
    record = thread_of(request, request.form.get("res_model"), request.form.get("res_id"))
    record.message_subscribe([request.env.user.partner_id.id])
    return _done(request, anchor="chatter-followers")


@route("/mail/thread/unfollow", methods=("POST",), auth="user")
def unfollow(request: Request) -> Response:
    record = thread_of(request, request.form.get("res_model"), request.form.get("res_id"))
    record.message_unsubscribe([request.env.user.partner_id.id])
    return _done(request, anchor="chatter-followers")


@route("/mail/thread/followers/add", methods=("POST",), auth="user")
def add_follower(request: Request) -> Response:
    record = thread_of(request, request.form.get("res_model"), request.form.get("res_id"))
    partner_ids = _ids(request.form.getlist("partner_id"))
    if not partner_ids:
        raise ValidationError(_("Choose whom to add first.", lang=request.lang),
                              field="partner_id")
    partners = request.env["res.partner"].browse(partner_ids)
    partners.read(["name"])  # the user must know them
    with request.env.savepoint():
        record.message_subscribe(partners.ids)
    return _done(request, anchor="chatter-followers")


def _follower(request: Request, follower_id: int) -> Any:
    follower = request.env["mail.followers"].browse(follower_id)
    if not follower.exists():
        raise NotFound()
    follower.read(["res_model", "res_id"])  # record rules
    return follower


@route("/mail/followers/<int:follower_id>/remove", methods=("POST",), auth="user")
def remove_follower(request: Request, follower_id: int) -> Response:
    follower = _follower(request, follower_id)
    with request.env.savepoint():
        follower.unlink()
    return _done(request, anchor="chatter-followers")


@route("/mail/followers/<int:follower_id>/subtypes", methods=("POST",), auth="user")
def follower_subtypes(request: Request, follower_id: int) -> Response:
    follower = _follower(request, follower_id)
    offered = request.env["mail.message.subtype"]._for_model(follower.res_model).ids
    chosen = [i for i in _ids(request.form.getlist("subtype_ids")) if i in offered]
    with request.env.savepoint():
        follower.write({"subtype_ids": [(6, 0, chosen)]})
    return _done(request, anchor="chatter-followers")


# -- activities --------------------------------------------------------------------------------
def _activity_values(request: Request) -> dict[str, Any]:
    form = request.form
    values: dict[str, Any] = {"summary": (form.get("summary") or "").strip() or False}
    if "activity_type_id" in form:
        values["activity_type_id"] = form.get("activity_type_id", type=int) or False
    if form.get("date_deadline"):
        values["date_deadline"] = _date(form.get("date_deadline"), request.lang)
    if form.get("user_id", type=int):
        values["user_id"] = form.get("user_id", type=int)
    if "note" in form:
        values["note"] = text_to_html(form.get("note") or "") or False
    return values


def _activity(request: Request, activity_id: int) -> Any:
    activity = request.env["mail.activity"].browse(activity_id)
    if not activity.exists():
        raise NotFound()
    activity.read(["res_model"])
    return activity


@route("/mail/activity/schedule", methods=("POST",), auth="user")
def schedule(request: Request) -> Response:
    record = thread_of(request, request.form.get("res_model"), request.form.get("res_id"))
    values = _activity_values(request)
    with request.env.savepoint():
        activity = request.env["mail.activity"].create(
            {**values, "res_model": record._name, "res_id": record.id})
    return _done(request, {"id": activity.id}, anchor="chatter-activities")


@route("/mail/activity/<int:activity_id>/edit", methods=("POST",), auth="user")
def edit_activity(request: Request, activity_id: int) -> Response:
    activity = _activity(request, activity_id)
    with request.env.savepoint():
        activity.write(_activity_values(request))
    return _done(request, anchor="chatter-activities")


@route("/mail/activity/<int:activity_id>/done", methods=("POST",), auth="user")
def activity_done(request: Request, activity_id: int) -> Response:
    """Mark an activity done with its outcome; when its type writes a report (a visit
    report...), go to that report (``redirect`` in the JSON answer)."""
    activity = _activity(request, activity_id)
    feedback = (request.form.get("feedback") or "").strip()
    with request.env.savepoint():
        messages = activity.action_done(feedback or None)
        report = activity._done_report()
    if report is not None:  # a structured report to complete: open it
        url = f"/mail/open/{report._name}/{report.id}"
        if request.wants_json():
            return _json({"ok": True, "message_ids": messages.ids, "redirect": url})
        return redirect(url, code=303)
    return _done(request, {"message_ids": messages.ids})


@route("/mail/activity/<int:activity_id>/cancel", methods=("POST",), auth="user")
def cancel_activity(request: Request, activity_id: int) -> Response:
    activity = _activity(request, activity_id)
    with request.env.savepoint():
        activity.action_cancel()
    return _done(request, anchor="chatter-activities")


# -- opening a record from a link ---------------------------------------------------------------
@route("/mail/open/<string:model>/<int:res_id>", auth="user")
def open_record(request: Request, model: str, res_id: int) -> Response:
    """The record's form, through a window action of its model the user may use
    (preferably one of his menus)."""
    env = request.env
    if model not in env:
        raise NotFound()
    record = env[model].with_context(active_test=False).browse(res_id)
    if not record.exists():
        raise NotFound()
    record.read(["display_name"])
    actions = env(su=True)["ir.actions.act_window"].search([("res_model", "=", model)])
    by_action: dict[int, int] = {}
    for app in env["ir.ui.menu"].visible_tree():
        for menu in _walk(app):
            if menu.get("action_id") and menu["action_id"] not in by_action:
                by_action[menu["action_id"]] = app["id"]
    chosen = next((a for a in actions if a.id in by_action), None)
    if chosen is None:
        from core.security.access import user_group_ids
        groups = user_group_ids(env, env.uid)
        chosen = next((a for a in actions if not a.groups_id or set(a.groups_id.ids) & groups),
                      None)
    if chosen is None:
        raise NotFound(_("No page of Comptoir shows these records.", lang=request.lang))
    menu = by_action.get(chosen.id, "")
    return redirect(f"/web/action/{chosen.id}/{res_id}?menu={menu}", code=303)


def _walk(menu: dict[str, Any]) -> list[dict[str, Any]]:
    found = [menu]
    for child in menu.get("children", ()):
        found.extend(_walk(child))
    return found


ROUTES = [post, send_email, mentions, older, panel, follow, unfollow, add_follower, remove_follower,
          follower_subtypes, schedule, edit_activity, activity_done, cancel_activity,
          open_record]
__all__ = ["ROUTES", "back_url", "thread_of"]
