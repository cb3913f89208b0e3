"""Addon machinery facade: manifests, dependency graph, discovery and pluggy hooks.

Import from here rather than from the submodules; the submodules are the implementation.
"""
from __future__ import annotations

from core.modules.discovery import discover_addons
from core.modules.graph import dependents, resolve_order, sort_installed
from core.modules.hookspecs import CheckMessage, hookimpl, hookspec
from core.modules.manifest import Manifest, load_manifest
from core.modules.plugins import call_for_addon, make_plugin_manager

__all__ = [
    "CheckMessage",
    "Manifest",
    "call_for_addon",
    "dependents",
    "discover_addons",
    "hookimpl",
    "hookspec",
    "load_manifest",
    "make_plugin_manager",
    "resolve_order",
    "sort_installed",
]
