"""The calendar view over HTTP (Werkzeug client) on both engines: which records each
month, week and day shows (in the user's time zone), moving an event (time of day and
duration kept, versions checked, access enforced), and a query count that does not depend
on the number of events."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from babel import Locale

from core.testing import count_queries
from core.web.client.calendar import colour_class, visible_range
from tests.test_web_client import client_for

PARIS_TIMES = {  # name: local (Europe/Paris) deadline; stored as naive UTC
    "M-OUT-BEFORE": "2026-10-31 23:30", "M-FIRST": "2026-11-01 00:30",
    "M-LAST": "2026-12-05 23:30", "M-OUT-AFTER": "2026-12-06 00:15",
    "W-BEFORE": "2026-11-14 23:59", "W-START": "2026-11-15 00:00",
    "W-END": "2026-11-21 23:59", "W-AFTER": "2026-11-22 00:00",
    "D-OUT": "2026-11-17 23:50", "D-IN": "2026-11-18 00:10",
    "MOVE-ME": "2026-10-20 14:30", "STALE": "2026-11-09 09:00", "FORM-MOVE": "2026-11-10 08:15",
}


def calendar_action(env, arch: str, name: str = "Order Deadlines") -> int:
    """An action opening test.order in a calendar view of ``arch``."""
    view = env["ir.ui.view"].create({"name": f"orders: {name}", "model": "test.order",
                                     "type": "calendar", "arch": arch})
    return env["ir.actions.act_window"].create({
        "name": name, "res_model": "test.order", "view_mode": "calendar,list,form",
        "view_id": view.id}).id


DEADLINES = ('<calendar string="Orders" date_start="deadline" color="user_id" mode="month">'
             '<field name="name"/><field name="partner_id"/></calendar>')


def utc(local: str) -> dt.datetime:
    from zoneinfo import ZoneInfo
    value = dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Paris"))
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


@pytest.fixture(scope="module")
def cal_db(engine_name, tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("calendar"),
                                 "calendar")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        admin = env.ref("base.user_admin")
        admin.write({"tz": "Europe/Paris", "lang": "en_US",
                     "groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        readers = env["res.groups"].create({"name": "Order readers"})
        env["ir.model.access"].create({
            "name": "test.order readers", "group_id": readers.id, "perm_read": True,
            "model_id": env["ir.model"].search([("model", "=", "test.order")]).id})
        reader = env["res.users"].create({"name": "Reader", "login": "reader",
                                          "groups_id": [(6, 0, [readers.id])]})
        env["test.order"].create([{"name": name, "user_id": admin.id,
                                   "deadline": utc(local)}
                                  for name, local in PARIS_TIMES.items()])
        env["test.order"].create({"name": "SPAN", "date": dt.date(2026, 11, 10),
                                  "deadline": dt.datetime(2026, 11, 12, 16, 0)})
        span_action = calendar_action(
            env, '<calendar date_start="date" date_stop="deadline" mode="week">'
                 '<field name="name"/></calendar>', "Order spans")
        database.test_ids = {
            "action": calendar_action(env, DEADLINES), "span_action": span_action, "admin": admin.id, "reader": reader.id}
    yield database
    database.engine.dispose()
    drop()


def shown(client, action: int, **args: str) -> set[str]:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client.get(f"/web/action/{action}/calendar?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return set(re.findall(r'<span class="cal-title">([^<]+)</span>',
                          response.get_data(as_text=True)))


def order(database, name: str):
    with database.environment() as env:
        record = env["test.order"].search([("name", "=", name)])
        return record.read(["deadline", "date", "version"])[0]


def test_visible_ranges_follow_the_locale() -> None:
    day = dt.date(2026, 11, 18)
    assert Locale.parse("fr_FR").first_week_day == 0
    assert visible_range("month", day, 0) == (dt.date(2026, 10, 26), dt.date(2026, 12, 6))
    assert visible_range("month", day, 6) == (dt.date(2026, 11, 1), dt.date(2026, 12, 5))
    assert visible_range("week", day, 0) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert visible_range("week", day, 6) == (dt.date(2026, 11, 15), dt.date(2026, 11, 21))
    assert visible_range("day", day, 6) == (day, day)
    assert colour_class((7, "Rep")) == colour_class((7, "Other name")) == "cal-color-7"
    assert colour_class("high") == colour_class("high") and colour_class(False).endswith("none")


def test_ranges_hold_exactly_their_records_in_the_user_time_zone(cal_db) -> None:
    client, _csrf = client_for(cal_db, cal_db.test_ids["admin"])
    action = cal_db.test_ids["action"]
    month = {n for n in shown(client, action, mode="month", date="2026-11-18")
             if n.startswith("M-")}
    assert month == {"M-FIRST", "M-LAST"}
    week = {n for n in shown(client, action, mode="week", date="2026-11-18")
            if n[:2] in ("W-", "D-")}
    assert week == {"W-START", "W-END", "D-OUT", "D-IN"}
    assert shown(client, action, mode="day", date="2026-11-18") == {"D-IN"}
    page = client.get(f"/web/action/{action}/calendar?mode=day&date=2026-11-18") \
        .get_data(as_text=True)
    assert '<span class="cal-time">12:10' in page                 # Paris time, not UTC
    assert 'name="csrf-token"' in page and "cal-color-" in page
    month_page = client.get(f"/web/action/{action}/calendar?date=2026-11-18") \
        .get_data(as_text=True)
    assert re.search(r'<th scope="col"><abbr title="Sunday">Sun', month_page)
    # the list's search applies to the calendar too
    assert shown(client, action, mode="month", date="2026-11-18", q="M-LAST") == {"M-LAST"}


def test_move_keeps_time_of_day_and_duration(cal_db) -> None:
    client, csrf = client_for(cal_db, cal_db.test_ids["admin"])
    before = order(cal_db, "MOVE-ME")
    response = client.post(f"/web/action/{cal_db.test_ids['action']}/calendar/move",
                           json={"record_id": before["id"], "date": "2026-11-03",
                                 "version": before["version"]},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and response.get_json()["ok"] is True
    after = order(cal_db, "MOVE-ME")
    # 14:30 in Paris on both sides of the change to winter time: 12:30 UTC, then 13:30
    assert before["deadline"] == dt.datetime(2026, 10, 20, 12, 30)
    assert after["deadline"] == dt.datetime(2026, 11, 3, 13, 30)
    assert response.get_json()["version"] == after["version"] > before["version"]
    span = order(cal_db, "SPAN")
    response = client.post(f"/web/action/{cal_db.test_ids['span_action']}/calendar/move",
                           json={"record_id": span["id"], "date": "2026-11-20",
                                 "version": span["version"]},
                           headers={"X-CSRF-Token": csrf})
    assert response.get_json()["ok"] is True
    moved = order(cal_db, "SPAN")
    assert moved["date"] == dt.date(2026, 11, 20)
    assert moved["deadline"] == dt.datetime(2026, 11, 22, 16, 0)


def test_move_form_without_script_redirects_back(cal_db) -> None:
    client, csrf = client_for(cal_db, cal_db.test_ids["admin"])
    action = cal_db.test_ids["action"]
    record = order(cal_db, "FORM-MOVE")
    back = f"/web/action/{action}/calendar?mode=week&date=2026-11-10"
    response = client.post(f"/web/action/{action}/calendar/move", data={
        "csrf_token": csrf, "record_id": record["id"], "date": "2026-11-11",
        "version": record["version"], "back": back})
    assert response.status_code == 303 and response.headers["Location"].endswith(back)
    assert order(cal_db, "FORM-MOVE")["deadline"] == utc("2026-11-11 08:15")
    evil = client.post(f"/web/action/{action}/calendar/move", data={
        "csrf_token": csrf, "record_id": record["id"], "date": "2026-11-12",
        "back": "https://evil.example/"})
    assert "evil" not in evil.headers["Location"]


def test_stale_version_is_refused(cal_db) -> None:
    client, csrf = client_for(cal_db, cal_db.test_ids["admin"])
    url = f"/web/action/{cal_db.test_ids['action']}/calendar/move"
    record = order(cal_db, "STALE")
    first = client.post(url, json={"record_id": record["id"], "date": "2026-11-10",
                                   "version": record["version"]},
                        headers={"X-CSRF-Token": csrf})
    assert first.get_json()["ok"] is True
    stale = client.post(url, json={"record_id": record["id"], "date": "2026-11-25",
                                   "version": record["version"]},
                        headers={"X-CSRF-Token": csrf})
    assert stale.status_code == 409
    assert stale.get_json()["ok"] is False and stale.get_json()["error"]
    assert order(cal_db, "STALE")["deadline"] == utc("2026-11-10 09:00")
    no_token = client.post(url, json={"record_id": record["id"], "date": "2026-11-25"})
    assert no_token.status_code == 403


def test_user_without_write_access_is_refused(cal_db) -> None:
    client, csrf = client_for(cal_db, cal_db.test_ids["reader"])
    url = f"/web/action/{cal_db.test_ids['action']}/calendar/move"
    record = order(cal_db, "W-END")
    response = client.post(url, json={"record_id": record["id"], "date": "2026-11-25",
                                      "version": record["version"]},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 403 and response.get_json()["ok"] is False
    form = client.post(url, data={"csrf_token": csrf, "record_id": record["id"],
                                  "date": "2026-11-25"})
    assert form.status_code == 403
    assert order(cal_db, "W-END")["deadline"] == record["deadline"]


def test_query_count_does_not_grow_with_the_events(cal_db) -> None:
    client, _csrf = client_for(cal_db, cal_db.test_ids["admin"])
    url = f"/web/action/{cal_db.test_ids['action']}/calendar?mode=month&date=2027-02-10"
    assert client.get(url).status_code == 200                    # warm caches
    counts = {}
    made = 0
    for total in (10, 100):
        with cal_db.environment() as env:
            env["test.order"].create([{
                "name": f"BULK{i:03d}", "user_id": cal_db.test_ids["admin"] if i % 2 else False,
                "deadline": dt.datetime(2027, 2, 1 + i % 28, 8 + i % 9, 0)}
                for i in range(made, total)])
        made = total
        with count_queries(cal_db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="cal-event ') == total
        counts[total] = counter.count
    assert counts[10] == counts[100], counts
