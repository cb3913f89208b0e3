"""Outgoing e-mail: composing from a record (template or free text), archiving at once,
the queue sent over SMTP to a local sink on 127.0.0.1, failures retried with backoff and
recorded, thread headers and the Reply-To alias, no password in logs."""
from __future__ import annotations

import base64
import email
import email.policy
import logging
import socketserver
import threading

import pytest

from core.exceptions import ValidationError
from core.mail.models.mail_mail import MAX_ATTEMPTS
from core.testing import count_queries


class SmtpSink(socketserver.ThreadingTCPServer):
    """A tiny SMTP server keeping what it receives; ``fail`` makes it refuse DATA."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.received: list[tuple[str, list[str], bytes]] = []
        self.fail = False
        self.logins: list[str] = []


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        server: SmtpSink = self.server  # type: ignore[assignment]
        self.reply("220 sink ESMTP")
        sender, rcpts = "", []
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink\r\n250-AUTH PLAIN\r\n250 8BITMIME")
            elif verb == "AUTH":
                creds = base64.b64decode(line.split(" ")[2]).split(b"\0")
                server.logins.append(creds[1].decode())
                self.reply("235 ok" if creds[2] == b"right" else "535 bad credentials")
            elif verb == "MAIL":
                sender, rcpts = line[10:].strip("<>"), []
                self.reply("250 ok")
            elif verb == "RCPT":
                rcpts.append(line[8:].strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                if server.fail:
                    self.reply("451 try again later")
                    continue
                self.reply("354 go")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                server.received.append((sender, rcpts, b"".join(data)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def sink(env):
    server = SmtpSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = env["ir.config_parameter"]
    for key, value in {"mail.smtp.host": "127.0.0.1", "mail.smtp.port": server.server_address[1],
                       "mail.smtp.security": "none", "mail.smtp.from": "crm@example.org",
                       "mail.catchall.domain": "example.org", "mail.smtp.timeout": 5}.items():
        config.set_param(key, str(value))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def customer(env):
    return env["res.partner"].create({"name": "Zoé Client", "email": "zoe@example.com",
                                      "lang": "fr_FR"})


@pytest.fixture
def record(env, customer):
    record = env["test.mail.record"].create({"name": "Big deal", "partner_id": customer.id})
    record.message_subscribe([customer.id])
    return record


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def send_queued(env):
    """Run the queued send jobs (what ``comptoir jobs run`` does); returns their results."""
    jobs = env["ir.job"].search([("model", "=", "mail.mail"), ("state", "=", "pending")],
                                order="id")
    results = []
    for job in jobs:
        results.append(env["mail.mail"]._job_send(*job.args))
        job.write({"state": "done"})
    return results


def test_template_mail_archived_queued_and_sent(env, sink, record, customer):
    env["mail.alias"].create({"name": "deals", "model": "test.mail.record"})
    earlier = record.message_post(body="<p>First contact</p>", message_type="email",
                                  subtype_xmlid="mail.mt_comment")
    send_queued(env)
    sink.received.clear()
    template = env["mail.template"].create({
        "name": "Offer", "model": "test.mail.record", "subject": "Offer {{ object.name }}",
        "body_html": "<p>Hello {{ object.partner_id.name }}</p>",
        "email_to": "boss@example.net"})
    template.with_context(lang="fr_FR").write({"subject": "Offre {{ object.name }}",
                                               "body_html": "<p>Bonjour</p>"})
    attachment = env["ir.attachment"].create({"name": "offer.txt", "datas": b"the terms",
                                              "res_model": "mail.template",
                                              "res_id": template.id})
    template.write({"attachment_ids": [(6, 0, [attachment.id])]})
    message = record.message_send_mail(template=template)
    # archived on the record at once, as an e-mail
    assert message.message_type == "email" and message in record.message_ids
    assert message.subject == "Offer Big deal" and message.attachment_ids == attachment
    mails = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert sorted(mails.mapped("email_to")) == ["Zoé Client <zoe@example.com>",
                                                "boss@example.net"]
    assert set(mails.mapped("state")) == {"outgoing"}
    assert send_queued(env) == [{"sent": 2, "failed": 0}]
    assert set(mails.mapped("state")) == {"sent"}
    assert mails.filtered("notification_id").notification_id.state == "sent"
    by_to = {rcpts[0]: parsed(raw) for _s, rcpts, raw in sink.received}
    french = by_to["zoe@example.com"]
    assert french["Subject"] == "Offre Big deal"
    assert french["Message-Id"] == message.message_id
    assert french["In-Reply-To"] == earlier.message_id
    assert earlier.message_id in french["References"]
    assert french["Reply-To"] == "deals@example.org"
    assert french["X-Loop"] == "comptoir@example.org"
    assert "Bonjour" in french.get_body(("html",)).get_content()
    files = [(p.get_filename(), p.get_payload(decode=True))
             for p in french.iter_attachments()]
    assert files == [("offer.txt", b"the terms")]
    assert by_to["boss@example.net"]["Subject"] == "Offer Big deal"


def test_free_text_mail_to_chosen_partners(env, sink, record):
    other = env["res.partner"].create({"name": "Paul", "email": "paul@example.com"})
    message = record.message_send_mail(subject="Hi", body="<p>See <b>you</b></p>",
                                       partner_ids=[other.id],
                                       attachments=[("note.txt", b"hello")])
    send_queued(env)
    rcpts = sorted(r[0] for _s, r, _raw in sink.received)
    assert rcpts == ["paul@example.com", "zoe@example.com"]
    msg = parsed(sink.received[0][2])
    assert msg["Subject"] == "Hi" and "See you" in msg.get_body(("plain",)).get_content()
    assert message.attachment_ids.mapped("name") == ["note.txt"]
    with pytest.raises(ValidationError):
        record.message_send_mail(subject="Empty", body="  ")


def test_failure_recorded_then_retried_with_backoff(env, sink, record):
    sink.fail = True
    message = record.message_send_mail(subject="Retry", body="<p>Once more</p>")
    mail = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert send_queued(env) == [{"sent": 0, "failed": 1}]
    assert mail.state == "exception" and "451" in mail.failure_reason
    assert mail.notification_id.state == "exception"
    retry = env["ir.job"].search([("model", "=", "mail.mail"), ("state", "=", "pending")])
    assert len(retry) == 1 and retry.args == [[mail.id], 2]
    assert retry.next_try > retry.create_date  # later, with backoff
    sink.fail = False
    assert send_queued(env) == [{"sent": 1, "failed": 0}]
    assert mail.state == "sent" and not mail.failure_reason and mail.attempts == 2
    assert mail.notification_id.state == "sent"
    assert len(sink.received) == 1


def test_final_failure_gives_up(env, sink, record):
    sink.fail = True
    message = record.message_send_mail(subject="Doomed", body="<p>x</p>")
    mail = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    env["ir.job"].search([("model", "=", "mail.mail")]).write({"state": "done"})
    env["mail.mail"]._job_send([mail.id], MAX_ATTEMPTS)
    assert mail.state == "exception" and "gave up" in mail.failure_reason
    assert not env["ir.job"].search([("model", "=", "mail.mail"), ("state", "=", "pending")])
    env["ir.config_parameter"].set_param("mail.smtp.port", "1")  # nobody listens
    mail.action_retry()
    send_queued(env)
    assert mail.state == "exception" and "Cannot reach" in mail.failure_reason


def test_login_and_no_password_in_logs(env, sink, record, caplog):
    config = env["ir.config_parameter"]
    config.set_param("mail.smtp.user", "crm")
    config.set_param("mail.smtp.password", "s3cret-pass")
    message = record.message_send_mail(subject="Auth", body="<p>x</p>")
    mail = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    with caplog.at_level(logging.DEBUG):
        send_queued(env)
    assert mail.state == "exception" and "refused the login" in mail.failure_reason
    assert "s3cret" not in caplog.text and "s3cret" not in mail.failure_reason
    config.set_param("mail.smtp.password", "right")
    mail.action_retry()
    send_queued(env)
    assert mail.state == "sent" and sink.logins[-1] == "crm"


def test_bad_security_setting_is_recorded(env, sink, record):
    env["ir.config_parameter"].set_param("mail.smtp.security", "tls-please")
    message = record.message_send_mail(subject="Conf", body="<p>x</p>")
    send_queued(env)
    mail = env["mail.mail"].search([("mail_message_id", "=", message.id)])
    assert mail.state == "exception" and "mail.smtp.security" in mail.failure_reason


def test_queueing_is_a_constant_number_of_queries(env, sink, record):
    def post(count):
        partners = env["res.partner"].create([{"name": f"P{i}", "email": f"p{i}@example.com"}
                                              for i in range(count)])
        target = env["test.mail.record"].create({"name": f"Many {count}"})
        target.message_subscribe(partners.ids)
        with count_queries(env) as counter:
            target.message_post(body="<p>News</p>", message_type="email",
                                subtype_xmlid="mail.mt_comment")
        assert env["mail.mail"].search_count([("res_partner_id", "in", partners.ids)]) \
            == count
        return counter.count
    post(1)  # warm the caches (subtypes, settings)
    assert post(2) == post(8)
