"""Login and logout.

Login always opens a NEW server-side session (the sid a client had before is revoked:
no session fixation) and answers every failure with the same words, whatever was wrong.
"""
from __future__ import annotations

from urllib.parse import urlparse

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessDenied
from ...i18n.translate import _
from ...security import sessions
from ..http import Request, route


def safe_redirect(target: str | None) -> str:
    """Only local paths: a login link must not send users to another site."""
    if not target:
        return "/web"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/web"
    return target


@route("/web/login", methods=("GET", "POST"), auth="public")
def login(request: Request) -> Response | str:
    target = safe_redirect(request.values.get("redirect"))
    if request.session is not None and request.method == "GET":
        return redirect(target)
    error, login_name = "", ""
    if request.method == "POST":
        login_name = (request.form.get("login") or "").strip()
        password = request.form.get("password") or ""
        root = request.env(su=True)
        try:
            _uid, sid, _csrf = sessions.login(
                root, login_name, password, request.address,
                request.user_agent.string if request.user_agent else "",
                old_sid=request.cookies.get("comptoir_session"))
        except AccessDenied as exc:
            error = str(exc)
        else:
            request.new_sid = sid
            return redirect(target, code=303)
    return request.render("login.html", status=401 if error else 200, error=error,
                          login=login_name, redirect=target,
                          title=_("Log in", lang=request.lang))


@route("/web/logout", methods=("POST",), auth="public")
def logout(request: Request) -> Response:
    """End the session, whoever holds it: staff, or customers (share users, who are kept
    out of the ``auth="user"`` back office); without one, only go to the login page."""
    if request.session is not None:
        sessions.revoke(request.env(su=True), request.cookies.get("comptoir_session") or "")
        request.clear_session = True
    return redirect("/web/login", code=303)
