"""Workflows in the web client over HTTP, both engines: the form's status bar and its
buttons per user, moving from the form (saving the edits first), refused moves, kanban
columns that follow the workflow, refused drags, the workflow diagram page."""
from __future__ import annotations

import json
import re

import pytest
from werkzeug.test import Client

from core.modules.loading import Database
from core.security import sessions
from core.web import Application
from core.web.app import SESSION_COOKIE


@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("wfweb"), "wfweb")
    database = Database(url, available=comptoir_available)
    database.install(["test_workflow"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        agent = env["res.users"].create({"name": "Agent", "login": "agent",
                                         "groups_id": [(6, 0, [group_user.id])]})
        manager = env["res.users"].create({"name": "Manager", "login": "manager", "groups_id": [
            (6, 0, [env.ref("test_workflow.group_ticket_manager").id])]})
        database.test_ids = {
            "agent": agent.id, "manager": manager.id, "admin": env.ref("base.user_admin").id,
            "tickets": env.ref("test_workflow.test_ticket_action").id,
            "tasks": env.ref("test_workflow.test_task_action").id,
            "workflows": env.ref("base.ir_workflow_action").id,
            "workflow": env.ref("test_workflow.ticket_workflow").id,
            **{f"t_{x}": env.ref(f"test_workflow.ticket_transition_{x}").id
               for x in ("start", "close", "cancel", "wait")}}
    yield database
    database.engine.dispose()
    drop()


def client_for(database, login: str) -> tuple[Client, str]:
    with database.environment() as env:
        sid, csrf = sessions.create_session(env, database.test_ids[login])
    client = Client(Application(database))
    client.set_cookie(SESSION_COOKIE, sid)
    return client, csrf


def new_ticket(database, **values):
    with database.environment() as env:
        record = env["test.ticket"].create({"name": "Web ticket", **values})
        return record.id, record.version


def read_ticket(database, ticket_id):
    with database.environment() as env:
        return env["test.ticket"].browse(ticket_id).read(
            ["state", "note", "user_id", "date_closed", "version"])[0]


def buttons(body: str) -> list[str]:
    return re.findall(r'name="transition_id" value="\d+"[^>]*>([^<]+)</button>', body)


def statusbar(body: str) -> list[str]:
    bar = re.search(r'<ol class="statusbar"[^>]*>(.*?)</ol>', body, re.S).group(1)
    return [("*" if "aria-current" in attrs else "") + label
            for attrs, label in re.findall(r"<li([^>]*)>([^<]*)</li>", bar)]


def test_status_bar_shows_states_and_the_moves_of_each_user(web_db) -> None:
    ticket_id, _version = new_ticket(web_db)
    url = f"/web/action/{web_db.test_ids['tickets']}/{ticket_id}"
    agent, _csrf = client_for(web_db, "agent")
    body = agent.get(url).get_data(as_text=True)
    assert statusbar(body) == ["*New", "In progress", "Waiting"]   # folded states hidden
    assert buttons(body) == ["Start"]
    manager, _csrf = client_for(web_db, "manager")
    assert buttons(manager.get(url).get_data(as_text=True)) == ["Start", "Cancel"]
    # a new record: the states, no move yet
    new = agent.get(f"/web/action/{web_db.test_ids['tickets']}/new").get_data(as_text=True)
    assert statusbar(new) == ["*New", "In progress", "Waiting"] and buttons(new) == []


def test_a_button_saves_the_form_then_moves(web_db) -> None:
    ticket_id, version = new_ticket(web_db, state="progress")
    agent, csrf = client_for(web_db, "agent")
    url = f"/web/action/{web_db.test_ids['tickets']}/{ticket_id}"
    body = agent.get(url).get_data(as_text=True)
    assert buttons(body) == ["Wait for the customer"]   # Close needs an assignee
    response = agent.post(f"{url}/workflow?menu=", data={
        "csrf_token": csrf, "version": version, "name": "Web ticket",
        "note": "assigned and closed", "user_id": web_db.test_ids["agent"],
        "transition_id": web_db.test_ids["t_close"]})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"{url}?menu=")
    saved = read_ticket(web_db, ticket_id)
    assert saved["state"] == "done" and saved["note"] == "assigned and closed"
    assert saved["date_closed"]                          # the transition's action ran
    assert statusbar(agent.get(url).get_data(as_text=True))[-1] == "*Done"


def test_a_refused_move_changes_nothing(web_db) -> None:
    ticket_id, version = new_ticket(web_db)
    agent, csrf = client_for(web_db, "agent")
    url = f"/web/action/{web_db.test_ids['tickets']}/{ticket_id}/workflow"
    response = agent.post(url, data={"csrf_token": csrf, "version": version,
                                     "name": "Web ticket", "note": "edited",
                                     "transition_id": web_db.test_ids["t_cancel"]})
    assert response.status_code == 422
    assert "cannot move from New to Cancelled. Allowed moves: In progress" in \
        response.get_data(as_text=True)
    assert not read_ticket(web_db, ticket_id)["note"]        # the save was rolled back too
    assert read_ticket(web_db, ticket_id)["state"] == "new"


def test_a_move_on_a_stale_record_is_a_conflict(web_db) -> None:
    ticket_id, version = new_ticket(web_db)
    with web_db.environment() as env:
        env["test.ticket"].browse(ticket_id).write({"note": "changed elsewhere"})
    agent, csrf = client_for(web_db, "agent")
    response = agent.post(
        f"/web/action/{web_db.test_ids['tickets']}/{ticket_id}/workflow",
        data={"csrf_token": csrf, "version": version,
              "transition_id": web_db.test_ids["t_start"]},
        headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert read_ticket(web_db, ticket_id)["state"] == "new"


def columns_of(body: str) -> list[tuple[str, str, bool]]:
    return [(value, title, tag == "details") for tag, value, title in re.findall(
        r'<(section|details) class="kanban-column[^"]*" data-group-value="([^"]*)".*?'
        r'class="kanban-column-title"[^>]*>([^<]*)<', body, re.S)]


def test_kanban_columns_follow_the_workflow_and_refuse_moves(web_db) -> None:
    ticket_id, version = new_ticket(web_db)
    agent, csrf = client_for(web_db, "agent")
    base = f"/web/action/{web_db.test_ids['tickets']}/kanban"
    body = agent.get(base).get_data(as_text=True)
    assert columns_of(body) == [("new", "New", False), ("progress", "In progress", False),
                                ("waiting", "Waiting", False), ("done", "Done", True),
                                ("cancelled", "Cancelled", True)]

    def move(value, version):
        return agent.post(f"{base}/move", data=json.dumps({
            "record_id": ticket_id, "group_value": value, "version": version}),
            content_type="application/json",
            headers={"X-CSRF-Token": csrf, "Accept": "application/json"})

    refused = move("done", version)
    assert refused.status_code == 422
    assert "Allowed moves: In progress" in refused.get_json()["error"]["message"]
    assert read_ticket(web_db, ticket_id)["state"] == "new"
    moved = move("progress", version)
    assert moved.status_code == 200 and moved.get_json()["group_value"] == "progress"
    assert read_ticket(web_db, ticket_id)["state"] == "progress"


def test_kanban_of_states_as_records_shows_only_its_workflow(web_db) -> None:
    with web_db.environment() as env:
        env["test.task"].create({"name": "Board task"})
        states = {x: env.ref(f"test_workflow.task_state_{x}").id for x in ("todo", "doing",
                                                                          "done")}
    agent, _csrf = client_for(web_db, "agent")
    body = agent.get(f"/web/action/{web_db.test_ids['tasks']}/kanban").get_data(as_text=True)
    assert columns_of(body) == [(str(states["todo"]), "To do", False),
                                (str(states["doing"]), "Doing", False),
                                (str(states["done"]), "Done", True)]


def test_diagram_page_draws_the_workflow_with_a_text_alternative(web_db) -> None:
    admin, _csrf = client_for(web_db, "admin")
    ids = web_db.test_ids
    form = admin.get(f"/web/action/{ids['workflows']}/{ids['workflow']}").get_data(as_text=True)
    link = f"/web/workflow/{ids['workflow']}/diagram?action={ids['workflows']}&amp;menu="
    assert link in form
    assert statusbar(form) == ["New", "In progress", "Waiting", "Done", "Cancelled"]
    response = admin.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'role="img" aria-labelledby="wf-title wf-desc"' in body
    assert body.count('marker-end="url(#wf-arrow)"') == 6
    assert "5 states and 6 transitions" in body
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>',
                      body)
    assert ("Cancel", "any state", "Cancelled") in rows
    assert ("Close", "In progress", "Done") in rows
    assert "[(&#39;user_id&#39;, &#39;!=&#39;, False)]" in body
    agent, _csrf = client_for(web_db, "agent")
    assert agent.get(link.replace("&amp;", "&")).status_code == 403   # admins only
