"""Canned responses: merge fields rendered in the sandbox against the ticket, syntax
errors refused on save, unsafe expressions refused with a message, the reply wizard
posting to the customer or as a note, and team filtering."""
from __future__ import annotations

import ast

import pytest

from core.exceptions import UserError, ValidationError


@pytest.fixture
def record(env):
    customer = env["res.partner"].create({"name": "Lucie Martin", "email": "lucie@port.fr"})
    return env["helpdesk.ticket"].create({"name": "VPN down", "partner_id": customer.id})


def canned(env, body, name="Acknowledgement", **values):
    return env["helpdesk.canned.response"].create({"name": name, "body": body, **values})


def test_merge_fields_are_rendered_from_the_ticket(env, record):
    response = canned(env, "<p>Bonjour {{ object.partner_id.name }}, votre demande "
                           "{{ object.number }} ({{ object.name }}) est prise en charge par "
                           "{{ user.name }}.</p>")
    html = response._render(record)
    assert html == (f"<p>Bonjour Lucie Martin, votre demande {record.number} (VPN down) est "
                    f"prise en charge par {env.user.name}.</p>")


def test_values_are_escaped(env, record):
    record.write({"name": "<script>alert(1)</script>"})
    assert "<script>" not in canned(env, "<p>{{ object.name }}</p>")._render(record)


def test_syntax_errors_are_refused_on_save(env):
    with pytest.raises(ValidationError, match=r"Template “Broken”, body, line 1"):
        canned(env, "<p>{{ object.name </p>", name="Broken")


def test_the_sandbox_refuses_unsafe_expressions(env, record):
    response = canned(env, "<p>{{ object.env }}</p>", name="Sneaky")
    with pytest.raises(ValidationError, match="Sneaky"):
        response._render(record)
    with pytest.raises(ValidationError, match="Sneaky"):
        canned(env, "{{ object.sudo() }}", name="Sneaky")._render(record)


def test_reply_wizard_sends_to_the_customer(env, record):
    response = canned(env, "<p>Dear {{ object.partner_id.name }}, fixed.</p>")
    wizard = env["helpdesk.canned.reply"].with_context(
        active_model="helpdesk.ticket", active_id=record.id).create(
        {"response_id": response.id, "intro": "<p>Good news!</p>"})
    assert wizard.ticket_id == record and wizard.mode == "reply"
    assert wizard.action_send() is True and not wizard.exists()
    message = record.message_ids[0]
    assert message.body == "<p>Good news!</p><p>Dear Lucie Martin, fixed.</p>"
    assert message.subtype_id == env.ref("mail.mt_comment")


def test_reply_wizard_logs_a_note(env, record):
    response = canned(env, "<p>Called {{ object.partner_id.name }}.</p>")
    env["helpdesk.canned.reply"].create({"ticket_id": record.id, "response_id": response.id,
                                         "mode": "note"}).action_send()
    message = record.message_ids[0]
    assert message.body == "<p>Called Lucie Martin.</p>"
    assert message.subtype_id == env.ref("mail.mt_note")
    with pytest.raises(UserError, match="Choose a canned response"):
        env["helpdesk.canned.reply"].create({"ticket_id": record.id}).action_send()


def test_responses_offered_to_the_ticket_team(env, record):
    first, second = env["helpdesk.team"].create([{"name": "Network"}, {"name": "Billing"}])
    record.write({"team_id": first.id})
    everyone = canned(env, "<p>Hi</p>", name="Hi")
    network = canned(env, "<p>VPN</p>", name="VPN", team_ids=[(6, 0, [first.id])])
    billing = canned(env, "<p>Bill</p>", name="Bill", team_ids=[(6, 0, [second.id])])
    wizard = env["helpdesk.canned.reply"].create({"ticket_id": record.id})
    # the choice's domain, as the form evaluates it with the wizard's team
    text = wizard._fields["response_id"].domain.replace("team_id]", f"{wizard.team_id.id}]")
    domain = ast.literal_eval(text)
    found = env["helpdesk.canned.response"].search(domain)
    assert everyone in found and network in found and billing not in found
