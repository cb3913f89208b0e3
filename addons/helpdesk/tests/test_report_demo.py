"""The helpdesk's demo volume: a few hundred tickets over six months in every state, with
replies, time entries, reopenings and escalations; deterministic and fast."""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from .report_factories import make_org

NOW = dt.datetime(2026, 3, 12, 15, 0)


def test_demo_volume(env):
    make_org(env)
    started = time.perf_counter()
    tickets = env["helpdesk.demo"]._demo_generate(300, 6, 42, now=NOW)
    elapsed = time.perf_counter() - started
    assert len(tickets) == 300
    assert elapsed < 10, elapsed  # < 5 s on a free machine; the CI shares its cores
    states = Counter(tickets.mapped("state"))
    assert {"new", "in_progress", "waiting", "resolved", "closed"} <= set(states)
    assert states["resolved"] + states["closed"] > 150
    created = tickets.mapped("create_date")
    assert min(created) >= NOW - dt.timedelta(days=190) and max(created) <= NOW
    assert len({(day.year, day.month) for day in created}) >= 6
    done = tickets.filtered(lambda t: t.state in ("resolved", "closed"))
    assert all(t.date_resolved and t.date_first_response and t.handling_hours > 0
               for t in done)
    assert any(t.reopen_count for t in done)
    assert env["helpdesk.time.entry"].search_count([("ticket_id", "in", tickets.ids)]) > 50
    assert env["helpdesk.escalation.log"].search_count([("ticket_id", "in", tickets.ids)])
    figures = env["helpdesk.report"]._kpis([("id", "in", tickets.ids)],
                                           dt.date(2025, 9, 1), dt.date(2026, 3, 31))
    assert figures["resolved"] == len(done)
    assert 10 < figures["fcr_rate"] < 95 and 0 < figures["reopen_rate"] < 30
    assert figures["avg_first_response_hours"] > 0 and figures["escalations"] > 0


def test_demo_is_deterministic(env):
    make_org(env)
    first = env["helpdesk.demo"]._demo_generate(20, 6, 7, now=NOW)
    second = env["helpdesk.demo"]._demo_generate(20, 6, 7, now=NOW)

    def story(tickets):
        return [(t.name, t.priority, t.state, t.create_date) for t in tickets]
    assert story(first) == story(second)
