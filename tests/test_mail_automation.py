"""The mail layer's automation actions (issue 5): send a mail template, create an
activity, add followers; a failing send never loses the triggering change."""
from __future__ import annotations

import datetime as dt

import pytest

from core.automation import action_kinds
from core.exceptions import ValidationError
from core.mail.models.mail_activity import local_today


@pytest.fixture
def customer(env):
    return env["res.partner"].create({"name": "Client", "email": "client@example.com"})


@pytest.fixture
def template(env):
    return env["mail.template"].create({
        "name": "Welcome", "model": "test.mail.record", "subject": "Welcome {{ object.name }}",
        "body_html": "<p>Hello {{ object.partner_id.name }}</p>",
        "partner_to": "{{ object.partner_id.id }}"})


def rule(env, trigger="on_create", trigger_fields=False, **action):
    record = env["ir.automation.rule"].create({
        "name": "Mail rule", "trigger": trigger, "trigger_fields": trigger_fields,
        "model_id": env.ref("test_mail.model_test_mail_record").id})
    env["ir.automation.action"].create({"rule_id": record.id, **action})
    return record


def runs(env, record):
    return env["ir.automation.run"].search([("rule_id", "=", record.id)])


def test_the_kinds_are_registered_by_the_hook(env):
    kinds = action_kinds(env.registry)
    assert {"mail_template", "mail_activity", "mail_followers"} <= set(kinds)
    assert str(kinds["mail_template"].label) == "Send a mail template"


def test_send_a_template(env, template, customer):
    automation = rule(env, kind="mail_template", params=f"{{'template': {template.id}}}")
    record = env["test.mail.record"].create({"name": "Deal", "partner_id": customer.id})
    assert runs(env, automation).state == "done"
    message = record.message_ids.filtered(lambda m: m.message_type == "email")
    assert message.subject == "Welcome Deal" and "Hello Client" in message.body
    mail = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert mail.email_to == "Client <client@example.com>" and mail.state == "outgoing"
    assert env["ir.job"].search([("model", "=", "mail.mail"), ("state", "=", "pending")])


def test_a_failing_template_keeps_the_change(env, customer):
    broken = env["mail.template"].create({"name": "Broken", "model": "test.mail.record",
                                          "subject": "{{ object.missing_field }}"})
    automation = rule(env, trigger="on_write", trigger_fields="amount", kind="mail_template",
                      params=f"{{'template': {broken.id}}}")
    record = env["test.mail.record"].create({"name": "Keep me"})
    record.write({"amount": 99.0})
    run = runs(env, automation)
    assert run.state == "failed" and "Broken" in run.message and "line 1" in run.message
    assert env["test.mail.record"].browse(record.id).amount == 99.0
    assert not record.message_ids.filtered(lambda m: m.message_type == "email")


def test_a_failing_smtp_send_keeps_the_change(env, template, customer):
    env["ir.config_parameter"].set_param("mail.smtp.host", "127.0.0.1")
    env["ir.config_parameter"].set_param("mail.smtp.port", "1")  # nobody listens
    automation = rule(env, kind="mail_template", params=f"{{'template': {template.id}}}")
    record = env["test.mail.record"].create({"name": "Sent later", "partner_id": customer.id})
    assert runs(env, automation).state == "done"
    mail = env["mail.mail"].search([("res_partner_id", "=", customer.id)])
    env["mail.mail"]._job_send(mail.ids, 1)
    assert mail.state == "exception" and "Cannot reach" in mail.failure_reason
    assert record.exists() and record.name == "Sent later"


def test_unknown_template_is_refused_at_run(env):
    automation = rule(env, kind="mail_template", params="{'template': 'nope.nothing'}")
    record = env["test.mail.record"].create({"name": "No template"})
    assert runs(env, automation).state == "failed" and record.exists()


def test_create_an_activity(env):
    owner = env["res.users"].create({"name": "Owner", "login": "mauto_owner",
                                     "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    automation = rule(env, kind="mail_activity", params=(
        "{'activity_type': 'mail.activity_type_call', 'summary': 'Call the client', "
        "'days': 3, 'user_field': 'user_id'}"))
    record = env["test.mail.record"].create({"name": "Lead", "user_id": owner.id})
    assert runs(env, automation).state == "done"
    activity = record.activity_ids
    assert activity.summary == "Call the client" and activity.user_id == owner
    assert activity.activity_type_id == env.ref("mail.activity_type_call")
    assert activity.date_deadline == local_today(owner.tz) + dt.timedelta(days=3)
    bad = rule(env, kind="mail_activity", params="{'activity_type': 'mail.nope'}")
    env["test.mail.record"].create({"name": "Other"})
    assert runs(env, bad).state == "failed"


def test_add_followers(env, customer):
    colleague = env["res.users"].create({"name": "Colleague", "login": "mauto_coll",
                                         "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    extra = env["res.partner"].create({"name": "Extra"})
    automation = rule(env, kind="mail_followers", params=(
        f"{{'partner_ids': [{extra.id}], 'user_ids': [{colleague.id}], "
        "'partner_field': 'partner_id'}"))
    record = env["test.mail.record"].create({"name": "Followed", "partner_id": customer.id})
    assert runs(env, automation).state == "done"
    followers = set(record.message_follower_ids.mapped("partner_id").ids)
    assert {extra.id, colleague.partner_id.id, customer.id} <= followers


def test_params_must_be_a_dict(env, template):
    with pytest.raises(ValidationError):
        rule(env, kind="mail_template", params="['not', 'a', 'dict']")
