"""The portal's web plumbing: :func:`portal_route` for customers' pages, and the values
every portal page renders with.

Back-office routes (``auth="user"``) refuse share users; customers' pages are therefore
``auth="public"`` routes that check the login themselves, which :func:`portal_route`
does: an anonymous visitor of a page is sent to the login page (and back afterwards), an
anonymous form post is refused. Internal users may open the portal too (to see what a
customer sees of what they themselves may read).
"""
from __future__ import annotations

import functools
from typing import Any, Callable
from urllib.parse import quote

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _, route
from core.exceptions import AccessDenied, ValidationError
from core.web.http import SAFE_METHODS, Request

PORTAL_HOME = "/my"
DEFAULT_MAX_FILES = 5


def login_url(request: Request) -> str:
    """The login page, coming back to this page afterwards."""
    return "/web/login?redirect=" + quote(request.full_path.rstrip("?"), safe="/?=&")


def portal_route(path: str | list[str], methods: tuple[str, ...] = ("GET",),
                 csrf: bool = True) -> Callable[[Callable], Callable]:
    """Declare a page of the customer portal: logged-in users only (customers, or staff
    looking at the portal), running as that user, with the session's CSRF token checked
    on posts. Return the decorated functions from ``comptoir_routes``."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def endpoint(request: Request, **arguments: Any) -> Any:
            if request.session is None:
                if request.method in SAFE_METHODS:
                    return redirect(login_url(request))
                raise AccessDenied(_("Your session has expired; log in again.",
                                     lang=request.lang))
            return func(request, **arguments)
        return route(path, methods=methods, auth="public", csrf=csrf)(endpoint)
    return decorate


def render(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    """A portal page (``views/portal/...``) with what the portal layout shows."""
    values.setdefault("breadcrumbs", [])
    values.setdefault("portal_home", PORTAL_HOME)
    response = request.render(template, status=status, **values)
    response.headers["Cache-Control"] = "no-store"  # customers' data, often on shared PCs
    return response


def local_path(value: str | None, default: str = PORTAL_HOME) -> str:
    """A path of this site (never an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def uploaded_files(request: Request, name: str = "files") -> list[tuple[str, bytes]]:
    """The files posted under ``name`` as ``(file name, bytes)``: at most
    ``portal.max_files`` (default 5), each read no further than the attachments' size
    limit (``attachment.max_size_mb``), so a huge upload is refused before it fills the
    memory. Their type is checked when they become attachments."""
    from core.base.models.ir_attachment import DEFAULT_MAX_SIZE_MB
    from core.security.auth import int_param
    env = request.env
    files = [f for f in request.files.getlist(name) if f.filename]
    limit = int_param(env, "portal.max_files", DEFAULT_MAX_FILES)
    if len(files) > limit:
        raise ValidationError(_("Attach at most %(count)s files.", count=limit,
                                lang=request.lang), field=name)
    max_mb = float(env["ir.config_parameter"].sudo().get_param(
        "attachment.max_size_mb", DEFAULT_MAX_SIZE_MB))
    max_bytes = int(max_mb * 1024 * 1024)
    result = []
    for storage in files:
        data = storage.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValidationError(_("“%(name)s” is too large; the limit is %(limit)s MB.",
                                    name=storage.filename, limit=max_mb,
                                    lang=request.lang), field=name)
        result.append((storage.filename, data))
    return result
