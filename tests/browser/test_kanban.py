"""The kanban board in Chromium: drag a card to another column, move one from the keyboard,
quick create, an axe audit, and a screenshot to look at."""
from __future__ import annotations

from core.testing.browser import ARTIFACTS, audit, drag, login
from core.testing.browser import kanban_column as column

KANBAN = ('<kanban default_group_by="type" quick_create="1">'
          '<field name="name" class="title"/><field name="email"/><field name="city"/>'
          '<field name="country_id"/></kanban>')
PEOPLE = [("Atelier Durand", "contact", "atelier@durand.example", "Lyon"),
          ("Boulangerie Ménard", "contact", "contact@menard.example", "Nantes"),
          ("Claire Petit", "invoice", "claire@petit.example", "Lille"),
          ("Domaine Roux", "delivery", "cave@roux.example", "Beaune"),
          ("Épicerie Blanc", "invoice", "bonjour@blanc.example", "Rennes"),
          ("Fromagerie Lenoir", "other", "info@lenoir.example", "Annecy")]


def board_url(live_server) -> str:
    """A contacts kanban grouped by address type (created once per test session)."""
    with live_server.database.environment() as env:
        action = env["ir.actions.act_window"].search([("name", "=", "Kanban Contacts")])
        if not action:
            view = env["ir.ui.view"].create({"name": "res.partner.kanban (browser test)",
                                             "model": "res.partner", "arch": KANBAN})
            action = env["ir.actions.act_window"].create({
                "name": "Kanban Contacts", "res_model": "res.partner",
                "view_mode": "list,kanban,form", "view_id": view.id})
            france = env["res.country"].search([("code", "=", "FR")], limit=1)
            env["res.partner"].create([{
                "name": name, "type": kind, "email": email, "city": city,
                "country_id": france.id or False} for name, kind, email, city in PEOPLE])
        return f"{live_server.url}/web/action/{action.id}/kanban?c=email%7Cilike%7C.example"


def partner_type(live_server, name: str) -> str:
    with live_server.database.environment() as env:
        return env["res.partner"].search([("name", "=", name)]).type


def test_drag_a_card_to_another_column(page, live_server) -> None:
    login(page, live_server)
    page.goto(board_url(live_server))
    page.wait_for_selector(".kanban-board[data-draggable]")
    assert audit(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kanban.png"), full_page=True)
    card = column(page, "Contact").locator(".kanban-card", has_text="Atelier Durand")
    target = column(page, "Invoice Address").locator(".kanban-cards")
    with page.expect_response("**/kanban/move*") as moved:
        drag(page, card, target)
    assert moved.value.status == 200
    page.get_by_role("status").filter(has_text="Atelier Durand").wait_for()
    assert column(page, "Invoice Address").locator(".kanban-count").inner_text() == "3"
    assert partner_type(live_server, "Atelier Durand") == "invoice"
    page.reload()
    assert column(page, "Invoice Address").locator(".kanban-card",
                                                   has_text="Atelier Durand").count() == 1
    # a stale card (changed elsewhere meanwhile) goes back with the server's message
    with live_server.database.environment() as env:
        env["res.partner"].search([("name", "=", "Claire Petit")]).write({"city": "Arras"})
    card = column(page, "Invoice Address").locator(".kanban-card", has_text="Claire Petit")
    drag(page, card, column(page, "Other Address").locator(".kanban-cards"))
    page.locator(".kanban-status-error").wait_for()
    assert "someone else" in page.get_by_role("status").inner_text()
    assert column(page, "Invoice Address").locator(".kanban-card",
                                                   has_text="Claire Petit").count() == 1
    assert partner_type(live_server, "Claire Petit") == "invoice"
    page.screenshot(path=str(ARTIFACTS / "kanban-conflict.png"), full_page=True)


def test_move_from_the_keyboard_and_quick_create(page, live_server) -> None:
    login(page, live_server)
    page.goto(board_url(live_server))
    card = page.locator(".kanban-card", has_text="Domaine Roux")
    card.locator(".kanban-move summary").focus()
    page.keyboard.press("Enter")
    card.get_by_label("Move Domaine Roux to").select_option(label="Other Address")
    card.get_by_role("button", name="Move").press("Enter")
    page.wait_for_load_state()
    assert column(page, "Other Address").locator(".kanban-card",
                                                 has_text="Domaine Roux").count() == 1
    assert partner_type(live_server, "Domaine Roux") == "other"
    assert audit(page) == []
    quick = column(page, "Delivery Address").locator(".kanban-quick-create")
    quick.locator("summary").click()
    quick.get_by_role("textbox").fill("Gîte Moreau")
    quick.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    assert partner_type(live_server, "Gîte Moreau") == "delivery"
    page.set_viewport_size({"width": 420, "height": 800})
    page.goto(board_url(live_server))
    board = page.locator(".kanban-board")
    assert board.evaluate("b => b.scrollWidth > b.clientWidth")      # the board scrolls,
    assert page.evaluate("document.documentElement.scrollWidth") <= 420  # not the page
    page.screenshot(path=str(ARTIFACTS / "kanban-small.png"), full_page=True)
