"""Who sees and changes which leads, per sales role, through the ORM: representatives
their own and the unassigned ones (never a colleague's, never deleting), team leaders
their teams', managers everything, marketing the leads but not the opportunities."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError, UserError

from .lead_factories import as_user, make_lead, make_team, make_user


@pytest.fixture
def world(env):
    users = {key: make_user(env, f"acl_{key}", role) for key, role in (
        ("ann", "rep"), ("bob", "rep"), ("sam", "rep"), ("lea", "leader"), ("max", "leader"),
        ("meg", "manager"), ("mia", "marketing"))}
    north = make_team(env, "ACL North", users["lea"], users["ann"] | users["bob"])
    south = make_team(env, "ACL South", users["max"], users["sam"])
    leads = {
        "ann_opp": make_lead(env, "Ann's deal", user_id=users["ann"].id, team_id=north.id),
        "bob_opp": make_lead(env, "Bob's deal", user_id=users["bob"].id, team_id=north.id),
        "sam_opp": make_lead(env, "Sam's deal", user_id=users["sam"].id, team_id=south.id),
        "north_lead": env["crm.lead"].with_context(crm_no_assign=True).create(
            {"name": "North inbound", "type": "lead", "team_id": north.id, "user_id": False}),
        "orphan_lead": make_lead(env, "Orphan inbound", type="lead", user_id=False),
        "bob_lead": make_lead(env, "Bob's lead", type="lead", user_id=users["bob"].id,
                              team_id=north.id),
    }
    return users, leads, {"north": north, "south": south}


def visible(env, user):
    names = as_user(env, user)["crm.lead"].search([]).mapped("name")
    return {name for name in names if name.endswith(("deal", "inbound", "lead"))}


def test_a_representative_sees_his_own_and_the_unassigned(env, world):
    users, leads, _teams = world
    assert visible(env, users["ann"]) == {"Ann's deal", "North inbound", "Orphan inbound"}
    mine = as_user(env, users["ann"])["crm.lead"]
    with pytest.raises(AccessError):
        mine.browse(leads["bob_opp"].id).read(["name"])
    with pytest.raises(AccessError):
        mine.browse(leads["bob_opp"].id).write({"name": "Taken"})
    mine.browse(leads["ann_opp"].id).write({"expected_revenue": 900})
    mine.browse(leads["north_lead"].id).write({"user_id": users["ann"].id})


def test_a_representative_never_deletes_nor_creates_for_a_colleague(env, world):
    users, leads, _teams = world
    mine = as_user(env, users["ann"])["crm.lead"]
    with pytest.raises(AccessError):
        mine.browse(leads["ann_opp"].id).unlink()
    own = mine.create({"name": "Created by Ann"})
    assert own.user_id == users["ann"]
    with pytest.raises(AccessError):
        mine.create({"name": "For Bob", "user_id": users["bob"].id})
    # archiving (lost) is what representatives do instead of deleting
    mine.browse(leads["ann_opp"].id).action_set_lost()
    assert not env["crm.lead"].browse(leads["ann_opp"].id).active


def test_a_team_leader_sees_his_teams(env, world):
    users, _leads, teams = world
    assert visible(env, users["lea"]) == {"Ann's deal", "Bob's deal", "North inbound",
                                          "Bob's lead", "Orphan inbound"}
    # unassigned leads are open to every representative, whatever their team
    assert visible(env, users["max"]) == {"Sam's deal", "North inbound", "Orphan inbound"}
    # a leader who is a member (not the leader) of another team sees it too
    teams["south"].write({"member_ids": [(4, users["lea"].id)]})
    assert "Sam's deal" in visible(env, users["lea"])


def test_a_manager_sees_and_deletes_everything(env, world):
    users, leads, _teams = world
    assert visible(env, users["meg"]) == {"Ann's deal", "Bob's deal", "Sam's deal",
                                          "North inbound", "Orphan inbound", "Bob's lead"}
    as_user(env, users["meg"])["crm.lead"].browse(leads["sam_opp"].id).unlink()
    assert not leads["sam_opp"].exists()


def test_marketing_sees_leads_not_opportunities(env, world):
    users, leads, _teams = world
    assert visible(env, users["mia"]) == {"North inbound", "Orphan inbound", "Bob's lead"}
    theirs = as_user(env, users["mia"])["crm.lead"]
    with pytest.raises(AccessError):
        theirs.browse(leads["ann_opp"].id).read(["name"])
    created = theirs.create({"name": "Fair contact", "partner_name": "Expo SA"})
    assert created.type == "lead"
    with pytest.raises(AccessError):
        theirs.create({"name": "Sneaky", "type": "opportunity"})
    with pytest.raises(AccessError):
        theirs.browse(leads["orphan_lead"].id).unlink()


def test_configuration_is_read_by_all_and_managed_by_managers(env, world):
    users, _leads, teams = world
    for model in ("crm.stage", "crm.lost.reason", "crm.lead.source", "crm.team",
                  "crm.territory"):
        record = env[model].create({"name": f"Config {model}"})
        for role in ("ann", "mia", "lea"):
            assert as_user(env, users[role])[model].search([("id", "=", record.id)])
            with pytest.raises(AccessError):
                as_user(env, users[role])[model].browse(record.id).write({"name": "Renamed"})
    as_user(env, users["ann"])["crm.tag"].create({"name": "Created by a rep"})
    with pytest.raises(AccessError):
        as_user(env, users["ann"])["crm.stage"].create({"name": "Rep stage"})
    with pytest.raises(AccessError):
        as_user(env, users["lea"])["crm.team"].browse(teams["north"].id).write(
            {"name": "Mine now"})
    manager = as_user(env, users["meg"])
    manager["crm.stage"].create({"name": "Manager stage", "probability": 60})
    manager["crm.territory"].create({"name": "Manager territory", "zip_prefixes": "33"})
    manager["crm.team"].browse(teams["south"].id).write({"assignment_strategy": "load"})
    manager["crm.lost.reason"].create({"name": "Timing"})


def test_wizards_are_each_users_own(env, world):
    users, leads, _teams = world
    theirs = as_user(env, users["bob"])["crm.lead.lost"].with_context(
        active_ids=[leads["bob_opp"].id]).create({})
    assert not as_user(env, users["ann"])["crm.lead.lost"].search([("id", "=", theirs.id)])
    with pytest.raises(AccessError):
        as_user(env, users["ann"])["crm.lead.assign"].create({"mode": "team"})


def test_a_representative_cannot_mark_a_colleagues_deal_lost_through_the_wizard(env, world):
    users, leads, _teams = world
    wizard = as_user(env, users["ann"])["crm.lead.lost"].with_context(
        active_ids=[leads["bob_opp"].id]).create({})
    with pytest.raises(UserError):  # the wizard does not even see the deal
        wizard.action_lost_reason_apply()
    assert env["crm.lead"].browse(leads["bob_opp"].id).active
