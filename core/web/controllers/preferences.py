"""User preferences: language, time zone, password and API keys, for the user himself only.

Users may not write ``res.users`` in general; this page writes exactly these fields of
their own record. Changing the password needs the current one and ends every session of
the user, then opens a fresh one for this browser.

API keys (for the external APIs, see ``docs/api.md``): a user creates one with a
description and sees it once, on the page answering the creation (it is never stored in
clear, so it cannot be shown again); the list shows the user's active keys — description,
first characters, creation and last use — each with a button to revoke it. Everything
goes through ``res.users.apikey`` as the user, so its access rights and record rules
(own keys only) apply.
"""
from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessDenied, MissingError, ValidationError
from ...i18n.formatting import format_datetime
from ...i18n.translate import _
from ...security import sessions
from ..http import Request, route

COMMON_TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz and not
                          tz.startswith(("Etc/", "SystemV/", "posix/", "right/")))
KEY_NAME_MAX = 120


@route("/web/preferences", methods=("GET", "POST"), auth="user")
def preferences(request: Request) -> Response | str:
    user = request.env.user  # a superuser view of the current user's record
    errors: dict[str, str] = {}
    saved = False
    if request.method == "POST":
        lang = request.form.get("lang") or user.lang
        tz = request.form.get("tz") or user.tz
        languages = dict(user._lang_selection())
        if lang not in languages:
            errors["lang"] = _("Unknown language.", lang=request.lang)
        if tz not in COMMON_TIMEZONES:
            errors["tz"] = _("Unknown time zone.", lang=request.lang)
        new_password = request.form.get("new_password") or ""
        if new_password:
            if new_password != request.form.get("confirm_password"):
                errors["confirm_password"] = _("The two passwords differ.", lang=request.lang)
            else:
                try:
                    user.env["res.users"].authenticate(
                        user.login, request.form.get("old_password") or "", request.address)
                except AccessDenied:
                    errors["old_password"] = _("The current password is wrong.",
                                               lang=request.lang)
        if not errors:
            try:
                with request.env.savepoint():
                    user.write({"lang": lang, "tz": tz})
                    if new_password:
                        user.write({"password": new_password})
                        sid, _csrf = sessions.create_session(
                            request.env(su=True), user.id, request.address,
                            request.user_agent.string if request.user_agent else "")
                        request.new_sid = sid
                        return redirect("/web/preferences?saved=1", code=303)
                saved = True
                request.lang = lang
            except ValidationError as exc:
                errors[exc.field or "new_password"] = str(exc)
    return _render(request, status=422 if errors else 200, errors=errors,
                   saved=saved or request.args.get("saved") == "1")


@route("/web/preferences/apikeys", methods=("POST",), auth="user")
def create_apikey(request: Request) -> Response:
    """Create a key and show it, once, in the page that answers."""
    name = (request.form.get("name") or "").strip()
    errors: dict[str, str] = {}
    if len(name) > KEY_NAME_MAX:
        errors["apikey_name"] = _("At most %(count)s characters.", count=KEY_NAME_MAX,
                                  lang=request.lang)
    else:
        try:
            with request.env.savepoint():
                key = request.env["res.users.apikey"].generate(name)
        except ValidationError as exc:
            errors["apikey_name"] = str(exc)
    if errors:
        return _render(request, status=422, apikey_errors=errors, apikey_name=name)
    response = _render(request, new_key=key, new_key_name=name)
    response.headers["Cache-Control"] = "no-store"  # the only copy of the key
    return response


@route("/web/preferences/apikeys/<int:key_id>/revoke", methods=("POST",), auth="user")
def revoke_apikey(request: Request, key_id: int) -> Response:
    keys = request.env["res.users.apikey"]
    key = keys.search([("id", "=", key_id), ("user_id", "=", request.env.uid)])
    if not key:
        raise MissingError(_("This API key does not exist or is not yours.",
                             lang=request.lang))
    key.action_revoke()
    return redirect("/web/preferences?revoked=1#api-keys", code=303)


def _render(request: Request, status: int = 200, **values: Any) -> Response:
    user = request.env.user
    values.setdefault("errors", {})
    values.setdefault("saved", False)
    values.setdefault("apikey_errors", {})
    values.setdefault("apikey_name", "")
    values.setdefault("new_key", "")
    values.setdefault("new_key_name", "")
    return request.render("preferences.html", status=status,
                          languages=user._lang_selection(), timezones=COMMON_TIMEZONES,
                          apikeys=_apikeys(request), revoked=request.args.get("revoked") == "1",
                          apps=request.env["ir.ui.menu"].visible_tree(), app=None,
                          title=_("Preferences", lang=request.lang), **values)


def _apikeys(request: Request) -> list[dict[str, Any]]:
    """The user's active keys, as the page shows them (one query)."""
    keys = request.env["res.users.apikey"].search_fetch(
        [("user_id", "=", request.env.uid)],
        ["name", "key_prefix", "create_date", "last_used"])
    lang, tz = request.lang, request.env.context.get("tz")
    return [{"id": key.id, "name": key.name, "prefix": key.key_prefix,
             "created": format_datetime(key.create_date, lang, tz),
             "last_used": format_datetime(key.last_used, lang, tz)} for key in keys]
