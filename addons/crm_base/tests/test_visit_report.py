"""Visit reports: born from a "Visit" activity done (pre-filled from it), their follow-up
activity kept in step with the follow-up date, and who sees them."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, ValidationError

from .lead_factories import as_user, make_lead
from .reporting_factories import make_org

VISIT = "crm_base.mail_activity_type_visit"
PLANNED = dt.date(2026, 3, 10)  # in the past: the visit's day is the planned one


@pytest.fixture
def org(env):
    return make_org(env)


@pytest.fixture
def account(env):
    company = env["res.partner"].create({"name": "Acme Industries", "is_company": True})
    buyer = env["res.partner"].create({"name": "Bea Buyer", "parent_id": company.id})
    return company, buyer


def plan_visit(env, user, record, **values):
    return as_user(env, user)[record._name].browse(record.id).activity_schedule(
        VISIT, date_deadline=values.pop("date_deadline", PLANNED), user_id=user.id, **values)


def test_the_visit_type_writes_visit_reports(env):
    visit = env.ref(VISIT)
    assert (visit.name, visit.category, visit.report_model) == \
        ("Visit", "meeting", "crm.visit.report")


def test_a_visit_done_on_an_opportunity_writes_its_report(env, org, account):
    company, buyer = account
    lead = make_lead(env, "Acme renewal", user_id=org.rep.id, partner_id=buyer.id)
    activity = plan_visit(env, org.rep, lead, summary="Present the new range",
                          note="<p>Bring the <b>samples</b></p>")
    as_user(env, org.rep)["mail.activity"].browse(activity.id).action_done(
        "They want a quote for 40 units")
    report = as_user(env, org.rep)["mail.activity"].browse(activity.id)._done_report()
    assert report and report.activity_id.id == activity.id
    assert report.lead_id == lead and report.partner_id == company  # the account
    assert report.attendee_ids == buyer  # the opportunity's contact
    assert report.user_id == org.rep and report.team_id == org.north
    assert report.date == PLANNED and report.name == "Present the new range"
    assert report.objectives == "Present the new range\nBring the samples"
    assert "They want a quote for 40 units" in report.summary
    assert report.display_name == "Present the new range"
    # the rep follows his report; the opportunity's chatter logs the visit
    assert org.rep.partner_id in report.message_follower_ids.mapped("partner_id")
    logged = lead._message_timeline().items[0]
    assert logged.activity_type == "Visit" and "quote for 40 units" in logged.body


def test_a_visit_to_a_contact_reports_on_the_account(env, org, account):
    company, buyer = account
    activity = plan_visit(env, env.user, buyer, date_deadline=dt.date(2999, 1, 1))
    activity.action_done()
    report = activity._done_report()
    assert report.partner_id == company and report.attendee_ids == buyer
    assert not report.lead_id and report.date <= dt.date(2999, 1, 1)  # today, not later
    assert report.display_name.startswith("Visit to Acme Industries, ")


def test_a_report_needs_an_account_or_an_opportunity(env, org):
    reports = env["crm.visit.report"]
    with pytest.raises(ValidationError, match="account or opportunity"):
        with env.savepoint():
            reports.create({"user_id": org.rep.id, "date": PLANNED})
    lead = make_lead(env, "Prospect", user_id=org.rep.id)
    report = reports.create({"lead_id": lead.id, "date": PLANNED})
    assert report.team_id == lead.team_id
    with pytest.raises(ValidationError, match="follow-up comes after the visit"):
        report.write({"date_follow_up": PLANNED - dt.timedelta(days=1)})


def test_the_follow_up_date_schedules_moves_and_cancels_the_next_activity(env, org, account):
    company, _buyer = account
    lead = make_lead(env, "Acme extension", user_id=org.rep.id, partner_id=company.id)
    reports = as_user(env, org.rep)["crm.visit.report"]
    report = reports.create({"partner_id": company.id, "lead_id": lead.id, "date": PLANNED,
                             "next_steps": "Send the quote\nThen call the buyer",
                             "date_follow_up": PLANNED + dt.timedelta(days=7)})
    follow_up = report.follow_up_activity_id
    assert (follow_up.res_model, follow_up.res_id) == ("crm.lead", lead.id)
    assert follow_up.user_id == org.rep and follow_up.summary == "Send the quote"
    assert follow_up.date_deadline == dt.date(2026, 3, 17)
    assert follow_up.activity_type_id == env.ref("mail.activity_type_call")
    assert "Then call the buyer" in follow_up.note
    report.write({"date_follow_up": dt.date(2026, 3, 20),
                  "follow_up_type_id": env.ref(VISIT).id})
    assert report.follow_up_activity_id == follow_up  # moved, not duplicated
    assert follow_up.date_deadline == dt.date(2026, 3, 20)
    assert follow_up.activity_type_id == env.ref(VISIT)
    report.write({"date_follow_up": False})
    assert not report.follow_up_activity_id and not follow_up.exists()
    # once done, a follow-up stays done: a new date schedules a new one
    report.write({"date_follow_up": dt.date(2026, 3, 24)})
    first = report.follow_up_activity_id
    first.action_done()
    report.write({"date_follow_up": dt.date(2026, 3, 31)})
    assert report.follow_up_activity_id != first
    assert first.with_context(active_test=False).exists() and not \
        first.with_context(active_test=False).active
    # without an opportunity, on the account
    alone = reports.create({"partner_id": company.id, "date": PLANNED,
                            "date_follow_up": dt.date(2026, 4, 2)})
    assert alone.follow_up_activity_id.res_model == "res.partner"
    assert alone.follow_up_activity_id.summary == "Follow-up of the visit of 2026-03-10"


def test_reps_see_their_own_leaders_their_team_managers_all(env, org, account):
    company, _buyer = account
    reports = env["crm.visit.report"]
    remy = reports.create({"partner_id": company.id, "user_id": org.rep.id, "date": PLANNED})
    lea = reports.create({"partner_id": company.id, "user_id": org.leader.id,
                          "date": PLANNED})
    sam = reports.create({"partner_id": company.id, "user_id": org.other.id,
                          "date": PLANNED})
    every = [remy.id, lea.id, sam.id]

    def visible(user):
        return set(as_user(env, user)["crm.visit.report"].search([("id", "in", every)]).ids)

    assert visible(org.rep) == {remy.id}
    assert visible(org.leader) == {remy.id, lea.id}
    assert visible(org.manager) == set(every)
    as_user(env, org.rep)["crm.visit.report"].browse(remy.id).write({"interest_level": "hot"})
    with pytest.raises(AccessError):
        as_user(env, org.rep)["crm.visit.report"].browse(sam.id).write(
            {"interest_level": "cold"})
    with pytest.raises(AccessError):
        as_user(env, org.rep)["crm.visit.report"].browse(remy.id).unlink()
    as_user(env, org.manager)["crm.visit.report"].browse(sam.id).unlink()


def test_the_reports_of_an_account_and_an_opportunity(env, org, account):
    company, _buyer = account
    lead = make_lead(env, "Acme", user_id=org.rep.id, partner_id=company.id)
    env["crm.visit.report"].create([
        {"partner_id": company.id, "lead_id": lead.id, "user_id": org.rep.id, "date": PLANNED},
        {"partner_id": company.id, "user_id": org.rep.id, "date": PLANNED}])
    action = env.ref("crm_base.crm_visit_report_action")
    reports = env["crm.visit.report"]
    assert reports.search_count([("partner_id", "=", company.id)]) == 2
    assert reports.search_count([("lead_id", "=", lead.id)]) == 1
    lead_form = env["ir.ui.view"].get_view("crm.lead", "form").arch
    partner_form = env["ir.ui.view"].get_view("res.partner", "form").arch
    for arch, field in ((lead_form, "lead_id"), (partner_form, "partner_id")):
        buttons = [b for b in arch.iter("button")
                   if b.get("name") == "crm_base.crm_visit_report_action"]
        assert buttons and buttons[0].get("count_field") == field
    assert action.res_model == "crm.visit.report"
