"""Public web forms (core.portal.PublicForm) as the test addon declares one: a ticket
opened without an account, with files; CSRF, honeypot, minimum fill time and rate limits
against spam; a logged-in customer's form prefilled and linked to his contact."""
from __future__ import annotations

import io
import re
import time

import pytest
from werkzeug.test import Client

from core.portal import forms
from core.testing.web import client_for
from core.web import Application

from .test_portal_support import csrf_of, portal_db, set_params  # noqa: F401

URL = "/forms/test-ticket"


@pytest.fixture
def no_wait(portal_db):
    """Forms may be sent at once (the minimum time is tested on its own)."""
    set_params(portal_db, {"portal.form.min_seconds": "0"})
    yield
    set_params(portal_db, {"portal.form.min_seconds": None})
    with portal_db.environment() as env:
        env["portal.form.attempt"].search([]).unlink()


class Visitor(Client):
    """A browser at one IP address."""

    def __init__(self, app, address: str) -> None:
        super().__init__(app)
        self.address = address

    def open(self, *args, **kwargs):
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return super().open(*args, **kwargs)


def visitor(database, address: str = "198.51.100.7") -> Client:
    return Visitor(Application(database), address)


def fields_of(client: Client) -> dict[str, str]:
    page = client.get(URL).get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    return {"csrf_token": csrf_of(page), "started": started}


def ticket_data(client: Client, **values) -> dict:
    data = {**fields_of(client), "name": "Nina Web", "email": "nina@example.org",
            "subject": "Cannot log in", "description": "Since this morning.",
            "category": "incident"}
    data.update(values)
    return data


def tickets_named(database, subject: str):
    with database.environment() as env:
        found = env["test.portal.ticket"].search([("name", "=", subject)])
        return [(t.partner_id.email, t.category, sorted(env["ir.attachment"].search(
            [("res_model", "=", t._name), ("res_id", "=", t.id)]).mapped("name")))
            for t in found]


def test_the_form_page(portal_db) -> None:
    page = visitor(portal_db).get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Open a ticket", "we answer within a working day", 'name="subject"',
                 'type="email"', 'autocomplete="email"', 'type="file" multiple',
                 'enctype="multipart/form-data"', "Leave this field empty",
                 'name="homepage"', 'tabindex="-1"', ">Incident<", "Log in"):
        assert text in html, text
    assert "comptoir_csrf" in page.headers["Set-Cookie"]
    with portal_db.environment() as env:     # made at install, signs the drawing time
        secret = env["ir.config_parameter"].get_param("portal.form_secret")
    assert re.fullmatch(r"[0-9a-f]{64}", secret) and secret not in html


def test_a_visitor_opens_a_ticket_with_files(portal_db, no_wait) -> None:
    client = visitor(portal_db)
    data = ticket_data(client, subject="Printer offline", attachments=[
        (io.BytesIO(b"log line"), "printer.log"), (io.BytesIO(b"%PDF-1.4 x"), "scan.pdf")])
    response = client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"] == f"{URL}/thanks"
    thanks = client.get(f"{URL}/thanks").get_data(as_text=True)
    assert "Thank you: we received your message" in thanks
    assert tickets_named(portal_db, "Printer offline") == [
        ("nina@example.org", "incident", ["printer.log", "scan.pdf"])]
    with portal_db.environment() as env:
        attempt = env["portal.form.attempt"].search([("form", "=", "test-ticket")])
        assert (attempt.address, attempt.email, attempt.kind) == (
            "198.51.100.7", "nina@example.org", "accepted")


def test_bad_input_is_shown_again_with_messages(portal_db, no_wait) -> None:
    client = visitor(portal_db)
    response = client.post(URL, data=ticket_data(client, email="not-an-address", name="",
                                                 category="other", subject="Kept"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“not-an-address” is not an e-mail address." in html
    assert "This field is required." in html and "Choose one of the proposed values." in html
    assert 'value="Kept"' in html and 'aria-invalid="true"' in html
    too_many = client.post(URL, data=ticket_data(client, subject="Files", attachments=[
        (io.BytesIO(b"x"), f"{n}.txt") for n in range(6)]),
        content_type="multipart/form-data")
    assert too_many.status_code == 422 and "Attach at most 5 files." in too_many.get_data(
        as_text=True)
    assert tickets_named(portal_db, "Kept") == [] and tickets_named(portal_db, "Files") == []


def test_files_of_a_refused_type_cancel_the_ticket(portal_db, no_wait) -> None:
    set_params(portal_db, {"attachment.allowed_types": "image/*"})
    try:
        client = visitor(portal_db)
        response = client.post(URL, data=ticket_data(client, subject="With a log", attachments=[
            (io.BytesIO(b"log"), "app.log")]), content_type="multipart/form-data")
        assert response.status_code == 422
        assert "are not accepted here" in response.get_data(as_text=True)
    finally:
        set_params(portal_db, {"attachment.allowed_types": None})
    assert tickets_named(portal_db, "With a log") == []


def test_the_form_needs_its_csrf_token(portal_db, no_wait) -> None:
    client = visitor(portal_db)
    data = ticket_data(client, subject="Forged")
    data["csrf_token"] = "forged"
    assert client.post(URL, data=data).status_code == 403
    stranger = visitor(portal_db)             # a token without its cookie
    assert stranger.post(URL, data=ticket_data(client, subject="Forged")).status_code == 403
    assert tickets_named(portal_db, "Forged") == []


def test_the_honeypot_drops_bots_silently(portal_db, no_wait) -> None:
    client = visitor(portal_db)
    response = client.post(URL, data=ticket_data(client, subject="Cheap pills",
                                                 homepage="http://spam.example"))
    assert response.status_code == 303 and response.headers["Location"] == f"{URL}/thanks"
    assert tickets_named(portal_db, "Cheap pills") == []
    with portal_db.environment() as env:
        attempt = env["portal.form.attempt"].search([("form", "=", "test-ticket")])
        assert attempt.kind == "spam" and not attempt.email


def test_a_form_sent_too_fast_is_shown_again(portal_db) -> None:
    client = visitor(portal_db)
    data = ticket_data(client, subject="Too fast")     # the minimum is 3 seconds
    response = client.post(URL, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please check your answers, then send the form again." in html
    assert 'value="Too fast"' in html
    forged = dict(data, started=f"{int(time.time()) - 60}.{'0' * 32}")
    assert client.post(URL, data=forged).status_code == 422
    assert client.post(URL, data=dict(data, started="")).status_code == 422
    assert tickets_named(portal_db, "Too fast") == []
    set_params(portal_db, {"portal.form.min_seconds": "1"})
    try:
        time.sleep(1.1)
        assert client.post(URL, data=data).status_code == 303
    finally:
        set_params(portal_db, {"portal.form.min_seconds": None})
    assert len(tickets_named(portal_db, "Too fast")) == 1


def test_rate_limits_per_address_and_per_email(portal_db, no_wait) -> None:
    set_params(portal_db, {"portal.form.address_max": "2", "portal.form.email_max": "1"})
    try:
        client = visitor(portal_db, "203.0.113.9")
        assert client.post(URL, data=ticket_data(client, subject="One", email="o@x.example")
                           ).status_code == 303
        same_email = client.post(URL, data=ticket_data(client, subject="Two",
                                                       email="O@X.example"))
        assert same_email.status_code == 429
        assert "This form was sent too often; try again in 60 minutes." in \
            same_email.get_data(as_text=True)
        assert client.post(URL, data=ticket_data(client, subject="Three",
                                                 email="t@x.example")).status_code == 303
        third = client.post(URL, data=ticket_data(client, subject="Four",
                                                  email="f@x.example"))
        assert third.status_code == 429
        elsewhere = visitor(portal_db, "203.0.113.10")
        assert elsewhere.post(URL, data=ticket_data(elsewhere, subject="Five",
                                                    email="f@x.example")).status_code == 303
    finally:
        set_params(portal_db, {"portal.form.address_max": None,
                               "portal.form.email_max": None})
    assert [s for s in ("One", "Two", "Three", "Four", "Five")
            if tickets_named(portal_db, s)] == ["One", "Three", "Five"]


def test_a_logged_in_customer_gets_his_details_and_his_contact(portal_db, no_wait) -> None:
    ids = portal_db.test_ids
    client, _csrf = client_for(portal_db, ids["alice"])
    page = client.get(URL).get_data(as_text=True)
    assert 'value="Alice Martin"' in page and 'value="alice@acme.example"' in page
    assert "Log out" in page
    data = ticket_data(client, subject="From the portal", name="Alice Martin",
                       email="alice@acme.example")
    assert client.post(URL, data=data).status_code == 303
    with portal_db.environment() as env:
        ticket = env["test.portal.ticket"].search([("name", "=", "From the portal")])
        assert ticket.partner_id.id == ids["alice_partner"]
    assert "From the portal" in client.get("/my/tickets").get_data(as_text=True)


def test_form_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        forms.FormField("x", "X", kind="color")
    with pytest.raises(ValueError, match="not allowed"):
        forms.FormField("homepage", "Home")
    with pytest.raises(ValueError, match="email_field"):
        forms.PublicForm("f", "F", (forms.FormField("name", "Name"),), lambda s: None)
    with pytest.raises(ValueError, match="same name"):
        forms.PublicForm("f", "F", (forms.FormField("a", "A"), forms.FormField("a", "B")),
                         lambda s: None, email_field="")
