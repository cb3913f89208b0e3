"""Automation rules on both engines: triggers (create, write of fields, state entered, time
relative to a date, incoming message), filters, actions (set values with tokens, assign,
webhook, an addon's action), the run log, failures that keep the triggering change."""
from __future__ import annotations

import datetime as dt

import pytest

from core.automation import AutomationAction, action_kinds, message_received, run_time_rules
from core.exceptions import ValidationError
from core.orm.model_write import now_utc
from core.testing import count_queries


@pytest.fixture
def agents(env):
    group = env.ref("base.group_user")
    france = env.ref("base.fr")
    germany = env.ref("base.de")
    users = env["res.users"]
    result = {}
    for login, country in (("ann", france), ("bob", germany), ("cid", france)):
        partner = env["res.partner"].create({"name": login.title(), "country_id": country.id})
        result[login] = users.create({"name": login.title(), "login": f"auto-{login}",
                                      "partner_id": partner.id,
                                      "groups_id": [(6, 0, [group.id])]})
    return result


def rule(env, actions=(), **values):
    record = env["ir.automation.rule"].create({
        "name": values.pop("name", "Test rule"),
        "model_id": env.ref("test_workflow.model_test_ticket").id, **values})
    for action in actions:
        env["ir.automation.action"].create({"rule_id": record.id, **action})
    return record


def runs_of(env, record):
    return env["ir.automation.run"].search([("rule_id", "=", record.id)])


def as_user(env, user):
    return env(uid=user.id, su=False)


def test_on_create_with_filter_and_value_tokens(env, agents) -> None:
    urgent = rule(env, trigger="on_create", filter_domain="[('priority', '=', '3')]",
                  actions=[{"kind": "set_values",
                            "values": "{'user_id': uid, 'note': 'urgent', "
                                      "'date_closed': now}"}])
    tickets = as_user(env, agents["ann"])["test.ticket"]
    hot, cold = tickets.create([{"name": "hot", "priority": "3"}, {"name": "cold"}])
    assert hot.user_id == agents["ann"] and hot.note == "urgent"
    assert abs(hot.date_closed - now_utc()) < dt.timedelta(minutes=1)
    assert not cold.user_id and not cold.note
    run = runs_of(env, urgent)
    assert len(run) == 1
    assert (run.state, run.trigger, run.res_ids, run.record_count, run.user_id) == (
        "done", "on_create", [hot.id], 1, agents["ann"])


def test_on_write_fires_only_when_a_watched_field_changes(env) -> None:
    watch = rule(env, trigger="on_write", trigger_fields="priority",
                 actions=[{"kind": "set_values", "values": "{'escalated': True}"}])
    record = env["test.ticket"].create({"name": "t", "priority": "1"})
    record.write({"note": "unrelated"})
    record.write({"priority": "1"})
    assert not record.escalated and not runs_of(env, watch)
    record.write({"priority": "2"})
    assert record.escalated and len(runs_of(env, watch)) == 1
    with pytest.raises(ValidationError, match="Name the fields"):
        rule(env, trigger="on_write")
    with pytest.raises(ValidationError, match="does not exist on test.ticket"):
        rule(env, trigger="on_write", trigger_fields="priorty")


def test_on_state_fires_when_the_state_is_entered(env) -> None:
    waiting = env.ref("test_workflow.ticket_state_waiting")
    entered = rule(env, trigger="on_state", state_id=waiting.id,
                   actions=[{"kind": "set_values", "values": "{'note': 'customer asked'}"}])
    record = env["test.ticket"].create({"name": "t"})
    record.write({"state": "progress"})
    assert not record.note
    record.write({"state": "waiting"})
    assert record.note == "customer asked"
    record.write({"note": False, "state": "waiting"})   # already there: not entered again
    assert not record.note
    created_there = env["test.ticket"].create({"name": "u", "state": "waiting"})
    assert created_there.note == "customer asked"
    assert len(runs_of(env, entered)) == 2
    with pytest.raises(ValidationError, match="Choose a state of a workflow of test.ticket"):
        rule(env, trigger="on_state", state_id=env.ref("test_workflow.task_state_done").id)


def test_a_failing_action_keeps_the_change_and_is_logged(env) -> None:
    broken = rule(env, trigger="on_write", trigger_fields="priority", actions=[
        {"kind": "set_values", "values": "{'note': 'first'}", "sequence": 1},
        {"kind": "set_values", "values": "{'state': 'done'}", "sequence": 2}])
    record = env["test.ticket"].create({"name": "t"})
    record.write({"priority": "3"})
    assert record.priority == "3"                     # the triggering change is kept
    assert not record.note                            # the actions are rolled back together
    run = runs_of(env, broken)
    assert run.state == "failed"
    assert "cannot move from New to Done" in run.message


def test_a_rule_does_not_trigger_itself(env) -> None:
    loop = rule(env, trigger="on_write", trigger_fields="note",
                actions=[{"kind": "set_values", "values": "{'note': 'again'}"}])
    record = env["test.ticket"].create({"name": "t"})
    record.write({"note": "first"})
    assert record.note == "again"
    assert len(runs_of(env, loop)) == 1


def test_addon_action_kinds_from_the_hook(env) -> None:
    kinds = action_kinds(env.registry)
    assert {"set_values", "assign", "webhook", "test_workflow_escalate"} <= set(kinds)
    selection = dict(env["ir.automation.action"]._fields["kind"].get_values(env))
    assert selection["test_workflow_escalate"] == "Escalate (test)"
    rule(env, trigger="on_create", actions=[{"kind": "test_workflow_escalate",
                                             "params": "{'reason': 'VIP customer'}"}])
    record = env["test.ticket"].create({"name": "t"})
    assert record.escalated and record.note == "VIP customer"
    with pytest.raises(ValidationError, match="not a valid choice"):
        env["ir.automation.action"].create({"rule_id": rule(env).id, "kind": "teleport"})
    with pytest.raises(ValidationError, match="must be a dict"):
        rule(env, actions=[{"kind": "test_workflow_escalate", "params": "[1]"}])


def test_on_message_rules_receive_the_message(env, monkeypatch) -> None:
    seen = []
    capture = AutomationAction("test_capture", "Capture", lambda run: seen.append(
        (run.trigger, run.records.ids, run.message)))
    monkeypatch.setitem(action_kinds(env.registry), "test_capture", capture)
    rule(env, trigger="on_message", actions=[{"kind": "test_capture"}])
    record = env["test.ticket"].create({"name": "t"})
    message_received(record, {"subject": "Re: printer"})
    assert seen == [("on_message", [record.id], {"subject": "Re: printer"})]


def test_time_rules_fire_once_per_record_and_date(env) -> None:
    now = now_utc()
    today = now.date()
    reminder = rule(env, trigger="on_time", date_field="date_deadline", delay_amount=3,
                    delay_unit="days", delay_direction="before",
                    activated_on=now - dt.timedelta(days=10),
                    actions=[{"kind": "set_values", "values": "{'escalated': True}"}])
    soon, later, late, ancient = env["test.ticket"].create([
        {"name": "soon", "date_deadline": today + dt.timedelta(days=2)},
        {"name": "later", "date_deadline": today + dt.timedelta(days=10)},
        {"name": "late", "date_deadline": today - dt.timedelta(days=5)},
        {"name": "ancient", "date_deadline": today - dt.timedelta(days=20)}])
    assert run_time_rules(env, now) == 2
    assert [t.escalated for t in (soon, later, late, ancient)] == [True, False, True, False]
    assert run_time_rules(env, now) == 0                   # idempotent
    assert run_time_rules(env, now + dt.timedelta(days=8)) == 1   # "later" is due now
    soon.write({"escalated": False, "date_deadline": today + dt.timedelta(days=1)})
    assert run_time_rules(env, now + dt.timedelta(days=8)) == 1   # a new date fires again
    assert soon.escalated
    run = runs_of(env, reminder)[:1]
    assert run.trigger == "on_time" and run.res_ids == [soon.id]
    with pytest.raises(ValidationError, match="not a stored date field"):
        rule(env, trigger="on_time", date_field="name")


def test_time_rules_after_a_datetime_through_the_scheduled_action(env) -> None:
    from core.automation.scheduler import run_cron_now
    now = now_utc()
    rule(env, trigger="on_time", date_field="date_closed", delay_amount=1, delay_unit="days",
         delay_direction="after", activated_on=now - dt.timedelta(days=30),
         actions=[{"kind": "set_values", "values": "{'note': 'satisfaction survey'}"}])
    old, fresh = env["test.ticket"].create([
        {"name": "old", "date_closed": now - dt.timedelta(days=2)},
        {"name": "fresh", "date_closed": now - dt.timedelta(hours=1)}])
    run_cron_now(env, env.ref("base.ir_cron_automation_time_triggers"))
    assert old.note == "satisfaction survey" and not fresh.note


def test_webhook_actions_queue_a_job(env) -> None:
    rule(env, trigger="on_create", actions=[{
        "kind": "webhook", "webhook_url": "http://127.0.0.1:9/hook",
        "webhook_fields": "name, state, date_deadline"}])
    record = env["test.ticket"].create({"name": "t", "date_deadline": dt.date(2030, 1, 2)})
    job = env["ir.job"].search([("method", "=", "_job_webhook")], limit=1)
    assert job.state == "pending" and job.model == "ir.automation.action"
    url, body = job.args
    assert url == "http://127.0.0.1:9/hook"
    assert body["model"] == "test.ticket" and body["trigger"] == "on_create"
    assert body["records"] == [{"id": record.id, "display_name": "t", "name": "t",
                                "state": "new", "date_deadline": "2030-01-02"}]
    with pytest.raises(ValidationError, match="must start with http"):
        rule(env, actions=[{"kind": "webhook", "webhook_url": "file:///etc/passwd"}])


def test_rules_cost_the_same_for_a_few_records_or_many(env) -> None:
    rule(env, trigger="on_create", filter_domain="[('priority', '!=', '0')]",
         actions=[{"kind": "set_values", "values": "{'note': 'seen'}"}])

    def cost(size: int) -> int:
        env["test.ticket"].create({"name": "warm"})
        env.invalidate_all()
        with count_queries(env) as counter:
            records = env["test.ticket"].create([{"name": f"t{i}"} for i in range(size)])
        assert set(records.mapped("note")) == {"seen"}
        return counter.count

    assert cost(2) == cost(40)


def test_rules_cannot_watch_kernel_bookkeeping(env) -> None:
    with pytest.raises(ValidationError, match="cannot watch ir.automation.run"):
        env["ir.automation.rule"].create({
            "name": "loop", "model_id": env.ref("base.model_ir_automation_run").id})
