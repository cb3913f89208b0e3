"""The queue: *Take* assigns a ticket to me; *Take next* gives the oldest unassigned open
ticket of my teams that fits my skills, never another team's nor a taken one."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError, UserError

from .ticket_factories import as_user, make_team, make_ticket, make_user


@pytest.fixture
def setup(env):
    ann, bob = make_user(env, "q_ann"), make_user(env, "q_bob")
    printers = env["helpdesk.skill"].create({"name": "Q Printers"})
    ann.write({"helpdesk_skill_ids": [(6, 0, [printers.id])]})
    jam = env["helpdesk.ticket.type"].create({"name": "Q jam", "skill_id": printers.id})
    team = make_team(env, "Q desk", ann | bob)
    other = make_team(env, "Q elsewhere", bob)
    return {"ann": ann, "bob": bob, "team": team, "other": other, "jam": jam}


def test_take_assigns_to_me(env, setup):
    ticket = make_ticket(env, team_id=setup["team"].id)
    mine = as_user(env, setup["bob"])["helpdesk.ticket"].browse(ticket.id)
    mine.action_take()
    assert ticket.user_id == setup["bob"] and ticket.state == "assigned"
    closed = make_ticket(env, "old", team_id=setup["team"].id, state="closed")
    with pytest.raises(UserError, match="reopen"):
        as_user(env, setup["bob"])["helpdesk.ticket"].browse(closed.id).action_take()


def test_take_next_is_first_in_first_out_within_my_skills(env, setup):
    team, ann, bob = setup["team"], setup["ann"], setup["bob"]
    needs_skill = make_ticket(env, "1 jammed", team_id=team.id,
                              ticket_type_id=setup["jam"].id)
    plain = make_ticket(env, "2 question", team_id=team.id)
    make_ticket(env, "elsewhere", team_id=setup["other"].id)
    newest = make_ticket(env, "3 urgent", team_id=team.id, priority="3")
    tickets = as_user(env, bob)["helpdesk.ticket"]
    assert tickets._take_next() == plain, "bob lacks the printer skill"
    assert plain.user_id == bob and plain.state == "assigned"
    assert as_user(env, ann)["helpdesk.ticket"]._take_next() == needs_skill, "oldest first"
    assert tickets._take_next(teams=team) == newest
    assert not tickets._take_next(teams=team), "nothing left in the desk's queue for bob"


def test_take_next_button_on_the_team(env, setup):
    team, bob = setup["team"], setup["bob"]
    ticket = make_ticket(env, team_id=team.id)
    action = as_user(env, bob)["helpdesk.team"].browse(team.id).action_take_next()
    assert action["res_id"] == ticket.id and action["res_model"] == "helpdesk.ticket"
    with pytest.raises(UserError, match="holds no unassigned ticket"):
        as_user(env, bob)["helpdesk.team"].browse(team.id).action_take_next()
    with pytest.raises(UserError, match="not an agent"):
        as_user(env, setup["ann"])["helpdesk.team"].browse(setup["other"].id) \
            .action_take_next()


def test_only_agents_take_tickets(env, setup):
    employee = make_user(env, "q_employee", "user")
    with pytest.raises(AccessError):
        env["helpdesk.ticket"]._take_next(employee)


def test_queue_skips_tickets_already_taken(env, setup):
    team, ann, bob = setup["team"], setup["ann"], setup["bob"]
    first = make_ticket(env, "first", team_id=team.id)
    second = make_ticket(env, "second", team_id=team.id)
    first.write({"user_id": ann.id})
    assert env["helpdesk.ticket"]._take_next(bob) == second
    assert not env["helpdesk.ticket"]._take_next(bob)
