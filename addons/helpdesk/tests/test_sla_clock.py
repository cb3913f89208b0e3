"""Properties of the SLA policy arithmetic (``target_state``) on working schedules, with
hypothesis: a pause never brings a deadline earlier, paused time is never counted, a
target met before its deadline is never breached, a status never improves while the clock
runs, and a deadline does not depend on when it is looked at. No database, no clock."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from core.automation.working_time import ALWAYS, WorkingSchedule

from addons.helpdesk.models.helpdesk_sla import target_state, worst_status

H = dt.timedelta(hours=1)
OFFICE = WorkingSchedule.from_hours(
    [(d, 9, 12.5) for d in range(5)] + [(d, 13.5, 17) for d in range(5)], "Europe/Paris",
    off=((dt.datetime(2026, 12, 24, 23, 0), dt.datetime(2026, 12, 25, 23, 0)),))
NIGHT_SHIFT = WorkingSchedule.from_hours([(d, 20, 24) for d in range(7)] +
                                         [(d, 0, 4) for d in range(7)], "America/New_York")
BASE = dt.datetime(2026, 11, 16, 0, 0)
RANK = {"ok": 0, "at_risk": 1, "breached": 2}

schedules = st.sampled_from([OFFICE, NIGHT_SHIFT, ALWAYS])
moments = st.integers(min_value=0, max_value=24 * 60 * 30).map(
    lambda minutes: BASE + dt.timedelta(minutes=minutes))
targets = st.integers(min_value=1, max_value=80).map(lambda quarter: quarter / 4)
pauses = st.lists(st.tuples(st.integers(0, 24 * 60 * 20), st.integers(1, 24 * 60 * 4)),
                  max_size=4).map(lambda spans: [
                      (BASE + dt.timedelta(minutes=a), BASE + dt.timedelta(minutes=a + n))
                      for a, n in spans])
SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(schedules, moments, pauses, st.tuples(st.integers(0, 24 * 60 * 20),
                                             st.integers(1, 24 * 60 * 4)), targets,
       st.integers(0, 24 * 60 * 40))
def test_a_pause_never_brings_the_deadline_earlier(schedule, start, known, extra, hours,
                                                   later) -> None:
    now = start + dt.timedelta(minutes=later)
    pause = (BASE + dt.timedelta(minutes=extra[0]),
             BASE + dt.timedelta(minutes=extra[0] + extra[1]))
    without = target_state(schedule, start, known, hours, now)
    with_pause = target_state(schedule, start, [*known, pause], hours, now)
    assert with_pause.deadline >= without.deadline
    assert with_pause.consumed <= without.consumed
    assert RANK[with_pause.status] <= RANK[without.status]


@SETTINGS
@given(schedules, moments, pauses, targets, st.integers(0, 24 * 60 * 40))
def test_paused_time_is_never_counted(schedule, start, known, hours, later) -> None:
    now = start + dt.timedelta(minutes=later)
    state = target_state(schedule, start, known, hours, now)
    # what the clock counted and what it did not make up the working time elapsed
    assert state.consumed + state.paused == schedule.between(start, now)
    for a, b in known:
        inside = (max(a, start), min(b, now))
        if inside[0] < inside[1]:
            assert state.paused >= schedule.between(*inside)


@SETTINGS
@given(schedules, moments, pauses, targets, st.floats(0, 1))
def test_a_target_met_before_its_deadline_is_never_breached(schedule, start, known, hours,
                                                            share) -> None:
    # read long after: every pause is over, the deadline is where the target was reached
    running = target_state(schedule, start, known, hours, start + 2000 * H)
    stop = start + (running.deadline - start) * share
    met = target_state(schedule, start, known, hours, stop + 100 * H, stop=stop)
    assert met.done and not met.breached
    # and a stop after the deadline (with working time between) is a breach
    late = schedule.add(running.deadline, dt.timedelta(minutes=1))
    if not any(a < late and b > running.deadline for a, b in known):
        missed = target_state(schedule, start, known, hours, late + H, stop=late)
        assert missed.breached


@SETTINGS
@given(schedules, moments, pauses, targets, st.lists(st.integers(0, 24 * 60 * 30),
                                                     min_size=2, max_size=6))
def test_while_running_a_status_never_improves(schedule, start, known, hours,
                                               offsets) -> None:
    seen = [target_state(schedule, start, known, hours, start + dt.timedelta(minutes=m))
            for m in sorted(offsets)]
    ranks = [RANK[state.status] for state in seen]
    assert ranks == sorted(ranks)


@SETTINGS
@given(schedules, moments, pauses, targets, st.integers(0, 24 * 60 * 10),
       st.integers(0, 24 * 60 * 10))
def test_a_deadline_does_not_depend_on_when_it_is_read(schedule, start, known, hours, one,
                                                       two) -> None:
    # once every pause is over, every reading gives the same deadline
    settled = max([start, *(b for _a, b in known)])
    first = target_state(schedule, start, known, hours, settled + dt.timedelta(minutes=one))
    second = target_state(schedule, start, known, hours, settled + dt.timedelta(minutes=two))
    assert first.deadline == second.deadline


def test_an_open_pause_moves_the_deadline_as_long_as_it_lasts() -> None:
    monday = dt.datetime(2026, 11, 23, 8, 0)                       # 09:00 Paris
    open_pause = [(monday + H, None)]
    at_10 = target_state(OFFICE, monday, open_pause, 4, monday + H)
    at_12 = target_state(OFFICE, monday, open_pause, 4, monday + 3 * H)
    assert at_10.deadline == monday + 5 * H                        # 14:00 Paris (lunch)
    assert at_12.deadline > at_10.deadline
    assert at_12.consumed == H and at_12.status == "ok"


def test_the_worst_status_wins() -> None:
    monday = dt.datetime(2026, 11, 23, 8, 0)
    ok = target_state(OFFICE, monday, [], 10, monday + H)
    risky = target_state(OFFICE, monday, [], 1.2, monday + H)
    late = target_state(OFFICE, monday, [], 0.5, monday + H)
    assert (ok.status, risky.status, late.status) == ("ok", "at_risk", "breached")
    assert worst_status([ok, None, risky]) == "at_risk"
    assert worst_status([late, ok]) == "breached"
    assert worst_status([None]) == "ok"
