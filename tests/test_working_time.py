"""Working-time arithmetic (core.automation.working_time): deadlines and time consumed in
working hours, across weekends, holidays, daylight-saving changes and pauses."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.automation.working_time import (ALWAYS, NoWorkingTime, PausableClock,
                                          WorkingSchedule, _merge)

H = dt.timedelta(hours=1)
#: Monday to Friday 09:00-12:30 and 13:30-17:00 in Paris (7 h a day)
OFFICE = WorkingSchedule.from_hours(
    [(d, 9, 12.5) for d in range(5)] + [(d, 13.5, 17) for d in range(5)], "Europe/Paris")
# Friday 20 November 2026, 16:00 in Paris (UTC+1)
FRIDAY_4PM = dt.datetime(2026, 11, 20, 15, 0)


def test_a_deadline_skips_the_night_the_weekend_and_lunch():
    # 1 h on Friday (16-17), then Monday 9:00-12:30 (3.5 h), 13:30 +0.5 h
    assert OFFICE.add(FRIDAY_4PM, 5 * H) == dt.datetime(2026, 11, 23, 13, 0)  # 14:00 Paris
    assert OFFICE.between(FRIDAY_4PM, dt.datetime(2026, 11, 23, 13, 0)) == 5 * H
    assert OFFICE.add(FRIDAY_4PM, dt.timedelta()) == FRIDAY_4PM


def test_outside_working_hours_the_clock_starts_at_the_next_opening():
    saturday = dt.datetime(2026, 11, 21, 10, 0)
    assert OFFICE.add(saturday, H) == dt.datetime(2026, 11, 23, 9, 0)  # Monday 10:00 Paris
    assert not OFFICE.is_working(saturday)
    assert OFFICE.is_working(dt.datetime(2026, 11, 23, 8, 30))  # Monday 9:30 Paris


def test_days_off_are_not_counted():
    # Wednesday 11 November (Armistice) off, in Paris local days
    off = ((dt.datetime(2026, 11, 10, 23, 0), dt.datetime(2026, 11, 11, 23, 0)),)
    schedule = WorkingSchedule(OFFICE.week, OFFICE.tz, off)
    tuesday_5pm = dt.datetime(2026, 11, 10, 16, 0)
    assert schedule.add(tuesday_5pm, H) == dt.datetime(2026, 11, 12, 9, 0)  # Thu 10:00
    assert OFFICE.add(tuesday_5pm, H) == dt.datetime(2026, 11, 11, 9, 0)


def test_local_hours_hold_across_daylight_saving_changes():
    # 9:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer (change on 29 March 2026)
    friday = dt.datetime(2026, 3, 27, 15, 0)   # 16:00 Paris, winter time
    assert OFFICE.add(friday, 2 * H) == dt.datetime(2026, 3, 30, 8, 0)  # Mon 10:00 CEST
    night = WorkingSchedule.from_hours([(d, 0, 24) for d in range(7)], "Europe/Paris")
    # the night of the change lasts 23 hours of wall time: Saturday 0:00 to Monday 0:00
    saturday, monday = dt.datetime(2026, 3, 27, 23, 0), dt.datetime(2026, 3, 29, 22, 0)
    assert night.between(saturday, monday) == 47 * H


def test_an_empty_week_has_no_deadline():
    with pytest.raises(NoWorkingTime):
        WorkingSchedule(((),) * 7).add(FRIDAY_4PM, H)
    assert WorkingSchedule(((),) * 7).between(FRIDAY_4PM, FRIDAY_4PM + 100 * H) == \
        dt.timedelta()


def test_a_week_needs_seven_days():
    with pytest.raises(ValueError):
        WorkingSchedule(((),) * 5)


def test_the_clock_stops_while_paused_and_its_deadline_waits():
    # paused from Monday 9:00 to 13:00 Paris (waiting for the customer)
    pause = (dt.datetime(2026, 11, 23, 8, 0), dt.datetime(2026, 11, 23, 12, 0))
    clock = PausableClock(OFFICE, FRIDAY_4PM, (pause,))
    now = dt.datetime(2026, 11, 23, 14, 0)  # Monday 15:00 Paris
    assert clock.consumed(now) == 2.5 * H   # Friday 16-17, Monday 13:30-15:00
    assert clock.deadline(4 * H, now) == dt.datetime(2026, 11, 23, 15, 30)
    still = PausableClock(OFFICE, FRIDAY_4PM, ((pause[0], None),))
    assert still.paused(now) and still.deadline(4 * H, now) is None
    assert still.consumed(now) == H


def test_a_breached_clock_gives_the_instant_of_the_breach():
    clock = PausableClock(OFFICE, FRIDAY_4PM)
    now = dt.datetime(2026, 11, 24, 15, 0)
    assert clock.deadline(2 * H, now) == dt.datetime(2026, 11, 23, 9, 0)  # Mon 10:00


# -- properties ---------------------------------------------------------------------------------
instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31))
durations = st.integers(min_value=0, max_value=60 * 80).map(lambda m: dt.timedelta(minutes=m))
hours_rows = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 47), st.integers(1, 48)),
                      min_size=1, max_size=8).map(
    lambda rows: [(d, a / 2, min(24, a / 2 + b / 2)) for d, a, b in rows])
schedules = st.builds(WorkingSchedule.from_hours, hours_rows,
                      st.sampled_from(["UTC", "Europe/Paris", "America/New_York",
                                       "Pacific/Auckland"]))


@settings(max_examples=60, deadline=None)
@given(schedules, instants, durations)
def test_adding_then_measuring_gives_the_duration_back(schedule, start, duration):
    end = schedule.add(start, duration)
    assert end >= start
    assert schedule.between(start, end) == duration


@settings(max_examples=60, deadline=None)
@given(schedules, instants, durations, durations)
def test_deadlines_are_additive_and_monotonic(schedule, start, first, second):
    middle = schedule.add(start, first)
    assert schedule.add(middle, second) == schedule.add(start, first + second)
    assert schedule.add(start, first) <= schedule.add(start, first + second)


@settings(max_examples=60, deadline=None)
@given(schedules, instants, instants, instants)
def test_time_between_adds_up_and_never_exceeds_elapsed_time(schedule, a, b, c):
    a, b, c = sorted((a, b, c))
    assert schedule.between(a, c) == schedule.between(a, b) + schedule.between(b, c)
    assert schedule.between(a, c) <= c - a


@settings(max_examples=60, deadline=None)
@given(instants, durations, st.lists(st.tuples(instants, durations), max_size=3))
def test_a_clock_counts_everything_but_its_pauses(start, elapsed, pauses):
    pauses = tuple((p, p + d) for p, d in pauses)
    now = start + elapsed
    clock = PausableClock(ALWAYS, start, pauses)
    paused = sum((b - a for a, b in _merge((max(p, start), min(q, now)) for p, q in pauses)),
                 dt.timedelta())
    assert clock.consumed(now) == elapsed - paused
