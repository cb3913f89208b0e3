"""The SLA in the web client (Werkzeug client, both engines): a manager creates a policy
from its form and applies it to the open tickets; the ticket form shows the deadline and
the SLA page; the list colours a breached ticket; a refused policy says why; the rules
and the escalation log open from the menus; agents cannot create policies."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from core.testing import installed_database, scratch_database
from core.testing.web import client_for


@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("sla_web"), "sla_web")
    database = installed_database(url, sorted(comptoir_available), available=comptoir_available)
    with database.environment() as env:
        def user(login, group):
            return env["res.users"].create({"name": login.title(), "login": f"sla-web-{login}",
                                            "groups_id": [(6, 0, [env.ref(group).id])]})
        agent = user("agent", "helpdesk.group_helpdesk_agent")
        manager = user("manager", "helpdesk.group_helpdesk_manager")
        team = env["helpdesk.team"].create({
            "name": "SLA Desk", "user_id": manager.id, "assignment_strategy": "manual",
            "member_ids": [(6, 0, [agent.id, manager.id])]})
        tickets = env["helpdesk.ticket"]
        long_ago = tickets.with_context(helpdesk_now="2026-01-05T08:00:00")
        late = long_ago.create({"name": "Forgotten request", "team_id": team.id})
        fresh = tickets.create({"name": "Fresh request", "team_id": team.id})
        ids = {"agent": agent.id, "manager": manager.id, "team": team.id, "late": late.id,
               "fresh": fresh.id,
               "tickets": env.ref("helpdesk.helpdesk_ticket_action").id,
               "policies": env.ref("helpdesk.helpdesk_sla_action").id,
               "rules": env.ref("helpdesk.helpdesk_escalation_rule_action").id,
               "log": env.ref("helpdesk.helpdesk_escalation_log_action").id}
    database.test_ids = ids
    yield database
    database.engine.dispose()
    drop()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_a_manager_sets_up_a_policy_and_agents_see_the_deadlines(web_db) -> None:
    ids = web_db.test_ids
    manager, csrf = client_for(web_db, ids["manager"])
    base = f"/web/action/{ids['policies']}"
    refused = manager.post(f"{base}/new", data={
        "csrf_token": csrf, "name": "Nothing promised", "team_id": str(ids["team"]),
        "priority": "0", "first_response_hours": "0", "resolution_hours": "0"})
    assert refused.status_code in (400, 422)
    assert "needs a first response or a resolution target" in refused.get_data(as_text=True)
    created = manager.post(f"{base}/new", data={
        "csrf_token": csrf, "name": "Desk standard", "team_id": str(ids["team"]),
        "priority": "0", "first_response_hours": "4", "resolution_hours": "16",
        "warning_percent": "80"})
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    url = created.headers["Location"].split("?")[0]
    form = page(manager, url)
    assert "Apply to open tickets" in form
    applied = manager.post(f"{url}/call", data={"csrf_token": csrf,
                                                "method": "action_apply_to_open_tickets"})
    assert applied.status_code == 303
    with web_db.environment() as env:
        late = env["helpdesk.ticket"].browse(ids["late"])
        policy_id = int(url.rsplit("/", 1)[1])
        assert late.sla_id.id == policy_id
        assert late.sla_status == "breached"
        assert late.sla_first_response_deadline == dt.datetime(2026, 1, 5, 13, 0)  # lunch
    assert "Desk standard" in page(manager, base)

    agent, _csrf = client_for(web_db, ids["agent"])
    tickets = f"/web/action/{ids['tickets']}"
    ticket_form = page(agent, f"{tickets}/{ids['late']}")
    assert "SLA Deadline" in ticket_form and "Breached" in ticket_form
    assert "Desk standard" in ticket_form                   # the SLA page
    assert "Recompute the SLA" not in ticket_form           # managers only
    assert "Recompute the SLA" in page(manager, f"{tickets}/{ids['late']}")
    listing = page(agent, tickets)
    row = listing[listing.index("Forgotten request") - 600:listing.index("Forgotten request")]
    assert "decoration-danger" in row
    breached = page(agent, f"{tickets}?f=sla_breached")
    assert "Forgotten request" in breached and "Fresh request" not in breached


def test_rules_and_log_pages_and_agents_cannot_configure(web_db) -> None:
    ids = web_db.test_ids
    manager, csrf = client_for(web_db, ids["manager"])
    rules = f"/web/action/{ids['rules']}"
    created = manager.post(f"{rules}/new", data={
        "csrf_token": csrf, "name": "Two hours left", "target": "resolution",
        "trigger": "before", "hours_before": "2", "notify_manager__present": "1",
        "notify_manager": "1"})
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    assert "Two hours left" in page(manager, rules)
    page(manager, f"/web/action/{ids['log']}")
    agent, agent_csrf = client_for(web_db, ids["agent"])
    refused = agent.post(f"/web/action/{ids['policies']}/new", data={
        "csrf_token": agent_csrf, "name": "Mine", "resolution_hours": "1"})
    assert refused.status_code in (403, 400, 422)
    with web_db.environment() as env:
        assert not env["helpdesk.sla"].search([("name", "=", "Mine")])


def test_the_cli_lists_tickets_at_risk_and_runs_the_update(web_db) -> None:
    from click.testing import CliRunner

    from addons.helpdesk.cli_sla import sla_group

    def cli(*args):
        result = CliRunner().invoke(sla_group, list(args), obj={"database": web_db})
        assert result.exit_code == 0, result.output
        return result.output

    with web_db.environment() as env:
        team = env["helpdesk.team"].browse(web_db.test_ids["team"])
        if not env["helpdesk.sla"].search([("team_id", "=", team.id)]):
            env["helpdesk.sla"].create({"name": "CLI policy", "team_id": team.id,
                                        "first_response_hours": 4, "resolution_hours": 16})
        env["helpdesk.ticket"]._sla_apply_policies()
    # a moment long after every ticket's creation: all of them are breached
    counts = json.loads(cli("run", "--now", "2030-01-07T12:00", "--json"))
    assert counts["tickets"] >= 2 and counts["alerted"] >= 2
    again = json.loads(cli("run", "--now", "2030-01-07T12:00", "--json"))
    assert again["escalated"] == 0 and again["alerted"] == 0 and again["updated"] == 0
    rows = json.loads(cli("status", "--json", "--team", "SLA Desk"))
    names = {row["name"] for row in rows}
    assert {"Forgotten request", "Fresh request"} <= names
    assert {row["status"] for row in rows} == {"breached"}
    text = cli("status")
    assert "breached" in text and "Forgotten request" in text
    unknown = CliRunner().invoke(sla_group, ["status", "--team", "Nobody"],
                                 obj={"database": web_db})
    assert unknown.exit_code != 0 and "No helpdesk team is named" in unknown.output
    bad = CliRunner().invoke(sla_group, ["run", "--now", "tomorrow"],
                             obj={"database": web_db})
    assert bad.exit_code != 0 and "is not a date and time" in bad.output
