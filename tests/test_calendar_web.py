"""The calendar addon over HTTP on both engines: occurrences and shared calendars in the
calendar view (private events "Busy", query count flat), dragging one occurrence of a
series, the personal iCalendar feed (token, revocation, a VCALENDAR that parses back with
RRULE kept), ``.ics`` and ``.vcf`` upload pages, vCard export with access checks."""
from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from werkzeug.test import Client

from core.testing import count_queries
from core.web import Application
from tests.conftest import SHARED_TESTDATA
from tests.test_web_client import client_for

WEEK = "2026-03-16"                       # a Monday; 09:00 Paris is 08:00 UTC
MONDAY = dt.datetime(2026, 3, 16, 8, 0)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def cal_web(engine_name, tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("calweb"), "calweb")
    database = Database(url, available=comptoir_available)
    database.install(["calendar"])
    with database.environment() as env:
        group = env.ref("base.group_user")
        users = env["res.users"].create([
            {"name": "Ann Agenda", "login": "ann", "tz": "Europe/Paris",
             "email": "ann@example.com", "groups_id": [(6, 0, [group.id])]},
            {"name": "Bob Agenda", "login": "bob", "tz": "Europe/Paris",
             "groups_id": [(6, 0, [group.id])]}])
        ann, bob = users
        annenv = env(uid=ann.id, su=False, context={"tz": "Europe/Paris"})
        events = annenv["calendar.event"]
        series = events.create({"name": "Weekly sync", "start": MONDAY, "stop": MONDAY + HOUR,
                                "rrule": "FREQ=WEEKLY;BYDAY=MO,WE", "location": "Room 1",
                                "partner_ids": [(6, 0, [ann.partner_id.id])]})
        events.create({"name": "Doctor", "start": MONDAY + dt.timedelta(days=1, hours=2),
                       "stop": MONDAY + dt.timedelta(days=1, hours=3), "privacy": "private"})
        env(uid=bob.id, su=False)["calendar.event"].create(
            {"name": "Bob's demo", "start": MONDAY + dt.timedelta(days=3),
             "stop": MONDAY + dt.timedelta(days=3, hours=1)})
        action = env.ref("calendar.calendar_event_action").id
        database.test_ids = {"ann": ann.id, "bob": bob.id, "series": series.id,
                             "action": action, "ann_partner": ann.partner_id.id}
    yield database
    database.engine.dispose()
    drop()


def titles(body: str) -> list[str]:
    from html import unescape
    return [unescape(t) for t in re.findall(r'<span class="cal-title">([^<]+)</span>', body)]


def week(client, database, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    url = f"/web/action/{database.test_ids['action']}/calendar?mode=week&date={WEEK}&{query}"
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    return response.get_data(as_text=True)


def test_my_week_shows_each_occurrence(cal_web) -> None:
    client, _csrf = client_for(cal_web, cal_web.test_ids["ann"])
    body = week(client, cal_web)
    assert titles(body) == ["Weekly sync", "Doctor", "Weekly sync"]
    assert body.count('data-occurrence="2026-03-') == 2 and "(repeats)" in body
    assert re.search(r'<span class="cal-time">0?9:00', body) and "Subscribe (iCalendar)" in body
    assert client.get("/web/calendar").headers["Location"].startswith(
        f"/web/action/{cal_web.test_ids['action']}/calendar")


def test_shared_calendars_side_by_side(cal_web) -> None:
    ids = cal_web.test_ids
    client, _csrf = client_for(cal_web, ids["bob"])
    body = week(client, cal_web, people=f"{ids['ann']}&people={ids['bob']}")
    assert titles(body) == ["Weekly sync", "Busy", "Weekly sync", "Bob's demo"]
    assert "Doctor" not in body
    assert body.count('draggable="true"') == 1          # only Bob's own meeting moves
    legend = re.search(r'<ul class="cal-legend".*?</ul>', body, re.S).group(0)
    assert "cal-color-0" in legend and "Ann Agenda" in legend and "Bob Agenda" in legend
    assert 'class="cal-event cal-color-0 is-busy"' in body     # Ann's colour, no link
    assert 'name="people" value="%s" checked' % ids["ann"] in body
    with count_queries(cal_web.engine) as small:
        week(client, cal_web, people=ids["ann"])
    with cal_web.environment() as env:
        env(uid=ids["ann"], su=False)["calendar.event"].create([
            {"name": f"Extra {i}", "start": MONDAY + dt.timedelta(days=i % 5, hours=i),
             "stop": MONDAY + dt.timedelta(days=i % 5, hours=i + 1),
             "privacy": "private" if i % 2 else "public"} for i in range(12)])
    with count_queries(cal_web.engine) as big:
        body = week(client, cal_web, people=ids["ann"])
    assert len(titles(body)) == 3 + 12
    assert big.count == small.count, (small.count, big.count)


def test_dragging_an_occurrence_detaches_it(cal_web) -> None:
    ids = cal_web.test_ids
    client, csrf = client_for(cal_web, ids["ann"])
    url = f"/web/action/{ids['action']}/calendar/move"
    response = client.post(url, json={"record_id": ids["series"], "date": "2026-03-20",
                                      "occurrence": "2026-03-18T08:00:00", "version": 1},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.get_data(as_text=True)
    moved_id = response.get_json()["id"]
    assert moved_id != ids["series"]
    with cal_web.environment() as env:
        moved = env["calendar.event"].browse(moved_id)
        assert moved.start == dt.datetime(2026, 3, 20, 8) and moved.recurrence_id.id == \
            ids["series"]
        assert "20260318T080000Z" in env["calendar.event"].browse(ids["series"]).exdate
    body = week(client, cal_web)
    assert titles(body).count("Weekly sync") == 2 and f'data-id="{moved_id}"' in body
    # a colleague may not move Ann's series
    bob, bob_csrf = client_for(cal_web, ids["bob"])
    response = bob.post(url, json={"record_id": ids["series"], "date": "2026-03-27",
                                   "occurrence": "2026-03-23T08:00:00"},
                        headers={"X-CSRF-Token": bob_csrf})
    assert response.status_code == 403 and response.get_json()["ok"] is False


def test_feed_token_round_trip(cal_web) -> None:
    ids = cal_web.test_ids
    soon = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0) + \
        dt.timedelta(days=3)
    with cal_web.environment() as env:
        env(uid=ids["ann"], su=False)["calendar.event"].create(
            {"name": "Next check-up", "start": soon, "stop": soon + HOUR,
             "privacy": "private"})
    client, csrf = client_for(cal_web, ids["ann"])
    page = client.get("/web/calendar/feed").get_data(as_text=True)
    assert "You have no feed address yet." in page
    assert client.post("/web/calendar/feed/generate").status_code == 403     # CSRF
    client.post("/web/calendar/feed/generate", data={"csrf_token": csrf})
    response = client.get("/web/calendar/feed")
    assert response.headers["Cache-Control"] == "no-store"
    url = re.search(r'id="feed-url" type="text" value="http://localhost([^"]+)"',
                    response.get_data(as_text=True)).group(1)
    anonymous = Client(Application(cal_web))
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.get_data())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    # series still running are in; one-off events older than six months are not
    assert set(events) == {"Weekly sync", "Next check-up"}
    sync = events["Weekly sync"]
    assert sync["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO,WE"      # kept, not expanded
    assert sync["DTSTART"].params["TZID"] == "Europe/Paris"
    assert sync["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2026, 3, 16, 9)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    assert str(events["Next check-up"]["CLASS"]) == "PRIVATE"
    # regenerate: the old address is dead, the new one works
    client.post("/web/calendar/feed/generate", data={"csrf_token": csrf})
    assert anonymous.get(url).status_code == 404
    new_url = re.search(r'value="http://localhost([^"]+\.ics)"',
                        client.get("/web/calendar/feed").get_data(as_text=True)).group(1)
    assert anonymous.get(new_url).status_code == 200
    client.post("/web/calendar/feed/revoke", data={"csrf_token": csrf})
    assert anonymous.get(new_url).status_code == 404
    assert anonymous.get("/calendar/feed/not-a-token-at-all-but-long.ics").status_code == 404


def test_upload_pages(cal_web) -> None:
    client, csrf = client_for(cal_web, cal_web.test_ids["ann"])
    assert client.get("/web/calendar/import").status_code == 200
    path = SHARED_TESTDATA / "ics" / "malformed_stray_line_in_vcalendar.ics"
    with path.open("rb") as handle:
        response = client.post("/web/calendar/import", data={
            "csrf_token": csrf, "file": (handle, path.name)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 created, 0 updated, 0 skipped." in body
    assert "is not an iCalendar line" in body
    path = SHARED_TESTDATA / "vcf" / "gmail_3.0_three_contacts_list.vcf"
    with path.open("rb") as handle:
        response = client.post("/web/contacts/vcard/import", data={
            "csrf_token": csrf, "file": (handle, path.name)})
    assert "3 created, 0 updated, 0 skipped." in response.get_data(as_text=True)
    response = client.post("/web/contacts/vcard/import", data={"csrf_token": csrf})
    assert response.status_code == 422 and "Choose a file to import." in \
        response.get_data(as_text=True)


def test_vcard_export_route(cal_web) -> None:
    ids = cal_web.test_ids
    client, _csrf = client_for(cal_web, ids["ann"])
    response = client.get(f"/web/contacts/vcard?ids={ids['ann_partner']}")
    assert response.status_code == 200 and response.mimetype == "text/vcard"
    assert "FN:Ann Agenda" in response.get_data(as_text=True)
    assert 'filename="contact.vcf"' in response.headers["Content-Disposition"]
    assert client.get("/web/contacts/vcard?ids=999999").status_code == 404
    assert client.get("/web/contacts/vcard?ids=x").status_code == 422
    with cal_web.environment() as env:
        portal = env["res.users"].create({"name": "Portal", "login": "portal",
                                          "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})
    outsider, _csrf = client_for(cal_web, portal.id)
    assert outsider.get(f"/web/contacts/vcard?ids={ids['ann_partner']}").status_code == 403
    anonymous = Client(Application(cal_web))
    assert anonymous.get(f"/web/contacts/vcard?ids={ids['ann_partner']}").status_code == 302


def test_contacts_list_offers_the_vcard_export(cal_web) -> None:
    ids = cal_web.test_ids
    client, csrf = client_for(cal_web, ids["ann"])
    with cal_web.environment() as env:
        contacts = env.ref("base.res_partner_action").id
    page = client.get(f"/web/action/{contacts}").get_data(as_text=True)
    assert '<option value="vcard">Export as vCard</option>' in page
    response = client.post(f"/web/action/{contacts}/bulk", data={
        "csrf_token": csrf, "operation": "vcard", "ids": str(ids["ann_partner"]),
        "back": f"/web/action/{contacts}"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/web/contacts/vcard?ids={ids['ann_partner']}")
    # other lists do not offer it
    orders = client.get(f"/web/action/{ids['action']}").get_data(as_text=True)
    assert 'value="vcard"' not in orders
