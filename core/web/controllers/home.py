"""The home page: who is logged in and the applications installed."""
from __future__ import annotations

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...i18n.translate import _
from ..http import Request, route


@route("/", auth="public")
def root(request: Request) -> Response:
    return redirect("/web" if request.session else "/web/login")


@route("/web", auth="user")
def home(request: Request) -> str | Response:
    env = request.env
    apps = env["ir.ui.menu"].visible_tree()
    return request.render("home.html", apps=apps, app=None, company=env.user.company_id,
                          title=_("Home", lang=request.lang))
