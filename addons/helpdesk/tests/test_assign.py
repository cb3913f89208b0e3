"""Automatic assignment of new tickets by the team's strategy: round robin and load are
fair (30 tickets over 3 agents), skill and region pick the agents able to serve, manual
leaves the ticket in the queue; the workload counts open tickets only."""
from __future__ import annotations

from collections import Counter

import pytest

from core.testing import count_queries

from .ticket_factories import make_team, make_ticket, make_user


@pytest.fixture
def agents(env):
    return [make_user(env, f"as_{name}") for name in ("ann", "bob", "cid")]


def members(agents):
    return agents[0] | agents[1] | agents[2]


def test_round_robin_is_fair_and_remembers_the_turn(env, agents):
    team = make_team(env, "RR", members(agents), "round_robin")
    tickets = env["helpdesk.ticket"].create([{"name": f"RR {i}", "team_id": team.id}
                                             for i in range(30)])
    counts = Counter(ticket.user_id.login for ticket in tickets)
    assert counts == {"as_ann": 10, "as_bob": 10, "as_cid": 10}
    assert [t.user_id for t in tickets[:4]] == [agents[0], agents[1], agents[2], agents[0]]
    assert all(t.state == "assigned" and t.date_assigned for t in tickets)
    later = make_ticket(env, "later", team_id=team.id)
    assert later.user_id == agents[0], "the team remembers whose turn it is"


def test_round_robin_one_at_a_time(env, agents):
    team = make_team(env, "RR single", members(agents), "round_robin")
    users = [make_ticket(env, f"one {i}", team_id=team.id).user_id for i in range(30)]
    assert Counter(u.id for u in users) == {a.id: 10 for a in agents}


def test_load_is_fair_and_counts_open_tickets_only(env, agents):
    team = make_team(env, "Load", members(agents), "load")
    ann, bob, cid = agents
    for i in range(4):
        make_ticket(env, f"busy ann {i}", team_id=team.id, user_id=ann.id)
    make_ticket(env, "busy bob", team_id=team.id, user_id=bob.id)
    done = make_ticket(env, "done cid", team_id=team.id, user_id=cid.id, state="closed")
    assert done.state == "closed"
    tickets = env["helpdesk.ticket"].create([{"name": f"L {i}", "team_id": team.id}
                                             for i in range(30)])
    counts = Counter(ticket.user_id.login for ticket in tickets)
    # 35 open tickets in the end: ann 4 + 8, bob 1 + 11, cid 0 + 11 (12/12/11)
    assert counts == {"as_ann": 8, "as_bob": 11, "as_cid": 11}
    totals = Counter(t.user_id.login for t in env["helpdesk.ticket"].search(
        [("team_id", "=", team.id), ("state", "in", ["new", "assigned"])]))
    assert max(totals.values()) - min(totals.values()) <= 1


def test_load_one_at_a_time_levels_the_agents(env, agents):
    team = make_team(env, "Load single", members(agents), "load")
    for i in range(3):
        make_ticket(env, f"ann {i}", team_id=team.id, user_id=agents[0].id)
    for i in range(30):
        make_ticket(env, f"one {i}", team_id=team.id)
    totals = Counter(t.user_id.id for t in env["helpdesk.ticket"].search(
        [("team_id", "=", team.id)]))
    assert sorted(totals.values()) == [11, 11, 11]


def test_skill_strategy_gives_to_agents_with_the_skill(env, agents):
    network = env["helpdesk.skill"].create({"name": "AS Networks"})
    printers = env["helpdesk.skill"].create({"name": "AS Printers"})
    agents[0].write({"helpdesk_skill_ids": [(6, 0, [network.id])]})
    agents[1].write({"helpdesk_skill_ids": [(6, 0, [network.id, printers.id])]})
    team = make_team(env, "Skills", members(agents), "skill")
    net_type = env["helpdesk.ticket.type"].create({"name": "AS outage", "skill_id": network.id})
    prn_type = env["helpdesk.ticket.type"].create({"name": "AS jam", "skill_id": printers.id})
    jams = env["helpdesk.ticket"].create([{"name": f"P{i}", "team_id": team.id,
                                           "ticket_type_id": prn_type.id} for i in range(3)])
    nets = env["helpdesk.ticket"].create([{"name": f"N{i}", "team_id": team.id,
                                           "ticket_type_id": net_type.id} for i in range(10)])
    assert set(jams.mapped("user_id").ids) == {agents[1].id}
    assert Counter(t.user_id.id for t in nets) == {agents[0].id: 7, agents[1].id: 3}, \
        "fewest open tickets among those with the skill"
    no_skill = make_ticket(env, "no type", team_id=team.id)
    assert not no_skill.user_id and no_skill.state == "new", \
        "a ticket needing no skill stays in the queue"


def test_region_strategy_gives_to_agents_of_the_customer_region(env, agents):
    north = env["crm.territory"].create({"name": "AS North", "kind": "region",
                                         "zip_prefixes": "59"})
    lille = env["crm.territory"].create({"name": "AS Lille", "kind": "sector",
                                         "parent_id": north.id, "zip_prefixes": "590"})
    south = env["crm.territory"].create({"name": "AS South", "kind": "region",
                                         "zip_prefixes": "13"})
    agents[0].write({"helpdesk_region_ids": [(6, 0, [north.id])]})
    agents[1].write({"helpdesk_region_ids": [(6, 0, [south.id])]})
    agents[2].write({"helpdesk_region_ids": [(6, 0, [lille.id])]})
    lille_co = env["res.partner"].create({"name": "AS Lille Co", "is_company": True,
                                          "zip": "59000"})
    marseille_co = env["res.partner"].create({"name": "AS Marseille Co", "is_company": True,
                                              "zip": "13001"})
    team = make_team(env, "Regions", members(agents), "region")
    lille_tickets = env["helpdesk.ticket"].create([
        {"name": f"Lille {i}", "team_id": team.id, "partner_id": lille_co.id}
        for i in range(4)])
    south_ticket = make_ticket(env, "Marseille", team_id=team.id, partner_id=marseille_co.id)
    assert south_ticket.user_id == agents[1]
    assert Counter(t.user_id.id for t in lille_tickets) == {agents[0].id: 2, agents[2].id: 2}, \
        "the region's agent serves its sectors too"


def test_manual_strategy_leaves_tickets_in_the_queue(env, agents):
    team = make_team(env, "Manual", members(agents), "manual")
    ticket = make_ticket(env, team_id=team.id)
    assert not ticket.user_id and ticket.state == "new"


def test_assignment_queries_do_not_grow_with_the_batch(env, agents):
    team = make_team(env, "Q", members(agents), "manual")
    small = env["helpdesk.ticket"].create([{"name": f"s{i}", "team_id": team.id}
                                           for i in range(3)])
    large = env["helpdesk.ticket"].create([{"name": f"l{i}", "team_id": team.id}
                                           for i in range(30)])
    env.cache.invalidate()
    with count_queries(env) as few:
        team._assign_tickets(small, "load")
    env.cache.invalidate()
    with count_queries(env) as many:
        team._assign_tickets(large, "load")
    assert many.count == few.count, "one load query and one write per agent"
    assert Counter(t.user_id.id for t in small | large) == {a.id: 11 for a in agents}
