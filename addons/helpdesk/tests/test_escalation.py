"""Escalation rules and overdue alerts run by the SLA scheduled action, on both engines,
at fixed moments: before and at the breach, once per ticket and rule, the manager told
(activity and message), the priority raised, the ticket handed over, the policy kept, and
a run that changes nothing costing the same queries for 3 tickets or 9."""
from __future__ import annotations

import pytest

from core.exceptions import ValidationError
from core.testing import count_queries

from .sla_factories import MONDAY_9AM, H, make_policy, make_team, make_ticket, make_user


@pytest.fixture
def setup(env):
    team = make_team(env)
    policy = make_policy(env, team, "Normal", first=0, resolution=8)
    urgent = make_policy(env, team, "Urgent", priority="3", first=0, resolution=2)
    return {"team": team, "policy": policy, "urgent": urgent}


def cron(env, moment):
    return env["helpdesk.ticket"]._cron_sla_update(moment)


def rule(env, **values):
    return env["helpdesk.escalation.rule"].create({"name": values.pop("name", "Rule"),
                                                   **values})


def test_a_rule_must_do_something(env) -> None:
    with pytest.raises(ValidationError, match="does nothing"):
        rule(env, notify_manager=False)
    with pytest.raises(ValidationError, match="above 0"):
        rule(env, trigger="before", hours_before=0)


def test_before_the_breach_the_manager_is_told_once(env, setup) -> None:
    warn = rule(env, name="Two hours left", trigger="before", hours_before=2,
                note="Please look at it.")
    ticket = make_ticket(env, setup["team"], when=MONDAY_9AM)
    assert ticket.sla_id == setup["policy"]
    assert cron(env, MONDAY_9AM + 5 * H)["escalated"] == 0     # 4 h used of 8
    result = cron(env, MONDAY_9AM + 8 * H)                      # 17:00: 7 h used
    assert result["escalated"] == 1 and result["alerted"] == 0
    log = ticket.escalation_log_ids
    assert (log.rule_id, log.kind, log.target) == (warn, "escalation", "resolution")
    assert log.manager_id == setup["team"].user_id
    assert log.deadline == ticket.sla_resolution_deadline
    activity = ticket.activity_ids
    assert activity.user_id == setup["team"].user_id
    assert activity.summary == f"Escalated: {ticket.display_name}"
    message = ticket.message_ids.filtered(lambda m: "Two hours left" in (m.body or ""))
    assert len(message) == 1 and "Please look at it." in message.body
    assert setup["team"].user_id.partner_id in message.partner_ids
    assert warn.log_count == 1
    # the same moment again, or later: the rule has fired for this ticket
    assert cron(env, MONDAY_9AM + 8 * H)["escalated"] == 0
    assert cron(env, MONDAY_9AM + 9 * H)["escalated"] == 0
    assert len(ticket.activity_ids) == 1


def test_at_the_breach_the_ticket_is_raised_and_handed_over(env, setup) -> None:
    expert = make_user(env, "expert")
    rule(env, name="Breach", trigger="breach", notify_manager=False, priority="3",
         reassign_user_id=expert.id)
    ticket = make_ticket(env, setup["team"], when=MONDAY_9AM)
    deadline = ticket.sla_resolution_deadline
    tuesday_10 = MONDAY_9AM + 25 * H                            # 8 h used: breached
    result = cron(env, tuesday_10)
    assert result == {"tickets": 1, "updated": 1, "escalated": 1, "alerted": 1}
    assert ticket.priority == "3" and ticket.user_id == expert
    # escalating keeps the promise: still the normal policy, same deadline
    assert ticket.sla_id == setup["policy"]
    assert ticket.sla_resolution_deadline == deadline
    assert ticket.sla_status == "breached"
    kinds = sorted(ticket.escalation_log_ids.mapped("kind"))
    assert kinds == ["escalation", "overdue"]
    overdue = ticket.escalation_log_ids.filtered(lambda log: log.kind == "overdue")
    assert overdue.manager_id == setup["team"].user_id
    assert ticket.activity_ids.summary == f"Overdue: {ticket.display_name}"
    assert "priority raised to Urgent" in ticket.escalation_log_ids.filtered(
        lambda log: log.kind == "escalation").actions
    assert cron(env, tuesday_10 + H) == {"tickets": 1, "updated": 0, "escalated": 0,
                                         "alerted": 0}
    # a later manual change of priority chooses the policy again
    ticket.write({"priority": "2"})
    ticket.write({"priority": "3"})
    assert ticket.sla_id == setup["urgent"]


def test_a_rule_hands_over_to_another_team_and_skips_other_teams(env, setup) -> None:
    level2 = make_team(env, "Level 2")
    rule(env, name="Other team only", trigger="breach", team_ids=[(6, 0, level2.ids)],
         priority="2")
    rule(env, name="To level 2", trigger="breach", notify_manager=False,
         reassign_team_id=level2.id, team_ids=[(6, 0, setup["team"].ids)])
    agent = setup["team"].user_id
    ticket = make_ticket(env, setup["team"], when=MONDAY_9AM, user_id=agent.id)
    cron(env, MONDAY_9AM + 25 * H)
    assert ticket.team_id == level2
    assert not ticket.user_id                 # the old agent is not in the new team
    assert ticket.priority == "1"             # the rule of Level 2 did not fire here
    assert ticket.sla_id == setup["policy"]
    # now in Level 2, the other rule applies at the next run, once
    assert cron(env, MONDAY_9AM + 26 * H)["escalated"] == 1
    assert ticket.priority == "2"


def test_waiting_and_resolved_tickets_are_not_escalated(env, setup) -> None:
    rule(env, name="Breach", trigger="breach")
    waiting = make_ticket(env, setup["team"], when=MONDAY_9AM, name="waiting")
    waiting.write({"state": "in_progress"})
    waiting.with_context(helpdesk_now=(MONDAY_9AM + H).isoformat()).write(
        {"state": "waiting"})
    resolved = make_ticket(env, setup["team"], when=MONDAY_9AM, name="resolved")
    resolved.write({"state": "in_progress"})
    resolved.with_context(helpdesk_now=(MONDAY_9AM + H).isoformat()).write(
        {"state": "resolved"})
    result = cron(env, MONDAY_9AM + 30 * H)
    assert result["escalated"] == 0 and result["alerted"] == 0
    assert waiting.sla_status == "ok" and resolved.sla_status == "ok"


def test_a_quiet_run_costs_the_same_for_3_or_9_tickets(env, setup) -> None:
    rule(env, name="Two hours left", trigger="before", hours_before=2)
    rule(env, name="Breach", trigger="breach", priority="2")

    def quiet_run(count):
        tickets = [make_ticket(env, setup["team"], when=MONDAY_9AM, name=f"T{i}")
                   for i in range(count)]
        cron(env, MONDAY_9AM + 30 * H)                          # everything fires once
        env.invalidate_all()
        with count_queries(env) as counter:
            result = cron(env, MONDAY_9AM + 31 * H)
        assert result["escalated"] == 0 and result["updated"] == 0
        for ticket in tickets:
            ticket.active = False
        return counter.count

    assert quiet_run(3) == quiet_run(9)


def test_a_failing_rule_does_not_stop_the_run(env, setup, monkeypatch) -> None:
    rule(env, name="Breach", trigger="breach")
    first = make_ticket(env, setup["team"], when=MONDAY_9AM, name="first")
    second = make_ticket(env, setup["team"], when=MONDAY_9AM, name="second")
    Rule = type(env["helpdesk.escalation.rule"])
    original = Rule._fire

    def flaky(self, ticket, state, now):
        if ticket == first:
            raise ValidationError("refused")
        return original(self, ticket, state, now)

    monkeypatch.setattr(Rule, "_fire", flaky)
    assert cron(env, MONDAY_9AM + 25 * H)["escalated"] == 1
    assert not first.escalation_log_ids.filtered(lambda log: log.kind == "escalation")
    assert second.escalation_log_ids.filtered(lambda log: log.kind == "escalation")
    monkeypatch.setattr(Rule, "_fire", original)
    assert cron(env, MONDAY_9AM + 26 * H)["escalated"] == 1   # tried again, once
