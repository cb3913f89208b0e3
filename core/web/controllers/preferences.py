"""User preferences: language, time zone and password, for the user himself only.

Users may not write ``res.users`` in general; this page writes exactly these fields of
their own record. Changing the password needs the current one and ends every session of
the user, then opens a fresh one for this browser.
"""
from __future__ import annotations

from zoneinfo import available_timezones

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessDenied, ValidationError
from ...i18n.translate import _
from ...security import sessions
from ..http import Request, route

COMMON_TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz and not
                          tz.startswith(("Etc/", "SystemV/", "posix/", "right/")))


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
    return request.render("preferences.html", status=422 if errors else 200, errors=errors,
                          saved=saved or request.args.get("saved") == "1",
                          languages=user._lang_selection(), timezones=COMMON_TIMEZONES,
                          apps=request.env["ir.ui.menu"].visible_tree(), app=None,
                          title=_("Preferences", lang=request.lang))
