"""Recurrence rules (RFC 5545 RRULE, EXDATE, RDATE) expanded with ``dateutil.rrule``.

Why expansion happens in the event's time zone: "every Monday at 09:00 in Paris" is 07:00
UTC in summer and 08:00 UTC in winter. The rule is therefore run on aware datetimes of the
event's zone (``zoneinfo`` keeps the wall-clock time and recomputes the offset across a DST
change), then each occurrence is converted to naive UTC, the way datetimes are stored.
All-day events recur on dates: their rule runs on naive midnights and never meets a zone.

EXDATE and RDATE are kept as text, one token per value, separated by commas:
``20260316T080000Z`` (a UTC instant) for timed events, ``20260316`` for all-day ones.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du_rrule

from ..exceptions import ValidationError
from ..i18n.translate import _

UTC = dt.timezone.utc
#: the stored end of a series that never ends (a bounded column value, on both engines)
FOREVER = dt.datetime(9999, 12, 31)
#: a series longer than this is treated as endless when computing where it stops
MAX_SCAN = 5000
_FREQS = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


def zone(name: str | None) -> dt.tzinfo:
    """The IANA zone ``name`` (UTC when unknown or empty)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def known_zone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def _format_instant(value: dt.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def parse_token(token: str, allday: bool, tz: dt.tzinfo) -> dt.datetime | dt.date:
    """One EXDATE/RDATE token: a naive UTC datetime (timed) or a date (all-day)."""
    text = token.strip().upper()
    try:
        if len(text) == 8 and text.isdigit():
            day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if allday:
                return day
            return dt.datetime.combine(day, dt.time(), tz).astimezone(UTC).replace(tzinfo=None)
        moment = dt.datetime.strptime(text.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a date (YYYYMMDD) or a time "
                                "(YYYYMMDDTHHMMSSZ).", value=token.strip()),
                              field="exdate") from None
    if allday:
        return moment.date()
    if not text.endswith("Z"):       # floating: a wall-clock time of the event's zone
        moment = moment.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    return moment


def parse_tokens(text: str | None, allday: bool, tz: dt.tzinfo) -> list:
    return [parse_token(t, allday, tz) for t in (text or "").replace(";", ",").split(",")
            if t.strip()]


def format_tokens(values: Iterable[dt.datetime | dt.date]) -> str:
    """The text form of EXDATE/RDATE values (sorted, without duplicates)."""
    tokens = set()
    for value in values:
        if isinstance(value, dt.datetime):
            tokens.add(_format_instant(value))
        else:
            tokens.add(value.strftime("%Y%m%d"))
    return ",".join(sorted(tokens))


def normalize_rule(text: str | None, allday: bool, tz: dt.tzinfo) -> str:
    """A clean RRULE value: no ``RRULE:`` prefix, no spaces (Exchange writes
    ``BYDAY=MO, TU``), upper case, ``UNTIL`` in UTC for timed events and a date for
    all-day ones; raises :class:`ValidationError` when it is not a rule."""
    if not text or not text.strip():
        return ""
    rule = re.sub(r"\s+", "", text).upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    parts: list[str] = []
    keys = set()
    for part in rule.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise ValidationError(_("'%(rule)s' is not a recurrence rule (RRULE).",
                                    rule=text.strip()), field="rrule")
        keys.add(key)
        if key == "UNTIL":
            value = _normalize_until(value, allday, tz, text)
        parts.append(f"{key}={value}")
    if "FREQ" not in keys or not any(p == f"FREQ={f}" for p in parts for f in _FREQS):
        raise ValidationError(_("The recurrence rule '%(rule)s' needs a frequency "
                                "(FREQ=DAILY, WEEKLY, MONTHLY or YEARLY).",
                                rule=text.strip()), field="rrule")
    if "UNTIL" in keys and "COUNT" in keys:
        raise ValidationError(_("A recurrence rule has an end date (UNTIL) or a number of "
                                "occurrences (COUNT), not both."), field="rrule")
    normalized = ";".join(parts)
    start = dt.datetime(2000, 1, 1) if allday else dt.datetime(2000, 1, 1, tzinfo=tz)
    try:
        du_rrule.rrulestr(normalized, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError):
        raise ValidationError(_("'%(rule)s' is not a valid recurrence rule (RRULE).",
                                rule=text.strip()), field="rrule") from None
    return normalized


def _normalize_until(value: str, allday: bool, tz: dt.tzinfo, text: str) -> str:
    try:
        if len(value) == 8:
            day = dt.datetime.strptime(value, "%Y%m%d")
            if allday:
                return value
            end = dt.datetime.combine(day.date(), dt.time(23, 59, 59), tz)
            return _format_instant(end.astimezone(UTC))
        moment = dt.datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        raise ValidationError(_("The end date of the recurrence rule '%(rule)s' is not a "
                                "date.", rule=text.strip()), field="rrule") from None
    if allday:
        if value.endswith("Z"):
            moment = moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
        return moment.strftime("%Y%m%d")
    if not value.endswith("Z"):
        moment = moment.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    return _format_instant(moment)


@dataclass(frozen=True)
class Series:
    """What an event says about when it happens (all datetimes naive UTC)."""

    start: dt.datetime
    stop: dt.datetime
    allday: bool = False
    tz: str = "UTC"
    rrule: str = ""
    exdate: str = ""
    rdate: str = ""

    @property
    def duration(self) -> dt.timedelta:
        return max(self.stop - self.start, dt.timedelta(0))

    def _local_start(self) -> dt.datetime:
        if self.allday:
            return self.start.replace(hour=0, minute=0, second=0)
        return self.start.replace(tzinfo=UTC).astimezone(zone(self.tz))

    def _rule(self) -> du_rrule.rrule | None:
        if not self.rrule:
            return None
        text = normalize_rule(self.rrule, self.allday, zone(self.tz))
        return du_rrule.rrulestr(text, dtstart=self._local_start())

    def _to_utc(self, local: dt.datetime) -> dt.datetime:
        if self.allday:
            return local.replace(tzinfo=None)
        return local.astimezone(UTC).replace(tzinfo=None)

    def _excluded(self) -> set:
        return set(parse_tokens(self.exdate, self.allday, zone(self.tz)))

    def _extra(self) -> list[dt.datetime]:
        values = parse_tokens(self.rdate, self.allday, zone(self.tz))
        return [dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime) else v
                for v in values]

    def _key(self, start: dt.datetime) -> dt.datetime | dt.date:
        return start.date() if self.allday else start

    def starts(self, low: dt.datetime | None = None,
               high: dt.datetime | None = None) -> Iterator[dt.datetime]:
        """Occurrence starts (naive UTC, sorted) in [low, high) when given; without a
        rule, the event's own start (plus its RDATEs)."""
        excluded = self._excluded()
        candidates: list[dt.datetime] = []
        rule = self._rule()
        if rule is None:
            candidates.append(self.start)
        else:
            if low is None or high is None:
                source: Iterable[dt.datetime] = itertools.islice(rule, MAX_SCAN)
            else:
                source = rule.between(self._localize(low), self._localize(high), inc=True)
            candidates.extend(self._to_utc(local) for local in source)
        candidates.extend(self._extra())
        for start in sorted(set(candidates)):
            if self._key(start) in excluded:
                continue
            if low is not None and start < low:
                continue
            if high is not None and start >= high:
                continue
            yield start

    def _localize(self, value: dt.datetime) -> dt.datetime:
        if self.allday:
            return value
        return value.replace(tzinfo=UTC).astimezone(zone(self.tz))

    def occurrences(self, low: dt.datetime,
                    high: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """``(start, stop)`` of the occurrences overlapping [low, high)."""
        duration = self.duration
        result = []
        for start in self.starts(low - duration - dt.timedelta(seconds=1), high):
            stop = start + duration
            if stop > low or (duration == dt.timedelta(0) and start >= low):
                result.append((start, stop))
        return result

    def end(self) -> dt.datetime:
        """When the last occurrence ends; :data:`FOREVER` for an endless series."""
        if not self.rrule:
            extra = self._extra()
            return max([self.stop] + [s + self.duration for s in extra])
        rule = self._rule()
        assert rule is not None
        if not (getattr(rule, "_count", None) or getattr(rule, "_until", None)):
            return FOREVER
        last = None
        for count, local in enumerate(rule):
            if count >= MAX_SCAN:
                return FOREVER
            last = local
        starts = [self._to_utc(last)] if last is not None else [self.start]
        starts += self._extra()
        return max(starts) + self.duration
