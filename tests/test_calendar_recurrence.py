"""Recurrence expansion (core/calendar/recurrence.py): RFC 5545 rules run in the event's
time zone (DST-safe), EXDATE and RDATE, all-day series, and clear errors on bad rules."""
from __future__ import annotations

import datetime as dt

import pytest

from core.calendar.recurrence import FOREVER, Series, normalize_rule, zone
from core.exceptions import ValidationError


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_weekly_rule_keeps_local_time_across_dst() -> None:
    # 09:00 in Paris every Monday: 08:00 UTC in winter, 07:00 UTC after 29 March 2026
    series = Series(utc("2026-03-16 08:00"), utc("2026-03-16 09:00"), tz="Europe/Paris",
                    rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4")
    starts = list(series.starts())
    assert starts == [utc("2026-03-16 08:00"), utc("2026-03-23 08:00"),
                      utc("2026-03-30 07:00"), utc("2026-04-06 07:00")]
    assert series.end() == utc("2026-04-06 08:00")
    # the same rule in UTC would drift by an hour in local time: it does not
    local = [s.replace(tzinfo=dt.timezone.utc).astimezone(zone("Europe/Paris")).hour
             for s in starts]
    assert local == [9, 9, 9, 9]


def test_exdate_rdate_and_range() -> None:
    series = Series(utc("2026-01-05 08:00"), utc("2026-01-05 08:30"), tz="Europe/Paris",
                    rrule="FREQ=DAILY;UNTIL=20260109", exdate="20260107T080000Z",
                    rdate="20260110T100000Z")
    assert list(series.starts()) == [utc("2026-01-05 08:00"), utc("2026-01-06 08:00"),
                                     utc("2026-01-08 08:00"), utc("2026-01-09 08:00"),
                                     utc("2026-01-10 10:00")]
    spans = series.occurrences(utc("2026-01-06 08:15"), utc("2026-01-09 00:00"))
    # the occurrence already running at the start of the range is included
    assert [s for s, _e in spans] == [utc("2026-01-06 08:00"), utc("2026-01-08 08:00")]
    assert series.end() == utc("2026-01-10 10:30")


def test_endless_series_and_floating_exdate() -> None:
    series = Series(utc("2026-06-01 07:00"), utc("2026-06-01 08:00"), tz="Europe/Paris",
                    rrule="FREQ=WEEKLY", exdate="20260608T090000")     # 09:00 Paris
    assert series.end() == FOREVER
    starts = [s for s, _e in series.occurrences(utc("2026-06-01"), utc("2026-06-30"))]
    assert utc("2026-06-08 07:00") not in starts and len(starts) == 4
    far = series.occurrences(utc("2036-06-01"), utc("2036-06-08"))
    assert len(far) == 1 and far[0][0].hour == 7


def test_allday_series_recurs_on_dates() -> None:
    series = Series(dt.datetime(2024, 7, 1), dt.datetime(2024, 7, 2), allday=True,
                    tz="America/New_York", rrule="FREQ=WEEKLY;INTERVAL=2;UNTIL=20240728",
                    exdate="20240715")
    assert [s.date() for s in series.starts()] == [dt.date(2024, 7, 1)]
    # the stored series end is an upper bound (for range queries): EXDATEs do not lower it
    assert series.end() == dt.datetime(2024, 7, 16)


def test_rules_are_cleaned_and_bad_ones_refused() -> None:
    paris = zone("Europe/Paris")
    assert normalize_rule("RRULE:freq=daily; byday=MO, TU", False, paris) == \
        "FREQ=DAILY;BYDAY=MO,TU"
    # UNTIL becomes UTC for timed series, a date for all-day ones
    assert normalize_rule("FREQ=DAILY;UNTIL=20260110", False, paris) == \
        "FREQ=DAILY;UNTIL=20260110T225959Z"
    assert normalize_rule("FREQ=DAILY;UNTIL=20240728T230000Z", True, paris) == \
        "FREQ=DAILY;UNTIL=20240729"
    for bad in ("BYDAY=MO", "FREQ=SOMETIMES", "FREQ=DAILY;COUNT=2;UNTIL=20260101",
                "FREQ=DAILY;BYDAY=XX", "nonsense"):
        with pytest.raises(ValidationError) as info:
            normalize_rule(bad, False, paris)
        assert info.value.field == "rrule"
