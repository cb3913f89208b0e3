"""The WSGI application: one request, one transaction, one environment.

For each request: find the route; open a transaction; read the session cookie (a
server-side session, see :mod:`core.security.sessions`) to know the user; check CSRF on
state-changing methods; call the controller; commit, or roll back on any error. Errors a
user caused become a page (or JSON) in words; anything else becomes an error page with a
reference, the traceback going to the log only.

Routes with ``auth="user"`` are the back office, for internal users only: a *share* user
(a member of a share group, such as a portal customer) asking for one of its pages is sent
to the home an installed addon gives through the ``comptoir_share_home`` hook (the
portal's ``/my``); his other requests there, JSON included, are refused (403). Pages meant
for customers are ``auth="public"`` routes that check the login themselves
(``core.portal.portal_route``).
"""
from __future__ import annotations

import logging
import secrets
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ..exceptions import (AccessDenied, AccessError, ConflictError, MissingError, UserError,
                          ValidationError)
from ..i18n.translate import _, current_lang
from ..orm import SUPERUSER_ID, Environment
from ..security import sessions
from ..security.access import cache_of, user_group_ids
from .http import SAFE_METHODS, Request, RouteSpec
from .templates import Templates

_logger = logging.getLogger(__name__)
SESSION_COOKIE = "comptoir_session"
CSRF_COOKIE = "comptoir_csrf"
STATIC_DIR = Path(__file__).with_name("static")
STATUS = {AccessDenied: 401, AccessError: 403, MissingError: 404, ConflictError: 409,
          ValidationError: 422, UserError: 400}


class Application:
    """``Application(database)`` is a WSGI callable serving Comptoir."""

    def __init__(self, database: Any, secure_cookies: bool = False,
                 dev: bool = False) -> None:
        self.database = database
        self.secure_cookies = secure_cookies
        self.dev = dev
        self.templates = Templates(auto_reload=dev)
        self._routes: list[RouteSpec] = []
        self._url_map: Map | None = None
        self._registry_id: int | None = None

    # -- routing -----------------------------------------------------------------------
    def routes(self) -> list[RouteSpec]:
        """Kernel routes plus those installed addons declare (``comptoir_routes``)."""
        from .controllers import kernel_routes
        registry = self.database.registry
        specs = list(kernel_routes())
        for result in registry.pm.hook.comptoir_routes():  # type: ignore[attr-defined]
            for func in result or ():
                specs.extend(getattr(func, "routes", ()))
        return specs

    def url_map(self) -> Map:
        registry = self.database.registry
        if self._url_map is None or self._registry_id != id(registry):
            self._routes = self.routes()
            self._url_map = Map([Rule(spec.path, endpoint=index, methods=list(spec.methods))
                                 for index, spec in enumerate(self._routes)],
                                strict_slashes=False)
            self._registry_id = id(registry)
        return self._url_map

    # -- WSGI ----------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        request.app = self
        request.database = self.database
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/web/static/"):
            return self.static(request)
        try:
            adapter = self.url_map().bind_to_environ(request.environ)
            index, arguments = adapter.match()
        except HTTPException as exc:
            return self.error_page(request, exc.code or 404, exc.description or "")
        spec = self._routes[index]
        try:
            with self.database.engine.connect() as conn, conn.begin():
                self.database.check_signals(conn)
                response = self.run(request, spec, conn, arguments,
                                    on_lang=lambda lang: current_lang.set(lang))
        except UserError as exc:
            return self.user_error(request, exc, spec)
        except HTTPException as exc:
            if exc.code in (301, 302, 303):
                return exc.get_response(request.environ)
            if spec.on_error is not None:
                return spec.on_error(request, exc, exc.code or 500)
            return self.error_page(request, exc.code or 500, exc.description or "")
        except Exception as exc:
            request.reference = uuid.uuid4().hex[:10]
            _logger.exception("request %s %s failed (reference %s)", request.method,
                              request.path, request.reference)
            if spec.on_error is not None:
                return spec.on_error(request, exc, 500)
            return self.error_page(request, 500, _("An unexpected error happened.",
                                                   lang=request.lang))
        finally:
            current_lang.set("en_US")
        return response

    def run(self, request: Request, spec: RouteSpec, conn: Any, arguments: dict[str, Any],
            on_lang: Callable[[str], Any] = lambda lang: None) -> Response:
        registry = self.database.registry
        root = Environment(registry, conn, uid=SUPERUSER_ID)
        session = sessions.get_session(root, request.cookies.get(SESSION_COOKIE))
        request.session = session
        uid = session.user_id.id if session else None
        if session:
            user = session.user_id
            request.lang = user.lang or "en_US"
            request.csrf = sessions.csrf_token(session)
        else:
            request.lang = _accepted_language(request)
            request.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        on_lang(request.lang)  # messages without an explicit language use the user's
        context = {"lang": request.lang, "tz": session.user_id.tz if session else "UTC"}
        request.env = root(uid=uid or self.public_uid(root), context=context, su=False)
        if spec.auth == "user" and not session:
            if request.method in SAFE_METHODS:
                return redirect(f"/web/login?redirect={request.full_path.rstrip('?')}")
            raise AccessDenied(_("Your session has expired; log in again.",
                                 lang=request.lang))
        if spec.auth == "user" and is_share_user(request.env):
            return self.share_user_elsewhere(request)
        if spec.csrf and request.method not in SAFE_METHODS and not self.csrf_ok(request):
            raise AccessError(_("The form was out of date or did not come from Comptoir "
                                "(invalid security token). Reload the page and try again.",
                                lang=request.lang))
        result = spec.endpoint(request, **arguments)
        response = result if isinstance(result, Response) else Response(
            result, mimetype="text/html")
        self.set_cookies(request, response)
        return response

    def share_user_elsewhere(self, request: Request) -> Response:
        """A share user asked for the back office: a page sends him to his own home (the
        first URL the ``comptoir_share_home`` hook gives); anything else is refused."""
        if request.method in SAFE_METHODS and not request.wants_json():
            hook = self.database.registry.pm.hook  # type: ignore[attr-defined]
            homes = hook.comptoir_share_home(env=request.env)
            home = next((url for url in homes if url), None)
            if home:
                return redirect(home)
        raise AccessError(_("This part of Comptoir is for staff only.", lang=request.lang))

    def public_uid(self, root: Environment) -> int:
        """Anonymous visitors act as the inactive public user (group Public), never as
        the superuser."""
        key = ("public_uid", id(root.registry))
        if getattr(self, "_public", (None, None))[0] != key:
            self._public = (key, root.ref("base.public_user").id)
        return self._public[1]

    def csrf_ok(self, request: Request) -> bool:
        token = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
        if request.session is not None:
            return sessions.check_csrf(request.session, token)
        # before login: double-submit cookie (the token must match the cookie's)
        cookie = request.cookies.get(CSRF_COOKIE)
        return bool(cookie and token and secrets.compare_digest(cookie, token))

    def set_cookies(self, request: Request, response: Response) -> None:
        secure = self.secure_cookies or request.scheme == "https"
        if request.new_sid:
            response.set_cookie(SESSION_COOKIE, request.new_sid, httponly=True,
                                secure=secure, samesite="Lax", path="/")
        elif request.clear_session:
            response.delete_cookie(SESSION_COOKIE, path="/")
        if request.session is None and not request.new_sid:
            response.set_cookie(CSRF_COOKIE, request.csrf, httponly=True, secure=secure,
                                samesite="Strict", path="/")

    # -- errors --------------------------------------------------------------------------
    def user_error(self, request: Request, exc: UserError,
                   spec: RouteSpec | None = None) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        if spec is not None and spec.on_error is not None:
            return spec.on_error(request, exc, status)
        if request.wants_json():
            return Response(_json({"error": {"code": exc.code, "message": str(exc)}}),
                            status=status, mimetype="application/json")
        return self.error_page(request, status, str(exc))

    def error_page(self, request: Request, status: int, message: str) -> Response:
        if not hasattr(request, "env"):
            request.lang = _accepted_language(request)
        titles = {400: _("Something is not right", lang=request.lang),
                  401: _("Please log in", lang=request.lang),
                  403: _("Access denied", lang=request.lang),
                  404: _("Page not found", lang=request.lang),
                  409: _("Changed by someone else", lang=request.lang),
                  422: _("Please check your input", lang=request.lang),
                  500: _("Server error", lang=request.lang)}
        try:
            body = self.templates.render(request, "error.html", status=status,
                                         title=titles.get(status, str(status)),
                                         message=message, reference=request.reference)
        except Exception:  # the error page itself must never fail
            _logger.exception("error page failed")
            body = f"<h1>{status}</h1>"
        return Response(body, status=status, mimetype="text/html")

    def static(self, request: Request) -> Response:
        relative = request.path[len("/web/static/"):]
        path = (STATIC_DIR / relative).resolve()
        if STATIC_DIR.resolve() not in path.parents or not path.is_file():
            return self.error_page(request, 404, NotFound.description)
        mimetype = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
                    ".png": "image/png", ".woff2": "font/woff2"}.get(path.suffix,
                                                                     "application/octet-stream")
        response = Response(path.read_bytes(), mimetype=mimetype)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def is_share_user(env: Environment) -> bool:
    """Whether the environment's user belongs to a share group (portal customers, the
    public user): kept with the user's groups in the security cache."""
    cache = cache_of(env)
    if ("share_groups",) not in cache:
        groups = env.registry["res.groups"]._sa_table
        cache[("share_groups",)] = frozenset(row[0] for row in env.execute(
            sa.select(groups.c.id).where(groups.c.share.is_(True))))
    return bool(cache[("share_groups",)] & user_group_ids(env, env.uid))


def _accepted_language(request: Request) -> str:
    best = request.accept_languages.best_match(["en", "fr"]) if request.accept_languages \
        else None
    return "fr_FR" if best == "fr" else "en_US"


def _json(value: Any) -> str:
    import json
    return json.dumps(value)
