"""``comptoir mail-gateway`` (an MTA pipe: one e-mail on stdin) and ``comptoir mail-fetch``
(IMAP mailboxes, against a fake ``imaplib``), on a committed database; the refusal
answer then leaves by ``comptoir jobs run --once`` over SMTP."""
from __future__ import annotations

import imaplib
import json
import threading

import pytest
from click.testing import CliRunner

from core.cli import main
from core.modules.loading import Database

from .test_mail_out import SmtpSink

IMAP_ERROR = imaplib.IMAP4.error


@pytest.fixture(scope="module")
def database(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("mailcli"), "mailcli")
    database = Database(url, available=comptoir_available)
    database.install(["test_mail"])
    with database.environment() as env:
        env["ir.config_parameter"].set_param("mail.catchall.domain", "example.org")
        env["mail.alias"].create({"name": "support", "model": "test.mail.record",
                                  "contact_policy": "partners"})
        env["res.partner"].create({"name": "Known", "email": "known@example.net"})
    yield database
    database.engine.dispose()
    drop()


def mail(sender: str, message_id: str, to: str = "support@example.org") -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: Help {message_id}\r\n"
            f"Message-Id: <{message_id}@x>\r\nContent-Type: text/plain\r\n\r\n"
            "Please help.\r\n").encode()


def invoke(database, *args, input=None):
    return CliRunner().invoke(main, list(args), input=input, obj={"database": database})


def test_gateway_pipe(database):
    result = invoke(database, "mail-gateway", "--json", input=mail("known@example.net", "g1"))
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["status"] == "routed" and outcome["model"] == "test.mail.record"
    with database.environment() as env:  # committed
        record = env["test.mail.record"].browse(outcome["res_id"])
        assert record.name == "Help g1"
    again = invoke(database, "mail-gateway", input=mail("known@example.net", "g1"))
    assert again.exit_code == 0 and again.output.startswith("ignored")
    other = invoke(database, "mail-gateway", "--alias-domain", "Other.Example",
                   input=mail("known@example.net", "g2", to="support@other.example"))
    assert other.output.startswith("routed test.mail.record,")
    empty = invoke(database, "mail-gateway", input=b"")
    assert empty.exit_code != 0 and "no e-mail" in empty.output


def test_gateway_database_failure_is_a_temporary_failure(database, monkeypatch):
    from core.mail import gateway

    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")
    monkeypatch.setattr(gateway, "process", broken)
    result = invoke(database, "mail-gateway", input=mail("known@example.net", "t1"))
    assert result.exit_code == 75 and "try again" in result.output


def test_refusal_answer_sent_by_the_job_runner(database):
    refused = invoke(database, "mail-gateway", input=mail("stranger@spam.example", "s1"))
    assert refused.output.startswith("refused") and "not a known contact" in refused.output
    sink = SmtpSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    try:
        with database.environment() as env:
            config = env["ir.config_parameter"]
            config.set_param("mail.smtp.host", "127.0.0.1")
            config.set_param("mail.smtp.port", str(sink.server_address[1]))
        ran = invoke(database, "jobs", "run", "--once", "--json")
        assert ran.exit_code == 0, ran.output
        assert json.loads(ran.output)["jobs"]["done"] >= 1
    finally:
        sink.shutdown()
        sink.server_close()
    assert [r[1] for r in sink.received] == [["stranger@spam.example"]]
    assert b"Auto-Submitted: auto-replied" in sink.received[0][2]
    with database.environment() as env:
        answer = env["mail.mail"].search([("email_to", "=", "stranger@spam.example")])
        assert answer.state == "sent"


class FakeImap:
    """Enough of ``imaplib.IMAP4`` for mail-fetch: a mailbox per (host, user)."""

    boxes: dict[tuple[str, str], dict[bytes, list]] = {}
    error = IMAP_ERROR

    def __init__(self, host: str, port: int) -> None:
        if host == "down.example":
            raise OSError("connection refused")
        self.host = host
        self.box: dict[bytes, list] = {}

    def login(self, user: str, password: str) -> tuple:
        if password != "secret":
            raise IMAP_ERROR("LOGIN failed")
        self.box = self.boxes.setdefault((self.host, user), {})
        return "OK", [b"logged in"]

    def select(self, folder: str) -> tuple:
        return "OK", [str(len(self.box)).encode()]

    def search(self, charset, criteria: str) -> tuple:
        unseen = [n for n, (flags, _raw) in sorted(self.box.items()) if "\\Seen" not in flags]
        return "OK", [b" ".join(unseen)]

    def fetch(self, number: bytes, what: str) -> tuple:
        return "OK", [(number + b" (RFC822 {n})", self.box[number][1]), b")"]

    def store(self, number: bytes, command: str, flag: str) -> tuple:
        self.box[number][0].add(flag)
        return "OK", []

    def close(self) -> None:
        pass

    def logout(self) -> None:
        pass


def test_fetch_imap_mailboxes(database, monkeypatch):
    monkeypatch.setattr(imaplib, "IMAP4", FakeImap)
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeImap)
    FakeImap.boxes[("imap.example", "support")] = {
        b"1": [set(), mail("known@example.net", "f1")],
        b"2": [{"\\Seen"}, mail("known@example.net", "f-old")],
        b"3": [set(), b"garbage without headers"],
    }
    with database.environment() as env:
        env["mail.fetch.server"].create([
            {"name": "Support box", "host": "imap.example", "user": "support",
             "password": "secret"},
            {"name": "Broken box", "host": "down.example", "user": "x", "password": "secret"},
            {"name": "Wrong password", "host": "imap.example", "user": "support",
             "password": "nope", "ssl": False, "port": 143}])
    result = invoke(database, "mail-fetch")
    assert result.exit_code == 0, result.output
    assert "Support box: 2 e-mail(s), 1 routed" in result.output
    assert "Broken box: 0 e-mail(s)" in result.output
    box = FakeImap.boxes[("imap.example", "support")]
    assert all("\\Seen" in flags for flags, _raw in box.values())
    with database.environment() as env:
        assert env["test.mail.record"].search([("name", "=", "Help f1")])
        assert not env["test.mail.record"].search([("name", "=", "Help f-old")])
        servers = {s.name: s for s in env["mail.fetch.server"].search([])}
        assert servers["Support box"].last_fetch and not servers["Support box"].last_error
        assert "connection refused" in servers["Broken box"].last_error
        assert "LOGIN failed" in servers["Wrong password"].last_error
    again = invoke(database, "mail-fetch")
    assert "Support box: 0 e-mail(s)" in again.output


def test_the_scheduled_action_fetches_too(database, monkeypatch):
    monkeypatch.setattr(imaplib, "IMAP4", FakeImap)
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeImap)
    FakeImap.boxes[("cron.example", "box")] = {b"1": [set(), mail("known@example.net", "c1")]}
    with database.environment() as env:
        env["mail.fetch.server"].search([]).write({"active": False})
        env["mail.fetch.server"].create({"name": "Cron box", "host": "cron.example",
                                         "user": "box", "password": "secret"})
        cron = env.ref("mail.ir_cron_mail_fetch")
        assert cron.model == "mail.fetch.server" and cron.interval_type == "minutes"
        assert env["mail.fetch.server"]._cron_fetch() == 1
        assert env["test.mail.record"].search([("name", "=", "Help c1")])
