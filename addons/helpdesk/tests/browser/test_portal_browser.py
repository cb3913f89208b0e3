"""The helpdesk portal in Chromium, on the demo data: the demo customer (login and
password ``portal_customer``) lands on /my, lists his company's tickets, opens a new one,
rates and reopens the resolved one; a visitor sends the public form. axe audits on every
page, screenshots in test-artifacts/."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit

from ..test_portal_support import register_hooks


@pytest.fixture(scope="module")
def helpdesk_server(live_database: Any) -> Iterator[LiveServer]:
    """The session's database with every addon and its demo data, the portal hooks, and
    forms that may be sent after a second."""
    with live_database.environment() as env:
        env["ir.config_parameter"].set_param("portal.form.min_seconds", "1")
    register_hooks(live_database)
    server = LiveServer(live_database)
    yield server
    server.stop()
    with live_database.environment() as env:
        env["ir.config_parameter"].set_param("portal.form.min_seconds", None)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"helpdesk-portal-{name}.png"), full_page=True)


def test_customer_lists_opens_rates_and_reopens(page, helpdesk_server, tmp_path) -> None:
    server = helpdesk_server
    page.goto(f"{server.url}/web/login")
    page.get_by_label("Login").fill("portal_customer")
    page.get_by_label("Password").fill("portal_customer")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/my")
    assert audit(page) == []
    page.get_by_role("link", name="Tickets").click()
    page.wait_for_url(f"{server.url}/my/tickets")
    assert "VPN disconnects every hour" in page.content()
    assert audit(page) == []
    shot(page, "list")
    # a new ticket with a file
    page.get_by_role("link", name="New ticket").click()
    page.wait_for_url(f"{server.url}/my/tickets/new")
    assert audit(page) == []
    shot(page, "new-ticket-form")
    page.get_by_label("Subject").fill("Badge reader offline")
    page.get_by_label("Product").select_option(index=1)  # her contract's products
    page.get_by_label("Description").fill("The front door reader is dark.")
    upload = tmp_path / "reader.txt"
    upload.write_bytes(b"no light")
    page.get_by_label("Files").set_input_files(str(upload))
    page.get_by_role("button", name="Open the ticket").click()
    page.wait_for_url(re.compile(r".*/my/tickets/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text().endswith("Badge reader offline")
    assert page.locator("a", has_text="reader.txt").count() == 1
    assert audit(page) == []
    shot(page, "new-ticket")
    # the resolved ticket: rate it with the stars, then reopen it
    page.goto(f"{server.url}/my/tickets?search=scan")
    page.locator("tr", has_text="Printer does not scan").get_by_role("link").click()
    assert "e-mail password had expired" in page.content()
    assert "Internal:" not in page.content()  # the agent's internal note
    rating = page.get_by_role("group", name="Your rating")
    rating.get_by_text("★").nth(4).click()
    page.get_by_label("Your comment (optional)").fill("Solved quickly.")
    assert audit(page) == []
    shot(page, "record")
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_role("status").filter(has_text="Thank you for your rating.").wait_for()
    page.get_by_role("button", name="Reopen").click()
    page.get_by_text("Reopened by the customer.").wait_for()
    assert page.get_by_role("button", name="Reopen").count() == 0
    with server.database.environment() as env:
        ticket = env.ref("helpdesk.ticket_portal_printer")
        assert ticket.state == "in_progress" and ticket.reopen_count == 1
        assert env["rating.rating"].of_record(
            ticket, env.ref("helpdesk.partner_portal_customer")).rating == 5
        new = env["helpdesk.ticket"].search([("name", "=", "Badge reader offline")])
        assert new.channel == "portal" and new.product_id
        assert new.product_id in env.ref("helpdesk.contract_portal_roux").product_ids


def test_visitor_sends_the_public_form(page, helpdesk_server) -> None:
    server = helpdesk_server
    page.goto(f"{server.url}/forms/ticket")
    assert audit(page) == []
    page.get_by_label("Your name").fill("Paul Visitor")
    page.get_by_label("E-mail").fill("paul@visitor.example")
    page.get_by_label("Subject").fill("Quote for 20 laptops")
    page.get_by_label("Description").fill("Can you call me back?")
    page.wait_for_timeout(1100)   # people take more than the minimum time
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"{server.url}/forms/ticket/thanks")
    assert "support team will answer" in page.get_by_role("status").inner_text()
    assert audit(page) == []
    shot(page, "public-form")
    with server.database.environment() as env:
        ticket = env["helpdesk.ticket"].search([("name", "=", "Quote for 20 laptops")])
        assert ticket.channel == "web_form" and ticket.partner_id.email == "paul@visitor.example"
