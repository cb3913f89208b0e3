"""Comparing imported values with stored ones: what counts as a real change.

Empty is empty whatever its spelling (``None``, ``False``, ``""``), numbers are compared
as numbers, many2many values as sets of ids, HTML as the sanitised text the ORM would
store; anything else must be equal.
"""
from __future__ import annotations

from typing import Any

from ..exceptions import UserError


def same_value(model: Any, name: str, stored: Any, value: Any) -> bool:
    """Whether writing ``value`` to ``name`` would leave ``stored`` (as ``read`` with
    ``load='_classic_write'`` gives it) as it is."""
    field = model._fields[name]
    kind = field.type
    if kind == "many2many":
        return set(stored or ()) == set(m2m_ids(value))
    if kind == "boolean":
        return bool(stored) == bool(value)
    if kind in ("integer", "float", "monetary"):
        return abs(float(stored or 0) - float(value or 0)) < 1e-9
    if is_empty_value(stored) and is_empty_value(value):
        return True
    if kind == "many2one":
        return (stored or None) == (value or None)
    if kind == "html":
        try:
            value = field.convert_to_cache(value, model)
        except UserError:
            return False
    return stored == value


def is_empty_value(value: Any) -> bool:
    if value is None or value is False or value == "":
        return True
    if isinstance(value, list):
        return not m2m_ids(value)
    return False


def m2m_ids(value: Any) -> list[int]:
    """The ids a many2many value sets (``[(6, 0, ids)]`` or a list of ids)."""
    ids: list[int] = []
    for item in value or ():
        if isinstance(item, (list, tuple)) and item and item[0] == 6:
            ids = list(item[2])
        elif isinstance(item, int):
            ids.append(item)
    return ids


def freeze(value: Any) -> Any:
    """A hashable form of a value (to group records getting the same changes)."""
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    return value
