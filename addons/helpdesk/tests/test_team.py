"""Teams: default working hours, open and unassigned counts (one query for many teams),
agents' skills and regions seen from both sides, the queue action."""
from __future__ import annotations

from core.testing import count_queries

from .ticket_factories import make_team, make_ticket, make_user


def test_defaults(env):
    team = make_team(env, "TT defaults")
    assert team.resource_calendar_id == env.ref("base.resource_calendar_standard")
    assert team.assignment_strategy == "manual" and team.company_id == env.company


def test_counts_in_one_query(env):
    agent = make_user(env, "tt_agent")
    teams = [make_team(env, f"TT {i}", agent) for i in range(5)]
    for team in teams:
        make_ticket(env, "open", team_id=team.id)
        make_ticket(env, "mine", team_id=team.id, user_id=agent.id)
        make_ticket(env, "done", team_id=team.id, state="closed")
    records = env["helpdesk.team"].browse([t.id for t in teams])
    env.cache.invalidate()
    with count_queries(env) as counter:
        counts = [(t.open_ticket_count, t.unassigned_ticket_count) for t in records]
    assert counts == [(2, 1)] * 5
    assert counter.count <= 2


def test_skills_and_regions_both_ways(env):
    agent = make_user(env, "tt_skilled")
    skill = env["helpdesk.skill"].create({"name": "TT Skill", "user_ids": [(6, 0, [agent.id])]})
    assert agent.helpdesk_skill_ids == skill
    team = make_team(env, "TT team", agent)
    assert agent.helpdesk_team_ids == team


def test_queue_action_lists_the_unassigned_open_tickets(env):
    team = make_team(env, "TT queue")
    waiting = make_ticket(env, "waiting", team_id=team.id)
    make_ticket(env, "done", team_id=team.id, state="closed")
    action = team.action_open_queue()
    assert env["helpdesk.ticket"].search(action["domain"]) == waiting
