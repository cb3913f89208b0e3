"""The helpdesk dashboard's widgets: key figures of this period against the last one and
their trend, the unresolved backlog by age, the escalations; each reads as the viewer and
follows the dashboard's search. (The page itself: test_report_web.py.)"""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import ValidationError
from core.web.client.dashboard_widgets import Table, Tile, WidgetContext

from addons.helpdesk.models.helpdesk_report_widgets import (DASHBOARD_WIDGETS, backlog_age,
                                                            escalations, kpis, kpis_by)

from .report_factories import agent_reply, make_org, ticket

TODAY = dt.date(2026, 3, 12)  # a Thursday
MARCH = dt.datetime(2026, 3, 10, 9, 0)


@pytest.fixture
def org(env):
    org = make_org(env)
    org.fast = ticket(env, org.support, MARCH, responded=1, resolved=4)
    agent_reply(org.fast, org.agent)
    org.open = ticket(env, org.support, MARCH, responded=2)
    org.old = ticket(env, org.support, dt.datetime(2026, 2, 2, 9), responded=4)
    org.hard = ticket(env, org.hardware, MARCH, resolved=30, reopened=1)
    return org


def render(env, user, widget, domain=(), **options):
    context = WidgetContext(env(uid=user.id, su=False), TODAY, "Title", options,
                            "helpdesk.ticket", list(domain))
    return widget(context)


def test_key_figures_this_month_and_last(env, org):
    items = render(env, org.manager, kpis, [("team_id", "in", [org.support.id,
                                                               org.hardware.id])])
    tiles = {item.label: item for item in items if isinstance(item, Tile)}
    assert tiles["Opened"].raw == 3 and tiles["Resolved"].raw == 2
    assert tiles["Avg. first response"].value == "1.5 h"
    assert tiles["First-contact resolution"].value == "50 %"
    assert tiles["Reopen rate"].value == "50 %"
    assert tiles["Opened"].note == "February 2026: 1"
    trend = next(item for item in items if isinstance(item, Table))
    assert [row["period"] for row in trend.rows][:2] == ["March 2026", "February 2026"]
    assert len(trend.rows) == 6


def test_the_search_narrows_the_figures(env, org):
    items = render(env, org.manager, kpis, [("team_id", "=", org.hardware.id)],
                   period="week", history=2)
    tiles = {item.label: item for item in items if isinstance(item, Tile)}
    assert tiles["Opened"].raw == 1 and tiles["Opened"].note == "Week of 2026-03-02: 0"
    assert len(next(item for item in items if isinstance(item, Table)).rows) == 2


def test_an_agent_sees_his_teams(env, org):
    items = render(env, org.agent, kpis)
    tiles = {item.label: item for item in items if isinstance(item, Tile)}
    assert tiles["Opened"].raw == 2  # not the Hardware team's ticket


def test_key_figures_by_team_and_type(env, org):
    table = render(env, org.manager, kpis_by, [("team_id", "in", [org.support.id,
                                                                  org.hardware.id])])
    rows = {row["group"]: row for row in table.rows}
    assert set(rows) == {"RP Support", "RP Hardware"}
    assert rows["RP Support"]["opened"] == "2" and rows["RP Support"]["fcr_rate"] == "100 %"
    assert rows["RP Hardware"]["reopen_rate"] == "100 %"
    assert rows["RP Hardware"]["avg_first_response_hours"] == "—"
    assert table.title == "Title · March 2026"
    # an agent's lines are his teams'
    mine = render(env, org.agent, kpis_by, by="priority")
    assert [row["group"] for row in mine.rows] == ["Normal"]
    assert mine.rows[0]["opened"] == "2"


def test_bad_options(env, org):
    with pytest.raises(ValidationError):
        render(env, org.manager, kpis, period="decade")
    with pytest.raises(ValidationError):
        render(env, org.manager, kpis, history=100)
    with pytest.raises(ValidationError):
        render(env, org.manager, backlog_age, by="nothing")
    with pytest.raises(ValidationError):
        render(env, org.manager, kpis_by, by="nothing")


def test_backlog_by_age(env, org):
    tile, table = render(env, org.manager, backlog_age,
                         [("team_id", "in", [org.support.id, org.hardware.id])])
    assert tile.raw == 2 and "1 older than a week" in tile.note
    row = next(row for row in table.rows if row["group"] == "RP Support")
    assert (row["age_1"], row["age_30"], row["total"]) == ("1", "1", "2")
    [by_priority] = render(env, org.manager, backlog_age, [("team_id", "=", org.support.id)],
                           by="priority", tile=False)
    assert [row["group"] for row in by_priority.rows] == ["Normal"]


def test_escalations_of_the_month(env, org):
    log = env["helpdesk.escalation.log"].create({
        "ticket_id": org.open.id, "kind": "escalation", "target": "resolution",
        "date": dt.datetime(2026, 3, 11, 15, 0), "actions": "Priority raised to Urgent"})
    env["helpdesk.escalation.log"].create({
        "ticket_id": org.hard.id, "kind": "overdue", "target": "resolution",
        "date": dt.datetime(2026, 3, 11, 16, 0)})
    tile, table = render(env, org.manager, escalations)
    assert tile.raw == 2 and table.rows[0]["kind"] == "Overdue alert"
    assert table.rows[1]["actions"] == log.actions and table.rows[1]["team"] == "RP Support"
    tile, table = render(env, org.agent, escalations)
    assert tile.raw == 1  # the agent does not see the Hardware team's ticket
    figures = env["helpdesk.report"]._kpis([], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert figures["escalations"] >= 2


def test_the_widgets_have_distinct_keys():
    keys = [widget.key for widget in DASHBOARD_WIDGETS]
    assert len(set(keys)) == len(keys) and all(k.startswith("helpdesk_") for k in keys)
