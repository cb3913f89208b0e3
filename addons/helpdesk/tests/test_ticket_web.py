"""Tickets in the web client (Werkzeug client, both engines): the list in queue order
with its priority colours, the kanban by status, the form with its status bar and Take
button, the team's Take Next Ticket opening the ticket taken, the agents' menus; and the
``comptoir tickets`` commands on the same committed database."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from core.testing import installed_database, scratch_database
from core.testing.web import client_for

from ..cli_tickets import tickets_group


@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("tickets_web"),
                                 "tickets_web")
    database = installed_database(url, sorted(comptoir_available), available=comptoir_available)
    with database.environment() as env:
        def user(login, group):
            return env["res.users"].create({"name": login.title(), "login": f"web-{login}",
                                            "groups_id": [(6, 0, [env.ref(group).id])]})
        agent = user("agent", "helpdesk.group_helpdesk_agent")
        manager = user("manager", "helpdesk.group_helpdesk_manager")
        team = env["helpdesk.team"].create({"name": "Web Desk", "member_ids": [(6, 0, [agent.id])],
                                            "assignment_strategy": "manual"})
        tickets = env["helpdesk.ticket"]
        old = tickets.create({"name": "Oldest request", "team_id": team.id, "priority": "3"})
        newer = tickets.create({"name": "Newer request", "team_id": team.id})
        ids = {"agent": agent.id, "manager": manager.id, "team": team.id, "old": old.id,
               "newer": newer.id,
               "tickets": env.ref("helpdesk.helpdesk_ticket_action").id,
               "queue": env.ref("helpdesk.helpdesk_ticket_action_queue").id,
               "teams": env.ref("helpdesk.helpdesk_team_action_mine").id}
    database.test_ids = ids
    yield database
    database.engine.dispose()
    drop()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_list_kanban_and_form(web_db) -> None:
    ids = web_db.test_ids
    client, _csrf = client_for(web_db, ids["agent"])
    base = f"/web/action/{ids['tickets']}"
    listing = page(client, base)
    assert listing.index("Oldest request") < listing.index("Newer request"), "FIFO"
    assert "decoration-danger" in listing, "urgent tickets stand out"
    kanban = page(client, f"{base}/kanban")
    assert "Oldest request" in kanban and "New" in kanban
    form = page(client, f"{base}/{ids['old']}")
    assert re.search(r"HD/\d{4}/\d{5}", form)
    assert "action_take" in form
    moves = re.findall(r'name="transition_id" value="\d+"[^>]*>([^<]+)<', form)
    assert "Cancel" in moves and "Start" in moves


def test_take_and_take_next_from_the_pages(web_db) -> None:
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["agent"])
    queue = page(client, f"/web/action/{ids['queue']}")
    assert "Oldest request" in queue
    team_url = f"/web/action/{ids['teams']}/{ids['team']}"
    assert "Take Next Ticket" in page(client, team_url)
    taken = client.post(f"{team_url}/call", data={"csrf_token": csrf,
                                                  "method": "action_take_next"})
    assert taken.status_code == 303
    assert taken.headers["Location"].split("?")[0].endswith(f"/{ids['old']}")
    with web_db.environment() as env:
        ticket = env["helpdesk.ticket"].browse(ids["old"])
        assert ticket.user_id.id == ids["agent"] and ticket.state == "assigned"
    form_url = f"/web/action/{ids['tickets']}/{ids['newer']}"
    done = client.post(f"{form_url}/call", data={"csrf_token": csrf, "method": "action_take"})
    assert done.status_code == 303
    with web_db.environment() as env:
        assert env["helpdesk.ticket"].browse(ids["newer"]).user_id.id == ids["agent"]
    empty = client.post(f"{team_url}/call", data={"csrf_token": csrf,
                                                  "method": "action_take_next"})
    assert empty.status_code in (303, 400, 422)
    if empty.status_code != 303:
        assert "holds no unassigned ticket" in empty.get_data(as_text=True)


def test_the_ticket_form_counts_its_meetings(web_db) -> None:
    ids = web_db.test_ids
    with web_db.environment() as env:
        ticket = env["helpdesk.ticket"].create({"name": "Needs a visit", "team_id": ids["team"]})
        env["calendar.event"].create({"name": "On-site visit", "helpdesk_ticket_id": ticket.id,
                                      "start": "2026-12-01 09:00:00",
                                      "stop": "2026-12-01 10:00:00"})
        ticket_id = ticket.id
    client, _csrf = client_for(web_db, ids["agent"])
    form = page(client, f"/web/action/{ids['tickets']}/{ticket_id}")
    assert "Meetings" in form and re.search(r'class="smart-count">1<', form)


def test_the_account_form_counts_its_tickets(web_db) -> None:
    ids = web_db.test_ids
    with web_db.environment() as env:
        account = env["res.partner"].create({"name": "Web Account", "is_company": True})
        contact = env["res.partner"].create({"name": "Web Contact", "parent_id": account.id})
        env["helpdesk.ticket"].create([{"name": f"Account {i}", "team_id": ids["team"],
                                        "partner_id": contact.id} for i in range(2)])
        partners = env.ref("base.action_partner_form", raise_if_not_found=False) or \
            env["ir.actions.act_window"].search([("res_model", "=", "res.partner")], limit=1)
        action_id, account_id = partners.id, account.id
    client, _csrf = client_for(web_db, ids["manager"])
    form = page(client, f"/web/action/{action_id}/{account_id}")
    assert re.search(r'class="smart-count">2<', form), "two tickets of the account"


def test_menus_per_role(web_db) -> None:
    ids = web_db.test_ids
    agent, _csrf = client_for(web_db, ids["agent"])
    home = page(agent, "/web")
    assert "Helpdesk" in home
    manager, _csrf = client_for(web_db, ids["manager"])
    teams = page(manager, f"/web/action/{ids['teams']}")
    assert teams  # the manager opens the team kanban (no team of his: empty)


def test_the_cli_assigns_and_lists_the_queues(web_db) -> None:
    ids = web_db.test_ids
    with web_db.environment() as env:
        team = env["helpdesk.team"].create({
            "name": "CLI Desk", "assignment_strategy": "manual",
            "member_ids": [(6, 0, [ids["agent"]])]})
        made = env["helpdesk.ticket"].create([{"name": f"CLI {i}", "team_id": team.id}
                                              for i in range(2)])
        made_ids = made.ids
    runner = CliRunner()
    queue = runner.invoke(tickets_group, ["queue", "--team", "CLI Desk", "--json"],
                          obj={"database": web_db})
    assert queue.exit_code == 0, queue.output
    assert [row["id"] for row in json.loads(queue.output)["CLI Desk"]] == made_ids
    with web_db.environment() as env:
        env["helpdesk.team"].browse(team.id).write({"assignment_strategy": "load"})
    done = runner.invoke(tickets_group, ["assign", "--team", "CLI Desk", "--json"],
                         obj={"database": web_db})
    assert done.exit_code == 0, done.output
    rows = {row["id"]: row["user"] for row in json.loads(done.output)}
    assert rows == {made_ids[0]: "web-agent", made_ids[1]: "web-agent"}
    again = runner.invoke(tickets_group, ["assign", "--team", "CLI Desk"],
                          obj={"database": web_db})
    assert again.exit_code == 0 and "0 of 0 tickets assigned." in again.output
    unknown = runner.invoke(tickets_group, ["queue", "--team", "Nobody's desk"],
                            obj={"database": web_db})
    assert unknown.exit_code != 0 and "No helpdesk team is named" in unknown.output


def test_two_agents_taking_next_at_once_get_different_tickets(web_db, engine_name) -> None:
    """PostgreSQL: the second agent waits on the row the first one locked, then skips it
    (SQLite runs one writing transaction at a time)."""
    import threading

    if engine_name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    ids = web_db.test_ids
    with web_db.environment() as env:
        other = env["res.users"].create({
            "name": "Race", "login": "web-race",
            "groups_id": [(6, 0, [env.ref("helpdesk.group_helpdesk_agent").id])]})
        team = env["helpdesk.team"].create({
            "name": "Race Desk", "assignment_strategy": "manual",
            "member_ids": [(6, 0, [ids["agent"], other.id])]})
        made = env["helpdesk.ticket"].create([{"name": f"Race {i}", "team_id": team.id}
                                              for i in range(2)])
        other_id, team_id, made_ids = other.id, team.id, made.ids
    first_took, release = threading.Event(), threading.Event()
    taken: dict[str, int] = {}

    def first() -> None:
        with web_db.environment() as env:
            ticket = env["helpdesk.ticket"]._take_next(
                env["res.users"].browse(ids["agent"]), env["helpdesk.team"].browse(team_id))
            taken["first"] = ticket.id
            first_took.set()
            release.wait(10)

    def second() -> None:
        with web_db.environment() as env:
            ticket = env["helpdesk.ticket"]._take_next(
                env["res.users"].browse(other_id), env["helpdesk.team"].browse(team_id))
            taken["second"] = ticket.id

    one = threading.Thread(target=first)
    one.start()
    assert first_took.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(1.0)
    assert two.is_alive(), "the second agent waits for the first one's lock"
    release.set()
    one.join(10)
    two.join(10)
    assert taken == {"first": made_ids[0], "second": made_ids[1]}
