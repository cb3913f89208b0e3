"""The helpdesk's portal rules without the web: customers read and open their company's
tickets only and never write them, reopening within the configured days, ratings once
resolved, and the web form's customer: matched by e-mail through crm_base's duplicate
finder, or created, never merged."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.exceptions import AccessError, ValidationError
from core.portal import FormSubmission

from addons.helpdesk import portal


def customers(env: Any) -> dict[str, Any]:
    """Two companies, a portal user in each, a colleague without access, a ticket each."""
    group = env.ref("base.group_portal").id
    partners, users = env["res.partner"], env["res.users"]
    acme = partners.create({"name": "Acme Portal", "is_company": True})
    globex = partners.create({"name": "Globex Portal", "is_company": True})
    alice_p = partners.create({"name": "Alice Portal", "parent_id": acme.id,
                               "email": "alice@acme-portal.example"})
    bob_p = partners.create({"name": "Bob Portal", "parent_id": acme.id,
                             "email": "bob@acme-portal.example"})
    carol_p = partners.create({"name": "Carol Portal", "parent_id": globex.id,
                               "email": "carol@globex-portal.example"})
    alice = users.create({"name": "Alice Portal", "login": "alice@acme-portal.example",
                          "partner_id": alice_p.id, "groups_id": [(6, 0, [group])]})
    carol = users.create({"name": "Carol Portal", "login": "carol@globex-portal.example",
                          "partner_id": carol_p.id, "groups_id": [(6, 0, [group])]})
    tickets = env["helpdesk.ticket"]
    return {"acme": acme, "globex": globex, "alice": alice, "carol": carol,
            "alice_p": alice_p, "bob_p": bob_p, "carol_p": carol_p,
            "bob_ticket": tickets.create({"name": "Bob's printer", "partner_id": bob_p.id}),
            "carol_ticket": tickets.create({"name": "Carol's server",
                                            "partner_id": carol_p.id})}


def resolve(ticket: Any) -> Any:
    """Along the workflow: in progress, then resolved."""
    ticket.write({"state": "in_progress"})
    ticket.write({"state": "resolved"})
    return ticket


def as_user(env: Any, user: Any) -> Any:
    return env(uid=user.id, su=False)


def test_customers_read_their_companys_tickets_only(env) -> None:
    data = customers(env)
    alice = as_user(env, data["alice"])["helpdesk.ticket"]
    assert alice.search([]) == alice.browse(data["bob_ticket"].id)  # a colleague's too
    assert not alice.search([("id", "=", data["carol_ticket"].id)])
    with pytest.raises(AccessError):
        alice.browse(data["carol_ticket"].id).read(["name"])
    carol = as_user(env, data["carol"])["helpdesk.ticket"]
    assert carol.search([]).ids == [data["carol_ticket"].id]


def test_customers_never_write_tickets_nor_open_them_for_others(env) -> None:
    data = customers(env)
    alice = as_user(env, data["alice"])["helpdesk.ticket"]
    with pytest.raises(AccessError):
        alice.browse(data["bob_ticket"].id).write({"priority": "3"})
    with pytest.raises(AccessError):
        alice.browse(data["bob_ticket"].id).unlink()
    with pytest.raises(AccessError):  # the rule applies to create too
        alice.create({"name": "For Globex", "partner_id": data["carol_p"].id})
    assert alice._check_access("create", raise_exception=False)


def test_open_ticket_from_the_portal(env) -> None:
    data = customers(env)
    team = env["helpdesk.team"].create({"name": "Portal Desk"})
    env["ir.config_parameter"].set_param(portal.TEAM_PARAM, str(team.id))
    customer_env = as_user(env, data["alice"])
    ticket = portal.open_ticket(customer_env, customer_env.user.partner_id, "Cannot log in",
                                "Since this morning.\nError 42.", "portal")
    assert ticket.channel == "portal" and ticket.team_id == team
    assert ticket.partner_id == data["alice_p"] and ticket.commercial_partner_id == data["acme"]
    assert "Error 42." in ticket.description
    assert data["alice_p"] in ticket.sudo().message_follower_ids.mapped("partner_id")
    assert customer_env["helpdesk.ticket"].search([("id", "=", ticket.id)])


def test_reopen_within_the_configured_days(env) -> None:
    data = customers(env)
    params = env["ir.config_parameter"]
    assert params.get_param(portal.REOPEN_DAYS_PARAM) == "14"  # data/portal_data.xml
    ticket = data["bob_ticket"]
    resolve(ticket)
    assert ticket.date_resolved  # the workflow's action
    ticket.write({"date_resolved": dt.datetime(2026, 3, 1, 12)})
    assert portal.can_reopen(ticket, now=dt.datetime(2026, 3, 10))
    assert not portal.can_reopen(ticket, now=dt.datetime(2026, 3, 16))
    params.set_param(portal.REOPEN_DAYS_PARAM, "0")
    assert not portal.can_reopen(ticket, now=dt.datetime(2026, 3, 2))
    params.set_param(portal.REOPEN_DAYS_PARAM, "not a number")
    assert portal.reopen_days(env) == portal.DEFAULT_REOPEN_DAYS
    params.set_param(portal.REOPEN_DAYS_PARAM, "14")
    assert not portal.can_reopen(data["carol_ticket"])  # new: nothing to reopen


def test_reopen_as_the_customer(env) -> None:
    data = customers(env)
    ticket = data["bob_ticket"]
    resolve(ticket)
    mine = as_user(env, data["alice"])["helpdesk.ticket"].browse(ticket.id)
    assert portal.can_reopen(mine)
    portal.reopen(mine)
    assert ticket.state == "in_progress" and ticket.reopen_count == 1
    last = env["mail.message"].search([("res_model", "=", "helpdesk.ticket"),
                                       ("res_id", "=", ticket.id)], order="id desc", limit=1)
    assert "Reopened by the customer." in last.body and last.author_id == data["alice_p"]
    with pytest.raises(ValidationError):
        portal.reopen(mine)  # in progress now


def test_rating_once_resolved(env) -> None:
    data = customers(env)
    ticket = data["bob_ticket"]
    assert not portal.can_rate(ticket)
    resolve(ticket)
    assert portal.can_rate(ticket)
    mine = as_user(env, data["alice"])["helpdesk.ticket"].browse(ticket.id)
    rating = as_user(env, data["alice"])["rating.rating"].rate(mine, 4, "Quick, thanks")
    assert (rating.rating, rating.feedback) == (4, "Quick, thanks")
    assert env["rating.rating"].averages(ticket) == {ticket.id: 4.0}
    assert portal.can_reply(ticket)
    data["carol_ticket"].write({"state": "cancelled"})
    assert not portal.can_reply(data["carol_ticket"])
    assert not portal.can_rate(data["carol_ticket"])


def submission(env: Any, partner: Any = None, **values: Any) -> FormSubmission:
    base = {"name": "Dana Visitor", "email": "dana@visitor.example", "phone": False,
            "subject": "Where is my order?", "description": "Ordered last week."}
    return FormSubmission(env, portal.TICKET_FORM, base | values, [],
                          partner if partner is not None else env["res.partner"],
                          "203.0.113.9", "en_US")


def test_web_form_creates_the_contact(env) -> None:
    count = env["res.partner"].search_count([])
    ticket = portal.submit_web_form(submission(env, phone="+33 1 23 45 67 89"))
    assert ticket.channel == "web_form" and ticket.name == "Where is my order?"
    assert ticket.partner_id.email == "dana@visitor.example"
    assert ticket.partner_id.name == "Dana Visitor"
    assert env["res.partner"].search_count([]) == count + 1


def test_web_form_finds_the_existing_contact_by_email(env) -> None:
    data = customers(env)
    count = env["res.partner"].search_count([])
    ticket = portal.submit_web_form(submission(env, name="B. Portal",
                                               email="bob@acme-portal.example"))
    assert ticket.partner_id == data["bob_p"]
    assert ticket.commercial_partner_id == data["acme"]
    assert env["res.partner"].search_count([]) == count  # nothing created, nothing merged


def test_web_form_never_takes_a_similar_name_with_another_email(env) -> None:
    data = customers(env)
    ticket = portal.submit_web_form(submission(env, name="Alice Portal",
                                               email="alice@elsewhere.example"))
    assert ticket.partner_id != data["alice_p"]
    assert ticket.partner_id.email == "alice@elsewhere.example"
    assert data["alice_p"].exists() and not ticket.partner_id.parent_id


def test_web_form_of_a_logged_in_customer(env) -> None:
    data = customers(env)
    ticket = portal.submit_web_form(submission(env, partner=data["alice_p"],
                                               email="someone@else.example"))
    assert ticket.channel == "portal" and ticket.partner_id == data["alice_p"]


def test_portal_page_declaration_is_valid(env) -> None:
    assert portal.checks(env.registry) == []
    section = portal.sections(as_user(env, customers(env)["carol"]))[0]
    assert section.url == "/my/tickets" and section.count == 1


def test_the_rating_and_portal_address_on_the_ticket(env) -> None:
    data = customers(env)
    ticket = resolve(data["bob_ticket"])
    other = data["carol_ticket"]
    assert ticket.customer_rating == 0.0 and ticket.portal_url == f"/my/tickets/{ticket.id}"
    env["rating.rating"].rate(ticket, 5, partner=data["alice_p"])
    env["rating.rating"].rate(ticket, 2, partner=data["bob_p"])
    env["rating.rating"].rate(other, 4, partner=data["carol_p"])
    env.cache.invalidate([("helpdesk.ticket", "customer_rating")])
    assert (ticket | other).mapped("customer_rating") == [3.5, 4.0]
