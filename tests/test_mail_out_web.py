"""The chatter's e-mail composer: over HTTP (template or free text, recipients, files,
errors, access) and in a browser (keyboard, in-place refresh, accessibility audit)."""
from __future__ import annotations

import io

import pytest

from core.modules.loading import Database
from core.testing.browser import ARTIFACTS, LiveServer, audit
from core.testing.web import client_for

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def mail_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("mailout"), "mailout")
    database = Database(url, available=comptoir_available)
    database.install(["test_mail"])
    with database.environment() as env:
        internal = env.ref("base.group_user")
        alice = env["res.users"].create({
            "name": "Alice Martin", "login": "mo_alice", "email": "alice@example.com",
            "password": "alice-pass-42", "groups_id": [(6, 0, [internal.id])]})
        customer = env["res.partner"].create({"name": "Carl Client",
                                              "email": "carl@example.com"})
        mine = env(uid=alice.id, su=False)["test.mail.record"].create(
            {"name": "Alice's deal", "user_id": alice.id, "partner_id": customer.id})
        bob = env["res.users"].create({"name": "Bob", "login": "mo_bob",
                                       "groups_id": [(6, 0, [internal.id])]})
        theirs = env["test.mail.record"].create({"name": "Other deal", "user_id": bob.id})
        template = env["mail.template"].create({
            "name": "Quote", "model": "test.mail.record",
            "subject": "Quote for {{ object.name }}",
            "body_html": "<p>Dear {{ object.partner_id.name }}</p>",
            "partner_to": "{{ object.partner_id.id }}"})
        other_model = env["mail.template"].create({"name": "Partner card",
                                                   "model": "res.partner"})
        database.test_ids = {"alice": alice.id, "mine": mine.id, "theirs": theirs.id,
                             "template": template.id, "other": other_model.id,
                             "customer": customer.id,
                             "action": env.ref("test_mail.test_mail_record_action").id}
    yield database
    database.engine.dispose()
    drop()


def test_compose_with_a_template_and_free_text(mail_db):
    ids = mail_db.test_ids
    client, csrf = client_for(mail_db, ids["alice"])
    page = client.get(f"/web/action/{ids['action']}/{ids['mine']}").get_data(as_text=True)
    assert 'action="/mail/thread/email"' in page and ">Quote</option>" in page
    assert "Partner card" not in page  # templates of this model only
    base = {"csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"]}
    sent = client.post("/mail/thread/email", headers=JSON,
                       data={**base, "template_id": str(ids["template"])})
    assert sent.status_code == 200, sent.get_data(as_text=True)
    free = client.post("/mail/thread/email", headers=JSON, data={
        **base, "subject": "Docs", "body": "Here <they> are", "email_to": "x@example.net",
        "partner_id": str(ids["customer"]), "files": (io.BytesIO(b"doc"), "doc.txt")},
        content_type="multipart/form-data")
    assert free.status_code == 200, free.get_data(as_text=True)
    with mail_db.environment() as env:
        quote = env["mail.message"].browse(sent.json["id"])
        assert quote.message_type == "email" and quote.subject == "Quote for Alice's deal"
        assert quote.author_id == env["res.users"].browse(ids["alice"]).partner_id
        mails = env["mail.mail"].search([("mail_message_id", "=", quote.id)])
        assert mails.mapped("email_to") == ["Carl Client <carl@example.com>"]
        docs = env["mail.message"].browse(free.json["id"])
        assert "Here &lt;they&gt; are" in docs.body
        assert docs.attachment_ids.mapped("name") == ["doc.txt"]
        targets = env["mail.mail"].search([("mail_message_id", "=", docs.id)])
        assert sorted(targets.mapped("email_to")) == ["Carl Client <carl@example.com>",
                                                      "x@example.net"]
    page = client.get(f"/web/action/{ids['action']}/{ids['mine']}").get_data(as_text=True)
    assert "Quote for Alice&#39;s deal" in page or "Quote for Alice's deal" in page


def test_composer_errors_and_access(mail_db):
    ids = mail_db.test_ids
    client, csrf = client_for(mail_db, ids["alice"])
    base = {"csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"]}
    empty = client.post("/mail/thread/email", headers=JSON, data={**base, "body": " "})
    assert empty.status_code == 422 and "choose a template" in empty.json["error"]["message"]
    bad = client.post("/mail/thread/email", headers=JSON,
                      data={**base, "body": "x", "email_to": "not-an-address"})
    assert bad.status_code == 422 and "not-an-address" in bad.json["error"]["message"]
    wrong = client.post("/mail/thread/email", headers=JSON,
                        data={**base, "template_id": str(ids["other"])})
    assert wrong.status_code == 422
    theirs = client.post("/mail/thread/email", headers=JSON,
                         data={**base, "res_id": ids["theirs"], "body": "x"})
    assert theirs.status_code == 403
    forged = client.post("/mail/thread/email", data={**base, "csrf_token": "no", "body": "x"})
    assert forged.status_code == 403


def test_composer_in_a_browser(mail_db, browser, engine_name):
    if engine_name != "sqlite":
        pytest.skip("one browser run is enough (the page does not depend on the engine)")
    ids = mail_db.test_ids
    server = LiveServer(mail_db)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{server.url}/web/login")
        page.get_by_label("Login").fill("mo_alice")
        page.get_by_label("Password").fill("alice-pass-42")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{server.url}/web")
        page.goto(f"{server.url}/web/action/{ids['action']}/{ids['mine']}")
        summary = page.locator("#chatter-email summary")
        summary.focus()
        page.keyboard.press("Enter")
        template = page.get_by_label("Template")
        template.select_option(label="Quote")
        assert page.get_by_label("Subject", exact=True).is_disabled()
        template.select_option(value="")
        page.get_by_label("Subject", exact=True).fill("Browser mail")
        page.get_by_label("Message", exact=True).fill("Sent from the chatter")
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#chatter").screenshot(path=str(ARTIFACTS / "mail_composer.png"))
        assert audit(page) == []
        page.get_by_role("button", name="Send e-mail").click()
        page.locator(".chatter-timeline", has_text="Sent from the chatter").wait_for()
        page.locator("#chatter").screenshot(path=str(ARTIFACTS / "mail_composer_sent.png"))
    finally:
        context.close()
        server.stop()
    with mail_db.environment() as env:
        message = env["mail.message"].search([("subject", "=", "Browser mail")])
        assert message.message_type == "email"


def test_administrators_reach_the_email_settings(mail_db):
    with mail_db.environment() as env:
        admin = env.ref("base.user_admin").id
        actions = [env.ref(f"mail.{name}_action").id for name in
                   ("mail_template", "mail_alias", "mail_fetch_server", "mail_mail")]
    client, _csrf = client_for(mail_db, admin)
    for action in actions:
        response = client.get(f"/web/action/{action}")
        assert response.status_code == 200, (action, response.status_code)
    page = client.get(f"/web/action/{actions[0]}").get_data(as_text=True)
    assert "Quote" in page and "Partner card" in page
    alice, _csrf = client_for(mail_db, mail_db.test_ids["alice"])
    assert alice.get(f"/web/action/{actions[3]}").status_code in (403, 404)
