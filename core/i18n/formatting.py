"""Locale-aware display and input of dates, numbers and amounts (babel/CLDR), for the web
layer: ``format_*`` turn values into what a user of a language reads, ``parse_*`` turn what
they typed back into values, refusing bad input with a :class:`ValidationError`.

Dates are shown and typed in the locale's short numeric order with a four-digit year
(``23/11/2026`` in French, ``11/23/2026`` in American English); datetimes are stored naive
in UTC and shown in the user's time zone.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from ..exceptions import ValidationError
from .translate import _

DEFAULT_LANG = "en_US"
UTC = dt.timezone.utc
#: three groups of digits (day, month, year in the locale's order) and separators
_NUMERIC_DATE = re.compile(r"\d{1,4}[^\w]+\d{1,2}[^\w]+\d{1,4}[^\w]*")


@functools.lru_cache(maxsize=64)
def locale_of(lang: str | None) -> Locale:
    """The babel locale of a language code (``fr_FR``, ``fr-FR``, ``fr``); English for an
    unknown or empty one, so a bad user preference never breaks a page."""
    try:
        return Locale.parse((lang or DEFAULT_LANG).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LANG)


@functools.lru_cache(maxsize=64)
def date_pattern(lang: str | None) -> str:
    """The locale's short date pattern with a four-digit year (``dd/MM/y``, ``M/d/y``)."""
    pattern = babel_dates.get_date_format("short", locale=locale_of(lang)).pattern
    return pattern.replace("yyyy", "y").replace("yy", "y")


def zone(tz: str | dt.tzinfo | None) -> dt.tzinfo:
    if isinstance(tz, dt.tzinfo):
        return tz
    try:
        return ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_date(value: dt.date | None, lang: str | None) -> str:
    """``2026-11-23`` as ``23/11/2026`` (fr_FR) or ``11/23/2026`` (en_US); empty for None."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_dates.format_date(value, date_pattern(lang), locale=locale_of(lang))


def format_datetime(value: dt.datetime | None, lang: str | None,
                    tz: str | dt.tzinfo | None = None) -> str:
    """A naive UTC datetime (as stored) shown in the time zone ``tz`` (UTC when unknown):
    ``23/11/2026 15:30`` for Paris in French."""
    if not value:
        return ""
    locale = locale_of(lang)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone(tz))
    time = babel_dates.format_time(local, "short", locale=locale)
    day = babel_dates.format_date(local.date(), date_pattern(lang), locale=locale)
    glue = babel_dates.get_datetime_format("short", locale=locale).replace("'", "")
    return glue.replace("{0}", time).replace("{1}", day)


def format_number(value: float | int | Decimal | None, lang: str | None,
                  digits: int | None = None) -> str:
    """``1234.5`` as ``1 234,5`` (fr_FR) or ``1,234.5``; ``digits`` fixes the number of
    decimals (``format_number(2, 'fr_FR', 2)`` is ``2,00``). Empty for None."""
    if value is None or value is False:
        return ""
    locale = locale_of(lang)
    if digits is None:
        return babel_numbers.format_decimal(value, locale=locale)
    pattern = copy.copy(babel_numbers.parse_pattern(locale.decimal_formats[None]))
    pattern.frac_prec = (digits, digits)
    return pattern.apply(Decimal(str(value)), locale)


def format_currency(amount: float | int | Decimal | None, currency_code: str,
                    lang: str | None) -> str:
    """``1234.5`` EUR as ``1 234,50 €`` (fr_FR) or ``€1,234.50`` (en_US). Empty for None."""
    if amount is None or amount is False:
        return ""
    return babel_numbers.format_currency(amount, currency_code, locale=locale_of(lang))


def parse_date(text: str | None, lang: str | None) -> dt.date | None:
    """What a user typed as a date, in their language's order (``23/11/2026`` in French)
    or ISO (``2026-11-23``); None for an empty input."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    value = None
    if _NUMERIC_DATE.fullmatch(text):
        try:
            value = babel_dates.parse_date(text, locale=locale_of(lang), format="short")
        except (ValueError, IndexError):
            value = None
    if value is None:
        raise ValidationError(_("'%(value)s' is not a valid date; type it like %(example)s.",
                                lang=lang or DEFAULT_LANG, value=text,
                                example=format_date(dt.date(2026, 11, 23), lang)))
    return value


def parse_number(text: str | None, lang: str | None) -> float | None:
    """What a user typed as a number in their language (``1 234,56`` in French, spaces of
    any kind accepted as group separators); None for an empty input."""
    text = (text or "").strip()
    if not text:
        return None
    locale = locale_of(lang)
    normalised = text.replace("\u2212", "-")
    if babel_numbers.get_group_symbol(locale).isspace():
        normalised = "".join(normalised.split())
    try:
        number = babel_numbers.parse_decimal(normalised, locale=locale)
    except (babel_numbers.NumberFormatError, InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("'%(value)s' is not a valid number; type it like "
                                "%(example)s.", lang=lang or DEFAULT_LANG, value=text,
                                example=format_number(1234.56, lang, 2)))
    return float(number)
