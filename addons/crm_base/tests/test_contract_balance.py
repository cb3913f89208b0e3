"""Prepaid balances and the API the helpdesk and field service call, on both engines:
``consume()`` (totals, warn and block policies, refusals), ``_covers()``,
``partner._active_contracts()``; and a query count that does not grow with the lines."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import UserError, ValidationError
from core.testing import count_queries

from .test_contract_helpers import TODAY, account, make_contract, users  # noqa: F401


@pytest.fixture
def prepaid(env, account):
    """An active on-call contract (policy: warn) with 10 hours and 1,000 prepaid."""
    return make_contract(env, account, state="active", prepaid_hours=10,
                         prepaid_amount=1000,
                         type_id=env.ref("crm_base.contract_type_oncall").id
                         ).with_context(contract_today=TODAY)


def test_consumption_lines_make_the_balance(env, prepaid) -> None:
    source = env["res.partner"].create({"name": "Ticket stand-in"})
    line = prepaid.consume(hours=2.5, description="Printer fixed", source=source)
    assert (line.contract_id, line.hours, line.amount, line.description) == (
        prepaid, 2.5, 0.0, "Printer fixed")
    assert (line.res_model, line.res_id, line.source_name) == (
        "res.partner", source.id, "Ticket stand-in")
    assert line.date == dt.date(2026, 6, 15) and not line.warning
    prepaid.consume(hours=1.25, amount=300.5)
    assert (prepaid.consumed_hours, prepaid.remaining_hours) == (3.75, 6.25)
    assert (prepaid.consumed_amount, prepaid.remaining_amount) == (300.5, 699.5)
    assert prepaid.hours_used_percent == 37.5
    assert prepaid.date_last_consumption == dt.date(2026, 6, 15)
    # a line corrected by hand moves the totals too
    line.write({"hours": 0.5})
    assert prepaid.remaining_hours == 8.25
    line.unlink()
    assert prepaid.remaining_hours == 8.75


def test_warn_policy_records_and_tells(env, prepaid, users) -> None:
    prepaid.consume(hours=9)
    line = prepaid.consume(hours=2, description="Server restarted")
    assert line.warning == "Prepaid balance exceeded: 11.0 h used of 10.0 h prepaid."
    assert prepaid.remaining_hours == -1
    note = prepaid.message_ids[0]
    assert "Prepaid balance exceeded" in note.body and "Server restarted" in note.body
    assert users["rep"].partner_id in prepaid.message_follower_ids.mapped("partner_id")


def test_block_policy_refuses_and_writes_nothing(env, account) -> None:
    contract = make_contract(env, account, state="active", prepaid_amount=500,
                             type_id=env.ref("crm_base.contract_type_accounting").id)
    contract.with_context(contract_today="2026-06-10").consume(amount=400)
    with pytest.raises(UserError, match=r"has not enough prepaid balance left: 600.0 used "
                                        r"of 500.0 prepaid \(EUR\)"):
        contract.with_context(contract_today="2026-06-15").consume(amount=200)
    assert contract.remaining_amount == 100 and len(contract.consumption_ids) == 1
    assert str(contract.date_last_consumption) == "2026-06-10"      # no trace at all
    # hours are not limited on this contract (none prepaid): recorded, never refused
    contract.consume(hours=40)
    assert contract.consumed_hours == 40 and contract.remaining_amount == 100
    contract.consume(amount=100)
    assert contract.remaining_amount == 0


def test_only_contracts_in_force_are_consumed(env, account) -> None:
    for state in ("draft", "expired", "cancelled"):
        contract = make_contract(env, account, state=state, prepaid_hours=5)
        with pytest.raises(UserError, match="is not in force"):
            contract.consume(hours=1)
        assert not contract.consumption_ids


@pytest.mark.parametrize("args, message", [
    ({"hours": -1}, "cannot be negative"), ({"amount": "ten"}, "must be numbers"),
    ({}, "Give the hours or the amount"), ({"hours": 1, "source": 42}, "one record")])
def test_bad_consumption_input_is_explained(env, prepaid, args, message) -> None:
    with pytest.raises(ValidationError, match=message):
        prepaid.consume(**args)
    assert not prepaid.consumption_ids


def test_what_a_contract_covers(env, account) -> None:
    laptop, server, printer = env["product.product"].create(
        [{"name": "Laptop"}, {"name": "Server"}, {"name": "Printer"}])
    contract = make_contract(env, account, state="active", date_start="2026-01-01",
                             date_end="2026-12-31", product_ids=[(6, 0, [laptop.id])],
                             equipment_ids=[(0, 0, {"product_id": server.id})])
    assert contract._covers(on_date="2026-06-15")
    assert contract._covers(laptop, "2026-06-15") and contract._covers(server.id, "2026-06-15")
    assert not contract._covers(printer, "2026-06-15")
    assert not contract._covers(laptop, "2027-01-01")
    assert not contract._covers(laptop, "2025-12-31")
    contract.write({"all_products": True})
    assert contract._covers(printer, "2026-06-15")
    contract.write({"state": "cancelled"})
    assert not contract.with_context(contract_today="2026-06-15")._covers(printer)


def test_an_account_s_contracts_in_force(env, account) -> None:
    contact = account.child_ids[0]
    current = make_contract(env, account, state="active", date_start="2026-01-01",
                            date_end="2026-12-31")
    renewing = make_contract(env, account, state="to_renew", date_start="2025-07-01",
                             date_end="2026-06-30")
    make_contract(env, account, state="draft", date_start="2026-01-01")
    make_contract(env, account, state="cancelled", date_start="2026-01-01")
    make_contract(env, account, state="active", date_start="2026-09-01",
                  date_end="2027-08-31")
    assert contact._active_contracts("2026-06-15") == current | renewing
    assert account._active_contracts("2026-07-15") == current
    assert not env["res.partner"].create({"name": "Nobody"})._active_contracts("2026-06-15")
    assert account.with_context(contract_today="2026-06-15")._active_contracts() == \
        current | renewing


def test_balances_cost_the_same_for_many_lines(env, account) -> None:
    contracts = [make_contract(env, account, state="active", prepaid_hours=100)
                 for _i in range(3)]

    def load(count):
        lines = [{"contract_id": c.id, "date": TODAY, "hours": 1}
                 for c in contracts for _i in range(count)]
        env["service.contract.consumption"].create(lines)
        env.invalidate_all()
        records = env["service.contract"].browse([c.id for c in contracts])
        with count_queries(env) as counter:
            records.read(["remaining_hours", "consumed_hours", "renewal_count"])
            records.mapped("consumption_ids").read(["hours", "source_name"])
        return counter.count

    assert load(2) == load(20)


def test_contracts_covering_a_product(env, account) -> None:
    laptop, server, printer = env["product.product"].create(
        [{"name": "Laptop", "default_code": "LAP"}, {"name": "Server"}, {"name": "Printer"}])
    listed = make_contract(env, account, product_ids=[(6, 0, [laptop.id])])
    installed = make_contract(env, account, equipment_ids=[(0, 0, {"product_id": laptop.id})])
    everything = make_contract(env, account, all_products=True)
    other = make_contract(env, account, product_ids=[(6, 0, [server.id])])
    contracts = env["service.contract"]
    assert contracts.search([("covers_product_id", "=", laptop.id)]) == \
        listed | installed | everything
    assert contracts.search([("covers_product_id", "ilike", "lap")]) == \
        listed | installed | everything
    assert contracts.search([("covers_product_id", "=", printer.id)]) == everything
    assert other in contracts.search([("covers_product_id", "!=", laptop.id)])
    assert listed not in contracts.search([("covers_product_id", "not in", [laptop.id])])
