"""``invisible``, ``readonly`` and ``required`` modifiers of form nodes.

A modifier is a boolean or a domain over the form's own fields
(``invisible="[('is_company', '=', True)]"``). The server evaluates it for the first
render, and again on save (a field readonly at that moment is not written, a field
required at that moment may not be empty); ``client.js`` evaluates the same JSON domain
as the user edits, with the same rules: ``=``, ``!=``, ``in``, ``not in``, ``<``,
``<=``, ``>``, ``>=``, prefix ``&``, ``|``, ``!``; a many2one compares by id; ``False``
matches any empty value.
"""
from __future__ import annotations

import functools
import json
from typing import Any, Mapping

from ...views import eval_literal


def parse(text: str | None, uid: int = 0) -> bool | list:
    """A modifier's value: a boolean, or a domain (a list; treat it as read-only, it is
    shared by every render of the view)."""
    return _parsed(text, uid if text and "uid" in text else 0)[0]


@functools.lru_cache(maxsize=4096)
def _parsed(text: str | None, uid: int) -> tuple[bool | list, str]:
    """``(value, JSON of a domain or "")``, once per text (and user, when it names
    ``uid``): views are rendered again and again with the same modifiers."""
    if text is None or text == "":
        return False, ""
    if text in ("1", "True", "true"):
        return True, ""
    if text in ("0", "False", "false"):
        return False, ""
    value = eval_literal(text, {"uid": uid})
    if isinstance(value, list):
        return value, json.dumps(value)
    return bool(value), ""


def as_json(text: str | None, uid: int = 0) -> str:
    return _parsed(text, uid if text and "uid" in text else 0)[1]


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], int) \
            and isinstance(value[1], str):
        return value[0]          # a many2one as read() gives it
    return value


def _empty(value: Any) -> bool:
    return value in (None, False, "", 0) or value == [] or value == ()


def _leaf(leaf: Any, data: Mapping[str, Any]) -> bool:
    name, operator, expected = leaf
    value = _plain(data.get(name))
    if expected is False or expected is None:
        if operator == "=":
            return _empty(value)
        if operator == "!=":
            return not _empty(value)
    if operator == "=":
        return value == expected
    if operator == "!=":
        return value != expected
    if operator in ("in", "not in"):
        inside = value in (expected or []) or (_empty(value) and False in (expected or []))
        return inside if operator == "in" else not inside
    if value is None or value is False:
        return False
    try:
        return {"<": value < expected, "<=": value <= expected, ">": value > expected,
                ">=": value >= expected}[operator]
    except (TypeError, KeyError):
        return False


def evaluate(modifier: bool | list, data: Mapping[str, Any]) -> bool:
    if isinstance(modifier, bool):
        return modifier
    stack: list[bool] = []
    for item in reversed(modifier):
        if item == "!":
            stack.append(not stack.pop())
        elif item in ("&", "|"):
            left, right = stack.pop(), stack.pop()
            stack.append(left and right if item == "&" else left or right)
        elif isinstance(item, (list, tuple)) and len(item) == 3:
            stack.append(_leaf(item, data))
    result = True
    while stack:                 # implicit AND between top-level terms
        result = stack.pop() and result
    return result


def state(node: Any, data: Mapping[str, Any], uid: int = 0) -> dict[str, Any]:
    """What the template needs for a node: initial booleans and the JSON domains."""
    result: dict[str, Any] = {}
    get = node.get
    for key in ("invisible", "readonly", "required"):
        text = get(key)
        if text is None:
            result[key], result[f"{key}_json"] = False, ""
            continue
        modifier, as_text = _parsed(text, uid if "uid" in text else 0)
        result[key] = evaluate(modifier, data)
        result[f"{key}_json"] = as_text
    return result
