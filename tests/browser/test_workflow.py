"""Workflows in Chromium: the form's status bar buttons, a refused kanban drag that puts
the card back with the reason, an allowed one, the workflow diagram; axe audits and
screenshots to look at."""
from __future__ import annotations

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit, drag, login
from core.testing.browser import kanban_column as column


@pytest.fixture(scope="module")
def wf_server(tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('wf-live') / 'workflow.db'}"
    database = Database(url, available=comptoir_available)
    database.install(["test_workflow"], demo=True)
    with database.environment() as env:
        agent = env["res.users"].create({
            "name": "Alex Agent", "login": "agent", "password": "agent-password",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        tickets = env["test.ticket"].create([
            {"name": "Broken screen"}, {"name": "Printer jam"},
            {"name": "Slow laptop", "user_id": agent.id}])
        tickets[2].write({"state": "progress"})
        database.test_ids = {"tickets": env.ref("test_workflow.test_ticket_action").id,
                             "workflows": env.ref("base.ir_workflow_action").id,
                             "workflow": env.ref("test_workflow.ticket_workflow").id,
                             "screen": tickets[0].id}
    server = LiveServer(database)
    yield server
    server.stop()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def current_state(page) -> str:
    return page.locator('.statusbar li[aria-current="step"]').inner_text()


def test_status_bar_buttons_save_and_move(page, wf_server) -> None:
    ids = wf_server.database.test_ids
    login(page, wf_server, "agent", "agent-password")
    page.goto(f"{wf_server.url}/web/action/{ids['tickets']}/{ids['screen']}")
    assert current_state(page) == "New"
    assert audit(page) == []
    shot(page, "workflow-form")
    moves = page.get_by_role("group", name="Move to another state")
    assert moves.get_by_role("button").all_inner_texts() == ["Start"]
    moves.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    assert current_state(page) == "In progress"
    # edits typed before a move are saved with it
    page.get_by_label("Note").fill("Waiting for the replacement part")
    moves.get_by_role("button", name="Wait for the customer").click()
    page.wait_for_load_state()
    assert current_state(page) == "Waiting"
    assert page.get_by_label("Note").input_value() == "Waiting for the replacement part"
    shot(page, "workflow-form-moved")




def test_kanban_drags_follow_the_transitions(page, wf_server) -> None:
    ids = wf_server.database.test_ids
    login(page, wf_server, "agent", "agent-password")
    page.goto(f"{wf_server.url}/web/action/{ids['tickets']}/kanban")
    page.wait_for_selector(".kanban-board[data-draggable]")
    titles = page.locator(".kanban-column-title").all_inner_texts()
    assert titles == ["New", "In progress", "Waiting", "Done", "Cancelled"]
    assert audit(page) == []
    shot(page, "workflow-kanban")
    card = column(page, "New").locator(".kanban-card", has_text="Printer jam")
    with page.expect_response("**/kanban/move*") as refused:
        drag(page, card, column(page, "Waiting").locator(".kanban-cards"))
    assert refused.value.status == 422
    page.locator(".kanban-status-error").wait_for()
    assert "cannot move from New to Waiting" in page.get_by_role("status").inner_text()
    assert column(page, "New").locator(".kanban-card", has_text="Printer jam").count() == 1
    shot(page, "workflow-kanban-refused")
    page.wait_for_timeout(400)  # SortableJS ignores a new drag during its 150 ms animation
    with page.expect_response("**/kanban/move*") as moved:
        drag(page, card, column(page, "In progress").locator(".kanban-cards"))
    assert moved.value.status == 200
    page.get_by_role("status").filter(has_text="Printer jam").wait_for()
    page.reload()
    assert column(page, "In progress").locator(".kanban-card",
                                               has_text="Printer jam").count() == 1


def test_workflow_diagram_from_the_workflow_form(page, wf_server) -> None:
    ids = wf_server.database.test_ids
    login(page, wf_server)
    page.goto(f"{wf_server.url}/web/action/{ids['workflows']}/{ids['workflow']}")
    assert audit(page) == []
    shot(page, "workflow-editor-form")
    page.get_by_role("link", name="Diagram").click()
    page.wait_for_url("**/diagram*")
    assert page.get_by_role("img", name="Diagram of Ticket").is_visible()
    transitions = page.get_by_role("table", name="Transitions")
    assert transitions.get_by_role("row").count() == 7          # header + 6 transitions
    assert audit(page) == []
    shot(page, "workflow-diagram")
    page.get_by_role("link", name="Back to the workflow").click()
    page.wait_for_url(f"**/web/action/{ids['workflows']}/{ids['workflow']}*")
