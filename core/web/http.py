"""Routes and requests: what a controller sees.

A route is a function decorated with :func:`route`; it receives the :class:`Request`
(whose ``env`` acts as the logged-in user, in the user's language) and returns a
Werkzeug response or a string. Addons contribute routes through the
``comptoir_routes`` hook; the kernel's own controllers use the same decorator.

``auth``: ``"user"`` is the back office: a logged-in internal user (anonymous visitors are
sent to the login page; share users such as portal customers to the home an addon gives
through ``comptoir_share_home``, or a 403), ``core.portal``'s ``portal_route`` is for
logged-in customers,
``"public"`` runs as the visitor (anonymous: the superuser environment is NOT given; use
``request.env(su=True)`` deliberately), ``"none"`` needs no database user at all.
``csrf``: state-changing methods must carry the session's CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``) unless the request authenticates with an API
key; set ``csrf=False`` only for endpoints that authenticate every request themselves.
``on_error``: ``handler(request, exc, status)`` renders the route's errors (the external
APIs answer in JSON or XML-RPC) instead of the error page; the transaction is rolled back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class RouteSpec:
    path: str
    endpoint: Callable[..., Any]
    methods: tuple[str, ...] = ("GET",)
    auth: str = "user"
    csrf: bool = True
    name: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)
    #: renders this route's errors ``(request, exc, status) -> Response`` (the external
    #: APIs answer in JSON or XML-RPC); None: the error page
    on_error: Callable[..., Any] | None = None


def route(path: str | list[str], methods: tuple[str, ...] | list[str] = ("GET",),
          auth: str = "user", csrf: bool = True,
          on_error: Callable[..., Any] | None = None) -> Callable[[Callable], Callable]:
    """Declare an HTTP endpoint (one or several paths, Werkzeug rule syntax)."""
    if auth not in ("user", "public", "none"):
        raise ValueError(f"auth must be 'user', 'public' or 'none', not {auth!r}")

    def decorate(func: Callable) -> Callable:
        paths = [path] if isinstance(path, str) else list(path)
        func.routes = [RouteSpec(p, func, tuple(m.upper() for m in methods), auth, csrf,
                                 f"{func.__module__}.{func.__qualname__}",
                                 on_error=on_error)
                       for p in paths]  # type: ignore[attr-defined]
        return func

    return decorate


def routes_of(*objects: Any) -> list[RouteSpec]:
    """Route specs declared by functions (or modules holding such functions)."""
    specs: list[RouteSpec] = []
    for obj in objects:
        candidates = vars(obj).values() if hasattr(obj, "__dict__") and not callable(obj) \
            else [obj]
        for candidate in candidates:
            specs.extend(getattr(candidate, "routes", ()))
    return specs


class Request(WerkzeugRequest):
    """A Werkzeug request plus what Comptoir knows about it."""

    env: "Environment"
    session: "BaseModel | None" = None
    csrf: str = ""
    lang: str = "en_US"
    database: Any = None
    app: Any = None
    new_sid: str | None = None
    clear_session: bool = False
    reference: str = ""

    @property
    def user(self) -> "BaseModel | None":
        return self.session.user_id if self.session else None

    @property
    def address(self) -> str:
        return self.remote_addr or ""

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        """A page from the jinja2 templates in ``views/``."""
        return self.app.templates.response(self, template, status=status, **values)

    def wants_json(self) -> bool:
        accept = self.accept_mimetypes
        return self.is_json or (accept.best == "application/json")


__all__ = ["Request", "Response", "RouteSpec", "SAFE_METHODS", "route", "routes_of"]
