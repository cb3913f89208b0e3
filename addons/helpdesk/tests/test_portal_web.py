"""The helpdesk in the customer portal, through the web (Werkzeug client, both engines):
a customer's list and ticket pages (his company's tickets only, never internal notes nor
their files), a new ticket with files, replies, reopening within the configured days,
the rating once resolved, and the public web form (channel web_form, the contact matched
by e-mail, honeypot and rate limit wired); list queries do not grow with the rows."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from werkzeug.test import Client

from core.testing import count_queries
from core.testing.web import client_for
from core.web import Application

from .test_portal_support import csrf_of, helpdesk_portal_db, set_params  # noqa: F401


def page_of(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def ticket_values(database: Any, ticket_id: int, names: list[str]) -> dict[str, Any]:
    with database.environment() as env:
        return env["helpdesk.ticket"].browse(ticket_id).read(names)[0]


def test_home_and_list_show_the_companys_tickets_only(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    alice, _csrf = client_for(helpdesk_portal_db, ids["alice"])
    home = page_of(alice, "/my")
    with helpdesk_portal_db.environment() as env:
        mine = env["helpdesk.ticket"].search_count([("commercial_partner_id", "=", ids["acme"])])
    assert 'href="/my/tickets"' in home and mine >= 2
    assert f'<span class="portal-count-figure">{mine}</span>' in home
    listing = page_of(alice, "/my/tickets")
    assert "Printer on fire" in listing and "Wrong invoice" in listing  # Bob's: colleague
    assert "Globex" not in listing and "HD/" in listing
    assert 'href="/my/tickets/new"' in listing
    carol, _csrf = client_for(helpdesk_portal_db, ids["carol"])
    listing = page_of(carol, "/my/tickets")
    assert "Globex server down" in listing and "Printer" not in listing
    page_of(carol, f"/my/tickets/{ids['printer']}", status=404)


def test_the_record_page_never_shows_internal_notes(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    alice, _csrf = client_for(helpdesk_portal_db, ids["alice"])
    page = page_of(alice, f"/my/tickets/{ids['printer']}")
    assert "Smoke everywhere" in page and "We are on it." in page
    assert "procedure.txt" in page and "Agnes Agent" in page
    assert "grumpy" not in page and "secret.txt" not in page
    assert alice.get(f"/my/attachment/{ids['public_file']}").status_code == 200
    assert alice.get(f"/my/attachment/{ids['secret_file']}").status_code in (403, 404)
    assert 'name="body"' in page            # replies open
    assert "/do/reopen" not in page         # in progress: nothing to reopen
    assert 'name="rating"' not in page      # not resolved: no rating
    # the back office stays closed to customers
    assert alice.get("/web").status_code in (302, 303, 403)


def test_open_a_ticket_with_files(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    alice, csrf = client_for(helpdesk_portal_db, ids["alice"])
    form = page_of(alice, "/my/tickets/new")
    assert 'name="subject"' in form and 'type="file"' in form
    refused = alice.post("/my/tickets/new", data={"csrf_token": csrf, "subject": "",
                                                  "description": "Something"})
    assert refused.status_code == 422
    assert "This field is required." in refused.get_data(as_text=True)
    done = alice.post("/my/tickets/new", data={
        "csrf_token": csrf, "subject": "Scanner jammed", "description": "Page 3 stuck.",
        "files": [(io.BytesIO(b"log line"), "scanner.log")]},
        content_type="multipart/form-data")
    assert done.status_code == 303, done.get_data(as_text=True)
    match = re.search(r"/my/tickets/(\d+)$", done.headers["Location"])
    assert match
    ticket_id = int(match.group(1))
    values = ticket_values(helpdesk_portal_db, ticket_id,
                           ["channel", "partner_id", "name", "description", "state"])
    assert values["channel"] == "portal" and values["partner_id"][0] == ids["alice_partner"]
    assert "Page 3 stuck." in values["description"]
    page = page_of(alice, f"/my/tickets/{ticket_id}")
    assert "Scanner jammed" in page and "scanner.log" in page


def test_reply_with_a_file(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    alice, csrf = client_for(helpdesk_portal_db, ids["alice"])
    url = f"/my/tickets/{ids['printer']}"
    done = alice.post(f"{url}/reply", data={
        "csrf_token": csrf, "body": "Still smoking.",
        "files": [(io.BytesIO(b"%PDF-1.4 photo"), "photo.pdf")]},
        content_type="multipart/form-data")
    assert done.status_code == 303
    page = page_of(alice, url)
    assert "Still smoking." in page and "photo.pdf" in page
    carol, csrf = client_for(helpdesk_portal_db, ids["carol"])
    assert carol.post(f"{url}/reply", data={"csrf_token": csrf,
                                            "body": "Hi"}).status_code == 404


def test_reopen_and_rate_a_resolved_ticket(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    alice, csrf = client_for(helpdesk_portal_db, ids["alice"])
    url = f"/my/tickets/{ids['invoice']}"
    page = page_of(alice, url)
    assert f"{url}/do/reopen" in page and 'name="rating"' in page
    rated = alice.post(f"{url}/rate", data={"csrf_token": csrf, "rating": "5",
                                            "feedback": "Fixed in an hour"})
    assert rated.status_code == 303
    with helpdesk_portal_db.environment() as env:
        ticket = env["helpdesk.ticket"].browse(ids["invoice"])
        rating = env["rating.rating"].of_record(ticket, env["res.partner"].browse(
            ids["alice_partner"]))
        assert (rating.rating, rating.feedback) == (5, "Fixed in an hour")
    bad = alice.post(f"{url}/rate", data={"csrf_token": csrf, "rating": "9"})
    assert bad.status_code == 422
    # past the configured days, no more reopening
    set_params(helpdesk_portal_db, {"helpdesk.portal.reopen_days": "0"})
    try:
        assert "/do/reopen" not in page_of(alice, url)
        assert alice.post(f"{url}/do/reopen", data={"csrf_token": csrf}).status_code >= 400
    finally:
        set_params(helpdesk_portal_db, {"helpdesk.portal.reopen_days": "14"})
    reopened = alice.post(f"{url}/do/reopen", data={"csrf_token": csrf})
    assert reopened.status_code == 303
    values = ticket_values(helpdesk_portal_db, ids["invoice"], ["state", "reopen_count"])
    assert values == {"id": ids["invoice"], "state": "in_progress", "reopen_count": 1}
    page = page_of(alice, url)
    assert "Reopened by the customer." in page and 'name="rating"' not in page


def test_list_queries_do_not_grow_with_the_rows(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    alice, _csrf = client_for(helpdesk_portal_db, ids["alice"])
    alice.get("/my/tickets")  # warm the caches
    counts = {}
    for extra in (0, 4):
        with helpdesk_portal_db.environment() as env:
            env["helpdesk.ticket"].create([{"name": f"Extra {n}", "team_id": ids["team"],
                                            "partner_id": ids["alice_partner"]}
                                           for n in range(extra)])
        with count_queries(helpdesk_portal_db.engine) as counter:
            page_of(alice, "/my/tickets")
        counts[extra] = counter.count
    assert counts[0] == counts[4], counts
    with helpdesk_portal_db.environment() as env:
        env["helpdesk.ticket"].search([("name", "like", "Extra ")]).write({"active": False})


# -- the public web form ------------------------------------------------------------------------
class Visitor(Client):
    """A browser at one IP address, without an account."""

    def __init__(self, database: Any, address: str) -> None:
        super().__init__(Application(database))
        self.address = address

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return super().open(*args, **kwargs)


def form_post(client: Client, **values: Any) -> Any:
    page = page_of(client, "/forms/ticket")
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_of(page), "started": started, "name": "Nina Web",
            "email": "nina@web-form.example", "subject": "Cannot log in",
            "description": "Since this morning."}
    data.update(values)
    return client.post("/forms/ticket", data=data, content_type="multipart/form-data")


def tickets_named(database: Any, subject: str) -> list[tuple]:
    with database.environment() as env:
        found = env["helpdesk.ticket"].search([("name", "=", subject)])
        return [(t.channel, t.partner_id.id, t.partner_id.email, sorted(
            env["ir.attachment"].search([("res_model", "=", t._name),
                                         ("res_id", "=", t.id)]).mapped("name")))
                for t in found]


@pytest.fixture
def no_wait(helpdesk_portal_db):
    set_params(helpdesk_portal_db, {"portal.form.min_seconds": "0"})
    yield
    set_params(helpdesk_portal_db, {"portal.form.min_seconds": None,
                                    "portal.form.address_max": None})
    with helpdesk_portal_db.environment() as env:
        env["portal.form.attempt"].search([]).unlink()


def test_the_public_form_opens_a_ticket(helpdesk_portal_db, no_wait) -> None:
    ids = helpdesk_portal_db.test_ids
    visitor = Visitor(helpdesk_portal_db, "198.51.100.20")
    page = page_of(visitor, "/forms/ticket")
    assert "Contact the support" in page and 'name="homepage"' in page
    done = form_post(visitor, subject="Web: new customer",
                     files=[(io.BytesIO(b"trace"), "trace.txt")])
    assert done.status_code == 303 and done.headers["Location"].endswith("/forms/ticket/thanks")
    [(channel, _partner, email, files)] = tickets_named(helpdesk_portal_db,
                                                        "Web: new customer")
    assert (channel, email, files) == ("web_form", "nina@web-form.example", ["trace.txt"])
    # a known contact is found by his e-mail address: his company then sees the ticket
    done = form_post(visitor, subject="Web: from Bob", name="Robert",
                     email="bob@acme-web.example")
    assert done.status_code == 303
    [(channel, partner, _email, _files)] = tickets_named(helpdesk_portal_db, "Web: from Bob")
    assert (channel, partner) == ("web_form", ids["bob_partner"])
    alice, _csrf = client_for(helpdesk_portal_db, ids["alice"])
    assert "Web: from Bob" in page_of(alice, "/my/tickets")


def test_the_public_form_against_spam(helpdesk_portal_db, no_wait) -> None:
    visitor = Visitor(helpdesk_portal_db, "198.51.100.21")
    dropped = form_post(visitor, subject="Web: spam", homepage="http://spam.example")
    assert dropped.status_code == 303  # the bot sees the thanks...
    assert tickets_named(helpdesk_portal_db, "Web: spam") == []  # ...nothing is made
    set_params(helpdesk_portal_db, {"portal.form.address_max": "2"})
    assert form_post(visitor, subject="Web: second").status_code == 303
    limited = form_post(visitor, subject="Web: third")
    assert limited.status_code == 429
    assert "try again in" in limited.get_data(as_text=True)
    assert tickets_named(helpdesk_portal_db, "Web: third") == []


def test_the_public_form_needs_the_minimum_time(helpdesk_portal_db) -> None:
    set_params(helpdesk_portal_db, {"portal.form.min_seconds": "30"})
    try:
        visitor = Visitor(helpdesk_portal_db, "198.51.100.22")
        too_fast = form_post(visitor, subject="Web: too fast")
        assert too_fast.status_code == 422
        assert tickets_named(helpdesk_portal_db, "Web: too fast") == []
    finally:
        set_params(helpdesk_portal_db, {"portal.form.min_seconds": None})


def test_managers_read_the_customer_ratings(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    with helpdesk_portal_db.environment() as env:
        ticket = env["helpdesk.ticket"].browse(ids["foreign"])
        env["rating.rating"].rate(ticket, 2, "Too slow",
                                  partner=env["res.partner"].search(
                                      [("email", "=", "carol@globex-web.example")]))
        action = env.ref("helpdesk.helpdesk_rating_action").id
        manager = env["res.users"].create({
            "name": "Mona Manager", "login": "mona-web",
            "groups_id": [(6, 0, [env.ref("helpdesk.group_helpdesk_manager").id])]}).id
    client, _csrf = client_for(helpdesk_portal_db, manager)
    page = page_of(client, f"/web/action/{action}")
    assert "Globex server down" in page and "Too slow" in page


def test_new_ticket_about_a_product_of_the_contract(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    with helpdesk_portal_db.environment() as env:
        covered, other = env["product.product"].create([{"name": "Portal Router X1"},
                                                        {"name": "Portal Toaster"}])
        env["service.contract"].create({
            "partner_id": ids["acme"], "type_id": env.ref("crm_base.contract_type_it").id,
            "date_start": "2026-01-01", "date_end": "2027-12-31", "state": "active",
            "product_ids": [(6, 0, [covered.id])]})
        covered_id, other_id = covered.id, other.id
    alice, csrf = client_for(helpdesk_portal_db, ids["alice"])
    form = page_of(alice, "/my/tickets/new")
    assert 'name="product"' in form and "Portal Router X1" in form
    assert "Portal Toaster" not in form
    refused = alice.post("/my/tickets/new", data={
        "csrf_token": csrf, "subject": "Toaster", "description": "Burnt",
        "product": str(other_id)})
    assert refused.status_code == 422
    assert "Choose one of the proposed values." in refused.get_data(as_text=True)
    done = alice.post("/my/tickets/new", data={
        "csrf_token": csrf, "subject": "Router blinks", "description": "Red light",
        "product": str(covered_id)})
    assert done.status_code == 303
    ticket_id = int(done.headers["Location"].rsplit("/", 1)[1])
    values = ticket_values(helpdesk_portal_db, ticket_id, ["product_id", "channel"])
    assert values["product_id"][0] == covered_id and values["channel"] == "portal"
    # Globex has no contract: no product to choose
    carol, _csrf = client_for(helpdesk_portal_db, ids["carol"])
    assert 'name="product"' not in page_of(carol, "/my/tickets/new")


def test_a_reply_on_a_waiting_ticket_puts_it_back_in_progress(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    with helpdesk_portal_db.environment() as env:
        ticket = env["helpdesk.ticket"].create({"name": "Waiting for the logs",
                                                "partner_id": ids["alice_partner"],
                                                "team_id": ids["team"]})
        ticket.write({"state": "in_progress"})
        ticket.write({"state": "waiting"})
        ticket_id = ticket.id
    alice, csrf = client_for(helpdesk_portal_db, ids["alice"])
    done = alice.post(f"/my/tickets/{ticket_id}/reply",
                      data={"csrf_token": csrf, "body": "Here are the logs."})
    assert done.status_code == 303
    assert ticket_values(helpdesk_portal_db, ticket_id, ["state"])["state"] == "in_progress"


def test_record_page_queries_do_not_grow_with_the_messages(helpdesk_portal_db) -> None:
    ids = helpdesk_portal_db.test_ids
    with helpdesk_portal_db.environment() as env:
        ticket_id = env["helpdesk.ticket"].create({"name": "Chatty", "team_id": ids["team"],
                                                   "partner_id": ids["alice_partner"]}).id
    alice, _csrf = client_for(helpdesk_portal_db, ids["alice"])
    url = f"/my/tickets/{ticket_id}"
    alice.get(url)  # warm the caches
    counts = {}
    for extra in (1, 5):
        with helpdesk_portal_db.environment() as env:
            ticket = env["helpdesk.ticket"].browse(ticket_id)
            for n in range(extra):
                ticket.message_post(body=f"<p>Answer {extra}-{n}</p>", message_type="comment",
                                    subtype_xmlid="mail.mt_comment",
                                    attachments=[(f"file-{extra}-{n}.txt", b"x")])
        with count_queries(helpdesk_portal_db.engine) as counter:
            page = page_of(alice, url)
        counts[extra] = counter.count
        assert f"Answer {extra}-0" in page
    assert counts[1] == counts[5], counts
