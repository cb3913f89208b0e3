"""Converting leads into opportunities: a new account from the lead's data, an existing
account found by the address book's duplicate detection, or one chosen; the wizard."""
from __future__ import annotations

import pytest

from core.exceptions import UserError, ValidationError

from .lead_factories import as_user, make_lead, make_team, make_user


@pytest.fixture
def lead(env):
    return make_lead(env, "Website form: 12 desks", type="lead", contact_name="Nina Caron",
                     partner_name="Caron Architectes", email_from="nina@caron-archi.example",
                     phone="+33 1 42 00 00 01", function="Office manager", street="3 rue Bleue",
                     zip="75009", city="Paris", country_id=env.ref("base.fr").id)


def test_create_makes_the_company_and_its_contact(env, lead):
    lead.convert_opportunity("create")
    assert lead.type == "opportunity" and lead.date_conversion
    company = lead.partner_id
    assert company.name == "Caron Architectes" and company.is_company
    assert company.city == "Paris" and company.zip == "75009"
    contact = company.child_ids
    assert contact.name == "Nina Caron" and contact.function == "Office manager"
    assert "nina@caron-archi.example" in (contact.email or "")
    assert any("Converted to an opportunity" in body for body in lead.message_ids.mapped("body"))
    with pytest.raises(UserError):
        lead.convert_opportunity("create")


def test_a_lead_without_company_becomes_a_person_account(env):
    lead = make_lead(env, "Phone call", type="lead", contact_name="Paul Durand",
                     email_from="paul.durand@example.org")
    lead.convert_opportunity("create")
    assert lead.partner_id.name == "Paul Durand" and not lead.partner_id.is_company


def test_match_finds_the_existing_account(env, lead):
    existing = env["res.partner"].create({"name": "Caron Architectes SARL", "is_company": True,
                                          "email": "nina@caron-archi.example"})
    found = lead._duplicate_suggestions()
    assert found and found[0][0] == existing.id and found[0][2]
    lead.convert_opportunity("match")
    assert lead.partner_id == existing
    nothing_alike = make_lead(env, "Unknown", type="lead", partner_name="Zyxw Qrst Ltd",
                              email_from="contact@zyxw-qrst.example")
    nothing_alike.convert_opportunity("match")
    assert nothing_alike.partner_id.name == "Zyxw Qrst Ltd", "no match: a new account"


def test_convert_to_a_chosen_account_and_owner(env, lead):
    rep = make_user(env, "cv_rep", "rep")
    team = make_team(env, "Convert Team", members=rep)
    account = env["res.partner"].create({"name": "Chosen Account", "is_company": True})
    lead.convert_opportunity(account.id, user_id=rep.id, team_id=team.id)
    assert (lead.partner_id, lead.user_id, lead.team_id) == (account, rep, team)
    other = make_lead(env, "No account", type="lead")
    other.convert_opportunity(False)
    assert other.type == "opportunity" and not other.partner_id
    with pytest.raises(ValidationError):
        make_lead(env, "Bad", type="lead").convert_opportunity("nonsense")


def test_the_wizard_proposes_the_similar_accounts(env, lead):
    existing = env["res.partner"].create({"name": "Caron Architectes", "is_company": True,
                                          "phone": "+33 1 42 00 00 01"})
    marketer = make_user(env, "cv_marketing", "marketing")
    wizards = as_user(env, marketer)["crm.lead.convert"].with_context(
        active_model="crm.lead", active_ids=[lead.id])
    defaults = wizards.default_get(["lead_id", "action", "partner_id", "user_id"])
    assert defaults["lead_id"] == lead.id
    assert defaults["action"] == "exist" and defaults["partner_id"] == existing.id
    wizard = wizards.create(defaults)
    assert "Caron Architectes" in wizard.duplicates
    wizard.action_apply()
    converted = env["crm.lead"].browse(lead.id)
    assert converted.type == "opportunity" and converted.partner_id == existing
    assert not env["crm.lead.convert"].search([])


def test_the_wizard_refuses_exist_without_account(env, lead):
    wizard = env["crm.lead.convert"].with_context(active_ids=[lead.id]).create(
        {"action": "exist", "partner_id": False})
    with pytest.raises(ValidationError):
        wizard.action_apply()


def test_the_lost_wizard_marks_every_selected_lead(env):
    leads = make_lead(env, "a") | make_lead(env, "b")
    reason = env.ref("crm_base.lost_reason_no_answer")
    wizard = env["crm.lead.lost"].with_context(active_model="crm.lead",
                                               active_ids=leads.ids).create(
        {"lost_reason_id": reason.id, "lost_feedback": "No reply after three calls"})
    wizard.action_lost_reason_apply()
    assert set(leads.mapped("won_status")) == {"lost"}
    assert set(leads.mapped("lost_reason_id").ids) == {reason.id}
    with pytest.raises(UserError):
        env["crm.lead.lost"].with_context(active_model="res.partner",
                                          active_ids=[1]).create({}).action_lost_reason_apply()
