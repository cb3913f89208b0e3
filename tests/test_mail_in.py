"""Incoming e-mail: the gateway routes every real-world message of the test data (thread
replies, aliases creating records, attachments, odd encodings, bounces, loops, unknown
senders by alias policy), never with a traceback; the automation ``on_message`` trigger
fires."""
from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from core.base.models.ir_attachment import DEFAULT_ALLOWED_TYPES, sniff_type, type_allowed
from core.exceptions import ValidationError
from core.mail import gateway
from core.mail.parse import parse

EML = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "eml"
if not EML.is_dir():
    EML = Path("/work/shared/testdata/eml")
FILES = sorted(EML.glob("*.eml"))
REPORTS = ("bounce_", "dsn_", "arf_", "mdn_", "fr_out_of_office")


@pytest.fixture
def alias(env):
    env["ir.config_parameter"].set_param("mail.catchall.domain", "example.org")
    return env["mail.alias"].create({"name": "support", "model": "test.mail.record",
                                     "defaults": "{'stage': 'qualified'}"})


def deliver(env, data: bytes, to: str = "support@example.org"):
    """What the MTA pipe does: the message with its Delivered-To."""
    return gateway.process(env, f"Delivered-To: {to}\r\n".encode() + data)


def make_mail(subject="Printer broken", sender="Jean Dupont <jean@example.net>",
              to="support@example.org", extra="", body="It does not print.",
              message_id="<m1@client.example.net>") -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-Id: {message_id}\r\n{extra}MIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_real_message_is_routed_or_refused_with_a_reason(env, alias, path):
    data = path.read_bytes()
    outcome = deliver(env, data)
    assert outcome.status in ("routed", "bounce", "ignored", "refused") and outcome.reason
    if path.name.startswith(REPORTS):
        assert outcome.status == "bounce", outcome
        assert not env["test.mail.record"].search([("message_ids.message_id", "=",
                                                    parse(data).message_id or "-")])
        return
    assert outcome.status == "routed", outcome
    record = env["test.mail.record"].browse(outcome.res_id)
    assert record.stage == "qualified"  # the alias's default values
    message = env["mail.message"].browse(outcome.message_id)
    assert message.message_type == "email" and message.res_id == record.id
    original = email.message_from_bytes(data, policy=email.policy.default)
    if original.get("Subject") and "=?" not in record.name:
        assert "=?" not in (message.subject or "")  # encoded words decoded
    # every file of an accepted type lands on the record and the message
    expected = [name for name, content in parse(data).attachments
                if type_allowed(sniff_type(name, content), DEFAULT_ALLOWED_TYPES)]
    if path.name.startswith("attachment_"):
        assert parse(data).attachments  # found (an mp3 is then refused by the settings)
    assert outcome.attachments == len(expected)
    files = env["ir.attachment"].search([("res_model", "=", "test.mail.record"),
                                         ("res_id", "=", record.id)])
    assert message.attachment_ids == files
    assert sorted(files.mapped("name")) == sorted(n[:250] or "file" for n in expected)
    # the same message again is ignored (loops, double deliveries)
    assert deliver(env, data).status == "ignored"


def test_alias_creates_a_record_with_an_accepted_new_partner(env, alias):
    outcome = deliver(env, make_mail())
    record = env["test.mail.record"].browse(outcome.res_id)
    assert outcome.status == "routed" and record.name == "Printer broken"
    assert record.description == "It does not print."
    author = env["res.partner"].search([("email", "=", "jean@example.net")])
    assert author.name == "Jean Dupont" and record.partner_id == author
    assert author in record.message_follower_ids.mapped("partner_id")
    message = record.message_ids
    assert message.author_id == author and message.message_id == "<m1@client.example.net>"


def test_reply_lands_on_the_thread(env, alias):
    record = env["test.mail.record"].create({"name": "Existing"})
    sent = record.message_post(body="<p>Our answer</p>", message_type="email",
                               subtype_xmlid="mail.mt_comment")
    reply = make_mail(subject="Re: Existing", message_id="<r1@client.example.net>",
                      to="someone@else.example", extra=f"In-Reply-To: {sent.message_id}\r\n")
    outcome = gateway.process(env, reply)
    assert outcome.status == "routed" and outcome.res_id == record.id
    message = env["mail.message"].browse(outcome.message_id)
    assert message.parent_id == sent and message.subject == "Re: Existing"
    by_refs = make_mail(message_id="<r2@client.example.net>", to="x@else.example",
                        extra=f"References: <unknown@x> {sent.message_id}\r\n")
    assert gateway.process(env, by_refs).res_id == record.id


def test_unknown_sender_refused_by_policy_gets_a_bounce_reply(env, alias):
    alias.write({"contact_policy": "partners", "bounce_message": "Customers only."})
    outcome = deliver(env, make_mail(sender="stranger@spam.example"))
    assert outcome.status == "refused" and "not a known contact" in outcome.reason
    assert not env["res.partner"].search([("email", "=", "stranger@spam.example")])
    answer = env["mail.mail"].search([("email_to", "=", "stranger@spam.example")])
    assert answer.auto_submitted and "Customers only." in answer.body_html
    assert answer.in_reply_to == "<m1@client.example.net>"
    assert env["ir.job"].search([("model", "=", "mail.mail"), ("args", "!=", False)])
    known = env["res.partner"].create({"name": "Known", "email": "known@example.net"})
    ok = deliver(env, make_mail(sender="known@example.net", message_id="<k@x>"))
    assert ok.status == "routed"
    assert env["test.mail.record"].browse(ok.res_id).partner_id == known


def test_followers_policy_on_replies(env, alias):
    alias.write({"contact_policy": "followers"})
    member = env["res.partner"].create({"name": "Member", "email": "member@example.net"})
    record = env["test.mail.record"].create({"name": "Followed"})
    sent = record.message_post(body="<p>x</p>", message_type="email",
                               subtype_xmlid="mail.mt_comment")
    extra = f"In-Reply-To: {sent.message_id}\r\n"
    refused = gateway.process(env, make_mail(sender="member@example.net", extra=extra))
    assert refused.status == "refused" and "does not follow" in refused.reason
    record.message_subscribe([member.id])
    routed = gateway.process(env, make_mail(sender="member@example.net", extra=extra,
                                            message_id="<f2@x>"))
    assert routed.status == "routed" and routed.res_id == record.id


def test_loops_are_dropped(env, alias):
    looped = deliver(env, make_mail(extra="X-Loop: comptoir@example.org\r\n"))
    assert looped.status == "ignored" and "X-Loop" in looped.reason
    outcomes = [deliver(env, make_mail(sender="robot@example.net",
                                       message_id=f"<n{i}@x>"))
                for i in range(gateway.LOOP_LIMIT + 1)]
    assert [o.status for o in outcomes[:-1]] == ["routed"] * gateway.LOOP_LIMIT
    assert outcomes[-1].status == "ignored" and "too many" in outcomes[-1].reason


def test_bounce_recorded_on_the_original_recipient(env, alias):
    customer = env["res.partner"].create({"name": "Gone", "email": "gone@example.com"})
    record = env["test.mail.record"].create({"name": "Bouncy"})
    record.message_subscribe([customer.id])
    message = record.message_send_mail(subject="Hello", body="<p>Hi</p>")
    mail = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    dsn = (f"From: MAILER-DAEMON@mx.example.com\r\nTo: crm@example.org\r\n"
           f"Subject: Undelivered Mail\r\nMessage-Id: <dsn1@mx>\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
           f"--B\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
           f"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
           f"Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\n"
           f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
           f"Message-Id: {message.message_id}\r\nSubject: Hello\r\n--B--\r\n").encode()
    count = env["test.mail.record"].search_count([])
    outcome = gateway.process(env, dsn)
    assert outcome.status == "bounce" and outcome.res_id == record.id
    assert mail.state == "bounced" and mail.notification_id.state == "exception"
    assert customer.message_bounce == 1
    assert env["test.mail.record"].search_count([]) == count


def test_on_message_automation_fires(env, alias):
    rule = env["ir.automation.rule"].create({
        "name": "Mark incoming", "model_id": env.ref("test_mail.model_test_mail_record").id,
        "trigger": "on_message"})
    env["ir.automation.action"].create({"rule_id": rule.id, "kind": "set_values",
                                        "values": "{'amount': 7.0}"})
    outcome = deliver(env, make_mail())
    assert env["test.mail.record"].browse(outcome.res_id).amount == 7.0


def test_no_route_and_garbage_are_refused(env, alias):
    lost = gateway.process(env, make_mail(to="nobody@other.example"))
    assert lost.status == "refused" and "no alias" in lost.reason
    garbage = gateway.process(env, b"\x00\xff not an e-mail at all")
    assert garbage.status == "refused"


def test_alias_configuration_is_checked(env, alias):
    assert alias.email == "support@example.org"
    for values in ({"name": "Bad Name!", "model": "test.mail.record"},
                   {"name": "partners", "model": "res.partner"},
                   {"name": "nomodel", "model": "no.such.model"},
                   {"name": "defaults", "model": "test.mail.record", "defaults": "[1, 2]"}):
        with pytest.raises(ValidationError):
            with env.savepoint():
                env["mail.alias"].create(values)
