"""The helpdesk weekly recap: its figures for a fixed week, the e-mail the template renders,
its recipients (helpdesk managers, team managers) and the outgoing queue, the Monday
schedule, and who may open recaps. No test reads the real clock."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, UserError

from .report_factories import agent_reply, make_org, ticket

MONDAY = dt.date(2026, 3, 9)


@pytest.fixture
def week(env):
    org = make_org(env)
    org.fast = ticket(env, org.support, dt.datetime(2026, 3, 10, 9), responded=1, resolved=5,
                      name="Password reset")
    agent_reply(org.fast, org.agent)
    org.open = ticket(env, org.support, dt.datetime(2026, 3, 11, 9), responded=3)
    org.stale = ticket(env, org.support, dt.datetime(2026, 2, 20, 9))
    org.hard = ticket(env, org.hardware, dt.datetime(2026, 3, 12, 9), responded=2, resolved=9,
                      reopened=1)
    org.next_week = ticket(env, org.hardware, dt.datetime(2026, 3, 16, 9))
    return org


def test_the_figures_of_the_week(env, week):
    org = week
    recap = env["helpdesk.weekly.recap"].create({"week_date": dt.date(2026, 3, 12)})
    recap.action_refresh()
    assert (recap.date_from, recap.date_to) == (MONDAY, dt.date(2026, 3, 15))
    assert (recap.opened, recap.resolved) == (3, 2)
    assert recap.avg_first_response_hours == 2.0 and recap.avg_handling_hours == 7.0
    assert (recap.fcr_rate, recap.reopen_rate) == (50.0, 50.0)
    assert recap.date_computed
    lines = {line.team_id: line for line in recap.line_ids}
    assert (lines[org.support].opened, lines[org.support].resolved) == (2, 1)
    assert lines[org.hardware].reopen_rate == 100.0
    # a team's recap has its own figures and no lines
    team = env["helpdesk.weekly.recap"].create({"week_date": MONDAY,
                                                "team_id": org.support.id})
    team.action_refresh()
    assert (team.opened, team.resolved, team.fcr_rate) == (2, 1, 100.0)
    assert not team.line_ids


def test_the_email(env, week):
    org = week
    recap = env["helpdesk.weekly.recap"].create({"week_date": MONDAY})
    recap.action_refresh()
    content = env.ref("helpdesk.mail_template_weekly_recap").render_for(recap)
    assert content["subject"].startswith("Helpdesk weekly recap, 09/03/2026 to 15/03/2026")
    body = content["body_html"]
    for text in ("every team", "Tickets opened", "RP Support", "RP Hardware", "2.0 h",
                 "7.0 h", "50 %", "By team"):
        assert text in body, text
    assert org.support.name in body


def test_sending_goes_through_the_outgoing_queue(env, week):
    org = week
    recap = env["helpdesk.weekly.recap"].create({"week_date": MONDAY})
    with pytest.raises(AccessError):
        env(uid=org.agent.id, su=False)["helpdesk.weekly.recap"].browse(recap.id).action_send()
    env(uid=org.manager.id, su=False)["helpdesk.weekly.recap"].browse(recap.id).action_send()
    assert recap.state == "sent" and recap.date_sent
    assert org.manager.partner_id in recap.recipient_ids
    assert org.agent.partner_id not in recap.recipient_ids
    message = recap.message_ids.filtered(lambda m: m.message_type == "email")
    assert len(message) == 1 and message.subject.startswith("Helpdesk weekly recap")
    mails = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert "rp_hd_manager@example.com" in " ".join(mails.mapped("email_to"))
    assert set(mails.mapped("state")) == {"outgoing"}
    # nobody with an address: said, not sent
    org.other.partner_id.write({"email": False})
    team = env["helpdesk.weekly.recap"].create({"week_date": MONDAY,
                                                "team_id": org.hardware.id})
    with pytest.raises(UserError, match="Nobody to send the recap to"):
        team.action_send()


def test_every_monday_last_weeks_recaps(env, week):
    org = week
    sent = env["helpdesk.weekly.recap"]._send_weekly(today=dt.date(2026, 3, 16))
    by_team = {recap.team_id: recap for recap in sent}
    assert {org.support, org.hardware, env["helpdesk.team"]} <= set(by_team)
    assert all(recap.date_from == MONDAY for recap in sent)
    assert by_team[org.support].recipient_ids == org.manager.partner_id
    assert by_team[org.hardware].recipient_ids == org.other.partner_id
    assert by_team[org.hardware].opened == 1
    cron = env.ref("helpdesk.ir_cron_weekly_recap")
    assert (cron.model, cron.method, cron.interval_type) == \
        ("helpdesk.weekly.recap", "_cron_send_weekly", "weeks")
    cron.write({"last_call": False})
    env["helpdesk.weekly.recap"]._schedule_weekly_cron(now=dt.datetime(2026, 3, 11, 15))
    assert cron.nextcall == dt.datetime(2026, 3, 16, 6, 0)
    cron.write({"last_call": dt.datetime(2026, 3, 16, 6, 0)})
    env["helpdesk.weekly.recap"]._schedule_weekly_cron(now=dt.datetime(2026, 3, 18, 15))
    assert cron.nextcall == dt.datetime(2026, 3, 16, 6, 0)


def test_only_managers_open_recaps(env, week):
    recap = env["helpdesk.weekly.recap"].create({"week_date": MONDAY})
    with pytest.raises(AccessError):
        env(uid=week.agent.id, su=False)["helpdesk.weekly.recap"].browse(recap.id).read(
            ["opened"])
    assert env(uid=week.manager.id, su=False)["helpdesk.weekly.recap"].browse(
        recap.id).read(["opened"])


def test_refreshing_takes_the_same_queries_whatever_the_teams(env, week):
    from core.testing import count_queries

    recap = env["helpdesk.weekly.recap"].create({"week_date": MONDAY})
    recap.action_refresh()  # warm the caches
    env.flush()
    with count_queries(env) as few:
        recap.action_refresh()
        env.flush()
    for index in range(4):
        team = env["helpdesk.team"].create({"name": f"RP Extra {index}",
                                            "assignment_strategy": "manual"})
        ticket(env, team, dt.datetime(2026, 3, 10, 9), responded=1, resolved=2)
    env.flush()
    with count_queries(env) as many:
        recap.action_refresh()
        env.flush()
    assert len(recap.line_ids) == 6
    # the lines are written one by one; the figures take the same queries
    assert many.count - few.count <= 2 * 4
