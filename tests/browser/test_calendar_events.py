"""Calendar events in Chromium: create a meeting with attendees from the form, see every
occurrence of a weekly series, show a colleague's agenda beside one's own (private event
as "Busy", colour legend), move one occurrence, the feed page; axe audits and screenshots
in test-artifacts/ to look at."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit, login

WEEK = "2026-03-16"
MONDAY = dt.datetime(2026, 3, 16, 8, 0)        # 09:00 in Paris
HOUR = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def server(tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('calendar-events') / 'events.db'}"
    database = Database(url, available=comptoir_available)
    database.install(["calendar"])
    with database.environment() as env:
        admin = env.ref("base.user_admin")
        admin.write({"tz": "Europe/Paris", "lang": "en_US", "password": "events-2026"})
        camille = env["res.users"].create({
            "name": "Camille Martin", "login": "camille", "tz": "Europe/Paris",
            "email": "camille@example.com", "password": "events-2026",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        env["res.partner"].create({"name": "Lucas Bernard", "email": "lucas@example.org"})
        mine = env(uid=admin.id, su=False)["calendar.event"]
        series = mine.create({"name": "Team stand-up", "start": MONDAY,
                              "stop": MONDAY + HOUR / 4, "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
                              "location": "Room 1",
                              "partner_ids": [(6, 0, [admin.partner_id.id,
                                                      camille.partner_id.id])]})
        theirs = env(uid=camille.id, su=False)["calendar.event"]
        theirs.create([
            {"name": "Dentist", "start": MONDAY + dt.timedelta(days=1, hours=2),
             "stop": MONDAY + dt.timedelta(days=1, hours=3), "privacy": "private"},
            {"name": "Customer workshop", "start": MONDAY + dt.timedelta(days=2, hours=5),
             "stop": MONDAY + dt.timedelta(days=2, hours=7), "location": "Lyon office"}])
        database.ids = {"camille": camille.id, "admin": admin.id, "series": series.id,
                        "action": env.ref("calendar.calendar_event_action").id,
                        "menu": env.ref("calendar.menu_calendar").id}
    live = LiveServer(database)
    yield live
    live.stop()
    database.engine.dispose()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_week(page, server, extra: str = "") -> None:
    ids = server.database.ids
    page.goto(f"{server.url}/web/action/{ids['action']}/calendar?mode=week&date={WEEK}"
              f"&menu={ids['menu']}{extra}")


def test_series_occurrences_and_shared_calendar(page, server) -> None:
    login(page, server, "admin", "events-2026")
    open_week(page, server)
    events = page.locator(".cal-event")
    assert events.filter(has_text="Team stand-up").count() == 2       # Monday, Thursday
    assert page.locator(".cal-event .cal-repeat").count() == 2
    shot(page, "calendar_events_week")
    assert audit(page) == []
    # the month shows every occurrence of the series
    page.get_by_role("link", name="Month").click()
    assert page.locator(".cal-event", has_text="Team stand-up").count() == 6   # to 2 April
    shot(page, "calendar_events_month")
    # Camille's agenda beside mine: picker, legend, her private event as Busy
    open_week(page, server)
    page.get_by_text("Shared calendars").click()
    page.get_by_label("Camille Martin").check()
    page.get_by_label("Administrator").check()
    page.get_by_role("button", name="Show").click()
    legend = page.locator(".cal-legend")
    assert "Camille Martin" in legend.inner_text() and "Administrator" in legend.inner_text()
    busy = page.locator(".cal-event.is-busy")
    assert busy.count() == 1 and "Busy" in busy.inner_text()
    assert page.locator(".cal-event", has_text="Dentist").count() == 0
    assert page.locator(".cal-event", has_text="Customer workshop").count() == 1
    shot(page, "calendar_events_shared")
    assert audit(page) == []


def test_create_meeting_with_attendees(page, server) -> None:
    ids = server.database.ids
    login(page, server, "admin", "events-2026")
    page.goto(f"{server.url}/web/action/{ids['action']}/new?menu={ids['menu']}")
    page.get_by_label("Meeting Subject").fill("Contract review")
    page.locator("input[name=start]").fill("2026-03-18T14:00")
    page.locator("input[name=stop]").fill("2026-03-18T15:00")
    attendees = page.get_by_role("combobox", name="Attendees")
    for name in ("Lucas", "Camille"):
        attendees.fill(name)
        page.get_by_role("option", name=re.compile(name)).first.click()
    shot(page, "calendar_events_form")
    assert audit(page) == []
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/web/action/\d+/\d+"))
    with server.database.environment() as env:
        event = env["calendar.event"].search([("name", "=", "Contract review")])
        assert event.start == dt.datetime(2026, 3, 18, 13, 0)        # 14:00 in Paris
        assert sorted(event.attendee_ids.mapped("partner_id.name")) == [
            "Camille Martin", "Lucas Bernard"]
    open_week(page, server)
    assert page.locator(".cal-event", has_text="Contract review").count() == 1


def test_move_one_occurrence_and_feed_page(page, server) -> None:
    login(page, server, "admin", "events-2026")
    open_week(page, server)
    thursday = page.locator('.cal-day[data-date="2026-03-19"] .cal-event',
                            has_text="Team stand-up")
    friday = page.locator('.cal-day[data-date="2026-03-20"]')
    thursday.drag_to(friday)
    page.wait_for_function("document.getElementById('cal-status').textContent"
                           ".includes('rest of the series')")
    page.reload()
    assert friday.locator(".cal-event", has_text="Team stand-up").count() == 1
    assert page.locator('.cal-day[data-date="2026-03-19"] .cal-event',
                        has_text="Team stand-up").count() == 0
    assert page.locator('.cal-day[data-date="2026-03-16"] .cal-event',
                        has_text="Team stand-up").count() == 1
    page.get_by_role("link", name="Subscribe (iCalendar)").click()
    page.get_by_role("button", name="Create my feed address").click()
    url = page.get_by_label("Feed address").input_value()
    assert re.match(rf"{re.escape(server.url)}/calendar/feed/[\w-]+\.ics$", url)
    page.get_by_role("button", name="Copy").click()
    page.wait_for_function(  # the clipboard answers asynchronously
        "document.querySelector('#feed-copy-status').textContent.includes('Copied')")
    shot(page, "calendar_events_feed")
    assert audit(page) == []
    assert page.request.get(url).status == 200
