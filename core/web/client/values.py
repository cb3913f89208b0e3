"""Field values in the web client: shown in the user's locale, parsed back from forms.

Display works on ``read()`` output (many2one as ``(id, name)``); parsing turns what a form
posted into ORM values, raising :class:`ValidationError` with the field's name so the
form shows the message next to that field. Datetimes are stored naive in UTC and shown,
typed and parsed in the user's time zone; amounts carry their currency's symbol.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from html import unescape
from typing import Any, Mapping

from babel import numbers as babel_numbers
from markupsafe import Markup

from ...exceptions import ValidationError
from ...i18n import formatting
from ...i18n.translate import _
from ...orm.fields import image_type

#: ends of blocks, where the text of an HTML value needs a space
_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|div|td|tr|blockquote)>|<br\s*/?>)", re.I)

__all__ = ["display", "input_value", "parse", "parse_image", "from_iso", "html",
           "currency_affix", "image_type", "row_currencies"]


def display(value: Any, description: Mapping[str, Any], lang: str, tz: str = "UTC",
            currency: str | None = None) -> str:
    """Text for a cell or a read-only field (``currency``: the ISO code of a monetary
    value's currency, shown with its symbol)."""
    kind = description.get("type")
    if value is None or value is False or value == "":
        if kind in ("integer", "float", "monetary"):
            if kind == "monetary" and currency:
                return formatting.format_currency(0, currency, lang)
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
    if kind == "monetary" and currency:
        return formatting.format_currency(value, currency, lang)
    if kind in ("integer", "float", "monetary"):
        return formatting.format_number(value, lang, digits=_digits(description, kind))
    if kind in ("one2many", "many2many"):
        return _("%(count)s records", count=len(value), lang=lang)
    if kind == "binary":
        return _("(file)", lang=lang)
    if kind == "html":                  # a cell or a history line: the text, no markup
        import nh3
        spaced = _BLOCK_END.sub(r"\1 ", str(value))
        return " ".join(unescape(nh3.clean(spaced, tags=set())).split())
    return str(value)


def row_currencies(records: Any, descriptions: Mapping[str, Any],
                   names: list[str]) -> dict[int, dict[str, str]]:
    """``{record id: {monetary field: currency code}}`` for the monetary ``names`` whose
    currency field is on the model: two queries whatever the number of records."""
    wanted = {name: description["currency_field"] for name in names
              if (description := descriptions.get(name)) and description.get("type") ==
              "monetary" and description.get("currency_field") in records._fields}
    if not wanted or not records:
        return {}
    currency_fields = sorted(set(wanted.values()))
    rows = records.read(currency_fields, load="_classic_write")
    ids = {row[c] for row in rows for c in currency_fields if row[c]}
    codes = {c["id"]: c["name"] for c in
             records.env["res.currency"].sudo().browse(sorted(ids)).read(["name"])}
    return {row["id"]: {name: codes[row[c]] for name, c in wanted.items() if row[c] in codes}
            for row in rows}


def html(value: Any) -> Markup:
    """Sanitised HTML, safe to put in a page as is (the field sanitises on write; this
    also covers fields declared with ``sanitize=False`` and rows written before)."""
    import nh3
    return Markup(nh3.clean(value)) if value else Markup("")


def _digits(description: Mapping[str, Any], kind: str) -> int | None:
    if kind == "integer":
        return 0
    digits = description.get("digits")
    if digits:
        return int(digits[1])
    return 2 if kind == "monetary" else None


@functools.lru_cache(maxsize=256)
def currency_affix(code: str, lang: str) -> tuple[str, bool]:
    """``(symbol, before)``: the currency's symbol in the language, and whether the
    locale writes it before the amount (``€1.00``) or after (``1,00 €``)."""
    locale = formatting.locale_of(lang)
    symbol = babel_numbers.get_currency_symbol(code, locale=locale)
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    return symbol, pattern.index("¤") < pattern.index("0")


def from_iso(text: str, kind: str) -> Any:
    """A date or datetime from its ISO text (as the journal stores them)."""
    try:
        if kind == "date":
            return dt.date.fromisoformat(text[:10])
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return text


def input_value(value: Any, description: Mapping[str, Any], lang: str = "en_US",
                tz: str = "UTC") -> str:
    """The value to put in an ``<input>``: ISO dates for the browser's date widgets,
    datetimes in the user's time zone, amounts in the user's number format."""
    kind = description.get("type")
    if value is None or value is False:
        return ""
    if kind == "many2one":
        return str(value[0]) if isinstance(value, (list, tuple)) else str(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "datetime":
        if not isinstance(value, dt.datetime):
            return str(value)
        local = value.replace(tzinfo=dt.timezone.utc).astimezone(formatting.zone(tz))
        return local.strftime("%Y-%m-%dT%H:%M")
    if kind == "monetary":
        return formatting.format_number(value, lang, digits=_digits(description, kind))
    if kind == "float":
        return repr(float(value)).rstrip("0").rstrip(".") if value else "0"
    return str(value)


def parse(name: str, raw: Any, description: Mapping[str, Any], lang: str,
          tz: str = "UTC") -> Any:
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
        if kind == "monetary":
            amount = _without_currency(text)
            if not amount:
                raise ValueError
            return formatting.parse_number(amount, lang)
        if kind == "float":
            return formatting.parse_number(text, lang)
        if kind == "date":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return formatting.parse_date(text, lang)
        if kind == "datetime":
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:       # typed in the user's time zone
                moment = moment.replace(tzinfo=formatting.zone(tz))
            return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
        if kind == "many2many":
            ids = raw if isinstance(raw, list) else [raw]
            return [(6, 0, list(dict.fromkeys(int(i) for i in ids if str(i).strip())))]
    except (ValueError, TypeError, ValidationError):
        raise ValidationError(_("'%(value)s' is not a valid value for '%(field)s'.",
                                value=raw, field=label, lang=lang), field=name) from None
    return text


def _without_currency(text: str) -> str:
    """An amount as typed, without a currency symbol or code around it (``€12.50``,
    ``12,50 €``, ``12.50 EUR``)."""
    stripped = text.strip(" \u00a0\u202f").lstrip("$€£¥¤").rstrip("$€£¥¤")
    letters = stripped.strip(" \u00a0\u202f0123456789.,'-\u2212")
    if letters and stripped.endswith(letters):
        stripped = stripped[:-len(letters)]
    elif letters and stripped.startswith(letters):
        stripped = stripped[len(letters):]
    return stripped.strip(" \u00a0\u202f")


def parse_image(name: str, upload: Any, description: Mapping[str, Any], lang: str,
                max_bytes: int) -> bytes:
    """The bytes of an uploaded picture, refused when too large or not really an image
    (checked by content, whatever the browser claimed)."""
    label = description.get("string") or name
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("The image for '%(field)s' is too large (%(size)s MB at most).",
                                field=label, size=max_bytes // (1024 * 1024), lang=lang),
                              field=name)
    if image_type(data) is None:
        raise ValidationError(_("'%(field)s' only accepts PNG, JPEG, GIF or WebP images.",
                                field=label, lang=lang), field=name)
    return data
