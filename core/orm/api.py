"""Method decorators: ``depends``, ``constrains``, ``onchange``, ``model``, ``private``.

They only annotate functions; the registry reads the annotations when it composes a
model class, so a misspelled field name is reported at start-up (``comptoir check``).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def depends(*paths: str) -> Callable[[F], F]:
    """Fields (dotted paths allowed) a compute method reads: a change recomputes it."""
    def decorate(func: F) -> F:
        func._depends = tuple(paths)  # type: ignore[attr-defined]
        return func
    return decorate


def constrains(*names: str) -> Callable[[F], F]:
    """A check run after create/write when one of ``names`` changed; it raises
    :class:`~core.exceptions.ValidationError` to refuse the change."""
    def decorate(func: F) -> F:
        func._constrains = tuple(names)  # type: ignore[attr-defined]
        return func
    return decorate


def onchange(*names: str) -> Callable[[F], F]:
    """A form helper run when one of ``names`` is edited, before saving."""
    def decorate(func: F) -> F:
        func._onchange = tuple(names)  # type: ignore[attr-defined]
        return func
    return decorate


def model(func: F) -> F:
    """A method that works on the model, not on records (callable with no ids)."""
    func._api_model = True  # type: ignore[attr-defined]
    return func


def private(func: F) -> F:
    """A method the external APIs (REST, XML-RPC, JSON-RPC) never call, whatever its name.

    Remote callers reach a model's methods by name: names starting with ``_`` are private
    already; mark with ``@api.private`` the others that only server code may call (an
    override of a private method stays private)."""
    func._api_private = True  # type: ignore[attr-defined]
    return func
