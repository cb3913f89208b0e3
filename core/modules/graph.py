"""The addon dependency graph: install order, dependents, and order of an installed set.

Pure functions over manifests: no database, no imports of addon code. Orders are
topological (dependencies first), ties are broken alphabetically and ``base`` always comes
first, so that the same set of addons is always loaded in the same order.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from core.exceptions import DependencyError
from core.modules.manifest import BASE_ADDON, Manifest

__all__ = ["dependents", "resolve_order", "sort_installed"]


def _sort_key(name: str) -> tuple[bool, str]:
    return (name != BASE_ADDON, name)


def _missing_chains(
    available: Mapping[str, Manifest], roots: Iterable[str], satisfied: set[str]
) -> tuple[set[str], list[str]]:
    """Walk dependencies from ``roots``; return the closure and one message per missing addon.

    Addons in ``satisfied`` (already installed) count as present and are not walked.
    """
    closure: set[str] = set()
    problems: dict[str, str] = {}
    stack: list[tuple[str, tuple[str, ...]]] = [
        (root, ()) for root in sorted(set(roots), key=_sort_key, reverse=True)
    ]
    while stack:
        name, chain = stack.pop()
        if name in closure or name in problems:
            continue
        if name not in available:
            if not chain:
                problems[name] = f"addon {name!r} is not available"
            else:
                steps = [f"addon {chain[0]!r}"] + [f"needs {dep!r}, which" for dep in chain[1:]]
                problems[name] = f"{' '.join(steps)} needs {name!r}, which is not available"
            continue
        closure.add(name)
        for dep in sorted(available[name].depends, key=_sort_key, reverse=True):
            if dep not in satisfied and dep not in closure:
                stack.append((dep, (*chain, name)))
    return closure, [problems[name] for name in sorted(problems)]


def _find_cycle(nodes: set[str], deps_of: Mapping[str, Iterable[str]]) -> list[str]:
    """Return one dependency cycle among ``nodes`` (which must contain one), closed."""
    for start in sorted(nodes):
        path: list[str] = [start]
        on_path = {start}
        iterators = [iter(sorted(d for d in deps_of[start] if d in nodes))]
        while iterators:
            nxt = next(iterators[-1], None)
            if nxt is None:
                iterators.pop()
                on_path.discard(path.pop())
                continue
            if nxt in on_path:
                cycle = path[path.index(nxt):]
                # start the report at the alphabetically first addon, for stable messages
                first = cycle.index(min(cycle))
                cycle = cycle[first:] + cycle[:first]
                return [*cycle, cycle[0]]
            path.append(nxt)
            on_path.add(nxt)
            iterators.append(iter(sorted(d for d in deps_of[nxt] if d in nodes)))
    raise AssertionError("no cycle found")  # pragma: no cover - callers know there is one


def _toposort(nodes: set[str], available: Mapping[str, Manifest]) -> list[str]:
    """Kahn's algorithm over ``nodes``; edges to addons outside ``nodes`` are ignored."""
    deps_of = {name: {d for d in available[name].depends if d in nodes} for name in nodes}
    users_of: dict[str, list[str]] = {name: [] for name in nodes}
    for name, deps in deps_of.items():
        for dep in deps:
            users_of[dep].append(name)
    remaining = {name: len(deps) for name, deps in deps_of.items()}
    ready = [_sort_key(name) for name, count in remaining.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for user in users_of[name]:
            remaining[user] -= 1
            if remaining[user] == 0:
                heapq.heappush(ready, _sort_key(user))
    if len(order) != len(nodes):
        cycle = _find_cycle(nodes - set(order), deps_of)
        raise DependencyError(f"dependency cycle: {' -> '.join(cycle)}")
    return order


def resolve_order(
    available: Mapping[str, Manifest], wanted: Iterable[str], installed: Iterable[str] = ()
) -> list[str]:
    """Return the addons to install for ``wanted``, dependencies first.

    The result holds the wanted addons, their transitive dependencies, and every
    ``auto_install`` addon whose dependencies all end up installed while at least one of them
    is installed now (so an auto-install addon an admin removed does not come back each time
    something unrelated is installed); repeated until nothing changes. Addons already in
    ``installed`` are left out. Raises ``DependencyError`` naming the chain to a missing addon,
    or the cycle.
    """
    done = set(installed)
    targets = {name for name in wanted if name not in done}
    closure, problems = _missing_chains(available, targets, done)
    if problems:
        raise DependencyError("\n".join(problems))
    while True:
        present = closure | done
        extra = {
            name
            for name, manifest in available.items()
            if manifest.auto_install
            and name not in present
            and all(dep in present for dep in manifest.depends)
            and any(dep in closure for dep in manifest.depends)
        }
        if not extra:
            break
        closure |= extra
    return _toposort(closure, available)


def sort_installed(available: Mapping[str, Manifest], installed: Iterable[str]) -> list[str]:
    """Return ``installed`` in load order; every installed addon and dependency must exist."""
    names = set(installed)
    unknown = sorted(name for name in names if name not in available)
    if unknown:
        raise DependencyError(
            "installed addon(s) not available any more: " + ", ".join(map(repr, unknown))
        )
    problems = [
        f"installed addon {name!r} needs {dep!r}, which is not installed"
        for name in sorted(names)
        for dep in available[name].depends
        if dep not in names
    ]
    if problems:
        raise DependencyError("\n".join(problems))
    return _toposort(names, available)


def dependents(
    available: Mapping[str, Manifest], name: str, installed: Iterable[str]
) -> list[str]:
    """Installed addons depending on ``name`` directly or transitively, last-loaded first.

    This is the order in which they would have to be uninstalled before ``name`` can be.
    Installed addons without a manifest in ``available`` are ignored.
    """
    known = {addon for addon in installed if addon in available and addon != name}
    found: set[str] = set()
    frontier = {name}
    while frontier:
        users = {
            addon
            for addon in known - found
            if any(dep in frontier for dep in available[addon].depends)
        }
        found |= users
        frontier = users
    return list(reversed(_toposort(found, available)))
