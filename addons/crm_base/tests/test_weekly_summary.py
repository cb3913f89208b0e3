"""The weekly sales summary: its figures for a fixed week of fixed deals, the e-mail the
template renders, its recipients (managers, team leaders) and the outgoing queue, the
Monday schedule and the "Send now" button. No test reads the real clock."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, UserError

from .lead_factories import as_user, make_lead, stage
from .reporting_factories import lost_deal, make_org, won_deal

MONDAY = dt.date(2026, 3, 9)
BEFORE = dt.datetime(2026, 2, 2, 9, 0)  # converted long before the week


@pytest.fixture
def week(env):
    """The week of 9 March 2026 (UTC): what happened to the North and South teams."""
    org = make_org(env)
    acme = env["res.partner"].create({"name": "Acme", "is_company": True})
    reason = env.ref("crm_base.lost_reason_too_expensive")
    deals = {
        "won": won_deal(env, org.rep, 1000, dt.datetime(2026, 3, 10, 10),
                        name="Acme laptops", partner_id=acme.id),
        "won_south": won_deal(env, org.other, 2000, dt.datetime(2026, 3, 15, 22)),
        "won_next_week": won_deal(env, org.rep, 500, dt.datetime(2026, 3, 16, 9)),
        "won_before": won_deal(env, org.rep, 4000, dt.datetime(2026, 3, 2, 9)),
        "lost": lost_deal(env, org.rep, 300, dt.datetime(2026, 3, 12, 16),
                          name="Acme printers", lost_reason_id=reason.id),
        "new": make_lead(env, "Acme servers", user_id=org.leader.id, expected_revenue=8000,
                         partner_id=acme.id, stage_id=stage(env, "proposition").id,
                         date_deadline=dt.date(2026, 5, 20)),
        "open": make_lead(env, "Old deal", user_id=org.rep.id, expected_revenue=1000,
                          stage_id=stage(env, "new").id),
    }
    for key, lead in deals.items():
        lead.with_context(active_test=False).write({
            "date_conversion": dt.datetime(2026, 3, 11, 8) if key == "new" else BEFORE})
    # activities done in the week (and one the week after)
    for user, day in ((org.rep, 9), (org.rep, 13), (org.leader, 14), (org.rep, 16)):
        activity = deals["open"].activity_schedule("mail.activity_type_call", user_id=user.id)
        activity.action_done()
        activity.with_context(active_test=False).write(
            {"date_done": dt.datetime(2026, 3, day, 11)})
    targets = env["crm.target"]
    targets.create([
        {"user_id": org.rep.id, "period": "month", "date_start": MONDAY,
         "target_amount": 5000},
        {"user_id": org.rep.id, "period": "quarter", "date_start": MONDAY,
         "target_amount": 20000}])
    return org, deals


def test_the_figures_of_the_week(env, week):
    org, deals = week
    summary = env["crm.weekly.summary"].create({"week_date": dt.date(2026, 3, 12)})
    summary.action_refresh()
    assert (summary.date_from, summary.date_to) == (MONDAY, dt.date(2026, 3, 15))
    assert summary.won_lead_ids == deals["won"] | deals["won_south"]
    assert (summary.won_count, summary.won_amount) == (2, 3000)
    assert summary.with_context(active_test=False).lost_lead_ids.ids == [deals["lost"].id]
    assert (summary.lost_count, summary.lost_amount) == (1, 300)
    assert summary.new_lead_ids == deals["new"]
    assert (summary.new_count, summary.new_amount) == (1, 8000)
    assert summary.pipeline_change == 8000 - 3000 - 300
    assert summary.pipeline_amount == 9000  # the open deals: new (8000) and old (1000)
    assert summary.pipeline_weighted == 8000 * 0.5 + 1000 * 0.1
    assert summary.activity_count == 3
    lines = {line.user_id: line for line in summary.line_ids}
    assert set(lines) == {org.rep, org.leader, org.other}  # Max had nothing to show
    remy = lines[org.rep]
    assert (remy.won_count, remy.won_amount, remy.lost_count, remy.activity_count) == \
        (1, 1000, 1, 2)
    # the month's target counts the whole month so far: 4000 (2 March) + 1000 + 500
    assert (remy.month_target, remy.month_won, remy.month_achievement) == (5000, 5500, 110)
    assert (remy.quarter_target, remy.quarter_won) == (20000, 5500)
    assert lines[org.leader].new_count == 1 and lines[org.other].won_amount == 2000
    # a team's summary counts the team's deals and people only
    north = env["crm.weekly.summary"].create({"week_date": MONDAY,
                                              "team_id": org.north.id})
    north.action_refresh()
    assert north.won_lead_ids == deals["won"] and north.won_amount == 1000
    assert set(north.line_ids.mapped("user_id")) == {org.rep, org.leader}


def test_the_email_lists_the_weeks_deals_and_progress(env, week):
    org, _deals = week
    summary = env["crm.weekly.summary"].create({"week_date": MONDAY})
    summary.action_refresh()
    content = env.ref("crm_base.mail_template_weekly_summary").render_for(
        summary.with_context(active_test=False))  # lost deals are archived
    assert content["subject"] == "Weekly sales summary, 09/03/2026 to 15/03/2026"
    body = content["body_html"]
    for text in ("every team", "Acme laptops", "Acme printers", "Too expensive",
                 "Acme servers", "20/05/2026", "Remy Rep", "Lea Leader", "Sam South",
                 "+4 700.00", "5 500.00", "(110 %)", "March 2026: won / target",
                 "Q1 2026: won / target", "no target"):
        assert text in body, text
    assert "Old deal" not in body and "Max Manager" not in body


def test_sending_goes_through_the_outgoing_queue(env, week):
    org, _deals = week
    org.manager.partner_id.write({"lang": "fr_FR"})
    summary = env["crm.weekly.summary"].create({"week_date": MONDAY})
    with pytest.raises(AccessError):
        as_user(env, org.rep)["crm.weekly.summary"].browse(summary.id).action_send()
    as_user(env, org.manager)["crm.weekly.summary"].browse(summary.id).action_send()
    assert summary.state == "sent" and summary.date_sent
    managers = summary.recipient_ids
    assert org.manager.partner_id in managers and org.leader.partner_id not in managers
    message = summary.message_ids.filtered(lambda m: m.message_type == "email")
    assert len(message) == 1 and message.subject.startswith("Weekly sales summary")
    mails = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert "rp_max@example.com" in " ".join(mails.mapped("email_to"))
    assert len(mails) == len(managers) and set(mails.mapped("state")) == {"outgoing"}
    assert all("Acme laptops" in mail.body_html for mail in mails)
    by_address = {mail.email_to: mail.body_html for mail in mails}
    french = next(body for address, body in by_address.items() if "rp_max@" in address)
    assert "Mars 2026: won / target" in french  # in his language
    assert all("March 2026: won / target" in body for address, body in by_address.items()
               if "rp_max@" not in address)
    jobs = env["ir.job"].search([("model", "=", "mail.mail"), ("method", "=", "_job_send")])
    queued = {mail_id for job in jobs for mail_id in job.args[0]}
    assert set(mails.ids) <= queued  # one job per language
    # nobody with an address: said, not sent
    team = env["crm.weekly.summary"].create({"week_date": MONDAY, "team_id": org.south.id})
    with pytest.raises(UserError, match="Nobody to send the summary to"):
        team.action_send()


def test_every_monday_last_weeks_summaries(env, week):
    org, _deals = week
    sent = env["crm.weekly.summary"]._send_weekly(today=dt.date(2026, 3, 16))
    by_team = {summary.team_id: summary for summary in sent}
    assert set(by_team) == {org.north, env["crm.team"]}  # South has no leader
    assert all(summary.date_from == MONDAY for summary in sent)
    assert by_team[org.north].recipient_ids == org.leader.partner_id
    assert org.manager.partner_id in by_team[env["crm.team"]].recipient_ids
    assert by_team[org.north].won_amount == 1000
    cron = env.ref("crm_base.ir_cron_weekly_summary")
    assert (cron.model, cron.method, cron.interval_type) == \
        ("crm.weekly.summary", "_cron_send_weekly", "weeks")
    cron.write({"last_call": False})
    env["crm.weekly.summary"]._schedule_weekly_cron(now=dt.datetime(2026, 3, 11, 15))
    assert cron.nextcall == dt.datetime(2026, 3, 16, 6, 0)
    cron.write({"last_call": dt.datetime(2026, 3, 16, 6, 0)})
    env["crm.weekly.summary"]._schedule_weekly_cron(now=dt.datetime(2026, 3, 18, 15))
    assert cron.nextcall == dt.datetime(2026, 3, 16, 6, 0)  # it ran: left alone
