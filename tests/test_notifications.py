"""Notifications: who hears of a message and how (inbox, e-mail, channels), the inbox,
@mentions, and the SMS reference channel tested against a fake provider on 127.0.0.1."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from core.exceptions import AccessError, ValidationError
from core.mail import channels
from core.mail.mentions import html_to_text, mentioned, text_to_html
from core.testing import count_queries


@pytest.fixture
def people(env):
    internal = env.ref("base.group_user")
    portal = env.ref("base.group_portal")
    make = env["res.users"].create
    alice = make({"name": "Alice Martin", "login": "nt_alice", "email": "alice@example.com",
                  "groups_id": [(6, 0, [internal.id])]})
    bob = make({"name": "Bob Durand", "login": "nt_bob", "email": "bob@example.com",
                "groups_id": [(6, 0, [internal.id])]})
    eve = make({"name": "Eve Mailer", "login": "nt_eve", "email": "eve@example.com",
                "notification_type": "email", "groups_id": [(6, 0, [internal.id])]})
    carla = make({"name": "Carla Portal", "login": "nt_carla", "email": "carla@example.com",
                  "groups_id": [(6, 0, [portal.id])]})
    customer = env["res.partner"].create({"name": "Customer Ltd", "email": "buyer@example.com"})
    silent = env["res.partner"].create({"name": "No Address"})
    return alice, bob, eve, carla, customer, silent


def kinds(message):
    return sorted((n.res_partner_id.name, n.notification_type, n.state)
                  for n in message.notification_ids)


def test_followers_hear_of_messages_by_subtype(env, people):
    alice, bob, eve, carla, customer, silent = people
    record = env(uid=alice.id, su=False)["test.mail.record"].create({"name": "Deal"})
    record.message_subscribe([bob.partner_id.id, eve.partner_id.id, carla.partner_id.id,
                              customer.id, silent.id])
    message = record.message_post(body="<p>The offer is ready</p>",
                                  subtype_xmlid="mail.mt_comment")
    assert kinds(message.sudo()) == [
        ("Bob Durand", "inbox", "sent"), ("Carla Portal", "email", "ready"),
        ("Customer Ltd", "email", "ready"), ("Eve Mailer", "email", "ready")]
    # a note reaches only the people it mentions (internal ones only), never its author
    note = record.message_post(body="<p>internal</p>", partner_ids=[
        bob.partner_id.id, carla.partner_id.id, alice.partner_id.id])
    assert kinds(note.sudo()) == [("Bob Durand", "inbox", "sent")]
    # a follower who chose other subtypes is not told
    record.message_subscribe([bob.partner_id.id], subtype_ids=[env.ref("mail.mt_note").id])
    again = record.message_post(body="<p>update</p>", subtype_xmlid="mail.mt_comment")
    assert "Bob Durand" not in [name for name, _k, _s in kinds(again.sudo())]


def test_mentioned_users_always_get_an_inbox_notification(env, people):
    alice, _bob, eve, *_rest = people
    record = env(uid=alice.id, su=False)["test.mail.record"].create({"name": "Mention"})
    note = record.message_post(body="<p>@Eve Mailer look</p>", partner_ids=[eve.partner_id.id])
    assert kinds(note.sudo()) == [("Eve Mailer", "email", "ready"),
                                  ("Eve Mailer", "inbox", "sent")]


def test_mentions_become_links_and_recipients():
    names = {7: "Anne", 8: "Anne Marie", 9: "Zoé <b>"}
    text = "Hi @Anne Marie and @Anne,\n\nsee <this> & @Zoé <b>\nbye"
    assert mentioned(text, names) == [7, 8, 9]
    html = text_to_html(text, [(pid, names[pid]) for pid in mentioned(text, names)])
    assert html == ('<p>Hi <a href="/mail/open/res.partner/8">@Anne Marie</a> and '
                    '<a href="/mail/open/res.partner/7">@Anne</a>,</p>'
                    '<p>see &lt;this&gt; &amp; <a href="/mail/open/res.partner/9">@Zoé '
                    '&lt;b&gt;</a><br>bye</p>')
    assert html_to_text(html) == "Hi @Anne Marie and @Anne,\nsee <this> & @Zoé <b>\nbye"
    assert mentioned("no at sign Anne", names) == []


def test_inbox_counter_and_marking_read(env, people):
    alice, bob, *_rest = people
    record = env(uid=alice.id, su=False)["test.mail.record"].create({"name": "Inbox"})
    for index in range(3):
        record.message_post(body=f"<p>ping {index}</p>", partner_ids=[bob.partner_id.id])
    notifications = env(uid=bob.id, su=False)["mail.notification"]
    notifications.unread_count()
    with count_queries(env) as counter:
        assert notifications.unread_count() == 3
    assert counter.count == 1
    mine = notifications.search(notifications._inbox_domain(unread=True))
    mine[0].mark_read()
    assert notifications.unread_count() == 2 and mine[0].read_date
    assert notifications.mark_all_read() == 2 and notifications.unread_count() == 0
    # one's own only: others' are invisible, and nobody forges or rewrites them
    assert not env(uid=alice.id, su=False)["mail.notification"].search(
        [("id", "in", mine.ids)])
    with pytest.raises(AccessError):
        env(uid=alice.id, su=False)["mail.notification"].browse(mine[0].id).mark_read()
    with pytest.raises(AccessError):
        notifications.create({"mail_message_id": mine[0].mail_message_id.id,
                              "res_partner_id": bob.partner_id.id})
    with pytest.raises(AccessError):
        mine[0].write({"notification_type": "email"})


# -- the SMS channel against a fake provider -------------------------------------------------
class FakeProvider:
    """An SMS gateway on 127.0.0.1 recording what it receives; ``status`` is its answer."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                provider.received.append({
                    "body": json.loads(self.rfile.read(length)),
                    "authorization": self.headers.get("Authorization"),
                    "path": self.path})
                self.send_response(provider.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    fake = FakeProvider()
    yield fake
    fake.stop()


def test_sms_channel_is_offered_once_configured(env, people, provider):
    alice, *_rest = people
    assert "sms" in channels.channels_of(env.registry)
    assert "sms" not in channels.available_channels(env)
    with pytest.raises(ValidationError):
        env(uid=alice.id, su=False)["res.users"].browse(alice.id) \
            .set_notification_preferences("inbox", ["sms"])
    env["ir.config_parameter"].set_param("mail.sms.endpoint", provider.url)
    assert "sms" in channels.available_channels(env)
    mine = env(uid=alice.id, su=False)["res.users"].browse(alice.id)
    mine.set_notification_preferences("email", ["sms"])
    assert alice.notification_type == "email" and alice.notification_channels == ["sms"]
    with pytest.raises(ValidationError):
        env(uid=alice.id, su=False)["res.users"].browse(people[1].id) \
            .set_notification_preferences("inbox", [])


def test_sms_sent_to_the_provider_and_failures_retried(env, people, provider):
    alice, bob, *_rest = people
    params = env["ir.config_parameter"]
    params.set_param("mail.sms.endpoint", provider.url)
    params.set_param("mail.sms.token", "s3cret")
    bob.partner_id.write({"mobile": "+33 6 12 34 56 78"})
    env(uid=bob.id, su=False)["res.users"].browse(bob.id).set_notification_preferences(
        "inbox", ["sms"])
    record = env(uid=alice.id, su=False)["test.mail.record"].create({"name": "Urgent deal"})
    jobs_before = env["ir.job"].search_count([("method", "=", "_job_deliver")])
    note = record.message_post(body="<p>Call the customer <b>now</b></p>",
                               partner_ids=[bob.partner_id.id])
    sms = note.sudo().notification_ids.filtered(lambda n: n.notification_type == "sms")
    assert sms.state == "ready" and sms.res_partner_id == bob.partner_id
    job = env["ir.job"].search([("method", "=", "_job_deliver")], order="id desc", limit=1)
    assert env["ir.job"].search_count([("method", "=", "_job_deliver")]) == jobs_before + 1
    assert job.args == [[sms.id], 1]
    # the job runs: the provider receives the text, the notification is sent
    assert env["mail.notification"]._job_deliver(*job.args) == {"sent": 1, "failed": 0}
    assert sms.state == "sent" and not sms.failure_reason
    assert provider.received == [{
        "body": {"to": "+33 6 12 34 56 78", "message": "Urgent deal: Call the customer now",
                 "reference": str(sms.id)},
        "authorization": "Bearer s3cret", "path": "/v1/sms"}]
    # a provider error: the notification says why and is queued again, later
    provider.status = 503
    second = record.message_post(body="<p>again</p>", partner_ids=[bob.partner_id.id])
    failing = second.sudo().notification_ids.filtered(lambda n: n.notification_type == "sms")
    assert env["mail.notification"]._job_deliver([failing.id], 1) == {"sent": 0, "failed": 1}
    assert failing.state == "exception" and "HTTP 503" in failing.failure_reason
    retry = env["ir.job"].search([("method", "=", "_job_deliver")], order="id desc", limit=1)
    assert retry.args == [[failing.id], 2] and retry.next_try > job.next_try
    provider.status = 200
    env["mail.notification"]._job_deliver(*retry.args)
    assert failing.state == "sent"
    # the last attempt gives up quietly; no mobile number is a failure too
    bob.partner_id.write({"mobile": False})
    third = record.message_post(body="<p>last</p>", partner_ids=[bob.partner_id.id])
    lost = third.sudo().notification_ids.filtered(lambda n: n.notification_type == "sms")
    count = env["ir.job"].search_count([])
    env["mail.notification"]._job_deliver([lost.id], channels.MAX_ATTEMPTS)
    assert lost.state == "exception" and "no mobile number" in lost.failure_reason
    assert env["ir.job"].search_count([]) == count


def test_unreachable_provider_is_a_failure(env, people):
    alice, bob, *_rest = people
    env["ir.config_parameter"].set_param("mail.sms.endpoint", "http://127.0.0.1:9/none")
    bob.partner_id.write({"mobile": "+33600000000"})
    env(uid=bob.id, su=False)["res.users"].browse(bob.id).set_notification_preferences(
        "inbox", ["sms"])
    record = env(uid=alice.id, su=False)["test.mail.record"].create({"name": "Down"})
    note = record.message_post(body="<p>x</p>", partner_ids=[bob.partner_id.id])
    sms = note.sudo().notification_ids.filtered(lambda n: n.notification_type == "sms")
    env["mail.notification"]._job_deliver([sms.id], channels.MAX_ATTEMPTS)
    assert sms.state == "exception" and "could not be reached" in sms.failure_reason


def test_notifying_many_followers_costs_the_same_queries(env, people):
    alice, *_rest = people
    internal = env.ref("base.group_user")
    colleagues = env["res.users"].create([
        {"name": f"Colleague {i}", "login": f"nt_col{i}", "email": f"c{i}@example.com",
         "notification_type": "email" if i % 2 else "inbox",
         "groups_id": [(6, 0, [internal.id])]} for i in range(30)])
    customers = env["res.partner"].create([{"name": f"Buyer {i}", "email": f"b{i}@example.com"}
                                           for i in range(30)])
    me = env(uid=alice.id, su=False)["test.mail.record"]
    small, large, warm = me.create([{"name": "Small"}, {"name": "Large"}, {"name": "Warm"}])
    for record, count in ((small, 3), (large, 30), (warm, 2)):
        record.message_subscribe(colleagues[:count].mapped("partner_id").ids
                                 + customers[:count].ids)
    warm.message_post(body="<p>warm up</p>", subtype_xmlid="mail.mt_comment")
    counts = {}
    for record in (small, large):
        with count_queries(env) as counter:
            message = record.message_post(body="<p>news</p>", subtype_xmlid="mail.mt_comment")
        counts[record.name] = counter.count
        assert len(message.sudo().notification_ids) == (6 if record == small else 60)
    assert counts["Small"] == counts["Large"], counts
