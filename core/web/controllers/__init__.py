"""The kernel's own web endpoints (addons add theirs through ``comptoir_routes``)."""
from __future__ import annotations

import importlib

from ..http import RouteSpec, routes_of
from . import auth, home, preferences

#: web client modules, one per view type or feature; each declares its routes
CLIENT_MODULES = ("controllers", "kanban", "calendar", "graph", "pivot", "dashboard",
                  "widgets")


def kernel_routes() -> list[RouteSpec]:
    modules = [auth, home, preferences]
    for name in CLIENT_MODULES:
        try:
            modules.append(importlib.import_module(f"core.web.client.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"core.web.client.{name}":
                raise
    return routes_of(*modules)
