"""The pluggy plugin manager factory and the helper calling one addon's hook.

There is no global plugin manager: whoever loads addons builds one with
``make_plugin_manager`` and keeps it. Hook implementations are validated before anything is
registered: an unknown hook name or an argument the hookspec does not offer is a
``ConfigurationError`` naming the module and the hook and suggesting the nearest hook.
"""
from __future__ import annotations

import difflib
import inspect
import types
from collections.abc import Iterable
from typing import Any

import pluggy

from core.exceptions import ConfigurationError
from core.modules import hookspecs
from core.modules.hookspecs import PROJECT_NAME

__all__ = ["call_for_addon", "make_plugin_manager"]


def _suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _spec_names(pm: pluggy.PluginManager) -> dict[str, tuple[str, ...]]:
    """Hook name -> argument names, for every hookspec known to ``pm``."""
    return {
        caller.name: tuple(caller.spec.argnames)
        for caller in vars(pm.hook).values()
        if isinstance(caller, pluggy.HookCaller) and caller.spec is not None
    }


def _impl_argnames(function: Any) -> list[str]:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and p.default is p.empty
        and p.name != "self"
    ]


def _looks_like_forgotten_hookimpl(module: types.ModuleType, name: str, function: Any) -> bool:
    """A function of the module itself named ``comptoir_*`` but not marked as a hookimpl."""
    return (
        name.startswith(f"{PROJECT_NAME}_")
        and inspect.isfunction(function)
        and function.__module__ == module.__name__
    )


def _module_problems(
    pm: pluggy.PluginManager, module: types.ModuleType, specs: dict[str, tuple[str, ...]]
) -> list[str]:
    """Every problem with the hook implementations of ``module``, before it is registered."""
    problems: list[str] = []
    for attribute in sorted(dir(module)):
        function = getattr(module, attribute, None)
        options = pm.parse_hookimpl_opts(module, attribute)
        if options is None:
            if _looks_like_forgotten_hookimpl(module, attribute, function):
                hint = "" if attribute in specs else _suggest(attribute, specs)
                problems.append(
                    f"addon module {module.__name__!r}: function {attribute!r} is named like "
                    f"a hook but is not decorated with @hookimpl{hint}"
                )
            continue
        hook = options.get("specname") or attribute
        if hook not in specs:
            if not options.get("optionalhook"):
                problems.append(
                    f"addon module {module.__name__!r}: {hook!r} is not a {PROJECT_NAME} "
                    f"hook{_suggest(hook, specs)}"
                )
            continue
        unknown = [arg for arg in _impl_argnames(function) if arg not in specs[hook]]
        if unknown:
            problems.append(
                f"addon module {module.__name__!r}: hook {hook!r} implementation takes "
                f"{', '.join(map(repr, unknown))}, which the hookspec does not offer; "
                f"{hook}({', '.join(specs[hook])}) accepts any of its arguments"
            )
    return problems


def make_plugin_manager(
    addon_modules: Iterable[types.ModuleType] = (),
) -> pluggy.PluginManager:
    """Build a plugin manager with Comptoir's hookspecs and the given addon modules.

    Each module is registered under its module name (``addons.helpdesk``). All modules are
    validated first; every problem (unknown hook, wrong argument, module given twice) is
    reported in one ``ConfigurationError`` and nothing is returned.
    """
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    specs = _spec_names(pm)
    modules = list(addon_modules)
    problems: list[str] = []
    seen: set[str] = set()
    for module in modules:
        if module.__name__ in seen:
            problems.append(f"addon module {module.__name__!r} is given twice")
        seen.add(module.__name__)
        problems.extend(_module_problems(pm, module, specs))
    if problems:
        raise ConfigurationError("\n".join(problems))
    for module in modules:
        try:
            pm.register(module, name=module.__name__)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise ConfigurationError(f"addon module {module.__name__!r}: {exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # pragma: no cover - validated above
        raise ConfigurationError(str(exc)) from exc
    return pm


def call_for_addon(
    pm: pluggy.PluginManager, hook_name: str, plugin_name: str, **kwargs: Any
) -> Any:
    """Call ``hook_name`` on the plugin registered as ``plugin_name`` only.

    Used for the lifecycle hooks (``comptoir_post_install``...) where only the addon being
    changed must run. Returns what the hook caller returns: a list of results, or the first
    result for a firstresult hook (``[]`` / ``None`` when the addon does not implement it).
    """
    caller = getattr(pm.hook, hook_name, None)
    if not isinstance(caller, pluggy.HookCaller) or caller.spec is None:
        raise ConfigurationError(
            f"{hook_name!r} is not a {PROJECT_NAME} hook{_suggest(hook_name, _spec_names(pm))}"
        )
    if pm.get_plugin(plugin_name) is None:
        registered = sorted(name for name, _ in pm.list_name_plugin())
        raise ConfigurationError(
            f"no addon module registered as {plugin_name!r}{_suggest(plugin_name, registered)}"
        )
    others = [plugin for name, plugin in pm.list_name_plugin() if name != plugin_name]
    return pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
