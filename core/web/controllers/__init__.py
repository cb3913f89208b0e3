"""The kernel's own web endpoints (addons add theirs through ``comptoir_routes``)."""
from __future__ import annotations

import importlib

from ..http import RouteSpec, routes_of
from . import auth, home, preferences

#: web client modules, one per view type or feature; each declares its routes
CLIENT_MODULES = ("controllers", "form", "kanban", "calendar", "graph", "pivot", "dashboard",
                  "widgets", "inline", "attachments", "workflow", "view_editor", "imports",
                  "wizard", "choice_widgets", "merge")
#: the external APIs (REST + OpenAPI, Odoo-compatible RPC)
API_MODULES = ("core.web.api.rest", "core.web.api.openapi", "core.web.api.rpc")


def kernel_routes() -> list[RouteSpec]:
    modules = [auth, home, preferences]
    names = [f"core.web.client.{name}" for name in CLIENT_MODULES] + list(API_MODULES)
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name not in (name, name.rpartition(".")[0]):
                raise
    return routes_of(*modules)
