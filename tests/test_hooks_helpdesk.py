"""The helpdesk's hooks, at the plugin-manager level (the helpdesk addon's own tests cover
the button and the ticket side: addons/helpdesk/tests/test_resolution.py)."""
from __future__ import annotations

import types
from typing import Any

import pytest

from core.exceptions import ConfigurationError
from core.modules import hookimpl, make_plugin_manager


def addon_module(name: str, **functions: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for attribute, function in functions.items():
        setattr(module, attribute, function)
    return module


def test_hook_comptoir_publish_resolution() -> None:
    calls: list[str] = []

    @hookimpl
    def declines(env: Any, ticket: Any, resolution: Any) -> None:
        calls.append("declines")
        return None

    @hookimpl
    def publishes(env: Any, ticket: Any, resolution: Any) -> dict[str, Any]:
        calls.append("publishes")
        return {"article": f"{ticket} / {resolution}"}

    pm = make_plugin_manager([
        addon_module("addons.knowledge", comptoir_publish_resolution=publishes),
        addon_module("addons.wiki", comptoir_publish_resolution=declines)])
    caller = pm.hook.comptoir_publish_resolution
    assert len(caller.get_hookimpls()) == 2   # what shows the ticket's button
    # firstresult: a None is skipped, the first record returned wins (and is not a list)
    assert caller(env=None, ticket="HD/2026/00001", resolution="Restart the spooler") == \
        {"article": "HD/2026/00001 / Restart the spooler"}
    assert calls == ["declines", "publishes"]
    # no implementation at all: None, and the helpdesk hides its button
    assert make_plugin_manager([]).hook.comptoir_publish_resolution(
        env=None, ticket=1, resolution=2) is None


def test_publish_resolution_with_a_wrong_argument_fails_loudly() -> None:
    @hookimpl
    def comptoir_publish_resolution(env: Any, ticket: Any, solution: Any) -> None:
        return None

    with pytest.raises(ConfigurationError, match="solution"):
        make_plugin_manager([addon_module(
            "addons.typo", comptoir_publish_resolution=comptoir_publish_resolution)])
