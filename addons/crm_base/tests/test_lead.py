"""Leads and opportunities through the ORM: stages and probabilities, won, lost and
restore, teams and sales managers, the chatter's traces."""
from __future__ import annotations

import datetime

import pytest

from core.exceptions import UserError, ValidationError

from .lead_factories import as_user, make_lead, make_team, make_user, stage


@pytest.fixture
def team(env):
    leader = make_user(env, "lt_leader", "leader")
    rep = make_user(env, "lt_rep", "rep")
    return make_team(env, "Lead Test Team", leader, rep)


def test_a_new_opportunity_starts_in_the_first_stage_with_its_probability(env):
    lead = make_lead(env, "Printers for the Lyon office", expected_revenue=12000)
    assert lead.stage_id == stage(env, "new")
    assert lead.probability == 10.0 and lead.is_automated_probability
    assert lead.won_status == "pending" and lead.active
    assert lead.date_last_stage_update and lead.date_conversion
    assert lead.currency_id == env.company.currency_id
    assert lead.prorated_revenue == 1200.0


def test_the_probability_follows_the_stage_until_someone_changes_it(env):
    lead = make_lead(env)
    lead.write({"stage_id": stage(env, "proposition").id})
    assert lead.probability == 50.0
    lead.write({"probability": 35.0})
    assert not lead.is_automated_probability
    lead.write({"stage_id": stage(env, "negotiation").id})
    assert lead.probability == 35.0, "a probability set by hand is kept"
    lead.action_set_automated_probability()
    assert lead.probability == 75.0 and lead.is_automated_probability
    with pytest.raises(ValidationError):
        lead.write({"probability": 140})


def test_won_moves_to_the_won_stage_at_100_percent(env):
    lead = make_lead(env, expected_revenue=5000)
    lead.action_set_won()
    assert lead.stage_id == stage(env, "won")
    assert lead.probability == 100.0 and lead.won_status == "won"
    assert lead.date_closed
    bodies = lead.message_ids.mapped("body")
    assert any("Opportunity won" in body for body in bodies)
    # dragging a card onto the won stage wins it too
    other = make_lead(env, "Dragged")
    other.write({"stage_id": stage(env, "won").id})
    assert other.won_status == "won" and other.probability == 100.0


def test_lost_archives_with_a_reason_logged_on_the_chatter(env):
    lead = make_lead(env, "Copiers")
    reason = env.ref("crm_base.lost_reason_competitor")
    lead.action_set_lost(lost_reason_id=reason.id, feedback="They chose <b>Acme</b>")
    assert not lead.active and lead.probability == 0.0
    assert lead.won_status == "lost" and lead.lost_reason_id == reason
    last = lead.message_ids[0] if lead.message_ids else None
    bodies = " ".join(lead.message_ids.mapped("body"))
    assert "Chose a competitor" in bodies and "&lt;b&gt;Acme" in bodies, last
    lost = env["crm.lead"].search([("won_status", "=", "lost"), ("id", "=", lead.id),
                                   ("active", "=", False)])
    assert lost == lead
    with pytest.raises(ValidationError):
        make_lead(env).action_set_lost(lost_reason_id=999999)


def test_restore_brings_lost_and_won_back_to_pending(env):
    lead = make_lead(env, stage_id=stage(env, "proposition").id)
    lead.action_set_lost(lost_reason_id=env.ref("crm_base.lost_reason_no_budget").id)
    lead.action_restore()
    assert lead.active and lead.won_status == "pending" and not lead.lost_reason_id
    assert lead.probability == 50.0 and not lead.date_closed
    lead.action_set_won()
    lead.action_restore()
    assert lead.won_status == "pending" and not lead.stage_id.is_won
    assert lead.stage_id == stage(env, "negotiation"), "the last open stage"


def test_the_sales_manager_is_the_team_leader(env, team):
    rep = team.member_ids
    lead = make_lead(env, user_id=rep.id)
    assert lead.team_id == team, "the salesperson's main team"
    assert lead.manager_id == team.user_id
    other_leader = make_user(env, "lt_leader2", "leader")
    team.write({"user_id": other_leader.id})
    assert lead.manager_id == other_leader


def test_a_salesperson_creates_his_own_opportunities(env, team):
    rep = team.member_ids
    lead = as_user(env, rep)["crm.lead"].create({"name": "Mine"})
    assert lead.user_id == rep and lead.team_id == team and lead.type == "opportunity"
    marketer = make_user(env, "lt_marketing", "marketing")
    lead = as_user(env, marketer)["crm.lead"].create({"name": "A contact from the fair"})
    assert lead.type == "lead" and lead.sudo().user_id.id is False


def test_changing_stage_is_announced_to_followers(env, team):
    rep = team.member_ids
    lead = make_lead(env, user_id=rep.id)
    lead.write({"stage_id": stage(env, "qualified").id})
    notifications = lead.message_ids.filtered(
        lambda m: m.subtype_id == env.ref("crm_base.mt_lead_stage"))
    assert notifications
    assert rep.partner_id in lead.message_follower_ids.mapped("partner_id")


def test_won_needs_a_won_stage(env):
    lead = make_lead(env)
    env["crm.stage"].search([("is_won", "=", True)]).write({"is_won": False})
    with pytest.raises(UserError):
        lead.action_set_won()


def test_team_stages_come_first_for_the_team(env, team):
    own = env["crm.stage"].create({"name": "Team intake", "sequence": 0, "team_id": team.id,
                                   "probability": 5})
    lead = make_lead(env, team_id=team.id)
    assert lead.stage_id == own and lead.probability == 5.0
    other = make_lead(env, "No team")
    assert other.stage_id == stage(env, "new")


def test_the_next_activity_shows_on_the_lead_and_filters_it(env):
    late, planned, idle = make_lead(env, "late"), make_lead(env, "planned"), make_lead(env, "idle")
    today = datetime.date.today()
    late.activity_schedule("mail.activity_type_call", summary="Call back",
                           date_deadline=today - datetime.timedelta(days=3))
    planned.activity_schedule("mail.activity_type_meeting", summary="Demo",
                              date_deadline=today + datetime.timedelta(days=5))
    planned.activity_schedule("mail.activity_type_todo", summary="Later",
                              date_deadline=today + datetime.timedelta(days=9))
    assert (late.activity_state, late.activity_summary) == ("overdue", "Call back")
    assert planned.activity_summary == "Demo" and planned.activity_date_deadline > today
    assert not idle.activity_state
    ours = late | planned | idle
    search = env["crm.lead"].search
    assert search([("id", "in", ours.ids), ("activity_state", "=", "overdue")]) == late
    assert search([("id", "in", ours.ids), ("activity_state", "=", False)]) == idle
    assert search([("id", "in", ours.ids), ("activity_state", "!=", False)]) == late | planned
    assert search([("id", "in", ours.ids),
                   ("activity_date_deadline", ">", today)]) == planned
