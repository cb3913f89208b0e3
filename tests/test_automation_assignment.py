"""Assignment strategies on both engines: round robin that remembers its turn, load
(fewest open records), field match (region, skill) with a fallback, an addon's strategy,
and the "assign" automation action."""
from __future__ import annotations

import pytest

from core.automation import assign, strategies_of
from core.exceptions import ValidationError
from core.testing import count_queries


@pytest.fixture
def agents(env):
    group = env.ref("base.group_user")
    result = {}
    for login, country in (("ann", "fr"), ("bob", "de"), ("cid", "fr")):
        partner = env["res.partner"].create({"name": login.title(),
                                             "country_id": env.ref(f"base.{country}").id})
        result[login] = env["res.users"].create({
            "name": login.title(), "login": f"assign-{login}", "partner_id": partner.id,
            "groups_id": [(6, 0, [group.id])]})
    return result


def team(agents, *logins):
    users = agents[logins[0]]
    for login in logins[1:]:
        users = users | agents[login]
    return users


def tickets(env, count, **values):
    return env["test.ticket"].create([{"name": f"t{i}", **values} for i in range(count)])


def test_round_robin_takes_turns_and_remembers_the_last(env, agents) -> None:
    ann, bob, cid = agents["ann"], agents["bob"], agents["cid"]
    everyone = team(agents, "cid", "ann", "bob")       # the order given does not matter
    batch = tickets(env, 4)
    chosen = assign(batch, "round_robin", everyone, key="helpdesk-test")
    assert [chosen[t.id] for t in batch] == [ann.id, bob.id, cid.id, ann.id]
    assert [t.user_id.login for t in batch] == ["assign-ann", "assign-bob", "assign-cid",
                                                "assign-ann"]
    later = tickets(env, 1)
    assign(later, "round_robin", everyone, key="helpdesk-test")
    assert later.user_id == bob                         # the turn was remembered
    other = tickets(env, 1)
    assign(other, "round_robin", everyone, key="another-queue")
    assert other.user_id == ann                         # each key has its own turn
    # a candidate leaving the team: the turn goes on with the others
    assign(tickets(env, 1), "round_robin", team(agents, "ann", "bob"), key="helpdesk-test")


def test_load_picks_the_fewest_open_records(env, agents) -> None:
    ann, bob, cid = agents["ann"], agents["bob"], agents["cid"]
    tickets(env, 2, user_id=ann.id)
    tickets(env, 1, user_id=bob.id)
    tickets(env, 3, user_id=cid.id, state="done")       # done: not workload
    batch = tickets(env, 4)
    chosen = assign(batch, "load", team(agents, "ann", "bob", "cid"))
    # loads ann 2, bob 1, cid 0 -> cid, cid (1), bob (tie 1/1, lower id first)...
    assert [chosen[t.id] for t in batch] == [cid.id, bob.id, cid.id, ann.id]
    # a custom workload domain counts every ticket instead
    batch = tickets(env, 1)
    assign(batch, "load", team(agents, "ann", "bob", "cid"), load_domain=[])
    assert batch.user_id == bob


def test_load_counts_in_one_query(env, agents) -> None:
    for size in (2, 30):
        batch = tickets(env, size)
        env.invalidate_all()
        with count_queries(env) as counter:
            assign(batch, "load", team(agents, "ann", "bob", "cid"), write=False)
        assert counter.count == 1


def test_field_match_by_region_then_load(env, agents) -> None:
    ann, bob, cid = agents["ann"], agents["bob"], agents["cid"]
    french = tickets(env, 3, country_id=env.ref("base.fr").id)
    german = tickets(env, 1, country_id=env.ref("base.de").id)
    nowhere = tickets(env, 1)
    everyone = team(agents, "ann", "bob", "cid")
    chosen = assign(french | german | nowhere, "field_match", everyone,
                    match_field="country_id", user_match_field="partner_id.country_id")
    assert [chosen[t.id] for t in french] == [ann.id, cid.id, ann.id]
    assert german.user_id == bob
    assert chosen[nowhere.id] is False and not nowhere.user_id
    with pytest.raises(ValidationError, match="needs the record field"):
        assign(french, "field_match", everyone)


def test_addon_strategy_and_unknown_strategy(env, agents) -> None:
    assert {"round_robin", "load", "field_match", "test_workflow_last"} <= set(
        strategies_of(env.registry))
    batch = tickets(env, 2)
    assign(batch, "test_workflow_last", team(agents, "ann", "bob", "cid"))
    assert set(batch.mapped("user_id.login")) == {"assign-cid"}
    with pytest.raises(ValidationError, match="Unknown assignment strategy 'lottery'"):
        assign(batch, "lottery", team(agents, "ann"))
    with pytest.raises(ValidationError, match="no user field 'country_id'"):
        assign(batch, "load", team(agents, "ann"), field="country_id")


def test_assign_action_in_a_rule(env, agents) -> None:
    rule = env["ir.automation.rule"].create({
        "name": "Dispatch", "trigger": "on_create",
        "model_id": env.ref("test_workflow.model_test_ticket").id})
    env["ir.automation.action"].create({
        "rule_id": rule.id, "kind": "assign", "strategy": "field_match",
        "match_field": "country_id", "user_match_field": "partner_id.country_id",
        "user_ids": [(6, 0, team(agents, "ann", "bob", "cid").ids)]})
    created = as_agent(env, agents["bob"])["test.ticket"].create([
        {"name": "de", "country_id": env.ref("base.de").id},
        {"name": "fr", "country_id": env.ref("base.fr").id}])
    assert [t.user_id.login for t in created] == ["assign-bob", "assign-ann"]
    with pytest.raises(ValidationError, match="Name the record field to match"):
        env["ir.automation.action"].create({"rule_id": rule.id, "kind": "assign",
                                            "strategy": "field_match"})
    with pytest.raises(ValidationError, match="no user field 'name'"):
        env["ir.automation.action"].create({"rule_id": rule.id, "kind": "assign",
                                            "assign_field": "name"})


def as_agent(env, user):
    return env(uid=user.id, su=False)
