"""The helpdesk's key figures (``helpdesk.report``): each counted on its own event's date,
narrowed by a domain (a team), read through the viewer's rules; their queries do not grow
with the number of tickets."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import ValidationError
from core.testing import count_queries

from addons.helpdesk.models.helpdesk_report import bounds_of

from .report_factories import agent_reply, make_org, ticket

MARCH = dt.datetime(2026, 3, 10, 9, 0)
FEBRUARY = dt.datetime(2026, 2, 10, 9, 0)


@pytest.fixture
def org(env):
    org = make_org(env)
    support, hardware = org.support, org.hardware
    org.fast = ticket(env, support, MARCH, responded=1, resolved=4)        # FCR
    org.slow = ticket(env, support, MARCH, responded=3, resolved=20)       # 2 replies
    org.reopened = ticket(env, support, MARCH, responded=2, resolved=8, reopened=1)
    org.open = ticket(env, support, MARCH, responded=5)                     # unresolved
    org.new = ticket(env, support, MARCH)
    org.old = ticket(env, support, FEBRUARY, responded=2, resolved=6)       # last month
    org.hard = ticket(env, hardware, MARCH, responded=10, resolved=30)
    agent_reply(org.fast, org.agent)
    for _n in range(2):
        agent_reply(org.slow, org.agent)
    org.slow.message_post(body="Internal: check the logs", message_type="comment",
                          subtype_xmlid="mail.mt_note")
    agent_reply(org.hard, org.other)
    return org


def kpis(env, domain=None, first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31)):
    return env["helpdesk.report"]._kpis(domain, first, last)


def test_key_figures_of_a_month(env, org):
    figures = kpis(env, [("team_id", "in", [org.support.id, org.hardware.id])])
    assert figures["opened"] == 6
    assert figures["answered"] == 5
    assert figures["avg_first_response_hours"] == pytest.approx((1 + 3 + 2 + 5 + 10) / 5)
    assert figures["resolved"] == 4
    assert figures["avg_handling_hours"] == pytest.approx((4 + 20 + 8 + 30) / 4)
    # fast (one reply) and hard (one reply) were solved at first contact; slow had two
    # replies (the internal note does not count), reopened was reopened
    assert figures["first_contact_resolved"] == 2 and figures["fcr_rate"] == 50.0
    assert figures["reopened"] == 1 and figures["reopen_rate"] == 25.0


def test_a_team_and_another_period(env, org):
    hardware = kpis(env, [("team_id", "=", org.hardware.id)])
    assert (hardware["opened"], hardware["resolved"], hardware["fcr_rate"]) == (1, 1, 100.0)
    february = kpis(env, [("team_id", "=", org.support.id)], dt.date(2026, 2, 1),
                    dt.date(2026, 2, 28))
    assert (february["opened"], february["resolved"]) == (1, 1)
    assert february["avg_handling_hours"] == 6.0


def test_key_figures_by_team(env, org):
    env["helpdesk.escalation.log"].create({
        "ticket_id": org.hard.id, "kind": "escalation", "target": "resolution",
        "date": dt.datetime(2026, 3, 11, 15, 0)})
    by_team = env["helpdesk.report"]._kpis_by(
        [("team_id", "in", [org.support.id, org.hardware.id])], dt.date(2026, 3, 1),
        dt.date(2026, 3, 31), "team_id")
    support, hardware = by_team[org.support.id], by_team[org.hardware.id]
    assert (support["opened"], support["resolved"], support["first_contact_resolved"]) == \
        (5, 3, 1)
    assert support["avg_handling_hours"] == round((4 + 20 + 8) / 3, 2)
    assert (hardware["opened"], hardware["fcr_rate"], hardware["escalations"]) == (1, 100.0, 1)
    assert support["escalations"] == 0
    by_priority = env["helpdesk.report"]._kpis_by(
        [("team_id", "=", org.support.id)], dt.date(2026, 3, 1), dt.date(2026, 3, 31),
        "priority")
    assert set(by_priority) == {"1"} and by_priority["1"]["opened"] == 5
    with pytest.raises(ValidationError):
        env["helpdesk.report"]._kpis_by([], dt.date(2026, 3, 1), dt.date(2026, 3, 31), "nope")


def test_an_empty_period_has_no_rates(env, org):
    figures = kpis(env, [("team_id", "=", org.support.id)], dt.date(2025, 1, 1),
                   dt.date(2025, 1, 31))
    assert figures["opened"] == figures["resolved"] == 0
    assert figures["avg_handling_hours"] is None and figures["fcr_rate"] is None
    with pytest.raises(ValidationError):
        kpis(env, None, dt.date(2026, 3, 31), dt.date(2026, 3, 1))


def test_the_ticket_durations_are_stored(env, org):
    assert org.slow.first_response_hours == 3.0 and org.slow.handling_hours == 20.0
    assert not org.new.first_response_hours and not org.open.handling_hours
    rows = env["helpdesk.ticket"]._read_group_raw(
        [("team_id", "=", org.support.id), ("date_first_response", "!=", False)], ["state"],
        ["first_response_hours:avg"])
    assert dict(rows)["resolved"] == pytest.approx((1 + 3 + 2 + 2) / 4)


def test_agents_see_their_teams_figures(env, org):
    domain = [("team_id", "in", [org.support.id, org.hardware.id])]
    mine = kpis(env(uid=org.agent.id, su=False), domain)
    everyone = kpis(env(uid=org.manager.id, su=False), domain)
    assert (everyone["opened"], everyone["resolved"]) == (6, 4)
    assert (mine["opened"], mine["resolved"]) == (5, 3)  # not the Hardware team's


def test_backlog_by_age(env, org):
    table = env["helpdesk.report"]._backlog_by_age(
        [("team_id", "in", [org.support.id, org.hardware.id])], "team_id",
        dt.date(2026, 3, 12))
    assert table == {org.support.id: {"age_0": 0, "age_1": 2, "age_3": 0, "age_7": 0,
                                      "age_14": 0, "age_30": 0, "total": 2}}
    by_priority = env["helpdesk.report"]._backlog_by_age(
        [("team_id", "=", org.support.id)], "priority", dt.date(2026, 4, 20))
    assert by_priority["1"]["age_30"] == 2
    with pytest.raises(ValidationError):
        env["helpdesk.report"]._backlog_by_age([], "no_such_field")


def test_period_bounds():
    assert bounds_of(dt.date(2026, 3, 12), "week") == (dt.date(2026, 3, 9),
                                                       dt.date(2026, 3, 15))
    assert bounds_of(dt.date(2026, 3, 12), "month", 1) == (dt.date(2026, 2, 1),
                                                           dt.date(2026, 2, 28))
    assert bounds_of(dt.date(2026, 1, 12), "quarter", 1) == (dt.date(2025, 10, 1),
                                                             dt.date(2025, 12, 31))
    assert bounds_of(dt.date(2026, 3, 12), "week", 2)[0] == dt.date(2026, 2, 23)
    with pytest.raises(ValidationError):
        bounds_of(dt.date(2026, 3, 12), "decade")


def test_queries_do_not_grow_with_the_tickets(env, org):
    domain = [("team_id", "in", [org.support.id, org.hardware.id])]
    report = env["helpdesk.report"]
    kpis(env, domain)  # warm the caches (xml ids, groups)
    env.flush()
    first, last = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    with count_queries(env) as few:
        kpis(env, domain)
        report._kpis_by(domain, first, last, "team_id")
        report._backlog_by_age(domain, "team_id", dt.date(2026, 3, 12))
    for index in range(15):
        record = ticket(env, org.support, MARCH, responded=1, resolved=2 + index)
        agent_reply(record, org.agent)
    env.flush()
    extra = env["helpdesk.team"].create({"name": "RP Extra", "assignment_strategy": "manual"})
    ticket(env, extra, MARCH, responded=1, resolved=3)
    domain = [("team_id", "in", [org.support.id, org.hardware.id, extra.id])]
    env.flush()
    with count_queries(env) as many:
        kpis(env, domain)
        report._kpis_by(domain, first, last, "team_id")
        report._backlog_by_age(domain, "team_id", dt.date(2026, 3, 12))
    assert many.count == few.count
