"""The chatter, the inbox and their endpoints over HTTP: posting with @mentions,
following, activities, the inbox counter, access, and pages whose query count does not
grow with the thread."""
from __future__ import annotations

import io
import re

import pytest

from core.modules.loading import Database
from core.testing import count_queries
from core.testing.web import client_for


@pytest.fixture(scope="module")
def mail_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("mailweb"), "mailweb")
    database = Database(url, available=comptoir_available)
    database.install(["test_mail"])
    with database.environment() as env:
        internal = env.ref("base.group_user")
        alice, bob = env["res.users"].create([
            {"name": "Alice Martin", "login": "mw_alice", "email": "alice@example.com",
             "groups_id": [(6, 0, [internal.id])]},
            {"name": "Bob Durand", "login": "mw_bob", "email": "bob@example.com",
             "groups_id": [(6, 0, [internal.id])]}])
        env["res.users"].create({"name": "Bobby Portal", "login": "mw_portal",
                                 "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})
        mine = env(uid=alice.id, su=False)["test.mail.record"].create(
            {"name": "Alice's deal", "user_id": alice.id})
        theirs = env["test.mail.record"].create({"name": "Bob's deal", "user_id": bob.id})
        action = env.ref("test_mail.test_mail_record_action").id
        ids = {"alice": alice.id, "bob": bob.id, "mine": mine.id, "theirs": theirs.id,
               "action": action, "bob_partner": bob.partner_id.id,
               "alice_partner": alice.partner_id.id}
    database.test_ids = ids
    yield database
    database.engine.dispose()
    drop()


def form_url(db, key: str) -> str:
    return f"/web/action/{db.test_ids['action']}/{db.test_ids[key]}"


def test_the_form_shows_the_chatter(mail_db):
    client, _csrf = client_for(mail_db, mail_db.test_ids["alice"])
    page = client.get(form_url(mail_db, "mine")).get_data(as_text=True)
    for text in ('id="chatter"', "Log note", "Send message", "Schedule an activity",
                 "Followers", "Unfollow", "Created this record.", 'href="/mail/inbox"',
                 "js/chatter.js"):
        assert text in page, text


def test_post_a_note_with_a_mention(mail_db):
    ids = mail_db.test_ids
    client, csrf = client_for(mail_db, ids["alice"])
    back = form_url(mail_db, "mine")
    response = client.post("/mail/thread/post", data={
        "csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"],
        "next": back, "kind": "note", "body": "Bob, @Bob Durand: call them <today>",
        "mention_ids": [str(ids["bob_partner"]), "999999"],
        "files": [(io.BytesIO(b"minutes"), "minutes.txt")]},
        content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        back + "#chatter")
    with mail_db.environment() as env:
        note = env["mail.message"].search([("res_model", "=", "test.mail.record")],
                                          limit=1)
        assert note.partner_ids.ids == [ids["bob_partner"]]
        assert f'<a href="/mail/open/res.partner/{ids["bob_partner"]}"' in note.body
        assert "&lt;today&gt;" in note.body and note.subtype_id == env.ref("mail.mt_note")
        assert note.attachment_ids.mapped("name") == ["minutes.txt"]
    page = client.get(back).get_data(as_text=True)
    assert "@Bob Durand</a>" in page and "minutes.txt" in page
    bob, _ = client_for(mail_db, ids["bob"])
    inbox = bob.get("/web").get_data(as_text=True)
    assert re.search(r'class="inbox-count">\d+<span class="visually-hidden"> unread', inbox)


def test_send_a_message_in_json_and_errors(mail_db):
    ids = mail_db.test_ids
    client, csrf = client_for(mail_db, ids["alice"])
    data = {"csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"],
            "kind": "message", "body": "To everyone"}
    response = client.post("/mail/thread/post", data=data,
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["ok"]
    with mail_db.environment() as env:
        assert env["mail.message"].browse(response.json["id"]).subtype_id == env.ref(
            "mail.mt_comment")
    empty = client.post("/mail/thread/post", data={**data, "body": "  "},
                        headers={"Accept": "application/json"})
    assert empty.status_code == 422 and "Write something" in empty.json["error"]["message"]
    theirs = client.post("/mail/thread/post", data={**data, "res_id": ids["theirs"]},
                         headers={"Accept": "application/json"})
    assert theirs.status_code == 403
    forged = client.post("/mail/thread/post", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert client.post("/mail/thread/post", data={**data, "res_model": "res.partner"},
                       headers={"Accept": "application/json"}).status_code == 404


def test_follow_unfollow_add_and_remove(mail_db):
    ids = mail_db.test_ids
    client, csrf = client_for(mail_db, ids["alice"])
    where = {"csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"],
             "next": form_url(mail_db, "mine")}
    assert client.post("/mail/thread/unfollow", data=where).status_code == 303
    page = client.get(form_url(mail_db, "mine")).get_data(as_text=True)
    assert ">Follow</button>" in page
    assert client.post("/mail/thread/follow", data=where).status_code == 303
    assert client.post("/mail/thread/followers/add",
                       data={**where, "partner_id": ids["bob_partner"]}).status_code == 303
    page = client.get(form_url(mail_db, "mine")).get_data(as_text=True)
    assert "Remove Bob Durand from the followers" in page
    follower = int(re.search(r'action="/mail/followers/(\d+)/remove"', page).group(1))
    subtypes = re.search(r'action="/mail/followers/(\d+)/subtypes"', page)
    assert subtypes and "Stage changed" in page
    with mail_db.environment() as env:
        stage = env.ref("test_mail.mt_stage_changed").id
    assert client.post(f"/mail/followers/{subtypes.group(1)}/subtypes", data={
        "csrf_token": csrf, "subtype_ids": [str(stage)]}).status_code == 303
    with mail_db.environment() as env:
        assert env["mail.followers"].browse(int(subtypes.group(1))).subtype_ids.ids == [stage]
    # bob may leave, but not remove alice from her own record
    bob, bob_csrf = client_for(mail_db, ids["bob"])
    assert bob.post(f"/mail/followers/{subtypes.group(1)}/remove",
                    data={"csrf_token": bob_csrf}).status_code in (403, 404)
    assert client.post(f"/mail/followers/{follower}/remove",
                       data={"csrf_token": csrf}).status_code == 303
    assert "Remove Bob Durand" not in client.get(form_url(mail_db, "mine")).get_data(
        as_text=True)


def test_schedule_edit_done_and_cancel_activities(mail_db):
    ids = mail_db.test_ids
    client, csrf = client_for(mail_db, ids["alice"])
    with mail_db.environment() as env:
        call = env.ref("mail.activity_type_call").id
    where = {"csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"],
             "next": form_url(mail_db, "mine")}
    response = client.post("/mail/activity/schedule", data={
        **where, "activity_type_id": call, "summary": "Call the buyer",
        "date_deadline": "2030-01-15", "user_id": ids["alice"], "note": "Ask about delivery"},
        headers={"Accept": "application/json"})
    assert response.status_code == 200
    activity = response.json["id"]
    bad = client.post("/mail/activity/schedule", data={**where, "date_deadline": "15/01"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 422
    page = client.get(form_url(mail_db, "mine")).get_data(as_text=True)
    assert "Call the buyer" in page and "Planned" in page and "Ask about delivery" in page
    assert client.post(f"/mail/activity/{activity}/edit", data={
        "csrf_token": csrf, "summary": "Call the buyer again", "date_deadline": "2030-01-20",
        "activity_type_id": call}).status_code == 303
    done = client.post(f"/mail/activity/{activity}/done", data={
        "csrf_token": csrf, "feedback": "Delivery on Monday"},
        headers={"Accept": "application/json"})
    assert done.status_code == 200 and done.json["message_ids"]
    page = client.get(form_url(mail_db, "mine")).get_data(as_text=True)
    assert "Call done" in page and "Delivery on Monday" in page
    assert "Call the buyer again" in page  # in the log, no more in the activities
    other = client.post("/mail/activity/schedule", data={**where, "activity_type_id": call},
                        headers={"Accept": "application/json"}).json["id"]
    bob, bob_csrf = client_for(mail_db, ids["bob"])
    assert bob.post(f"/mail/activity/{other}/cancel",
                    data={"csrf_token": bob_csrf}).status_code in (403, 404)
    assert client.post(f"/mail/activity/{other}/cancel",
                       data={"csrf_token": csrf}).status_code == 303
    with mail_db.environment() as env:
        assert not env["mail.activity"].with_context(active_test=False).browse(
            other).exists()


def test_mention_suggestions_are_internal_users(mail_db):
    client, _csrf = client_for(mail_db, mail_db.test_ids["alice"])
    found = client.get("/mail/mentions?q=bob").json
    assert [person["name"] for person in found] == ["Bob Durand"]
    assert found[0]["id"] == mail_db.test_ids["bob_partner"]


def test_inbox_read_one_read_all_and_preferences(mail_db):
    ids = mail_db.test_ids
    alice, csrf = client_for(mail_db, ids["alice"])
    for text in ("one", "two"):
        alice.post("/mail/thread/post", data={
            "csrf_token": csrf, "res_model": "test.mail.record", "res_id": ids["mine"],
            "body": f"@Bob Durand {text}", "mention_ids": str(ids["bob_partner"])})
    bob, bob_csrf = client_for(mail_db, ids["bob"])
    page = bob.get("/mail/inbox").get_data(as_text=True)
    assert "Alice&#39;s deal" in page and "one</p>" in page and "Mark all as read" in page
    notification = int(re.search(r'action="/mail/inbox/(\d+)/read"', page).group(1))
    opened = bob.get(f"/mail/inbox/open/{notification}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(
        f"/mail/open/test.mail.record/{ids['mine']}")
    with mail_db.environment() as env:
        unread = env(uid=ids["bob"], su=False)["mail.notification"].unread_count()
    assert bob.post("/mail/inbox/read_all", data={"csrf_token": bob_csrf}).status_code == 303
    assert "Nothing new" in bob.get("/mail/inbox").get_data(as_text=True)
    assert "one</p>" in bob.get("/mail/inbox?show=all").get_data(as_text=True)
    assert unread >= 1
    # alice may not mark bob's notifications
    assert alice.post(f"/mail/inbox/{notification}/read",
                      data={"csrf_token": csrf}).status_code in (403, 404)
    saved = bob.post("/mail/inbox/preferences", data={"csrf_token": bob_csrf,
                                                      "notification_type": "email"})
    assert saved.status_code == 303
    with mail_db.environment() as env:
        assert env["res.users"].browse(ids["bob"]).notification_type == "email"
    refused = bob.post("/mail/inbox/preferences", data={
        "csrf_token": bob_csrf, "notification_type": "inbox", "channels": "pigeon"})
    assert refused.status_code == 422


def test_open_leads_to_the_form(mail_db):
    ids = mail_db.test_ids
    client, _csrf = client_for(mail_db, ids["alice"])
    response = client.get(f"/mail/open/test.mail.record/{ids['mine']}")
    assert response.status_code == 303
    assert f"/web/action/{ids['action']}/{ids['mine']}?menu=" in response.headers["Location"]
    assert client.get(f"/mail/open/test.mail.record/{ids['theirs']}").status_code == 403
    assert client.get("/mail/open/no.such.model/1").status_code == 404


def test_older_messages_and_the_panel(mail_db):
    ids = mail_db.test_ids
    with mail_db.environment() as env:
        record = env["test.mail.record"].create({"name": "Chatty", "user_id": ids["alice"]})
        for index in range(25):
            record.message_post(body=f"<p>message {index}</p>")
        chatty = record.id
    client, _csrf = client_for(mail_db, ids["alice"])
    page = client.get(f"/web/action/{ids['action']}/{chatty}").get_data(as_text=True)
    assert "message 24" in page and "message 4<" not in page and "Older messages" in page
    more = client.get(f"/mail/thread/timeline?model=test.mail.record&id={chatty}"
                      f"&offset=20&fragment=1")
    assert more.headers["X-Has-More"] == "0"
    body = more.get_data(as_text=True)
    assert "message 4<" in body and "<html" not in body and "Created this record." in body
    full = client.get(f"/mail/thread/timeline?model=test.mail.record&id={chatty}&offset=20")
    assert "<html" in full.get_data(as_text=True)
    panel = client.get(f"/mail/thread/panel?model=test.mail.record&id={chatty}&next=/web")
    assert 'id="chatter"' in panel.get_data(as_text=True)
    assert client.get(f"/mail/thread/panel?model=test.mail.record&id={ids['theirs']}"
                      ).status_code == 403


def test_form_queries_do_not_grow_with_the_thread(mail_db):
    ids = mail_db.test_ids
    with mail_db.environment() as env:
        small, large = env["test.mail.record"].create([
            {"name": "Small", "user_id": ids["alice"]}, {"name": "Large", "user_id": ids["alice"]}])
        partners = env["res.partner"].create([{"name": f"Follower {i}"} for i in range(12)])
        # both first pages hold messages, files and a tracked change (the creation, with
        # its names to look up, is on a later page for both)
        for record, count in ((small, 22), (large, 60)):
            record.message_subscribe(partners[:count // 5].ids)
            for index in range(count):
                record.message_post(body=f"<p>m{index}</p>", attachments=[
                    (f"f{index}.txt", b"x")] if index % 3 == 0 else [])
            record.activity_schedule("mail.activity_type_call", user_id=ids["alice"])
            if count > 22:
                record.activity_schedule("mail.activity_type_todo", user_id=ids["bob"])
            record.write({"amount": count, "stage": "won"})
        small, large = small.id, large.id
    client, _csrf = client_for(mail_db, ids["alice"])
    counts = {}
    for rec_id in (small, large, small, large):
        with count_queries(mail_db.engine) as counter:
            assert client.get(f"/web/action/{ids['action']}/{rec_id}").status_code == 200
        counts[rec_id] = counter.count
    assert counts[small] == counts[large], counts
