"""Sandboxed jinja2 rendering of mail templates against a record.

Templates see ``object`` (alias ``record``: the record, read through the ORM as the
sending user, so field groups and record rules apply and custom ``x_`` fields are plain
attributes), ``user`` (the sending user) and a few formatting helpers
(:data:`HELPERS`). The sandbox refuses every ``_``-attribute and every method call but
the helpers and a short list of harmless string / date formatting methods; on a record
only its fields, ``id`` and ``display_name`` are reachable (never ``env``, ``sudo``...).
Any error is a :class:`ValidationError` naming the template and the line.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from core import ValidationError, _
from core.orm.models import BaseModel

#: methods of plain values a template may call (formatting only)
SAFE_METHODS = frozenset({
    "upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "split",
    "splitlines", "startswith", "endswith", "replace", "zfill", "strftime", "isoformat",
    "join", "format"})
RECORD_ATTRIBUTES = frozenset({"id", "display_name"})


def format_date(value: Any, pattern: str = "%d/%m/%Y") -> str:
    """A date (or datetime) as text; empty for no value."""
    if not value:
        return ""
    return value.strftime(pattern) if isinstance(value, (dt.date, dt.datetime)) else str(value)


def format_datetime(value: Any, pattern: str = "%d/%m/%Y %H:%M") -> str:
    return format_date(value, pattern)


def format_amount(value: Any, digits: int = 2, symbol: str = "") -> str:
    """``1 234.50 €``-like amounts (thin grouping with a space)."""
    try:
        text = f"{float(value or 0):,.{int(digits)}f}".replace(",", " ")
    except (TypeError, ValueError):
        return str(value)
    return f"{text} {symbol}".strip()


HELPERS = {"format_date": format_date, "format_datetime": format_datetime,
           "format_amount": format_amount}


class MailSandbox(SandboxedEnvironment):
    """Records expose their fields only; other values their data and formatting methods."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, BaseModel):
            return attr in RECORD_ATTRIBUTES or attr in obj._fields
        if callable(value):
            return attr in SAFE_METHODS
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        if any(obj is helper for helper in HELPERS.values()):
            return True
        name = getattr(obj, "__name__", "")
        owner = getattr(obj, "__self__", None)
        return name in SAFE_METHODS and not isinstance(owner, BaseModel)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, BaseModel) and not self.is_safe_attribute(obj, attribute, None):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, BaseModel):  # record[...] would reach any attribute
            if isinstance(argument, int):
                return obj[argument]
            return self.getattr(obj, str(argument))
        return super().getitem(obj, argument)


_HTML = MailSandbox(autoescape=True, undefined=StrictUndefined)
_TEXT = MailSandbox(autoescape=False, undefined=StrictUndefined)
for _env in (_HTML, _TEXT):
    _env.globals.update(HELPERS)


def _template_line(exc: BaseException) -> int | None:
    """The template line where ``exc`` was raised (jinja rewrites its frames)."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def check_syntax(source: str | None, template_name: str = "", part: str = "") -> None:
    """Compile ``source`` only: a syntax error is a ValidationError with its line (the
    template form shows it on save, before any e-mail is composed)."""
    if not source:
        return
    try:
        _HTML.parse(source)
    except TemplateSyntaxError as exc:
        raise ValidationError(_("Template “%(template)s”, %(part)s, line %(line)s: "
                                "%(reason)s", template=template_name or "?",
                                part=part or "body", line=exc.lineno or "?",
                                reason=exc.message or str(exc)), field=part or None) from None


def render(source: str | None, record: BaseModel, html: bool = False,
           template_name: str = "", part: str = "",
           values: dict[str, Any] | None = None) -> str:
    """Render ``source`` against ``record`` (in the record's environment: its user and
    language); ``html`` autoescapes. Raises ValidationError naming template and line."""
    if not source:
        return ""
    sandbox = _HTML if html else _TEXT
    context = {"object": record, "record": record, "user": record.env.user,
               **(values or {})}
    try:
        result = sandbox.from_string(source).render(context)
    except (TemplateError, ValidationError, LookupError, TypeError, ValueError,
            AttributeError, ArithmeticError) as exc:
        line = _template_line(exc)
        reason = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, ValidationError):
            reason = str(exc)
        raise ValidationError(_("Template “%(template)s”, %(part)s, line %(line)s: "
                                "%(reason)s", template=template_name or "?",
                                part=part or "body", line=line or "?",
                                reason=reason)) from None
    except Exception as exc:  # noqa: BLE001 - e.g. AccessError on a field: still no traceback
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        line = _template_line(exc)
        raise ValidationError(_("Template “%(template)s”, %(part)s, line %(line)s: "
                                "%(reason)s", template=template_name or "?",
                                part=part or "body", line=line or "?",
                                reason=str(exc) or type(exc).__name__)) from None
    return str(Markup(result)) if html else result


__all__ = ["HELPERS", "MailSandbox", "check_syntax", "render"]
