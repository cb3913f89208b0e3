"""Field values in the web client: shown in the user's locale, parsed back from forms.

Display works on ``read()`` output (many2one as ``(id, name)``); parsing turns what a form
posted into ORM values, raising :class:`ValidationError` with the field's name so the
form shows the message next to that field.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from ...exceptions import ValidationError
from ...i18n import formatting
from ...i18n.translate import _


def display(value: Any, description: Mapping[str, Any], lang: str, tz: str = "UTC") -> str:
    """Text for a cell or a read-only field."""
    kind = description.get("type")
    if value is None or value is False or value == "":
        if kind in ("integer", "float", "monetary"):
            return formatting.format_number(0, lang, digits=_digits(description, kind))
        return ""
    if kind == "many2one":
        return value[1] if isinstance(value, (list, tuple)) else str(value)
    if kind == "boolean":
        return _("Yes", lang=lang) if value else _("No", lang=lang)
    if kind == "selection":
        labels = dict(description.get("selection") or [])
        return str(labels.get(value, value))
    if kind == "date":
        return formatting.format_date(value, lang)
    if kind == "datetime":
        return formatting.format_datetime(value, lang, tz)
    if kind in ("integer", "float", "monetary"):
        return formatting.format_number(value, lang, digits=_digits(description, kind))
    if kind in ("one2many", "many2many"):
        return _("%(count)s records", count=len(value), lang=lang)
    if kind == "binary":
        return _("(file)", lang=lang)
    return str(value)


def _digits(description: Mapping[str, Any], kind: str) -> int | None:
    if kind == "integer":
        return 0
    digits = description.get("digits")
    if digits:
        return int(digits[1])
    return 2 if kind == "monetary" else None


def from_iso(text: str, kind: str) -> Any:
    """A date or datetime from its ISO text (as the journal stores them)."""
    try:
        if kind == "date":
            return dt.date.fromisoformat(text[:10])
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return text


def input_value(value: Any, description: Mapping[str, Any]) -> str:
    """The value to put in an ``<input>`` (ISO dates: the browser's date widgets)."""
    kind = description.get("type")
    if value is None or value is False:
        return ""
    if kind == "many2one":
        return str(value[0]) if isinstance(value, (list, tuple)) else str(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "datetime":
        return value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, dt.datetime) else str(value)
    if kind in ("float", "monetary"):
        return repr(float(value)).rstrip("0").rstrip(".") if value else "0"
    return str(value)


def parse(name: str, raw: Any, description: Mapping[str, Any], lang: str) -> Any:
    """A posted form value converted for ``write``/``create``."""
    kind = description.get("type")
    label = description.get("string") or name
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if kind == "boolean":
            return text in ("1", "on", "true", "True", True)
        if text in ("", None):
            return False
        if kind == "many2one":
            return int(text)
        if kind == "integer":
            number = formatting.parse_number(text, lang)
            if number is None or number != int(number):
                raise ValueError
            return int(number)
        if kind in ("float", "monetary"):
            return formatting.parse_number(text, lang)
        if kind == "date":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return formatting.parse_date(text, lang)
        if kind == "datetime":
            return dt.datetime.fromisoformat(text)
        if kind == "many2many":
            ids = raw if isinstance(raw, list) else [raw]
            return [(6, 0, [int(i) for i in ids if str(i).strip()])]
    except (ValueError, TypeError, ValidationError):
        raise ValidationError(_("'%(value)s' is not a valid value for '%(field)s'.",
                                value=raw, field=label, lang=lang), field=name) from None
    return text
