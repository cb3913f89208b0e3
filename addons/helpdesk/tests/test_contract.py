"""Tickets and service contracts: the contract found on creation (coverage, balance left),
the warnings, time entries consuming the prepaid balance under the warn and block
policies, and agents seeing contracts they do not sell."""
from __future__ import annotations

from typing import Any

import pytest

from core.exceptions import AccessError, UserError, ValidationError

TODAY = "2026-06-15"


def make_user(env: Any, login: str, *groups: str) -> Any:
    return env["res.users"].create({
        "name": login.title(), "login": f"hdc-{login}",
        "groups_id": [(6, 0, [env.ref(xml_id).id for xml_id in groups])]})


@pytest.fixture
def tickets(env):
    """The ticket model on the contracts' test day."""
    return env["helpdesk.ticket"].with_context(contract_today=TODAY)


@pytest.fixture
def account(env):
    company = env["res.partner"].create({"name": "Brasserie du Port", "is_company": True})
    env["res.partner"].create({"name": "Lucie Martin", "parent_id": company.id})
    return company


@pytest.fixture
def products(env):
    make = env["product.product"].create
    return {"printer": make({"name": "Laser printer"}), "server": make({"name": "NAS server"})}


def contract(env, account, kind="it", **values):
    vals = {"partner_id": account.id, "state": "active",
            "type_id": env.ref(f"crm_base.contract_type_{kind}").id,
            "date_start": "2026-01-01", "date_end": "2026-12-31", **values}
    return env["service.contract"].with_context(contract_today=TODAY).create(vals)


def test_ticket_finds_the_contract_covering_its_product(env, tickets, account, products):
    contact = account.child_ids[0]
    printers = contract(env, account, product_ids=[(6, 0, [products["printer"].id])],
                        prepaid_hours=10)
    contract(env, account, state="draft", all_products=True)   # not in force
    ticket = tickets.create({"name": "Paper jam", "partner_id": contact.id,
                             "product_id": products["printer"].id})
    assert ticket.contract_id == printers and not ticket.contract_warning
    assert (ticket.contract_remaining_hours, ticket.contract_prepaid_hours) == (10, 10)
    # a product the contract does not cover: no contract, and the agent is told why
    other = tickets.create({"name": "NAS down", "partner_id": contact.id,
                            "product_id": products["server"].id})
    assert not other.contract_id
    assert other.contract_warning == ("No contract in force for Brasserie du Port covers "
                                      "NAS server.")
    # without a product any contract in force fits
    assert tickets.create({"name": "Question", "partner_id": contact.id}).contract_id == \
        printers


def test_contract_with_balance_left_comes_first(env, tickets, account):
    used_up = contract(env, account, all_products=True, prepaid_hours=1,
                       date_end="2027-06-30")
    used_up.consume(hours=1)
    fresh = contract(env, account, all_products=True, prepaid_hours=5)
    ticket = tickets.create({"name": "Slow Wi-Fi", "partner_id": account.id})
    assert ticket.contract_id == fresh


def test_changing_product_or_customer_looks_again(env, tickets, account, products):
    printers = contract(env, account, product_ids=[(6, 0, [products["printer"].id])])
    servers = contract(env, account, product_ids=[(6, 0, [products["server"].id])])
    ticket = tickets.create({"name": "Jam", "partner_id": account.id,
                             "product_id": products["printer"].id})
    assert ticket.contract_id == printers
    ticket.write({"product_id": products["server"].id})
    assert ticket.contract_id == servers
    elsewhere = env["res.partner"].create({"name": "Cave à vins", "is_company": True})
    ticket.write({"partner_id": elsewhere.id})
    assert not ticket.contract_id
    assert ticket.contract_warning == "Cave à vins has no service contract in force."


def test_contract_must_be_the_accounts(env, tickets, account):
    stranger = env["res.partner"].create({"name": "Other SARL", "is_company": True})
    theirs = contract(env, stranger, all_products=True)
    with pytest.raises(ValidationError, match="is not a contract of the customer's account"):
        tickets.create({"name": "Hack", "partner_id": account.id, "contract_id": theirs.id})


def test_time_entries_consume_the_balance(env, tickets, account):
    deal = contract(env, account, all_products=True, prepaid_hours=10)
    ticket = tickets.create({"name": "Mailbox full", "partner_id": account.id})
    entries = env["helpdesk.time.entry"].with_context(contract_today=TODAY)
    entry = entries.create({"ticket_id": ticket.id, "duration": 1.5, "note": "Archived mail"})
    line = entry.consumption_id
    assert (line.contract_id, line.hours, line.res_model, line.res_id) == (
        deal, 1.5, "helpdesk.ticket", ticket.id)
    assert line.description == f"Ticket {ticket.display_name}: Archived mail"
    assert entry.contract_id == deal and deal.remaining_hours == 8.5
    assert ticket.contract_remaining_hours == 8.5
    # corrected hours replace the line; deleting the entry gives the hours back
    entry.write({"duration": 2})
    assert deal.remaining_hours == 8 and len(deal.consumption_ids) == 1
    entry.write({"note": "Archived and purged"})
    assert entry.consumption_id.description.endswith("Archived and purged")
    entry.unlink()
    assert deal.remaining_hours == 10 and not deal.consumption_ids


def test_no_contract_no_consumption(env, tickets, account):
    ticket = tickets.create({"name": "Walk-in", "partner_id": account.id})
    entry = env["helpdesk.time.entry"].create({"ticket_id": ticket.id, "duration": 1})
    assert not entry.consumption_id and ticket.total_hours == 1


def test_warn_policy_goes_beyond_the_balance(env, tickets, account):
    deal = contract(env, account, kind="oncall", all_products=True, prepaid_hours=2)
    ticket = tickets.create({"name": "Server room alarm", "partner_id": account.id})
    entries = env["helpdesk.time.entry"].with_context(contract_today=TODAY)
    entries.create({"ticket_id": ticket.id, "duration": 1.5})
    entry = entries.create({"ticket_id": ticket.id, "duration": 1})
    assert entry.contract_warning.startswith("Prepaid balance exceeded")
    assert deal.remaining_hours == -0.5
    assert ticket.contract_warning == (f"The prepaid hours of contract {deal.name} are used "
                                       "up: time spent goes beyond the balance.")


def test_block_policy_refuses_time_past_the_balance(env, tickets, account):
    deal = contract(env, account, kind="accounting", all_products=True, prepaid_hours=2)
    ticket = tickets.create({"name": "VAT return", "partner_id": account.id})
    entries = env["helpdesk.time.entry"].with_context(contract_today=TODAY)
    entry = entries.create({"ticket_id": ticket.id, "duration": 2})
    with pytest.raises(UserError, match="has not enough prepaid balance left"):
        entries.create({"ticket_id": ticket.id, "duration": 0.5})
    with pytest.raises(UserError, match="has not enough prepaid balance left"):
        entry.write({"duration": 3})
    # nothing of the refused changes was kept
    assert ticket.time_entry_ids == entry and entry.duration == 2
    assert entry.consumption_id.hours == 2 and deal.remaining_hours == 0
    assert "cannot be recorded until the account manager tops it up" in \
        ticket.contract_warning
    assert ticket.contract_balance_policy == "block"


def test_contract_not_in_force_is_not_consumed(env, tickets, account):
    deal = contract(env, account, all_products=True, prepaid_hours=5)
    ticket = tickets.create({"name": "Old issue", "partner_id": account.id})
    deal.write({"state": "cancelled"})
    entry = env["helpdesk.time.entry"].with_context(contract_today=TODAY).create(
        {"ticket_id": ticket.id, "duration": 1})
    assert not entry.consumption_id
    assert ticket.contract_warning == f"Contract {deal.name} is not in force."


def test_agent_sees_and_consumes_contracts_he_does_not_sell(env, account):
    agent = make_user(env, "agent", "helpdesk.group_helpdesk_agent",
                      "crm_base.group_sale_salesman")
    team = env["helpdesk.team"].create({"name": "Desk", "member_ids": [(6, 0, [agent.id])]})
    deal = contract(env, account, all_products=True, prepaid_hours=4)
    as_agent = env(uid=agent.id, su=False)
    ticket = as_agent["helpdesk.ticket"].with_context(contract_today=TODAY).create(
        {"name": "Screen flickers", "partner_id": account.id, "team_id": team.id})
    assert ticket.contract_id.name == deal.name
    entry = as_agent["helpdesk.time.entry"].with_context(contract_today=TODAY).create(
        {"ticket_id": ticket.id, "duration": 1})
    assert entry.consumption_id.hours == 1 and ticket.contract_remaining_hours == 3
    with pytest.raises(AccessError):
        as_agent["service.contract"].browse(deal.id).write({"prepaid_hours": 100})
