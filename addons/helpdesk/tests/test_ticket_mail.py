"""E-mail to ticket and the chatter: the team's alias creates tickets (channel e-mail,
customer, team, assignment), replies land on the ticket, the first agent message to the
customer sets the first response, a customer reply wakes a ticket waiting for him, and
e-mails sent from the ticket are archived on it with their attachments."""
from __future__ import annotations

import pytest

from core.exceptions import ValidationError
from core.mail import gateway

from .ticket_factories import as_user, make_team, make_ticket, make_user

DOMAIN = "example.org"


def mail(subject: str, body: str, message_id: str, to: str = "support-t@example.org",
         sender: str = "Paul Leroux <paul@acme.example>", in_reply_to: str = "") -> bytes:
    headers = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
               f"Message-ID: <{message_id}>", "Content-Type: text/plain; charset=utf-8"]
    if in_reply_to:
        headers += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture
def agent(env):
    return make_user(env, "tm_agent")


@pytest.fixture
def team(env, agent):
    env["ir.config_parameter"].set_param("mail.catchall.domain", DOMAIN)
    return make_team(env, "Mail desk", agent, "round_robin", alias_name="support-t")


def test_alias_follows_the_team(env, team):
    alias = team.alias_id
    assert alias.name == "support-t" and alias.model == "helpdesk.ticket"
    team.write({"alias_name": "support-t2"})
    assert alias.name == "support-t2"
    with pytest.raises(ValidationError, match="already used"):
        make_team(env, "Clash", alias_name="support-t2")
    with pytest.raises(ValidationError, match="lower-case"):
        team.write({"alias_name": "Support Desk"})
    team.write({"alias_name": False})
    assert not team.alias_id and not alias.exists()


def test_an_email_to_the_alias_creates_a_ticket_and_replies_land_on_it(env, agent, team):
    outcome = gateway.process(env, mail("Printer on fire", "Smoke everywhere!", "t1@acme"))
    assert outcome.status == "routed", outcome
    ticket = env["helpdesk.ticket"].browse(outcome.res_id)
    assert ticket.name == "Printer on fire" and "Smoke everywhere" in ticket.description
    assert ticket.channel == "email" and ticket.team_id == team
    assert ticket.partner_id.email == "paul@acme.example"
    assert ticket.email_from == "paul@acme.example"
    assert ticket.user_id == agent and ticket.state == "assigned"
    assert ticket.number.startswith("HD/")
    assert ticket.partner_id in ticket.message_follower_ids.mapped("partner_id")
    reply = gateway.process(env, mail("Re: Printer on fire", "Still smoking", "t2@acme",
                                      in_reply_to="t1@acme"))
    assert reply.status == "routed" and reply.res_id == ticket.id
    assert len(env["helpdesk.ticket"].search([("team_id", "=", team.id)])) == 1
    assert not ticket.date_first_response, "the customer's messages are no response"


def test_first_response_is_the_first_agent_message_to_the_customer(env, agent, team):
    customer = env["res.partner"].create({"name": "Cust", "email": "cust@acme.example"})
    ticket = make_ticket(env, team_id=team.id, partner_id=customer.id)
    mine = as_user(env, agent)["helpdesk.ticket"].browse(ticket.id)
    mine.message_post(body="<p>Internal: call the vendor</p>")  # a note
    assert not ticket.date_first_response
    mine.message_post(body="<p>We are on it</p>", subtype_xmlid="mail.mt_comment")
    first = ticket.date_first_response
    assert first
    mine.message_post(body="<p>Fixed?</p>", subtype_xmlid="mail.mt_comment")
    assert ticket.date_first_response == first


def test_a_customer_reply_wakes_a_waiting_ticket(env, agent, team):
    outcome = gateway.process(env, mail("VPN down", "Cannot connect", "w1@acme"))
    ticket = env["helpdesk.ticket"].browse(outcome.res_id)
    mine = as_user(env, agent)["helpdesk.ticket"].browse(ticket.id)
    mine.workflow_move("in_progress", "state")
    mine.workflow_move("waiting", "state")
    gateway.process(env, mail("Re: VPN down", "Here is the log", "w2@acme",
                              in_reply_to="w1@acme"))
    assert ticket.state == "in_progress"


def test_emails_sent_from_the_ticket_are_archived_with_attachments(env, agent, team):
    customer = env["res.partner"].create({"name": "Cust2", "email": "cust2@acme.example"})
    ticket = make_ticket(env, team_id=team.id, partner_id=customer.id)
    mine = as_user(env, agent)["helpdesk.ticket"].browse(ticket.id)
    message = mine.message_send_mail(subject="Your printer", body="<p>See the manual</p>",
                                     attachments=[("manual.txt", b"Press the green button")])
    assert message.res_model == "helpdesk.ticket" and message.res_id == ticket.id
    assert message.attachment_ids.mapped("name") == ["manual.txt"]
    files = env["ir.attachment"].search([("res_model", "=", "helpdesk.ticket"),
                                         ("res_id", "=", ticket.id)])
    assert "manual.txt" in files.mapped("name")
    assert ticket.date_first_response, "an e-mail to the customer is a response"
    queued = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    to_customer = queued.filtered(lambda m: "cust2@acme.example" in m.email_to)
    assert to_customer, "the customer follows the ticket and gets it"
    assert to_customer.attachment_ids.mapped("name") == ["manual.txt"]


def test_automatic_messages_of_the_system_are_no_response(env, agent, team):
    customer = env["res.partner"].create({"name": "Cust3", "email": "cust3@acme.example"})
    ticket = make_ticket(env, team_id=team.id, partner_id=customer.id)
    ticket.message_send_mail(subject="We got your request", body="<p>Ticket received</p>")
    assert not ticket.date_first_response
    mine = as_user(env, agent)["helpdesk.ticket"].browse(ticket.id)
    mine.workflow_move("in_progress", "state")
    mine.workflow_move("waiting", "state")
    ticket.message_send_mail(subject="Reminder", body="<p>Any news?</p>")
    assert ticket.state == "waiting", "the system's reminder does not wake the ticket"
