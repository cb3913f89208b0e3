"""The kernel's own web endpoints (addons add theirs through ``comptoir_routes``)."""
from __future__ import annotations

from ..client import controllers as client
from ..http import RouteSpec, routes_of
from . import auth, home, preferences


def kernel_routes() -> list[RouteSpec]:
    return routes_of(auth, home, preferences, client)
