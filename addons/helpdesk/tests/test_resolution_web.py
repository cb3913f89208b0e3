"""The ticket form in the web client (Werkzeug client, both engines): the contract block
and its warning, the suggested resolutions, the wizards applying a resolution and
replying with a canned response, and the publish button hidden without a knowledge
addon."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from core.testing import installed_database, scratch_database
from core.testing.web import client_for


@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("resolutions_web"),
                                 "resolutions_web")
    database = installed_database(url, ["helpdesk"], available=comptoir_available)
    today = dt.date.today()
    with database.environment() as env:
        agent = env["res.users"].create({
            "name": "Agent Web", "login": "hdweb-agent",
            "groups_id": [(6, 0, [env.ref("helpdesk.group_helpdesk_agent").id])]})
        team = env["helpdesk.team"].create({"name": "Web desk",
                                            "member_ids": [(6, 0, [agent.id])]})
        account = env["res.partner"].create({"name": "Boulangerie Web", "is_company": True})
        contract = env["service.contract"].create({
            "partner_id": account.id, "type_id": env.ref("crm_base.contract_type_it").id,
            "state": "active", "all_products": True, "prepaid_hours": 1,
            "date_start": str(today - dt.timedelta(days=30)),
            "date_end": str(today + dt.timedelta(days=300))})
        contract.consume(hours=1)
        spooler = env["helpdesk.resolution"].create({
            "name": "Restart the print spooler", "steps": "<p>services.msc, Restart.</p>"})
        env["helpdesk.problem"].create({"name": "Print jobs stuck in the spooler queue",
                                        "resolution_ids": [(6, 0, [spooler.id])]})
        canned = env["helpdesk.canned.response"].create({
            "name": "Hello", "body": "<p>Hello {{ object.partner_id.name }}, "
                                     "ticket {{ object.number }}.</p>"})
        ticket = env["helpdesk.ticket"].create({
            "name": "Print jobs stuck", "partner_id": account.id, "team_id": team.id,
            "user_id": agent.id})
        database.test_ids = {"agent": agent.id, "ticket": ticket.id, "spooler": spooler.id,
                             "canned": canned.id, "contract": contract.id,
                             "number": ticket.number,
                             "action": env.ref("helpdesk.helpdesk_ticket_action").id,
                             "admin": env.ref("base.user_admin").id,
                             "contracts": env.ref("crm_base.service_contract_action").id}
    yield database
    database.engine.dispose()
    drop()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_ticket_form_shows_contract_and_suggestions(web_db):
    ids = web_db.test_ids
    client, _csrf = client_for(web_db, ids["agent"])
    form = page(client, f"/web/action/{ids['action']}/{ids['ticket']}")
    assert "The prepaid hours of contract CT/" in form and "goes beyond the balance" in form
    assert "Contract Hours Left" in form
    assert "Suggested Resolutions" in form and "Restart the print spooler" in form
    assert "Apply a resolution" in form and "Canned response" in form
    # no knowledge addon: the publish button is hidden, the warning is shown
    assert re.search(r'<button[^>]* hidden [^>]*value="action_publish_resolution"', form)
    assert re.search(r'<div class="alert card warning contract-warning"[^>]*(?<! hidden)>',
                     form)
    assert not re.search(r'contract-warning"[^>]* hidden', form)


def call(client, csrf, ids, method):
    response = client.post(f"/web/action/{ids['action']}/{ids['ticket']}/call",
                           data={"csrf_token": csrf, "method": method})
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    return response.headers["Location"]


def test_apply_a_resolution_through_the_wizard(web_db):
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["agent"])
    location = call(client, csrf, ids, "action_open_apply_resolution")
    assert location.startswith("/web/wizard/")
    wizard = page(client, location)
    assert "Restart the print spooler" in wizard          # the best suggestion, chosen
    path = urlsplit(location)
    done = client.post(f"{path.path}?{path.query}", data={
        "csrf_token": csrf, "method": "action_apply",
        "resolution_id": str(ids["spooler"])})
    assert done.status_code == 303, done.get_data(as_text=True)[:2000]
    with web_db.environment() as env:
        ticket = env["helpdesk.ticket"].browse(ids["ticket"])
        assert ticket.resolution_id.id == ids["spooler"]
        assert "services.msc" in ticket.message_ids[0].body


def test_reply_with_a_canned_response(web_db):
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["agent"])
    location = call(client, csrf, ids, "action_open_canned_reply")
    path = urlsplit(location)
    assert "Reply with a Canned Response" in page(client, location)
    done = client.post(f"{path.path}?{path.query}", data={
        "csrf_token": csrf, "method": "action_send", "response_id": str(ids["canned"]),
        "mode": "reply"})
    assert done.status_code == 303, done.get_data(as_text=True)[:2000]
    with web_db.environment() as env:
        body = env["helpdesk.ticket"].browse(ids["ticket"]).message_ids[0].body
    assert re.fullmatch(rf"<p>Hello Boulangerie Web, ticket {ids['number']}\.</p>", body)


def test_contract_form_counts_its_tickets(web_db):
    ids = web_db.test_ids
    client, _csrf = client_for(web_db, ids["admin"])
    form = page(client, f"/web/action/{ids['contracts']}/{ids['contract']}")
    assert re.search(r'class="smart-count">1<[^T]*Tickets', form), \
        re.findall(r'.{200}Tickets.{50}', form)
