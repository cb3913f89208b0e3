"""Who may do what with contracts, on both engines: sales reps work on their accounts'
contracts (never delete them), sales managers on all, other employees on none; the
lines of a contract follow it."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError

from .test_contract_helpers import (account, contract_vals, make_contract,  # noqa: F401
                                    users)


@pytest.fixture
def two_accounts(env, account, users):
    """The rep's account (by salesperson), another rep's, and a contract the rep manages
    on the other rep's account."""
    theirs = env["res.partner"].create({"name": "Other Corp", "is_company": True,
                                        "user_id": users["other"].id})
    server = env["product.product"].create({"name": "Server"})
    equipment = [(0, 0, {"product_id": server.id, "serial_number": "S"})]
    return {
        "mine": make_contract(env, account, state="active", prepaid_hours=5,
                              equipment_ids=equipment),
        "theirs": make_contract(env, theirs, state="active", equipment_ids=equipment),
        "managed": make_contract(env, theirs, state="active", user_id=users["rep"].id),
    }


def visible(env, user, model="service.contract"):
    return env[model].with_user(user).search([])


def test_reps_see_their_accounts_contracts(env, users, two_accounts) -> None:
    mine, theirs, managed = (two_accounts[k] for k in ("mine", "theirs", "managed"))
    assert visible(env, users["rep"]) == mine | managed
    assert visible(env, users["other"]) == theirs | managed
    assert visible(env, users["manager"]) == mine | theirs | managed
    with pytest.raises(AccessError):
        theirs.with_user(users["rep"]).read(["name"])
    lines = visible(env, users["rep"], "service.contract.equipment")
    assert lines == (mine | managed).mapped("equipment_ids")


def test_reps_create_and_change_never_delete(env, users, account, two_accounts) -> None:
    contracts = env["service.contract"].with_user(users["rep"])
    created = contracts.create(contract_vals(env, account))
    assert created.user_id == users["rep"]
    created.write({"title": "Lyon site", "price": 1200})
    created.write({"equipment_ids": [(0, 0, {"product_id": env["product.product"].create(
        {"name": "Switch"}).id, "serial_number": "SW-1"})]})
    assert created.equipment_ids.serial_number == "SW-1"
    with pytest.raises(AccessError):
        created.unlink()
    with pytest.raises(AccessError):
        two_accounts["theirs"].with_user(users["rep"]).write({"title": "mine now"})
    # a contract for someone else's account is refused
    theirs_account = two_accounts["theirs"].partner_id
    with pytest.raises(AccessError):
        contracts.create(contract_vals(env, theirs_account))
    # consumption and renewal history are read-only for reps
    with pytest.raises(AccessError):
        env["service.contract.consumption"].with_user(users["rep"]).create(
            {"contract_id": two_accounts["mine"].id, "hours": 1})


def test_managers_do_everything(env, users, account, two_accounts) -> None:
    contracts = env["service.contract"].with_user(users["manager"])
    contract = contracts.create(contract_vals(env, account))
    contract.write({"title": "Managed"})
    env["service.contract.consumption"].with_user(users["manager"]).create(
        {"contract_id": two_accounts["theirs"].id, "hours": 1, "date": "2026-06-15"})
    contract.unlink()
    assert not contract.exists()
    kind = env["service.contract.type"].with_user(users["manager"]).create(
        {"name": "Cloud hosting", "balance_policy": "block"})
    assert kind.renewal_duration == 12


def test_employees_outside_sales_see_no_contract(env, users, two_accounts) -> None:
    employee = users["employee"]
    with pytest.raises(AccessError):
        visible(env, employee)
    # they read the configuration the helpdesk needs
    assert env["service.contract.type"].with_user(employee).search_count([]) >= 3
    assert env["service.level"].with_user(employee).search_count([]) >= 3
    with pytest.raises(AccessError):
        env["service.level"].with_user(employee).create({"name": "Platinum",
                                                          "code": "platinum"})


def test_consume_as_a_rep_is_refused_helpdesk_grants_its_agents(env, users,
                                                               two_accounts) -> None:
    mine = two_accounts["mine"].with_context(contract_today="2026-06-15")
    with pytest.raises(AccessError):
        mine.with_user(users["rep"]).consume(hours=1)
    line = mine.with_user(users["manager"]).consume(hours=1)
    assert line.user_id == users["manager"] and mine.remaining_hours == 4
    # the rep reads what was consumed on his contract
    assert visible(env, users["rep"], "service.contract.consumption") == line
