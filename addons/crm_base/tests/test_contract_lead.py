"""A won opportunity leads to its service contract, on both engines: prefilled from the
opportunity, opened, announced on both chatters, counted on the opportunity."""
from __future__ import annotations

import pytest

from core.exceptions import UserError

from .test_contract_helpers import account, users  # noqa: F401


@pytest.fixture
def opportunity(env, account, users):
    won_stage = env["crm.stage"].search([("is_won", "=", True)], limit=1) or \
        env["crm.stage"].create({"name": "Won", "is_won": True, "sequence": 99})
    assert won_stage
    return env["crm.lead"].create({"name": "Support of 40 laptops", "type": "opportunity",
                                   "partner_id": account.child_ids[0].id,
                                   "user_id": users["rep"].id, "expected_revenue": 18000})


def test_a_won_opportunity_creates_its_contract(env, opportunity, users, account) -> None:
    lead = opportunity.with_user(users["rep"])
    with pytest.raises(UserError, match="Only a won opportunity"):
        lead.action_create_contract()
    lead.action_set_won()
    assert lead.won_status == "won"
    action = lead.action_create_contract()
    assert (action["type"], action["res_model"], action["xml_id"]) == (
        "ir.actions.act_window", "service.contract", "crm_base.service_contract_action")
    contract = env["service.contract"].browse(action["res_id"])
    assert contract.state == "draft"
    assert contract.partner_id == account                      # the company, not the person
    assert contract.contact_id == account.child_ids[0]
    assert contract.user_id == users["rep"]
    assert contract.price == 18000 and contract.title == "Support of 40 laptops"
    assert contract.lead_id == opportunity
    assert lead.contract_ids == contract and lead.contract_count == 1
    assert "Created from the opportunity Support of 40 laptops" in \
        contract.message_ids[0].body
    assert f"Service contract {contract.name} created" in opportunity.message_ids[0].body
    # a second contract (another service sold with the deal) is possible
    second = env["service.contract"].browse(lead.action_create_contract()["res_id"])
    assert lead.contract_count == 2 and second != contract


def test_a_won_opportunity_needs_a_customer(env, opportunity) -> None:
    opportunity.action_set_won()
    opportunity.write({"partner_id": False})
    with pytest.raises(UserError, match="has no customer"):
        opportunity.action_create_contract()
