"""A safe evaluator for the domain and context literals of actions and filters.

Only literals (strings, numbers, booleans, None, lists, tuples, dicts, sets), unary
minus and ``not``, and the names given by the caller (actions give ``uid`` and
``context_today``, today's date as ``YYYY-MM-DD`` in the user's time zone) are allowed;
``context_today()`` is accepted too. No attribute, call, comprehension or operator runs.
"""
from __future__ import annotations

import ast
import datetime as dt
from typing import Any, Mapping

from ..exceptions import ValidationError
from ..i18n.translate import _

_CONSTANTS = {"True": True, "False": False, "None": None, "true": True, "false": False}


def today(tz: str | None = None) -> str:
    """Today's date (ISO) in the time zone ``tz`` (the server's when unknown)."""
    if tz:
        try:
            from zoneinfo import ZoneInfo
            return dt.datetime.now(ZoneInfo(tz)).date().isoformat()
        except (KeyError, ValueError, ImportError):
            pass
    return dt.date.today().isoformat()


def eval_literal(text: str | None, names: Mapping[str, Any] | None = None,
                 default: Any = None) -> Any:
    """The value of ``text``; ``default`` for an empty text. Raises ValidationError."""
    if text is None or not str(text).strip():
        return default
    names = dict(names or {})
    try:
        tree = ast.parse(str(text).strip(), mode="eval")
    except SyntaxError as exc:
        raise ValidationError(_("Invalid expression %(text)s: %(error)s", text=text,
                                error=exc.msg)) from None

    def visit(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [visit(e) for e in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else (
                set(values) if isinstance(node, ast.Set) else values)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise ValidationError(_("Expression %(text)s: '**' is not allowed.", text=text))
            return {visit(k): visit(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            value = visit(node.operand)
            return -value if isinstance(node.op, ast.USub) else not value
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]
            raise ValidationError(_("Expression %(text)s: unknown name '%(name)s' (allowed: "
                                    "%(names)s).", text=text, name=node.id,
                                    names=", ".join(sorted(names)) or "-"))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args
                and not node.keywords and node.func.id == "context_today"
                and "context_today" in names):
            return names["context_today"]
        raise ValidationError(_("Expression %(text)s may only use literals and %(names)s.",
                                text=text, names=", ".join(sorted(names)) or "-"))

    return visit(tree.body)
