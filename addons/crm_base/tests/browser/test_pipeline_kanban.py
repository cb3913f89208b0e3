"""The pipeline board in Chromium: a salesperson drags an opportunity to another stage
(its probability follows), reads the column totals, marks a deal lost from its form
through the wizard, and every page passes an axe audit."""
from __future__ import annotations

from typing import Any

from core.testing.browser import ARTIFACTS, audit, drag, login
from core.testing.browser import kanban_column as column

DEALS = [("Browser deal: scanners", "stage_lead1", 12000, "2"),
         ("Browser deal: printers", "stage_lead1", 3000, "0"),
         ("Browser deal: laptops", "stage_lead2", 25000, "3")]


def pipeline(live_server: Any) -> dict[str, Any]:
    """A salesperson with three opportunities (made once per test session)."""
    with live_server.database.environment() as env:
        users = env["res.users"]
        rep = users.search([("login", "=", "browser_rep")])
        if not rep:
            rep = users.create({
                "name": "Nina Browser", "login": "browser_rep", "tz": "Europe/Paris",
                "groups_id": [(6, 0, [env.ref("crm_base.group_sale_salesman").id])]})
            users._set_password_if_unset([rep.id], "browser_rep")
            team = env["crm.team"].create({"name": "Browser Team", "user_id": rep.id,
                                           "member_ids": [(6, 0, rep.ids)]})
            for name, stage, revenue, priority in DEALS:
                deal = env["crm.lead"].create({
                    "name": name, "type": "opportunity", "user_id": rep.id,
                    "team_id": team.id, "stage_id": env.ref(f"crm_base.{stage}").id,
                    "expected_revenue": revenue, "priority": priority})
                if priority == "2":
                    deal.activity_schedule("mail.activity_type_call",
                                           summary="Call about the scanners", user_id=rep.id)
        action = env.ref("crm_base.crm_lead_action_pipeline")
        menu = env.ref("crm_base.menu_crm_root")
        return {"url": f"{live_server.url}/web/action/{action.id}/kanban?menu={menu.id}"
                       "&f=my_pipeline", "action": action.id, "menu": menu.id}


def deal(live_server: Any, name: str) -> Any:
    with live_server.database.environment() as env:
        record = env["crm.lead"].with_context(active_test=False).search([("name", "=", name)])
        return record.read(["stage_id", "probability", "won_status"])[0] | {"id": record.id}


def test_drag_an_opportunity_to_the_next_stage(page, live_server) -> None:
    board = pipeline(live_server)
    login(page, live_server, "browser_rep", "browser_rep")
    page.goto(board["url"])
    page.wait_for_selector(".kanban-board[data-draggable]")
    new = column(page, "New")
    assert new.locator(".kanban-sum-value").inner_text() == "15,000.00"
    assert new.locator(".priority-stars").first.get_attribute("aria-label")
    assert column(page, "Won").count() == 1, "the folded won stage is a column too"
    assert audit(page) == []
    card = new.locator(".kanban-card", has_text="scanners")
    target = column(page, "Proposition").locator(".kanban-cards")
    with page.expect_response("**/kanban/move*") as moved:
        drag(page, card, target)
    assert moved.value.status == 200
    page.get_by_role("status").filter(has_text="scanners").wait_for()
    assert column(page, "Proposition").locator(".kanban-count").inner_text() == "1"
    state = deal(live_server, "Browser deal: scanners")
    assert state["stage_id"][1] == "Proposition" and state["probability"] == 50.0
    page.reload()
    assert column(page, "Proposition").locator(".kanban-sum-value").inner_text() == "12,000.00"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pipeline-kanban.png"), full_page=True)


def test_mark_a_deal_lost_from_its_form(page, live_server) -> None:
    board = pipeline(live_server)
    login(page, live_server, "browser_rep", "browser_rep")
    target = deal(live_server, "Browser deal: printers")
    page.goto(f"{live_server.url}/web/action/{board['action']}/{target['id']}"
              f"?menu={board['menu']}")
    page.locator(".priority-choice").nth(2).click()
    assert page.locator(".priority-radio").nth(2).is_checked()
    assert audit(page) == []
    page.get_by_role("button", name="Lost", exact=True).click()
    page.wait_for_url("**/web/wizard/**")
    assert audit(page) == []
    page.get_by_label("Closing Note").fill("Bought second-hand printers")
    page.get_by_role("button", name="Mark as Lost").click()
    page.wait_for_url(f"**/web/action/{board['action']}/{target['id']}*")
    assert deal(live_server, "Browser deal: printers")["won_status"] == "lost"
    assert page.get_by_text("Bought second-hand printers").count() >= 1
    page.get_by_role("button", name="Restore").click()
    page.wait_for_load_state()
    assert deal(live_server, "Browser deal: printers")["won_status"] == "pending"
