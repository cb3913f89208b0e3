"""``calendar.event`` and ``calendar.attendee`` on both engines: attendees following
``partner_ids``, all-day dates, sequences, privacy ("Busy" for colleagues), record rules,
occurrences of recurring series in a constant number of queries, detached occurrences."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, ValidationError
from core.testing import count_queries

MONDAY = dt.datetime(2026, 3, 16, 8, 0)          # 09:00 in Paris


@pytest.fixture
def team(env):
    users = env["res.users"]
    group = env.ref("base.group_user")
    ann = users.create({"name": "Ann Calendar", "login": "ann.cal", "tz": "Europe/Paris",
                        "email": "ann@example.com", "groups_id": [(6, 0, [group.id])]})
    bob = users.create({"name": "Bob Calendar", "login": "bob.cal", "tz": "Europe/Paris",
                        "groups_id": [(6, 0, [group.id])]})
    client = env["res.partner"].create({"name": "Client", "email": "client@example.org"})
    return {"ann": ann, "bob": bob, "client": client}


def as_user(env, user):
    return env(uid=user.id, su=False, context={"tz": user.tz})


def test_attendees_follow_partner_ids(env, team) -> None:
    ann = team["ann"]
    events = as_user(env, ann)["calendar.event"]
    event = events.create({"name": "Review", "start": MONDAY,
                           "stop": MONDAY + dt.timedelta(hours=1),
                           "partner_ids": [(6, 0, [ann.partner_id.id, team["client"].id])]})
    assert event.user_id == ann and event.uid.endswith("@comptoir")
    assert event.event_tz == "Europe/Paris" and event.duration == 1.0
    assert sorted(event.attendee_ids.mapped("partner_id").ids) == sorted(
        [ann.partner_id.id, team["client"].id])
    assert set(event.attendee_ids.mapped("state")) == {"needsAction"}
    event.write({"partner_ids": [(3, team["client"].id), (4, team["bob"].partner_id.id)]})
    assert sorted(event.attendee_ids.mapped("partner_id").ids) == sorted(
        [ann.partner_id.id, team["bob"].partner_id.id])
    # adding an answer line adds its partner to the event (the rules test partner_ids)
    extra = env["res.partner"].create({"name": "Guest"})
    as_user(env, ann)["calendar.attendee"].create({"event_id": event.id,
                                                  "partner_id": extra.id})
    assert extra in event.partner_ids


def test_dates_sequence_and_checks(env, team) -> None:
    events = as_user(env, team["ann"])["calendar.event"]
    day = events.create({"name": "Off-site", "allday": True,
                         "start_date": dt.date(2026, 5, 4), "stop_date": dt.date(2026, 5, 5)})
    assert (day.start, day.stop) == (dt.datetime(2026, 5, 4), dt.datetime(2026, 5, 6))
    day.write({"start_date": dt.date(2026, 5, 11)})           # moved: keeps its length
    assert (day.start_date, day.stop_date) == (dt.date(2026, 5, 11), dt.date(2026, 5, 12))
    assert day.sequence == 1
    # a form posts the hidden start/stop too: the dates it shows win
    form = events.create({"name": "Holiday", "allday": True, "start_date": "2026-05-20",
                          "stop_date": False, "start": "2026-05-01 09:00:00",
                          "stop": "2026-06-01 10:00:00"})
    assert (form.start_date, form.stop_date, form.stop) == (
        dt.date(2026, 5, 20), dt.date(2026, 5, 20), dt.datetime(2026, 5, 21))
    day.write({"location": "Lyon"})
    day.write({"description": "<p>agenda</p>"})       # not significant for calendars
    assert day.sequence == 2
    with pytest.raises(ValidationError) as info:
        events.create({"name": "Backwards", "start": MONDAY, "stop": MONDAY - dt.timedelta(1)})
    assert info.value.field == "stop"
    with pytest.raises(ValidationError) as info:
        events.create({"name": "Bad rule", "start": MONDAY, "stop": MONDAY,
                       "rrule": "FREQ=OFTEN"})
    assert info.value.field == "rrule"
    with pytest.raises(ValidationError):
        events.create({"name": "Bad zone", "start": MONDAY, "stop": MONDAY,
                       "event_tz": "Mars/Olympus"})


def test_private_events_are_busy_for_colleagues(env, team) -> None:
    ann, bob = team["ann"], team["bob"]
    events = as_user(env, ann)["calendar.event"]
    hour = dt.timedelta(hours=1)
    secret = events.create({"name": "Doctor", "start": MONDAY, "stop": MONDAY + hour,
                            "privacy": "private", "location": "Clinic"})
    public = events.create({"name": "Standup", "start": MONDAY + 2 * hour,
                            "stop": MONDAY + 3 * hour})
    bob_events = as_user(env, bob)["calendar.event"]
    assert public in bob_events.search([]) and secret not in bob_events.search([])
    with pytest.raises(AccessError):
        bob_events.browse(secret.id).read(["name"])
    with pytest.raises(AccessError):                 # colleagues cannot change it either
        bob_events.browse(public.id).write({"name": "Mine now"})
    seen = bob_events.occurrences(MONDAY - hour, MONDAY + 5 * hour, user_ids=[ann.id])
    assert [(o["name"], o["busy"], o["location"]) for o in seen] == [
        ("Busy", True, ""), ("Standup", False, "")]
    assert seen[0]["user_ids"] == [ann.id]
    # an attendee of the private event sees it in full
    secret.write({"partner_ids": [(4, bob.partner_id.id)]})
    seen = bob_events.occurrences(MONDAY - hour, MONDAY + 5 * hour, user_ids=[ann.id])
    assert [o["name"] for o in seen] == ["Doctor", "Standup"]


def test_occurrences_expand_series_with_constant_queries(env, team) -> None:
    ann = team["ann"]
    events = as_user(env, ann)["calendar.event"]
    events.create({"name": "Weekly", "start": MONDAY, "stop": MONDAY + dt.timedelta(hours=1),
                   "rrule": "FREQ=WEEKLY;BYDAY=MO", "exdate": "20260323T080000Z"})
    low, high = dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 30)
    occurrences = events.occurrences(low, high, user_ids=[ann.id])
    starts = [o["start"] for o in occurrences]
    # 16 March, (23 excluded), then 07:00 UTC after the change to summer time
    assert starts[:3] == [MONDAY, dt.datetime(2026, 3, 30, 7), dt.datetime(2026, 4, 6, 7)]
    assert all(o["recurring"] for o in occurrences) and len(occurrences) == 6
    def add(first: int, last: int) -> None:
        events.create([{"name": f"One-off {i}", "start": MONDAY + dt.timedelta(days=i),
                        "stop": MONDAY + dt.timedelta(days=i, hours=1), "privacy": "private",
                        "partner_ids": [(6, 0, [ann.partner_id.id])]}
                       for i in range(first, last)])
        as_user(env, team["bob"])["calendar.event"].create([
            {"name": f"Bob {i}", "start": MONDAY + dt.timedelta(days=i),
             "stop": MONDAY + dt.timedelta(days=i, hours=1), "privacy": "private"}
            for i in range(first, last)])

    add(1, 2)
    with count_queries(env) as small:
        events.occurrences(low, high, user_ids=[ann.id, team["bob"].id])
    add(2, 20)
    with count_queries(env) as big:
        many = events.occurrences(low, high, user_ids=[ann.id, team["bob"].id])
    assert len(many) == 6 + 19 + 19
    assert big.count == small.count, (small.statements, big.statements)


def test_detach_occurrence(env, team) -> None:
    events = as_user(env, team["ann"])["calendar.event"]
    series = events.create({"name": "Weekly", "start": MONDAY,
                            "stop": MONDAY + dt.timedelta(hours=1),
                            "rrule": "FREQ=WEEKLY;COUNT=3"})
    second = MONDAY + dt.timedelta(days=7)
    moved = series.detach_occurrence(second, {"start": second + dt.timedelta(days=1),
                                              "stop": second + dt.timedelta(days=1, hours=1)})
    assert moved.recurrence_id == series and not moved.rrule
    assert moved.uid == f"{series.uid}-20260323T080000Z"
    occurrences = events.occurrences(MONDAY, MONDAY + dt.timedelta(days=30))
    assert [(o["id"], o["start"]) for o in occurrences] == [
        (series.id, MONDAY), (moved.id, second + dt.timedelta(days=1)),
        (series.id, dt.datetime(2026, 3, 30, 7))]        # 09:00 Paris, summer time
    with pytest.raises(ValidationError):
        series.detach_occurrence(second, {})            # that slot is gone already
