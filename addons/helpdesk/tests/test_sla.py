"""SLA policies on tickets, on both engines, at fixed moments: the most specific policy
chosen and chosen again, deadlines in the team's working hours across nights, weekends and
days off, pauses while waiting for the customer, statuses, and a resolved ticket's clock
stopped until it is reopened."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import ValidationError
from core.testing import count_queries

from .sla_factories import (FRIDAY_4PM, MONDAY_9AM, H, at, make_calendar, make_policy,
                            make_team, make_ticket, move)


@pytest.fixture
def team(env):
    return make_team(env)


def test_a_policy_needs_a_target_and_sane_numbers(env, team) -> None:
    with pytest.raises(ValidationError, match="needs a first response or a resolution"):
        make_policy(env, team, first=0, resolution=0)
    with pytest.raises(ValidationError, match="cannot be negative"):
        make_policy(env, team, first=-1)
    with pytest.raises(ValidationError, match="between 1 and 100"):
        make_policy(env, team, warning_percent=0)


def test_the_most_specific_policy_wins_and_is_chosen_again(env, team) -> None:
    customer = env["res.partner"].create({"name": "Big Account", "is_company": True})
    contact = env["res.partner"].create({"name": "Ann", "parent_id": customer.id})
    kind = env["helpdesk.ticket.type"].create({"name": "Outage"})
    anyone = make_policy(env, None, "Any team", first=8, resolution=40)
    normal = make_policy(env, team, "Team normal")
    high = make_policy(env, team, "Team high", priority="2", first=2, resolution=8)
    outage = make_policy(env, team, "Outage", ticket_type_id=kind.id, first=1, resolution=4)
    vip = make_policy(env, None, "VIP", partner_ids=[(6, 0, customer.ids)], first=0.5,
                      resolution=4)
    low_sequence = make_policy(env, team, "Team normal bis", sequence=1)

    other_team = make_team(env, "Elsewhere")
    assert make_ticket(env, other_team).sla_id == anyone
    ticket = make_ticket(env, team, priority="1")
    assert ticket.sla_id == low_sequence                 # same specificity: sequence
    low_sequence.active = False
    ticket.write({"priority": "0"})
    assert ticket.sla_id == normal
    ticket.write({"priority": "3"})                       # high priority: min 2 applies
    assert ticket.sla_id == high
    ticket.write({"ticket_type_id": kind.id})            # type beats priority
    assert ticket.sla_id == outage
    ticket.write({"partner_id": contact.id})             # the contact's account is a VIP
    assert ticket.sla_id == vip
    ticket.write({"team_id": other_team.id, "partner_id": False, "ticket_type_id": False})
    assert ticket.sla_id == anyone


def test_deadlines_count_working_hours_only(env, team) -> None:
    make_policy(env, team, first=4, resolution=16)
    ticket = make_ticket(env, team)                      # Friday 16:00 Paris
    assert ticket.sla_start == FRIDAY_4PM
    # 1 h on Friday, then Monday 9:00-12:00: 10:00 UTC + 1 h = Monday 12:00 Paris
    assert ticket.sla_first_response_deadline == dt.datetime(2026, 11, 23, 11, 0)
    # 16 h: 1 h Friday, 7 h Monday, 7 h Tuesday, 1 h Wednesday -> Wednesday 10:00 Paris
    assert ticket.sla_resolution_deadline == dt.datetime(2026, 11, 25, 9, 0)
    assert ticket.sla_deadline == ticket.sla_first_response_deadline
    assert ticket.sla_status == "ok" and not ticket.sla_paused


def test_days_off_of_the_calendar_are_skipped(env) -> None:
    team = make_team(env, "Holiday team", make_calendar(env, "With Monday off",
                                                        holidays=("2026-11-23",)))
    make_policy(env, team, first=4, resolution=16)
    ticket = make_ticket(env, team)
    # Monday off: the first response is due on Tuesday at 12:00 Paris
    assert ticket.sla_first_response_deadline == dt.datetime(2026, 11, 24, 11, 0)


def test_waiting_for_the_customer_pauses_the_clock(env, team) -> None:
    make_policy(env, team, first=4, resolution=16)
    ticket = make_ticket(env, team, when=MONDAY_9AM)     # Monday 09:00 Paris
    before = ticket.sla_resolution_deadline               # Tuesday 17:00 + 2 h: Wed 11:00
    assert before == dt.datetime(2026, 11, 25, 10, 0)
    ticket.date_first_response = MONDAY_9AM + H
    # in progress at 10:00, waiting from 11:00 Paris to Tuesday 11:00 (7 working hours)
    move(ticket, MONDAY_9AM + H, "in_progress")
    move(ticket, MONDAY_9AM + 2 * H, "waiting")
    assert ticket.sla_paused and ticket.sla_pause_ids.reason == "waiting"
    tuesday_11 = dt.datetime(2026, 11, 24, 10, 0)
    # while waiting nothing moves: no open deadline, nothing for the scheduler to write
    assert not ticket.sla_resolution_deadline and not ticket.sla_deadline
    assert env["helpdesk.ticket"]._cron_sla_update(tuesday_11)["updated"] == 0
    assert ticket.sla_status == "ok" and ticket.sla_paused_hours == 0.0
    move(ticket, tuesday_11, "in_progress")
    assert not ticket.sla_paused
    assert ticket.sla_pause_ids.date_end == tuesday_11
    # a day later than before the pause: Thursday 11:00 Paris
    assert ticket.sla_resolution_deadline == before + dt.timedelta(days=1)
    assert ticket.sla_paused_hours == 7.0


def test_statuses_at_risk_then_breached(env, team) -> None:
    make_policy(env, team, first=4, resolution=16, warning_percent=75)
    ticket = make_ticket(env, team, when=MONDAY_9AM)
    cron = env["helpdesk.ticket"]._cron_sla_update
    cron(MONDAY_9AM + 2 * H)                              # 2 h of 4 used
    assert ticket.sla_status == "ok"
    cron(MONDAY_9AM + 3 * H)                              # 3 h: 75 %
    assert ticket.sla_status == "at_risk"
    cron(MONDAY_9AM + 4 * H)                              # 12:30-13:30 lunch: 3.5 h
    assert ticket.sla_status == "at_risk"
    cron(MONDAY_9AM + 6 * H)                              # 5 h
    assert ticket.sla_status == "breached" and ticket.sla_first_response_breached
    assert not ticket.sla_resolution_breached
    # the breach stays once the late answer is given
    ticket.with_env(at(env, MONDAY_9AM + 7 * H)).date_first_response = MONDAY_9AM + 7 * H
    assert ticket.sla_status == "breached"
    assert ticket.sla_deadline == ticket.sla_resolution_deadline


def test_a_first_response_in_time_is_met(env, team) -> None:
    make_policy(env, team, first=4, resolution=16)
    ticket = make_ticket(env, team, when=MONDAY_9AM)
    ticket.with_env(at(env, MONDAY_9AM + H)).date_first_response = MONDAY_9AM + H
    env["helpdesk.ticket"]._cron_sla_update(MONDAY_9AM + 8 * H)
    assert not ticket.sla_first_response_breached
    assert ticket.sla_deadline == ticket.sla_resolution_deadline
    assert ticket.sla_status == "ok"


def test_resolving_stops_the_clock_until_reopened(env, team) -> None:
    make_policy(env, team, first=4, resolution=8)
    ticket = make_ticket(env, team, when=MONDAY_9AM)
    move(ticket, MONDAY_9AM + H, "in_progress")
    move(ticket, MONDAY_9AM + 2 * H, "resolved")         # 2 working hours used
    assert ticket.sla_status == "ok"
    assert ticket.sla_pause_ids.reason == "resolved"
    # days later, still not breached: the clock stood still
    env["helpdesk.ticket"]._cron_sla_update(MONDAY_9AM + 72 * H)
    assert ticket.sla_status == "ok" and not ticket.sla_resolution_breached
    # reopened on Wednesday 09:00 Paris: 6 h left, due Wednesday 16:00 Paris
    wednesday = MONDAY_9AM + 48 * H
    move(ticket, wednesday, "in_progress")
    assert ticket.sla_resolution_deadline == dt.datetime(2026, 11, 25, 15, 0)
    assert ticket.sla_paused_hours == 12.0                # Monday 11-17 and Tuesday
    move(ticket, wednesday + 8 * H, "resolved")          # Wednesday 17:00: 1 h late
    assert ticket.sla_resolution_breached and ticket.sla_status == "breached"


def test_a_ticket_without_policy_has_no_sla(env, team) -> None:
    ticket = make_ticket(env, team)
    assert not ticket.sla_id and not ticket.sla_status and not ticket.sla_deadline
    policy = make_policy(env, team)
    ticket.action_sla_refresh()
    assert ticket.sla_id == policy and ticket.sla_status == "ok"


def test_a_new_policy_applies_to_open_tickets_on_demand(env, team) -> None:
    ticket = make_ticket(env, team, when=MONDAY_9AM)
    done = make_ticket(env, team, when=MONDAY_9AM, name="done")
    move(done, MONDAY_9AM, "in_progress", "resolved")
    policy = make_policy(env, team)
    assert not ticket.sla_id
    policy.action_apply_to_open_tickets()
    assert ticket.sla_id == policy and not done.sla_id
    assert ticket.sla_start == MONDAY_9AM                 # the clock started at creation
    env["helpdesk.ticket"]._sla_apply_policies()          # what the demo data calls
    assert done.sla_id == policy


def test_the_deadline_of_a_calendar_without_working_time_is_empty(env) -> None:
    empty = env["resource.calendar"].create({"name": "Never", "tz": "UTC",
                                             "holiday_country": False})
    team = make_team(env, "Nobody works", empty)
    make_policy(env, team)
    ticket = make_ticket(env, team)
    assert ticket.sla_id and not ticket.sla_deadline and ticket.sla_status == "ok"


def test_a_team_counts_its_tickets_at_risk_and_overdue(env, team) -> None:
    other = make_team(env, "Other desk")
    for desk in (team, other):
        make_policy(env, desk, first=0, resolution=8)
    for name in ("a", "b"):
        make_ticket(env, team, when=MONDAY_9AM, name=name)
    make_ticket(env, other, when=MONDAY_9AM + H, name="c")      # 7 h of 8 used
    env["helpdesk.ticket"]._cron_sla_update(MONDAY_9AM + 25 * H)   # Tuesday 10:00 Paris
    teams = team | other
    env.invalidate_all()
    with count_queries(env) as counter:
        counts = [(t.sla_at_risk_count, t.sla_breached_count) for t in teams]
    assert counts == [(0, 2), (1, 0)]
    assert counter.count <= 2


def test_changing_the_team_hours_moves_the_deadlines_at_once(env, team) -> None:
    make_policy(env, team, first=4, resolution=16)
    ticket = make_ticket(env, team)                        # Friday 16:00 Paris
    assert ticket.sla_first_response_deadline == dt.datetime(2026, 11, 23, 11, 0)
    always = env["resource.calendar"].create({
        "name": "Around the clock", "tz": "Europe/Paris", "holiday_country": False,
        "attendance_ids": [(0, 0, {"dayofweek": str(d), "hour_from": 0, "hour_to": 24})
                           for d in range(7)]})
    team.resource_calendar_id = always
    assert ticket.sla_first_response_deadline == FRIDAY_4PM + 4 * H
