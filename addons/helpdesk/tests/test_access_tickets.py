"""Who sees which tickets: an agent his teams' tickets and those assigned to him, a
manager all of them; only managers configure teams, skills and types; employees outside
the helpdesk see no ticket."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError

from .ticket_factories import as_user, make_team, make_ticket, make_user


@pytest.fixture
def world(env):
    ann, bob = make_user(env, "ac_ann"), make_user(env, "ac_bob")
    manager = make_user(env, "ac_manager", "manager")
    north, south = make_team(env, "AC North", ann), make_team(env, "AC South", bob)
    tickets = {
        "north": make_ticket(env, "AC north", team_id=north.id),
        "south": make_ticket(env, "AC south", team_id=south.id),
        "south_ann": make_ticket(env, "AC south for ann", team_id=south.id, user_id=ann.id),
        "no_team": make_ticket(env, "AC nowhere"),
    }
    return {"ann": ann, "bob": bob, "manager": manager, "north": north, "tickets": tickets}


def visible(env, user):
    return set(as_user(env, user)["helpdesk.ticket"].search(
        [("name", "=like", "AC %")]).mapped("name"))


def test_agents_see_their_teams_and_their_own(env, world):
    assert visible(env, world["ann"]) == {"AC north", "AC south for ann"}
    assert visible(env, world["bob"]) == {"AC south", "AC south for ann"}
    with pytest.raises(AccessError):
        as_user(env, world["ann"])["helpdesk.ticket"].browse(
            world["tickets"]["south"].id).read(["name"])
    with pytest.raises(AccessError):
        as_user(env, world["ann"])["helpdesk.ticket"].browse(
            world["tickets"]["south"].id).write({"priority": "3"})


def test_managers_see_every_ticket(env, world):
    assert visible(env, world["manager"]) == {"AC north", "AC south", "AC south for ann",
                                              "AC nowhere"}


def test_employees_outside_the_helpdesk_see_none(env, world):
    employee = make_user(env, "ac_employee", "user")
    with pytest.raises(AccessError):
        as_user(env, employee)["helpdesk.ticket"].search([])


def test_only_managers_configure(env, world):
    ann = as_user(env, world["ann"])
    with pytest.raises(AccessError):
        ann["helpdesk.team"].browse(world["north"].id).write({"name": "Mine"})
    with pytest.raises(AccessError):
        ann["helpdesk.skill"].create({"name": "AC Skill"})
    with pytest.raises(AccessError):
        ann["helpdesk.ticket.type"].create({"name": "AC Type"})
    with pytest.raises(AccessError):
        ann["helpdesk.ticket"].browse(world["tickets"]["north"].id).unlink()
    manager = as_user(env, world["manager"])
    manager["helpdesk.team"].browse(world["north"].id).write({"name": "AC North 2"})
    manager["helpdesk.skill"].create({"name": "AC Skill"})
    assert ann["helpdesk.tag"].create({"name": "AC tag"}), "agents add tags as they go"


def test_time_entries_follow_their_ticket(env, world):
    south = world["tickets"]["south"]
    env["helpdesk.time.entry"].create({"ticket_id": south.id, "duration": 1.0,
                                       "user_id": world["bob"].id})
    assert not as_user(env, world["ann"])["helpdesk.time.entry"].search(
        [("ticket_id", "=", south.id)])
    assert as_user(env, world["bob"])["helpdesk.time.entry"].search(
        [("ticket_id", "=", south.id)])
