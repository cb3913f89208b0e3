"""``resource.calendar``: working hours and days off as data, public holidays from the
``holidays`` library, deadlines and clocks computed in them; the admin screens."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import UserError, ValidationError
from core.testing import count_queries

FRIDAY_4PM = dt.datetime(2026, 11, 20, 15, 0)  # Paris


@pytest.fixture
def office(env):
    return env["resource.calendar"].create({
        "name": "Support", "tz": "Europe/Paris", "holiday_country": "FR",
        "attendance_ids": [(0, 0, {"dayofweek": str(d), "hour_from": a, "hour_to": b})
                           for d in range(5) for a, b in ((9, 12.5), (13.5, 17))]})


def test_the_standard_calendar_ships_with_french_holidays(env):
    standard = env.ref("base.resource_calendar_standard")
    assert standard.hours_per_week == 35
    year = dt.date.today().year
    days = {leave.date_from for leave in standard.leave_ids}
    assert dt.date(year, 7, 14) in days and dt.date(year + 1, 12, 25) in days
    assert all(leave.kind == "public" for leave in standard.leave_ids)


def test_deadlines_count_working_hours_and_days_off(env, office):
    assert office.add_working_hours(FRIDAY_4PM, 5) == dt.datetime(2026, 11, 23, 13, 0)
    # Armistice Day (Wednesday 11 November 2026) loaded from the public holidays
    office.action_load_public_holidays([2026])
    assert "Armistice Day" in office.leave_ids.mapped("name")
    french = env["resource.calendar"].with_context(lang="fr_FR").create({"name": "Paris"})
    french.action_load_public_holidays([2026])
    assert "Armistice" in french.leave_ids.mapped("name")  # named in the user's language
    tuesday_5pm = dt.datetime(2026, 11, 10, 16, 0)
    assert office.add_working_hours(tuesday_5pm, 1) == dt.datetime(2026, 11, 12, 9, 0)
    assert office.working_hours_between(tuesday_5pm, dt.datetime(2026, 11, 12, 9, 0)) == 1
    # loading twice adds nothing; a closure for every calendar counts too
    count = len(office.leave_ids)
    office.action_load_public_holidays([2026])
    assert len(office.leave_ids) == count
    env["resource.calendar.leave"].create({"name": "Inventory", "kind": "closure",
                                           "date_from": dt.date(2026, 11, 23)})
    assert office.add_working_hours(FRIDAY_4PM, 2) == dt.datetime(2026, 11, 24, 9, 0)


def test_a_clock_pauses(env, office):
    pause = (dt.datetime(2026, 11, 23, 8, 0), None)
    clock = office.clock(FRIDAY_4PM, [pause])
    now = dt.datetime(2026, 11, 23, 14, 0)
    assert clock.consumed(now) == dt.timedelta(hours=1) and clock.deadline(
        dt.timedelta(hours=4), now) is None


def test_bad_input_is_refused_with_a_reason(env, office):
    with pytest.raises(ValidationError, match="time zone"):
        office.write({"tz": "Europe/Atlantis"})
    with pytest.raises(ValidationError, match="from 0 to 24"):
        office.write({"attendance_ids": [(0, 0, {"dayofweek": "5", "hour_from": 18,
                                                 "hour_to": 9})]})
    with pytest.raises(ValidationError, match="end before"):
        env["resource.calendar.leave"].create({"name": "x", "date_from": dt.date(2026, 5, 2),
                                               "date_to": dt.date(2026, 5, 1)})
    office.holiday_country = "XX"
    with pytest.raises(UserError, match="No public holidays"):
        office.action_load_public_holidays([2026])


def test_a_deadline_costs_the_same_queries_with_many_days_off(env, office):
    office.action_load_public_holidays([2026])
    env.invalidate_all()
    with count_queries(env) as few:
        office.add_working_hours(FRIDAY_4PM, 40)
    office.action_load_public_holidays([2027, 2028])
    env.invalidate_all()
    with count_queries(env) as many:
        office.add_working_hours(FRIDAY_4PM, 40)
    assert many.count == few.count <= 5
