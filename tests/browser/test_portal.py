"""The customer portal in Chromium: a customer logs in and lands on /my, browses his
company's tickets, replies with a file, rates a solved ticket with the star widget (mouse
and keyboard); a visitor opens a ticket with the public form. axe audits on every page,
screenshots (desktop and phone) in test-artifacts/."""
from __future__ import annotations

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit
from tests.test_portal_support import PASSWORD, make_portal_db


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory, comptoir_available):
    databases = make_portal_db("sqlite", tmp_path_factory.mktemp("portal-live"),
                               comptoir_available, "portal_live")
    database = next(databases)
    with database.environment() as env:
        env["ir.config_parameter"].set_param("portal.form.min_seconds", "1")
    server = LiveServer(database)
    yield server
    server.stop()
    databases.close()


def shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=full_page)


def portal_login(page, server) -> None:
    page.goto(f"{server.url}/web/login")
    page.get_by_label("Login").fill("alice@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/my")


def test_customer_home_list_reply_and_rating(page, portal_server, tmp_path) -> None:
    server, ids = portal_server, portal_server.database.test_ids
    portal_login(page, server)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alice Martin"
    assert audit(page) == []
    shot(page, "home")
    page.get_by_role("link", name="Tickets").click()
    page.wait_for_url(f"{server.url}/my/tickets")
    rows = page.locator("table.portal-table tbody tr")
    assert rows.count() == 2 and "Globex" not in page.content()
    assert audit(page) == []
    shot(page, "list")
    page.get_by_label("Search Tickets").fill("printer")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/my/tickets?search=printer")
    assert rows.count() == 1
    page.get_by_role("link", name="Printer on fire").click()
    page.wait_for_url(f"{server.url}/my/tickets/{ids['printer']}")
    assert "We are on it." in page.content() and "grumpy" not in page.content()
    # a reply with a file
    upload = tmp_path / "photo.txt"
    upload.write_bytes(b"smoke")
    page.get_by_label("Your message").fill("It started again this morning.")
    page.get_by_label("Files (optional)").set_input_files(str(upload))
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".portal-message-mine", has_text="It started again").wait_for()
    assert page.locator(".portal-message-mine a", has_text="photo.txt").count() == 1
    assert audit(page) == []
    shot(page, "record")
    # the solved ticket: rate it with the mouse, then change it with the keyboard
    page.goto(f"{server.url}/my/tickets/{ids['invoice']}")
    rating = page.get_by_role("group", name="Your rating")
    rating.get_by_text("★").nth(3).click()
    assert page.get_by_label("4 out of 5").is_checked()
    page.get_by_label("Your comment (optional)").fill("Quick answer, thank you.")
    assert audit(page) == []
    shot(page, "rating")
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_role("status").filter(has_text="Thank you for your rating.").wait_for()
    page.get_by_label("4 out of 5").focus()
    page.keyboard.press("ArrowLeft")
    assert page.get_by_label("3 out of 5").is_checked()
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_text("Your rating: 3 out of 5").wait_for()
    with server.database.environment() as env:
        found = env["rating.rating"].search([("res_id", "=", ids["invoice"])])
        assert found.rating == 3 and found.feedback == "Quick answer, thank you."
    # the back office is not for customers
    page.goto(f"{server.url}/web")
    page.wait_for_url(f"{server.url}/my")


@pytest.mark.parametrize("width", [390])
def test_portal_on_a_phone(browser, portal_server, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    portal_login(page, portal_server)
    page.goto(f"{portal_server.url}/my/tickets/{portal_server.database.test_ids['printer']}")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width
    assert audit(page) == []
    shot(page, f"record-{width}")
    page.goto(f"{portal_server.url}/my/account")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert audit(page) == []
    shot(page, f"account-{width}")
    context.close()


def test_visitor_opens_a_ticket_with_the_public_form(page, portal_server, tmp_path) -> None:
    server = portal_server
    page.goto(f"{server.url}/forms/test-ticket")
    assert audit(page) == []
    shot(page, "form")
    page.get_by_label("Your name").fill("Nina Web")
    page.get_by_label("E-mail").fill("nina@example.org")
    page.get_by_label("Subject").fill("Cannot print invoices")
    page.get_by_label("Category").select_option(label="Incident")
    page.get_by_label("Description").fill("The PDF is blank.")
    upload = tmp_path / "blank.pdf"
    upload.write_bytes(b"%PDF-1.4 blank")
    page.get_by_label("Files").set_input_files(str(upload))
    page.wait_for_timeout(1100)   # people take more than the minimum time
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"{server.url}/forms/test-ticket/thanks")
    assert "we received your message" in page.get_by_role("status").inner_text()
    assert audit(page) == []
    with server.database.environment() as env:
        ticket = env["test.portal.ticket"].search([("name", "=", "Cannot print invoices")])
        assert ticket.partner_id.email == "nina@example.org"
        assert env["ir.attachment"].search_count([("res_model", "=", ticket._name),
                                                  ("res_id", "=", ticket.id)]) == 1
    # an error is announced next to its field
    page.goto(f"{server.url}/forms/test-ticket")
    page.get_by_label("E-mail").fill("nina@")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send").click()
    page.get_by_text("“nina@” is not an e-mail address.").wait_for()
    assert page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"
    assert audit(page) == []
    shot(page, "form-errors")
