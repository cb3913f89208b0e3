"""The web layer: WSGI application, routes, sessions and CSRF, server-side templates.

Only this package knows HTTP. Addons declare endpoints with :func:`route` and return them
from the ``comptoir_routes`` hook.
"""
from .app import Application
from .http import Request, Response, route

__all__ = ["Application", "Request", "Response", "route"]
