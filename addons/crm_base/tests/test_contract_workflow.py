"""Service contracts on both engines: what a new contract takes from its type and its
account, the workflow's moves and refusals, the notice period, manual renewals."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from core.exceptions import AccessError, UserError, ValidationError

from .test_contract_helpers import (TODAY, account, contract_vals, make_contract,  # noqa: F401
                                    users)


def test_a_new_contract_takes_its_type_and_account_defaults(env, account, users) -> None:
    contracts = env["service.contract"].with_context(contract_today=TODAY)
    accounting = env.ref("crm_base.contract_type_accounting")
    contract = contracts.create({"partner_id": account.id, "type_id": accounting.id,
                                 "date_start": "2026-01-01"})
    assert re.fullmatch(r"CT/\d{4}/\d{4}", contract.name)
    assert contract.state == "draft"
    assert contract.user_id == users["rep"]  # the account's salesperson
    assert (contract.notice_days, contract.renewal_alert_days, contract.renewal_duration) == \
        (90, 120, 12)
    assert contract.service_level_id == env.ref("crm_base.service_level_bronze")
    assert contract.tacit_renewal
    assert contract.date_end == dt.date(2026, 12, 31)
    assert contract.notice_deadline == dt.date(2026, 10, 2)
    assert contract.alert_date == dt.date(2026, 9, 2)
    assert contract.currency_id == env.ref("base.main_company").currency_id
    # given values win; the next contract gets the next number
    other = contracts.create({"partner_id": account.id, "type_id": accounting.id,
                              "date_start": "2026-01-01", "notice_days": 15,
                              "tacit_renewal": False, "user_id": users["other"].id,
                              "service_level_id": env.ref("crm_base.service_level_gold").id,
                              "renewal_duration": 6})
    assert (other.notice_days, other.tacit_renewal, other.user_id) == (15, False, users["other"])
    assert other.date_end == dt.date(2026, 6, 30)
    assert other.service_level_id.code == "gold"
    assert int(other.name[-4:]) == int(contract.name[-4:]) + 1


def test_the_start_date_defaults_to_the_local_today(env, account) -> None:
    contract = env["service.contract"].with_context(contract_today="2026-02-28").create(
        {"partner_id": account.id, "type_id": env.ref("crm_base.contract_type_it").id})
    assert contract.date_start == dt.date(2026, 2, 28)
    assert contract.date_end == dt.date(2027, 2, 27)


def test_inconsistent_terms_are_refused(env, account) -> None:
    with pytest.raises(ValidationError, match="cannot precede its start"):
        with env.savepoint():
            make_contract(env, account, date_start="2026-05-01", date_end="2026-04-01")
    with pytest.raises(ValidationError, match="cannot be negative"):
        with env.savepoint():
            make_contract(env, account, price=-5)
    with pytest.raises(ValidationError, match="cannot be negative"):
        with env.savepoint():
            make_contract(env, account, prepaid_hours=-1)
    stranger = env["res.partner"].create({"name": "Someone else"})
    with pytest.raises(ValidationError, match="does not belong to Lumber Inc"):
        with env.savepoint():
            make_contract(env, account, contact_id=stranger.id)
    contact = account.child_ids[0]
    assert make_contract(env, account, contact_id=contact.id).contact_id == contact


def test_the_workflow_drives_the_status(env, account, users) -> None:
    contract = make_contract(env, account).with_user(users["rep"])
    moves = [m["label"] for m in contract.workflow_transitions("state")]
    assert moves == ["Activate", "Cancel"]
    contract.workflow_move("active", "state")
    assert contract.state == "active"
    # only the scheduler and sales managers mark a contract "to renew"
    with pytest.raises(ValidationError, match="cannot move from Active to To Renew"):
        with env.savepoint():
            contract.write({"state": "to_renew"})
    with pytest.raises(ValidationError, match="cannot move from Active to Expired"):
        with env.savepoint():
            contract.write({"state": "expired"})
    contract.with_user(users["manager"]).workflow_move("to_renew", "state")
    assert contract.state == "to_renew"
    # a rep may not create a contract straight in a later state
    with pytest.raises(ValidationError, match="starts in Draft"):
        with env.savepoint():
            env["service.contract"].with_user(users["rep"]).create(
                contract_vals(env, account, state="active"))


def test_renewing_extends_the_term_with_history(env, account, users) -> None:
    contract = make_contract(env, account, state="to_renew", date_end="2026-06-30",
                             renewal_duration=12).with_context(contract_today=TODAY)
    contract.with_user(users["rep"]).workflow_move("active", "state")
    assert contract.state == "active"
    assert contract.date_end == dt.date(2027, 6, 30)
    renewal = contract.renewal_ids
    assert len(renewal) == 1 and contract.renewal_count == 1
    assert (renewal.date, renewal.old_date_end, renewal.new_date_end, renewal.automatic,
            renewal.user_id) == (dt.date(2026, 6, 15), dt.date(2026, 6, 30),
                                 dt.date(2027, 6, 30), False, users["rep"])
    assert "Renewed for 12 months" in contract.message_ids[0].body
    # the deadlines follow the new end
    assert contract.notice_deadline == dt.date(2027, 5, 1)


def test_cancelling_respects_the_notice_period(env, account, users) -> None:
    contract = make_contract(env, account, state="active", date_end="2026-12-31",
                             notice_days=60)
    assert contract.notice_deadline == dt.date(2026, 11, 1)
    as_rep = contract.with_user(users["rep"])
    with pytest.raises(UserError, match=r"can no longer be cancelled: its notice period of "
                                        r"60 days ended on"):
        with env.savepoint():
            as_rep.with_context(contract_today="2026-11-02").workflow_move("cancelled",
                                                                            "state")
    assert contract.state == "active"
    # a rep may not force it, even asking for it
    with pytest.raises(AccessError, match="Only a sales manager"):
        with env.savepoint():
            as_rep.with_context(contract_today="2026-11-02").action_force_cancel()
    with pytest.raises(UserError, match="can no longer be cancelled"):
        with env.savepoint():
            as_rep.with_context(contract_today="2026-11-02",
                                contract_force_cancel=True).workflow_move("cancelled", "state")
    # a manager forces it: done, and said on the chatter
    contract.with_user(users["manager"]).with_context(
        contract_today="2026-11-02").action_force_cancel()
    assert contract.state == "cancelled" and contract.date_cancelled == dt.date(2026, 11, 2)
    assert "forced by Manager" in contract.message_ids[0].body


def test_cancelling_in_time_and_what_cannot_be_cancelled(env, account, users) -> None:
    on_time = make_contract(env, account, state="active", date_end="2026-12-31",
                            notice_days=60).with_user(users["rep"])
    on_time.with_context(contract_today="2026-11-01").workflow_move("cancelled", "state")
    assert on_time.state == "cancelled"
    # a draft has no notice to respect
    draft = make_contract(env, account, date_end="2026-06-20").with_user(users["rep"])
    draft.with_context(contract_today="2026-06-19").workflow_move("cancelled", "state")
    assert draft.state == "cancelled"
    expired = make_contract(env, account, state="expired").with_user(users["rep"])
    with pytest.raises(ValidationError, match="cannot move from Expired to Cancelled"):
        expired.workflow_move("cancelled", "state")


def test_a_copy_is_a_new_draft_with_the_same_equipment(env, account) -> None:
    server = env["product.product"].create({"name": "Server", "default_code": "SRV"})
    contract = make_contract(env, account, state="active", equipment_ids=[
        (0, 0, {"product_id": server.id, "serial_number": "SN-1", "location": "Lyon"})])
    duplicate = contract.copy()
    assert duplicate.state == "draft" and duplicate.name != contract.name
    assert duplicate.equipment_ids.mapped("serial_number") == ["SN-1"]
    assert contract.equipment_ids.display_name == "[SRV] Server (SN-1)"


def test_contracts_ending_this_month(env, account) -> None:
    june = make_contract(env, account, state="active", date_end="2026-06-30")
    july = make_contract(env, account, state="active", date_end="2026-07-01")
    contracts = env["service.contract"].with_context(contract_today="2026-06-15")
    ending = contracts.search([("expiring_this_month", "=", True)])
    assert june in ending and july not in ending
    others = contracts.search([("expiring_this_month", "=", False)])
    assert july in others and june not in others
    assert june.with_context(contract_today="2026-06-01").expiring_this_month
    in_july = env["service.contract"].with_context(contract_today="2026-07-31")
    assert july in in_july.search([("expiring_this_month", "=", True)])


def test_contracts_are_found_by_reference_title_or_account(env, account) -> None:
    contract = make_contract(env, account, title="Lyon site support")
    for text in (contract.name, "lyon site", "lumber"):
        assert contract.id in dict(env["service.contract"].name_search(text)), text
