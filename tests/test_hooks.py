"""Pluggy hooks: the hookspecs are documented and tested, misspelled hooks fail loudly."""
from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from core.exceptions import ConfigurationError
from core.modules import CheckMessage, call_for_addon, hookimpl, hookspecs, make_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
HOOKS_DOC = ROOT / "docs" / "hooks.md"


def hookspec_functions() -> dict[str, Callable[..., Any]]:
    return {
        name: function
        for name, function in vars(hookspecs).items()
        if inspect.isfunction(function) and hasattr(function, "comptoir_spec")
    }


def signature_text(name: str, function: Callable[..., Any]) -> str:
    """``name(arg: Type, ...) -> Return`` as written in the docs (annotations are strings)."""
    signature = inspect.signature(function)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{name}({params}) -> {signature.return_annotation}"


def addon_module(name: str, **functions: Callable[..., Any]) -> types.ModuleType:
    """A fake addon package module holding the given functions."""
    module = types.ModuleType(name)
    for attribute, function in functions.items():
        setattr(module, attribute, function)
    return module


# --- meta-tests --------------------------------------------------------------------------


def test_there_are_hookspecs() -> None:
    assert set(hookspec_functions()) >= {
        "comptoir_cli_commands",
        "comptoir_post_install",
        "comptoir_post_upgrade",
        "comptoir_pre_uninstall",
        "comptoir_checks",
    }


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_hookspec_is_documented_with_its_signature(name: str) -> None:
    doc = HOOKS_DOC.read_text(encoding="utf-8")
    function = hookspec_functions()[name]
    assert f"## {name}" in doc, f"docs/hooks.md has no section for {name}"
    assert f"`{signature_text(name, function)}`" in doc, (
        f"docs/hooks.md does not show the exact signature {signature_text(name, function)}"
    )
    assert function.__doc__ and function.__doc__.strip(), f"{name} has no docstring"


def test_documented_hooks_exist() -> None:
    documented = set(re.findall(r"^## (comptoir_\w+)", HOOKS_DOC.read_text(), re.MULTILINE))
    assert documented == set(hookspec_functions())


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_hookspec_has_a_test(name: str) -> None:
    pattern = re.compile(rf"^def test_hook_{name}\b", re.MULTILINE)
    sources = (path.read_text(encoding="utf-8") for path in ROOT.glob("tests/**/*.py"))
    assert any(pattern.search(source) for source in sources), f"no test_hook_{name} in tests/"


# --- one test per hook -------------------------------------------------------------------


def test_hook_comptoir_cli_commands() -> None:
    @click.command("hello")
    def hello() -> None:
        click.echo("hello")

    @hookimpl
    def comptoir_cli_commands() -> list[click.Command]:
        return [hello]

    greeter = addon_module("addons.greeter", comptoir_cli_commands=comptoir_cli_commands)
    pm = make_plugin_manager([greeter])

    commands = [c for batch in pm.hook.comptoir_cli_commands() for c in batch]
    assert commands == [hello]


def test_hook_comptoir_post_install() -> None:
    calls: list[tuple[str, Any, str]] = []

    def module_with_hook(name: str) -> types.ModuleType:
        @hookimpl
        def comptoir_post_install(env: Any, addon: str) -> None:
            calls.append((name, env, addon))

        return addon_module(name, comptoir_post_install=comptoir_post_install)

    pm = make_plugin_manager([module_with_hook("addons.crm"), module_with_hook("addons.rma")])
    env = object()

    result = call_for_addon(pm, "comptoir_post_install", "addons.rma", env=env, addon="rma")

    assert result == []  # pluggy drops None results
    assert calls == [("addons.rma", env, "rma")]  # the other addon's hook did not run


def test_hook_comptoir_post_upgrade() -> None:
    calls: list[tuple[str, str]] = []

    @hookimpl
    def comptoir_post_upgrade(env: Any, addon: str, from_version: str) -> None:
        calls.append((addon, from_version))

    crm = addon_module("addons.crm", comptoir_post_upgrade=comptoir_post_upgrade)
    pm = make_plugin_manager([crm, addon_module("addons.silent")])

    call_for_addon(
        pm, "comptoir_post_upgrade", "addons.crm", env=None, addon="crm", from_version="1.0"
    )
    silent = call_for_addon(
        pm, "comptoir_post_upgrade", "addons.silent", env=None, addon="silent", from_version="1"
    )

    assert silent == []
    assert calls == [("crm", "1.0")]


def test_hook_comptoir_pre_uninstall() -> None:
    @hookimpl
    def comptoir_pre_uninstall(env: Any, addon: str) -> None:
        raise ConfigurationError(f"{addon} still has open tickets")

    helpdesk = addon_module("addons.helpdesk", comptoir_pre_uninstall=comptoir_pre_uninstall)
    pm = make_plugin_manager([helpdesk])

    with pytest.raises(ConfigurationError, match="helpdesk still has open tickets"):
        call_for_addon(pm, "comptoir_pre_uninstall", "addons.helpdesk", env=None, addon="helpdesk")


def test_hook_comptoir_checks() -> None:
    problem = CheckMessage(
        "helpdesk.E001",
        "stage 'Done' is not folded",
        file="helpdesk/data/stages.xml",
        line=12,
        hint='set fold="1"',
    )

    @hookimpl
    def comptoir_checks(registry: Any) -> list[CheckMessage]:
        return [problem] if registry == "registry" else []

    pm = make_plugin_manager([addon_module("addons.helpdesk", comptoir_checks=comptoir_checks)])

    messages = [m for batch in pm.hook.comptoir_checks(registry="registry") for m in batch]
    assert messages == [problem]
    assert problem.is_error
    assert str(problem) == (
        "helpdesk.E001 helpdesk/data/stages.xml:12: stage 'Done' is not folded\n"
        '    hint: set fold="1"'
    )


def test_hook_comptoir_field_usages() -> None:
    @hookimpl
    def comptoir_field_usages(env: Any, model: str, field: str) -> list[str]:
        return [f"Workflow 'Tickets' ({model}.{field})"] if field == "x_state" else []

    workflows = addon_module("addons.workflows", comptoir_field_usages=comptoir_field_usages)
    pm = make_plugin_manager([workflows, addon_module("addons.silent")])

    found = pm.hook.comptoir_field_usages(env=None, model="helpdesk.ticket", field="x_state")
    assert [line for batch in found for line in batch] == [
        "Workflow 'Tickets' (helpdesk.ticket.x_state)"]
    unused = pm.hook.comptoir_field_usages(env=None, model="helpdesk.ticket", field="x_other")
    assert [line for batch in unused for line in batch] == []


def test_hook_comptoir_notification_channels() -> None:
    from core.mail import Delivery, NotificationChannel, channels_of

    sent: list[Delivery] = []
    pigeon = NotificationChannel("pigeon", "Carrier pigeon", sent.append)

    @hookimpl
    def comptoir_notification_channels() -> list[NotificationChannel]:
        return [pigeon]

    loft = addon_module("addons.loft", comptoir_notification_channels=comptoir_notification_channels)
    registry = types.SimpleNamespace(pm=make_plugin_manager([loft]))
    assert channels_of(registry) == {"pigeon": pigeon}
    assert channels_of(registry) is channels_of(registry)  # built once per registry

    @hookimpl
    def clashing() -> list[NotificationChannel]:
        return [NotificationChannel("email", "Another e-mail", sent.append)]

    rogue = addon_module("addons.rogue", comptoir_notification_channels=clashing)
    with pytest.raises(ConfigurationError, match="'email'"):
        channels_of(types.SimpleNamespace(pm=make_plugin_manager([rogue])))


# --- misuse ------------------------------------------------------------------------------


def test_misspelled_hook_suggests_the_nearest() -> None:
    @hookimpl
    def comptoir_post_instal(env: Any, addon: str) -> None: ...

    crm = addon_module("addons.crm", comptoir_post_instal=comptoir_post_instal)

    with pytest.raises(ConfigurationError) as excinfo:
        make_plugin_manager([crm])

    assert str(excinfo.value) == (
        "addon module 'addons.crm': 'comptoir_post_instal' is not a comptoir hook; "
        "did you mean 'comptoir_post_install'?"
    )


def test_wrong_argument_name_is_refused() -> None:
    @hookimpl
    def comptoir_post_install(env: Any, addon_name: str) -> None: ...

    crm = addon_module("addons.crm", comptoir_post_install=comptoir_post_install)

    with pytest.raises(ConfigurationError) as excinfo:
        make_plugin_manager([crm])

    message = str(excinfo.value)
    assert "addon module 'addons.crm'" in message
    assert "hook 'comptoir_post_install' implementation takes 'addon_name'" in message
    assert "comptoir_post_install(env, addon)" in message


def test_fewer_arguments_are_fine() -> None:
    @hookimpl
    def comptoir_post_upgrade(addon: str) -> None: ...

    make_plugin_manager([addon_module("addons.crm", comptoir_post_upgrade=comptoir_post_upgrade)])


def test_all_problems_of_all_modules_are_reported() -> None:
    @hookimpl
    def comptoir_chekcs(registry: Any) -> list[CheckMessage]:
        return []

    def comptoir_post_install(env: Any, addon: str) -> None: ...

    comptoir_post_install.__module__ = "addons.b"
    modules = [
        addon_module("addons.a", comptoir_chekcs=comptoir_chekcs),
        addon_module("addons.b", comptoir_post_install=comptoir_post_install),
        addon_module("addons.a"),
    ]

    with pytest.raises(ConfigurationError) as excinfo:
        make_plugin_manager(modules)

    assert str(excinfo.value).splitlines() == [
        "addon module 'addons.a': 'comptoir_chekcs' is not a comptoir hook; "
        "did you mean 'comptoir_checks'?",
        "addon module 'addons.b': function 'comptoir_post_install' is named like a hook but "
        "is not decorated with @hookimpl",
        "addon module 'addons.a' is given twice",
    ]


def test_optional_unknown_hook_is_tolerated() -> None:
    @hookimpl(optionalhook=True)
    def comptoir_future_hook() -> None: ...

    make_plugin_manager([addon_module("addons.crm", comptoir_future_hook=comptoir_future_hook)])


def test_call_for_addon_refuses_unknown_names() -> None:
    pm = make_plugin_manager([addon_module("addons.crm")])
    with pytest.raises(ConfigurationError, match="did you mean 'comptoir_checks'"):
        call_for_addon(pm, "comptoir_check", "addons.crm", registry=None)
    with pytest.raises(ConfigurationError, match="did you mean 'addons.crm'"):
        call_for_addon(pm, "comptoir_checks", "addons.crn", registry=None)


def test_each_call_builds_an_independent_manager() -> None:
    first = make_plugin_manager([addon_module("addons.crm")])
    second = make_plugin_manager()
    assert first is not second
    assert second.get_plugin("addons.crm") is None


def test_hook_comptoir_automation_actions() -> None:
    from core.automation import AutomationAction, action_kinds

    def escalate(run: Any) -> None: ...

    escalation = AutomationAction("helpdesk_escalate", "Escalate", escalate)

    @hookimpl
    def comptoir_automation_actions() -> list[AutomationAction]:
        return [escalation]

    helpdesk = addon_module("addons.helpdesk",
                            comptoir_automation_actions=comptoir_automation_actions)
    pm = make_plugin_manager([helpdesk])
    kinds = action_kinds(types.SimpleNamespace(pm=pm))
    assert kinds["helpdesk_escalate"] is escalation
    assert list(kinds)[:3] == ["set_values", "assign", "webhook"]   # the kernel's come first

    @hookimpl
    def clashing() -> list[AutomationAction]:
        return [AutomationAction("webhook", "Mine", escalate)]

    clash = make_plugin_manager([addon_module("addons.rma", comptoir_automation_actions=clashing)])
    with pytest.raises(ConfigurationError, match="two automation actions have the key 'webhook'"):
        action_kinds(types.SimpleNamespace(pm=clash))


def test_hook_comptoir_assignment_strategies() -> None:
    from core.automation import AssignmentStrategy, strategies_of

    def by_seniority(context: Any) -> dict[int, int]:
        return {}

    senior = AssignmentStrategy("senior_first", "Most senior first", by_seniority)

    @hookimpl
    def comptoir_assignment_strategies() -> list[AssignmentStrategy]:
        return [senior]

    module = addon_module("addons.crm",
                          comptoir_assignment_strategies=comptoir_assignment_strategies)
    strategies = strategies_of(types.SimpleNamespace(pm=make_plugin_manager([module])))
    assert strategies["senior_first"] is senior
    assert {"round_robin", "load", "field_match"} <= set(strategies)

    @hookimpl
    def not_a_strategy() -> list[Any]:
        return ["round_robin"]

    bad = addon_module("addons.bad", comptoir_assignment_strategies=not_a_strategy)
    with pytest.raises(ConfigurationError, match="not an AssignmentStrategy"):
        strategies_of(types.SimpleNamespace(pm=make_plugin_manager([bad])))
