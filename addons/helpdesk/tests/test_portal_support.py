"""Shared set-up of the helpdesk portal's web tests (no test here): a committed database
with every addon, the helpdesk's portal hooks, two customer companies with portal users,
an agent, and tickets with a public message and an internal note with files."""
from __future__ import annotations

import re
import types
from typing import Any, Iterator

import pytest

from core import hookimpl
from core.testing import installed_database, scratch_database

import addons.helpdesk as helpdesk_addon
from addons.helpdesk import portal

PLUGIN = "helpdesk_portal_test_hooks"


def portal_plugin(names: list[str]) -> types.ModuleType:
    """The hook implementations ``names`` the addon's ``__init__`` is to declare (see
    the report), until it does."""
    plugin = types.ModuleType(PLUGIN)

    @hookimpl
    def comptoir_routes() -> list:
        return portal.routes()

    @hookimpl
    def comptoir_portal_sections(env: Any) -> list:
        return portal.sections(env)

    found = {"comptoir_routes": comptoir_routes,
             "comptoir_portal_sections": comptoir_portal_sections}
    for name in names:
        setattr(plugin, name, found[name])
    return plugin


def register_hooks(database: Any) -> None:
    """Register the portal hooks the addon does not declare yet."""
    missing = [name for name in ("comptoir_routes", "comptoir_portal_sections")
               if not hasattr(helpdesk_addon, name)]
    pm = database.registry.pm
    if missing and pm.get_plugin(PLUGIN) is None:
        pm.register(portal_plugin(missing), name=PLUGIN)


def resolve(ticket: Any) -> Any:
    ticket.write({"state": "in_progress"})
    ticket.write({"state": "resolved"})
    return ticket


def populate(env: Any) -> dict[str, int]:
    group = env.ref("base.group_portal").id
    partners, users = env["res.partner"], env["res.users"]
    acme = partners.create({"name": "Acme Web", "is_company": True})
    globex = partners.create({"name": "Globex Web", "is_company": True})
    alice_p = partners.create({"name": "Alice Web", "parent_id": acme.id,
                               "email": "alice@acme-web.example"})
    bob_p = partners.create({"name": "Bob Web", "parent_id": acme.id,
                             "email": "bob@acme-web.example"})
    carol_p = partners.create({"name": "Carol Web", "parent_id": globex.id,
                               "email": "carol@globex-web.example"})
    alice = users.create({"name": "Alice Web", "login": "alice@acme-web.example",
                          "partner_id": alice_p.id, "groups_id": [(6, 0, [group])]})
    carol = users.create({"name": "Carol Web", "login": "carol@globex-web.example",
                          "partner_id": carol_p.id, "groups_id": [(6, 0, [group])]})
    agent = users.create({"name": "Agnes Agent", "login": "agnes-web",
                          "email": "agnes@example.com", "groups_id": [
                              (6, 0, [env.ref("helpdesk.group_helpdesk_agent").id])]})
    team = env["helpdesk.team"].create({"name": "Web Desk", "user_id": agent.id,
                                        "member_ids": [(6, 0, [agent.id])]})
    tickets = env["helpdesk.ticket"]
    printer = tickets.create({"name": "Printer on fire", "partner_id": alice_p.id,
                              "team_id": team.id, "user_id": agent.id,
                              "description": "<p>Smoke everywhere</p>"})
    invoice = resolve(tickets.create({"name": "Wrong invoice", "partner_id": bob_p.id,
                                      "team_id": team.id}))
    foreign = tickets.create({"name": "Globex server down", "partner_id": carol_p.id,
                              "team_id": team.id})
    as_agent = printer.with_user(agent.id)
    as_agent.message_post(body="<p>We are on it.</p>", subtype_xmlid="mail.mt_comment",
                          message_type="comment", attachments=[("procedure.txt", b"unplug")])
    as_agent.message_post(body="<p>Customer is grumpy.</p>", message_type="comment",
                          subtype_xmlid="mail.mt_note",
                          attachments=[("secret.txt", b"internal only")])
    files = {f.name: f.id for f in env["ir.attachment"].search(
        [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", printer.id)])}
    return {"alice": alice.id, "carol": carol.id, "agent": agent.id, "team": team.id,
            "acme": acme.id, "alice_partner": alice_p.id, "bob_partner": bob_p.id,
            "printer": printer.id, "invoice": invoice.id, "foreign": foreign.id,
            "public_file": files["procedure.txt"], "secret_file": files["secret.txt"]}


@pytest.fixture(scope="module")
def helpdesk_portal_db(engine_name: str, tmp_path_factory: pytest.TempPathFactory,
                       comptoir_available: Any, request: pytest.FixtureRequest
                       ) -> Iterator[Any]:
    label = request.module.__name__.rsplit(".", 1)[-1]
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp(label), label)
    database = installed_database(url, sorted(comptoir_available),
                                  available=comptoir_available)
    with database.environment() as env:
        database.test_ids = populate(env)
    register_hooks(database)
    try:
        yield database
    finally:
        database.engine.dispose()
        drop()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def set_params(database: Any, values: dict[str, Any]) -> None:
    """Set (or, with None, remove) system parameters, committed."""
    with database.environment() as env:
        params = env["ir.config_parameter"].sudo()
        for key, value in values.items():
            params.set_param(key, value)
