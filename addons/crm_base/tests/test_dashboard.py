"""The sales dashboard's widgets: won against target this month and quarter, activities
done this week, each covering the salespeople the viewer may see; their queries do not
grow with the number of salespeople. (The page itself: test_dashboard_web.py.)"""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import ValidationError
from core.testing import count_queries
from core.web.client.dashboard_widgets import Table, Tile, WidgetContext

from addons.crm_base.models.crm_dashboard import (activities_done, visible_salespeople,
                                                  won_against_target)

from .lead_factories import as_user, make_lead, make_user
from .reporting_factories import make_org, won_deal

TODAY = dt.date(2026, 3, 12)  # a Thursday


@pytest.fixture
def org(env):
    org = make_org(env)
    targets = env["crm.target"]
    for user, amount in ((org.rep, 5000), (org.leader, 8000), (org.other, 3000)):
        targets.create({"user_id": user.id, "period": "month", "date_start": TODAY,
                        "target_amount": amount})
    targets.create({"user_id": org.rep.id, "period": "quarter", "date_start": TODAY,
                    "target_amount": 12000})
    won_deal(env, org.rep, 2500, dt.datetime(2026, 3, 3, 10))
    won_deal(env, org.rep, 1500, dt.datetime(2026, 2, 10, 10))  # same quarter, not month
    won_deal(env, org.other, 4500, dt.datetime(2026, 3, 5, 10))
    return org


def render(env, user, widget, **options):
    context = WidgetContext(as_user(env, user), TODAY, "Title", options, "crm.lead", [])
    return widget(context)


def rows_of(items):
    table = next(item for item in items if isinstance(item, Table))
    return {row["user"]: row for row in table.rows}


def test_who_sees_whose_figures(env, org):
    assert visible_salespeople(as_user(env, org.rep)) == org.rep
    assert visible_salespeople(as_user(env, org.leader)) == org.rep | org.leader
    everyone = visible_salespeople(as_user(env, org.manager))
    assert set((org.rep | org.leader | org.other | org.manager).ids) <= set(everyone.ids)
    outsider = make_user(env, "rp_mkt", "marketing")
    assert org.rep not in visible_salespeople(as_user(env, outsider))


def test_won_against_target_this_month(env, org):
    tile, _table = items = render(env, org.manager, won_against_target, period="month")
    rows = rows_of(items)
    assert set(rows) == {"Remy Rep", "Lea Leader", "Sam South"}
    assert rows["Remy Rep"]["rate"] == "50 %" and rows["Remy Rep"]["rate__value"] == 50
    assert rows["Sam South"]["rate__value"] == 150 and rows["Sam South"]["count"] == 1
    assert rows["Lea Leader"]["won"].startswith("0")
    assert isinstance(tile, Tile) and tile.raw == 7000 and tile.label == "Won in March 2026"
    assert "of 16,000.00" in tile.note and "(44 %)" in tile.note
    assert "/web/action/" in tile.link and "f=current" in tile.link
    # a salesperson sees his own line only, a team leader his team's
    assert set(rows_of(render(env, org.rep, won_against_target, period="month"))) == \
        {"Remy Rep"}
    assert set(rows_of(render(env, org.leader, won_against_target, period="month"))) == \
        {"Remy Rep", "Lea Leader"}


def test_won_against_target_this_quarter(env, org):
    items = render(env, org.rep, won_against_target, period="quarter")
    row = rows_of(items)["Remy Rep"]
    assert row["rate__value"] == pytest.approx(33.3)
    assert items[0].label == "Won in Q1 2026" and items[0].raw == 4000
    # no target: the wins still show, without a rate
    items = render(env, org.other, won_against_target, period="quarter")
    assert rows_of(items)["Sam South"]["rate"] == "—"
    assert items[0].note == "no target set"
    with pytest.raises(ValidationError, match="month or quarter"):
        render(env, org.rep, won_against_target, period="week")


def test_both_periods_tiles_first(env, org):
    items = render(env, org.rep, won_against_target, periods=["month", "quarter"])
    assert [type(item).__name__ for item in items] == ["Tile", "Tile", "Table", "Table"]
    assert [item.raw for item in items[:2]] == [2500, 4000]
    assert [item.title for item in items[2:]] == ["Title · March 2026", "Title · Q1 2026"]


def test_activities_done_this_week(env, org):
    lead = make_lead(env, "Acme", user_id=org.rep.id)
    plan = [(org.rep, "mail.activity_type_call", 9), (org.rep, "mail.activity_type_call", 12),
            (org.rep, "crm_base.mail_activity_type_visit", 11),
            (org.leader, "mail.activity_type_todo", 10),
            (org.other, "mail.activity_type_call", 13),
            (org.rep, "mail.activity_type_call", 8)]  # the Sunday before: last week
    for user, kind, day in plan:
        activity = lead.activity_schedule(kind, user_id=user.id)
        activity.action_done()
        activity.with_context(active_test=False).write(
            {"date_done": dt.datetime(2026, 3, day, 15)})
    lead.activity_schedule("mail.activity_type_call", user_id=org.rep.id)  # not done
    tile, table = render(env, org.manager, activities_done)
    assert tile.raw == 5 and tile.note == "week of 2026-03-09"
    rows = {row["user"]: row for row in table.rows}
    assert set(rows) == {"Remy Rep", "Lea Leader", "Sam South"}
    call = env.ref("mail.activity_type_call").id
    visit = env.ref("crm_base.mail_activity_type_visit").id
    assert rows["Remy Rep"][f"type_{call}"] == "2" and rows["Remy Rep"][f"type_{visit}"] == "1"
    assert rows["Remy Rep"]["total"] == "3"
    assert [c.label for c in table.columns] == ["Salesperson", "Call", "Visit", "To-do",
                                                 "Total"]
    mine = render(env, org.rep, activities_done)
    assert mine[0].raw == 3 and [r["user"] for r in mine[1].rows] == ["Remy Rep"]


def test_the_widgets_queries_do_not_grow_with_the_salespeople(env, org):
    def queries(user):
        manager_env = as_user(env, user)
        with count_queries(env) as counter:
            for period in ("month", "quarter"):
                won_against_target(WidgetContext(manager_env, TODAY, "T", {"period": period}))
            activities_done(WidgetContext(manager_env, TODAY, "T"))
        return counter.count

    few = queries(org.manager)
    for number in range(8):
        user = make_user(env, f"rp_more{number}", "rep")
        env["crm.target"].create({"user_id": user.id, "period": "month", "date_start": TODAY,
                                  "target_amount": 100})
        won_deal(env, user, 50, dt.datetime(2026, 3, 4, 10))
        make_lead(env, "x", user_id=user.id).activity_schedule(
            "mail.activity_type_call", user_id=user.id).action_done()
    env.cache.invalidate()
    assert queries(org.manager) <= few + 2  # constant (a cache warm-up at most)
