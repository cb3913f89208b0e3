"""Catalogues the kernel extends through a hook (action kinds, assignment strategies): the
kernel's entries plus every installed addon's, keyed, checked, built once per registry."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, TypeVar

from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    from ..orm import Registry

T = TypeVar("T")


def hook_catalogue(registry: "Registry", cache_key: str, hook: str, builtins: Iterable[T],
                   kind: type[T], what: str) -> dict[str, T]:
    """``{key: entry}`` of ``builtins`` and what the ``hook`` of every addon returns;
    a wrong type or a key used twice is a ConfigurationError naming them all."""
    cached = registry.__dict__.get(cache_key)
    if cached is not None:
        return cached
    pm = getattr(registry, "pm", None)
    extra = [entry for batch in (getattr(pm.hook, hook)() if pm else []) for entry in batch or ()]
    result: dict[str, Any] = {}
    problems = []
    for entry in (*builtins, *extra):
        if not isinstance(entry, kind):
            problems.append(f"{hook} returned {entry!r}, not an {kind.__name__}")
        elif entry.key in result:  # type: ignore[attr-defined]
            problems.append(f"two {what} have the key {entry.key!r}")  # type: ignore[attr-defined]
        else:
            result[entry.key] = entry  # type: ignore[attr-defined]
    if problems:
        raise ConfigurationError("\n".join(problems))
    registry.__dict__[cache_key] = result
    return result
