"""Tickets: numbering, defaults, the workflow and the dates its moves set, reopening,
assignment moving the state, time entries, the customer's account and region."""
from __future__ import annotations

import pytest

from core.exceptions import UserError, ValidationError

from .ticket_factories import as_user, make_team, make_ticket, make_user


@pytest.fixture
def agent(env):
    return make_user(env, "tk_agent")


@pytest.fixture
def team(env, agent):
    return make_team(env, "Desk", agent)


def test_number_from_the_sequence_and_defaults(env):
    first, second = make_ticket(env, "A"), make_ticket(env, "B")
    assert first.number.startswith("HD/") and first.number != second.number
    assert int(second.number.rsplit("/", 1)[1]) == int(first.number.rsplit("/", 1)[1]) + 1
    assert first.state == "new" and first.priority == "1" and first.active
    assert first.display_name == f"{first.number} A"


def test_an_agent_creates_tickets_in_his_first_team(env, agent, team):
    ticket = as_user(env, agent)["helpdesk.ticket"].create({"name": "Phone call"})
    assert ticket.team_id == team


def test_assigning_moves_to_assigned_and_back_to_the_queue(env, agent, team):
    ticket = make_ticket(env, team_id=team.id)
    assert ticket.state == "new" and not ticket.user_id
    ticket.write({"user_id": agent.id})
    assert ticket.state == "assigned" and ticket.date_assigned
    ticket.write({"user_id": False})
    assert ticket.state == "new", "unassigned, it goes back to the queue"
    created = make_ticket(env, team_id=team.id, user_id=agent.id)
    assert created.state == "assigned" and created.date_assigned


def test_the_whole_workflow_sets_its_dates(env, agent, team):
    ticket = as_user(env, agent)["helpdesk.ticket"].create({"name": "Flow", "team_id": team.id})
    ticket.action_take()
    ticket.workflow_move("in_progress", "state")
    ticket.workflow_move("waiting", "state")
    ticket.workflow_move("in_progress", "state")
    assert not ticket.date_resolved
    ticket.workflow_move("resolved", "state")
    assert ticket.state == "resolved" and ticket.date_resolved
    ticket.workflow_move("closed", "state")
    assert ticket.state == "closed" and ticket.date_closed
    assert ticket.reopen_count == 0


def test_starting_an_unassigned_ticket_takes_it(env, agent, team):
    ticket = as_user(env, agent)["helpdesk.ticket"].create({"name": "Go", "team_id": team.id})
    ticket.workflow_move("in_progress", "state")
    assert ticket.state == "in_progress" and ticket.user_id == agent and ticket.date_assigned
    other = as_user(env, agent)["helpdesk.ticket"].create({"name": "Mine", "team_id": team.id})
    other.workflow_move("assigned", "state")
    assert other.user_id == agent


def test_refused_moves_say_which_are_allowed(env, agent, team):
    ticket = as_user(env, agent)["helpdesk.ticket"].create({"name": "Jump", "team_id": team.id})
    with pytest.raises(ValidationError, match="cannot move"):
        ticket.write({"state": "closed"})
    assert ticket.state == "new"


def test_reopen_counts_and_clears_the_resolution(env, agent, team):
    ticket = make_ticket(env, team_id=team.id, user_id=agent.id)
    mine = as_user(env, agent)["helpdesk.ticket"].browse(ticket.id)
    mine.workflow_move("in_progress", "state")
    mine.workflow_move("resolved", "state")
    mine.action_reopen()
    assert mine.state == "in_progress" and mine.reopen_count == 1
    assert not mine.date_resolved and not mine.date_closed
    mine.workflow_move("resolved", "state")
    mine.workflow_move("closed", "state")
    mine.action_reopen()
    assert mine.reopen_count == 2
    with pytest.raises(UserError):
        mine.action_reopen()  # in progress: nothing to reopen


def test_only_managers_restore_a_cancelled_ticket(env, agent, team):
    manager = make_user(env, "tk_manager", "manager")
    ticket = as_user(env, agent)["helpdesk.ticket"].create({"name": "Oops", "team_id": team.id})
    ticket.workflow_move("cancelled", "state")
    assert ticket.date_closed
    with pytest.raises(ValidationError):
        ticket.workflow_move("new", "state")
    as_user(env, manager)["helpdesk.ticket"].browse(ticket.id).workflow_move("new", "state")
    assert ticket.state == "new"


def test_time_entries_sum_and_are_checked(env, agent, team):
    ticket = make_ticket(env, team_id=team.id)
    entries = as_user(env, agent)["helpdesk.time.entry"]
    entries.create({"ticket_id": ticket.id, "duration": 1.5, "note": "Diagnosis"})
    entries.create({"ticket_id": ticket.id, "duration": 0.25})
    assert ticket.total_hours == 1.75
    assert ticket.time_entry_ids.mapped("user_id") == agent
    with pytest.raises(ValidationError, match="time entry"):
        entries.create({"ticket_id": ticket.id, "duration": 0})
    with pytest.raises(ValidationError):
        entries.create({"ticket_id": ticket.id, "duration": 30})


def test_account_and_region_of_the_customer(env):
    region = env["crm.territory"].create({"name": "TK North", "kind": "region",
                                          "zip_prefixes": "59"})
    sector = env["crm.territory"].create({"name": "TK Lille", "kind": "sector",
                                          "parent_id": region.id, "zip_prefixes": "590"})
    account = env["res.partner"].create({"name": "TK Transports", "is_company": True,
                                         "zip": "59000", "email": "hq@tk.example"})
    contact = env["res.partner"].create({"name": "Olivier", "parent_id": account.id,
                                         "email": "olivier@tk.example"})
    ticket = make_ticket(env, partner_id=contact.id)
    assert ticket.commercial_partner_id == account
    assert ticket.email_from == "olivier@tk.example"
    assert ticket.region_id == sector
    assert set(ticket.region_scope_ids.ids) == {sector.id, region.id}


def test_activities_are_scheduled_from_the_ticket(env, agent, team):
    ticket = make_ticket(env, team_id=team.id, user_id=agent.id)
    mine = as_user(env, agent)["helpdesk.ticket"].browse(ticket.id)
    call = mine.activity_schedule("mail.activity_type_call", summary="Call back")
    assert call.res_model == "helpdesk.ticket" and call.res_id == ticket.id
    assert mine.activity_ids == call


def test_keyword_search_on_subject_and_description(env):
    make_ticket(env, "Imprimante bloquée", description="<p>Le bac est coincé</p>")
    make_ticket(env, "VPN refused")
    found = env["helpdesk.ticket"].fts_search("imprimantes")
    assert [record.name for record, _score in found] == ["Imprimante bloquée"]


def test_resolved_tickets_close_by_themselves(env, agent, team):
    import datetime as dt
    old = make_ticket(env, "old", team_id=team.id, user_id=agent.id, state="resolved",
                      date_resolved=dt.datetime(2026, 1, 1, 9, 0))
    recent = make_ticket(env, "recent", team_id=team.id, user_id=agent.id, state="resolved",
                         date_resolved=dt.datetime(2026, 1, 9, 9, 0))
    tickets = env["helpdesk.ticket"]
    now = dt.datetime(2026, 1, 10, 9, 0)
    assert tickets._cron_close_resolved(now) == 1
    assert old.state == "closed" and old.date_closed and recent.state == "resolved"
    assert "Closed automatically" in " ".join(old.message_ids.mapped("body"))
    env["ir.config_parameter"].set_param("helpdesk.auto_close_days", "0")
    assert tickets._cron_close_resolved(dt.datetime(2027, 1, 1)) == 0
    env["ir.config_parameter"].set_param("helpdesk.auto_close_days", "soon")
    assert tickets._cron_close_resolved(dt.datetime(2027, 1, 1)) == 1, "default delay"
    assert env.ref("helpdesk.ir_cron_helpdesk_close_resolved").method == \
        "_cron_close_resolved"
