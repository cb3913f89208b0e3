"""Web endpoints of the calendar addon (registered through ``comptoir_routes``).

* ``/web/calendar/feed`` — the user's personal iCalendar feed: its URL with a copy
  button, create / regenerate / revoke the secret token;
* ``/calendar/feed/<token>.ics`` — the feed itself, for calendar clients: no session, the
  token authenticates (constant-time check); unknown or revoked token: 404;
* ``/web/calendar/import`` — upload an ``.ics`` file, see what was imported and why not;
* ``/web/contacts/vcard?ids=1,2`` — the chosen contacts as one ``.vcf`` (access checked);
* ``/web/contacts/vcard/import`` — upload a ``.vcf`` file.

Everything runs as the logged-in user (rules apply), except the feed route, which acts
as the token's owner once the token is checked.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _, _lt
from ..web.client.controllers import BulkOperation, _menus, register_bulk_operation
from ..web.http import Request, route
from .ical_export import build_calendar
from .ical_import import import_ics
from .vcard import export_vcards, import_vcards

#: how far back the feed goes (series still running are always included)
FEED_HISTORY = dt.timedelta(days=180)
MAX_UPLOAD = 5 * 1024 * 1024


def _page(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    return request.render(template, status=status, **_menus(request), **values)


def feed_url(request: Request, token: str) -> str:
    return f"{request.host_url.rstrip('/')}/calendar/feed/{token}.ics"


@route("/web/calendar", auth="user")
def calendar_home(request: Request) -> Response:
    """The Calendar app's calendar view (a stable address for links and bookmarks)."""
    root = request.env(su=True)
    action = root.ref("calendar.calendar_event_action", raise_if_not_found=False)
    menu = root.ref("calendar.menu_calendar", raise_if_not_found=False)
    if not action:
        raise NotFound()
    query = f"?menu={menu.id}" if menu else ""
    return redirect(f"/web/action/{action.id}/calendar{query}", code=303)


@route("/web/calendar/feed", auth="user")
def feed_page(request: Request) -> Response:
    tokens = request.env["calendar.feed.token"]
    current = tokens.current()
    url = feed_url(request, current.secret()) if current else ""
    response = _page(request, "calendar/feed.html", title=_("Calendar feed",
                                                           lang=request.lang),
                     url=url, done=request.args.get("done", ""))
    response.headers["Cache-Control"] = "no-store"      # the page shows a secret
    return response


@route("/web/calendar/feed/generate", methods=("POST",), auth="user")
def feed_generate(request: Request) -> Response:
    request.env["calendar.feed.token"].generate()
    return redirect("/web/calendar/feed?done=generated", code=303)


@route("/web/calendar/feed/revoke", methods=("POST",), auth="user")
def feed_revoke(request: Request) -> Response:
    request.env["calendar.feed.token"].current().write({"active": False})
    return redirect("/web/calendar/feed?done=revoked", code=303)


@route("/calendar/feed/<string:token>.ics", auth="public")
def feed(request: Request, token: str) -> Response:
    root = request.env(su=True)
    uid = root["calendar.feed.token"].authenticate(token)
    if uid is None:
        raise NotFound()
    user = root["res.users"].browse(uid)
    env = request.env(uid=uid, su=False, context={"tz": user.tz or "UTC",
                                                   "lang": user.lang or "en_US"})
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - FEED_HISTORY
    events = env["calendar.event"].search([
        ("recurrence_end", ">=", since), "|", ("user_id", "=", uid),
        ("partner_ids", "in", [user.partner_id.id])], order="start, id")
    calendar = build_calendar(events, name=_("%(name)s — Comptoir", name=user.name,
                                             lang=user.lang or "en_US"))
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="comptoir.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _upload(request: Request) -> bytes:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(_("Choose a file to import.", lang=request.lang),
                              field="file")
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationError(_("The file is too large (5 MB at most).", lang=request.lang),
                              field="file")
    return data


def _import_page(request: Request, kind: str, run: Any) -> Response:
    """The upload form; on POST, the import as the user and its report."""
    report, error, status = None, "", 200
    if request.method == "POST":
        try:
            data = _upload(request)
            with request.env.savepoint():
                report = run(request.env, data)
        except UserError as exc:
            error, status = str(exc), 422
    titles = {"ics": _("Import a calendar (.ics)", lang=request.lang),
              "vcf": _("Import contacts (.vcf)", lang=request.lang)}
    return _page(request, "calendar/import.html", status=status, title=titles[kind],
                 kind=kind, report=report, error=error,
                 action_url="/web/calendar/import" if kind == "ics"
                 else "/web/contacts/vcard/import")


@route("/web/calendar/import", methods=("GET", "POST"), auth="user")
def calendar_import(request: Request) -> Response:
    return _import_page(request, "ics", import_ics)


@route("/web/contacts/vcard/import", methods=("GET", "POST"), auth="user")
def vcard_import(request: Request) -> Response:
    return _import_page(request, "vcf", import_vcards)


register_bulk_operation(BulkOperation("calendar", "res.partner", "vcard",
                                      _lt("Export as vCard"), "/web/contacts/vcard?ids={ids}"))


@route("/web/contacts/vcard", auth="user")
def vcard_export(request: Request) -> Response:
    try:
        ids = sorted({int(i) for i in request.args.get("ids", "").split(",") if i.strip()})
    except ValueError:
        raise ValidationError(_("The contacts to export are given as ids separated by "
                                "commas.", lang=request.lang), field="ids") from None
    if not ids:
        raise ValidationError(_("Choose the contacts to export.", lang=request.lang),
                              field="ids")
    partners = request.env["res.partner"].browse(ids)
    if len(partners.exists()) != len(ids):
        raise NotFound()
    text = export_vcards(partners)      # read as the user: access rights and rules apply
    response = Response(text, mimetype="text/vcard")
    name = "contact.vcf" if len(ids) == 1 else "contacts.vcf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


ROUTES = [calendar_home, feed_page, feed_generate, feed_revoke, feed, calendar_import, vcard_import,
          vcard_export]
