"""Shared set-up of the portal's tests (no test here): a committed database with the test
addon ``test_portal``, two customer companies with portal users, a member of the staff,
and tickets with public messages, an internal note and files."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from werkzeug.test import Client

from core.modules.loading import Database
from core.testing.plugin import scratch_database
from core.web import Application

PASSWORD = "portal-2026!"


def make_portal_db(engine_name: str, folder: Any, available: Any, label: str) -> Iterator[Any]:
    """Yield the database (``database.test_ids`` names what was made); dropped after."""
    url, drop = scratch_database(engine_name, folder, label)
    database = Database(url, available=available)
    database.install(["test_portal"])
    with database.environment() as env:
        database.test_ids = populate(env)
    try:
        yield database
    finally:
        database.engine.dispose()
        drop()


def populate(env: Any) -> dict[str, int]:
    portal = env.ref("base.group_portal").id
    internal = env.ref("base.group_user").id
    partners = env["res.partner"]
    acme = partners.create({"name": "Acme", "is_company": True})
    globex = partners.create({"name": "Globex", "is_company": True})
    alice_p = partners.create({"name": "Alice Martin", "parent_id": acme.id,
                               "email": "alice@acme.example"})
    bob_p = partners.create({"name": "Bob Leroy", "parent_id": acme.id,
                             "email": "bob@acme.example"})
    carol_p = partners.create({"name": "Carol Smith", "parent_id": globex.id,
                               "email": "carol@globex.example"})
    users = env["res.users"]
    alice = users.create({"name": "Alice Martin", "login": "alice@acme.example",
                          "partner_id": alice_p.id, "password": PASSWORD,
                          "groups_id": [(6, 0, [portal])], "tz": "Europe/Paris"})
    carol = users.create({"name": "Carol Smith", "login": "carol@globex.example",
                          "partner_id": carol_p.id, "password": PASSWORD,
                          "groups_id": [(6, 0, [portal])]})
    agent = users.create({"name": "Agnes Agent", "login": "agnes", "password": PASSWORD,
                          "email": "agnes@example.com", "groups_id": [(6, 0, [internal])]})
    tickets = env(uid=agent.id, su=False)["test.portal.ticket"]
    printer = tickets.create({"name": "Printer on fire", "partner_id": alice_p.id,
                              "description": "Smoke everywhere", "user_id": agent.id})
    invoice = tickets.create({"name": "Wrong invoice", "partner_id": bob_p.id,
                              "state": "done"})
    foreign = tickets.create({"name": "Globex server down", "partner_id": carol_p.id})
    printer.message_post(body="<p>We are on it.</p>", subtype_xmlid="mail.mt_comment",
                         attachments=[("procedure.txt", b"unplug it")])
    printer.message_post(body="<p>Customer is grumpy.</p>",
                         attachments=[("secret.txt", b"internal only")])
    files = env["ir.attachment"].search([("res_model", "=", "test.portal.ticket"),
                                         ("res_id", "=", printer.id)])
    by_name = {f.name: f.id for f in files}
    return {"acme": acme.id, "globex": globex.id, "alice": alice.id, "carol": carol.id,
            "agent": agent.id, "alice_partner": alice_p.id, "bob_partner": bob_p.id,
            "carol_partner": carol_p.id, "printer": printer.id, "invoice": invoice.id,
            "foreign": foreign.id, "public_file": by_name["procedure.txt"],
            "secret_file": by_name["secret.txt"]}


@pytest.fixture(scope="module")
def portal_db(engine_name: str, tmp_path_factory: pytest.TempPathFactory,
              comptoir_available: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    label = request.module.__name__.rsplit(".", 1)[-1]
    yield from make_portal_db(engine_name, tmp_path_factory.mktemp(label),
                              comptoir_available, label)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(database: Any, login_name: str, password: str = PASSWORD,
          **client_options: Any) -> tuple[Client, Any]:
    """A client logged in through the login page, and the login's answer."""
    client = Client(Application(database), **client_options)
    token = csrf_of(client.get("/web/login").get_data(as_text=True))
    response = client.post("/web/login", data={"login": login_name, "password": password,
                                               "csrf_token": token})
    return client, response


def set_params(database: Any, values: dict[str, Any]) -> None:
    """Set (or, with None, remove) system parameters, committed."""
    with database.environment() as env:
        params = env["ir.config_parameter"].sudo()
        for key, value in values.items():
            params.set_param(key, value)
