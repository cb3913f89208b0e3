"""The calendar view in Chromium: month and week pages audited by axe, an event dragged to
another day (and still there after a reload), the keyboard "Move to date" form, and the
month grid as a list on a phone, with screenshots to look at."""
from __future__ import annotations

import datetime as dt

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit, login
from tests.test_web_calendar import DEADLINES, calendar_action

EVENTS = [  # name, Paris local time, salesperson index (the event's colour)
    ("Kickoff Ménard", "2026-11-10 09:00", 0), ("Design review", "2026-11-12 14:30", 1),
    ("Quarterly demo", "2026-11-18 10:00", 2), ("Supplier call", "2026-11-18 16:45", 0),
    ("Invoice run", "2026-11-18 08:15", 1), ("Site visit Nantes", "2026-11-19 11:00", 2),
    ("Contract renewal", "2026-11-23 09:30", 0), ("Team lunch", "2026-11-27 12:30", 1),
    ("Budget freeze", "2026-11-30 17:00", 2), ("Early start", "2026-11-02 07:45", 1),
]


def utc(local: str) -> dt.datetime:
    from zoneinfo import ZoneInfo
    value = dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Paris"))
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


@pytest.fixture(scope="module")
def calendar_server(tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('calendar-live') / 'calendar.db'}"
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        admin = env.ref("base.user_admin")
        admin.write({"tz": "Europe/Paris", "lang": "en_US", "password": "calendar-2026",
                     "groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        users = [admin] + list(env["res.users"].create([
            {"name": name, "login": name.lower().replace(" ", ".")}
            for name in ("Léa Martin", "Hugo Bernard")]))
        partner = env["res.partner"].create({"name": "Boulangerie Ménard"})
        env["test.order"].create([{"name": name, "deadline": utc(local),
                                   "user_id": users[who].id, "partner_id": partner.id}
                                  for name, local, who in EVENTS])
        database.action = calendar_action(env, DEADLINES)
    server = LiveServer(database)
    yield server
    server.stop()
    database.engine.dispose()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def deadline(server, name: str) -> dt.datetime:
    with server.database.environment() as env:
        return env["test.order"].search([("name", "=", name)]).deadline


def open_month(page, server, day: str = "2026-11-18") -> None:
    page.goto(f"{server.url}/web/action/{server.database.action}/calendar?date={day}")
    page.wait_for_selector("table.cal-month")


def test_month_view_and_drag_to_another_day(page, calendar_server) -> None:
    login(page, calendar_server, "admin", "calendar-2026")
    open_month(page, calendar_server)
    assert page.get_by_role("heading", level=2).inner_text() == "November 2026"
    assert audit(page) == []
    shot(page, "calendar-month")
    event = page.locator(".cal-event", has_text="Kickoff Ménard")
    target = page.locator('td[data-date="2026-11-24"]')
    event.drag_to(target, target_position={"x": 40, "y": 60})
    page.get_by_role("status").filter(has_text="Moved to").wait_for()
    assert target.locator(".cal-event", has_text="Kickoff Ménard").count() == 1
    page.reload()
    assert page.locator('td[data-date="2026-11-24"] .cal-event',
                        has_text="Kickoff Ménard").count() == 1
    assert page.locator('td[data-date="2026-11-10"] .cal-event').count() == 0
    assert deadline(calendar_server, "Kickoff Ménard") == utc("2026-11-24 09:00")
    # dropping it again with a stale version: refused, put back, the message read out
    with calendar_server.database.environment() as env:
        env["test.order"].search([("name", "=", "Kickoff Ménard")]).write({"note": "x"})
    page.locator(".cal-event", has_text="Kickoff Ménard").drag_to(
        page.locator('td[data-date="2026-11-25"]'), target_position={"x": 40, "y": 60})
    page.locator("#cal-status.is-error").wait_for()
    assert "someone else" in page.get_by_role("status").inner_text()
    assert page.locator('td[data-date="2026-11-24"] .cal-event',
                        has_text="Kickoff Ménard").count() == 1


def test_keyboard_move_and_week_view(page, calendar_server) -> None:
    login(page, calendar_server, "admin", "calendar-2026")
    open_month(page, calendar_server)
    event = page.locator(".cal-event", has_text="Design review")
    summary = event.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    field = event.get_by_label("Move to date")
    field.focus()
    field.fill("2026-11-13")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator('td[data-date="2026-11-13"] .cal-event',
                        has_text="Design review").count() == 1
    assert deadline(calendar_server, "Design review") == utc("2026-11-13 14:30")
    page.get_by_role("navigation", name="Calendar scale").get_by_role("link",
                                                                      name="Week").click()
    page.wait_for_selector(".cal-columns")
    day = page.locator('.cal-columns li[data-date="2026-11-18"] .cal-time')
    assert [t.replace("\u202f", " ") for t in day.all_inner_texts()] == [
        "8:15 AM", "10:00 AM", "4:45 PM"]
    assert audit(page) == []
    shot(page, "calendar-week")
    page.get_by_role("link", name="Next").click()
    assert "Nov 22" in page.get_by_role("heading", level=2).inner_text()
    page.get_by_role("navigation", name="Calendar scale").get_by_role("link",
                                                                      name="Day").click()
    assert audit(page) == []


def test_month_is_a_list_on_a_phone(browser, calendar_server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        login(page, calendar_server, "admin", "calendar-2026")
        open_month(page, calendar_server)
        cells = page.locator("td.cal-day")
        visible = [c for c in cells.all() if c.is_visible()]
        assert 0 < len(visible) < 12                     # only the days with events
        assert page.locator("table.cal-month thead").bounding_box()["width"] <= 1
        width = page.evaluate("""() => { const wide = [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > 391).map(e => e.className || e.tagName);
            console.log(wide.join(','));
            return [document.documentElement.scrollWidth, wide.slice(0, 8)]; }""")
        assert width[0] <= 390, width
        assert audit(page) == []
        shot(page, "calendar-month-phone")
    finally:
        context.close()
