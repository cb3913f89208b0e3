"""The chatter kernel: mail.thread (posting, followers, tracked changes from the change
journal, the merged timeline) and access to messages following their record."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError, ValidationError
from core.mail.timeline import tracked_fields
from core.testing import count_queries


@pytest.fixture
def users(env):
    internal = env.ref("base.group_user")
    portal = env.ref("base.group_portal")
    make = env["res.users"].create
    return (make({"name": "Alice Martin", "login": "mt_alice", "email": "alice@example.com",
                  "groups_id": [(6, 0, [internal.id])]}),
            make({"name": "Bob Durand", "login": "mt_bob", "email": "bob@example.com",
                  "groups_id": [(6, 0, [internal.id])]}),
            make({"name": "Carla Portal", "login": "mt_carla", "email": "carla@example.com",
                  "groups_id": [(6, 0, [portal.id])]}))


def as_user(env, user):
    return env(uid=user.id, su=False)


def test_creator_and_owner_follow_the_record(env, users):
    alice, bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Deal", "user_id": False})
    assert record.message_follower_ids.mapped("partner_id") == alice.partner_id
    assert record.message_is_follower
    record.write({"user_id": alice.id})
    env["test.mail.record"].browse(record.id).write({"user_id": bob.id})
    followers = env["test.mail.record"].browse(record.id).message_follower_ids
    assert set(followers.mapped("partner_id").ids) == {alice.partner_id.id, bob.partner_id.id}
    # the system (data files, imports as superuser) does not follow what it creates
    system = env["test.mail.record"].create({"name": "By the system"})
    assert not system.message_follower_ids
    quiet = as_user(env, alice)["test.mail.record"].with_context(
        mail_create_nosubscribe=True).create({"name": "Quiet"})
    assert not quiet.message_follower_ids


def test_followers_get_the_default_subtypes_and_can_change_them(env, users):
    alice, bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Subtypes"})
    follower = record.message_follower_ids
    names = set(follower.subtype_ids.mapped("name"))
    assert {"Discussions", "Activities", "Stage changed"} <= names and "Note" not in names
    note = env.ref("mail.mt_note")
    record.message_subscribe([alice.partner_id.id], subtype_ids=[note.id])
    assert follower.subtype_ids == note
    # adding someone else needs the right to modify the record; leaving is always allowed
    theirs = env["test.mail.record"].create({"name": "Bob's", "user_id": bob.id})
    with pytest.raises(AccessError):
        as_user(env, alice)["test.mail.record"].browse(theirs.id).message_subscribe(
            [alice.partner_id.id])
    record.message_subscribe([bob.partner_id.id])
    assert bob.partner_id in record.message_follower_ids.mapped("partner_id")
    record.message_unsubscribe([alice.partner_id.id])
    assert not record.message_is_follower


def test_post_a_note_and_a_message(env, users):
    alice, bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Posting"})
    note = record.message_post(body="<p>Called <b>him</b><script>x()</script></p>")
    assert note.subtype_id == env.ref("mail.mt_note") and note.is_internal
    assert note.author_id == alice.partner_id and note.email_from == "alice@example.com"
    assert note.record_name == "Posting" and "<script>" not in note.body
    assert note.message_id.startswith("<") and note.message_id.endswith(">")
    message = record.message_post(body="<p>Hello</p>", subtype_xmlid="mail.mt_comment",
                                  attachments=[("offer.txt", b"the offer")])
    assert not message.is_internal
    assert message.attachment_ids.mapped("name") == ["offer.txt"]
    assert message.attachment_ids.res_model == "test.mail.record"  # in the Documents too
    assert record.message_ids == message | note
    assert record.search([("message_ids", "in", note.ids)]) == record
    # the Message-Id is unique: a duplicate (an e-mail received twice) is refused
    with pytest.raises(ValidationError):
        with env.savepoint():
            record.message_post(body="again", message_type="email",
                                message_id=message.message_id)
    # posting needs the right to modify the record (mail.thread's default)
    theirs = env["test.mail.record"].create({"name": "Bob's", "user_id": bob.id})
    with pytest.raises(AccessError):
        as_user(env, alice)["test.mail.record"].browse(theirs.id).message_post(body="hi")


def test_readers_may_post_where_the_model_says_so(env, users):
    alice, _bob, _carla = users
    thread = env["test.mail.open"].create({"name": "Open to all"})
    mine = as_user(env, alice)["test.mail.open"].browse(thread.id)
    with pytest.raises(AccessError):
        mine.write({"name": "renamed"})
    assert mine.message_post(body="A reader's note").author_id == alice.partner_id


def test_messages_follow_the_record(env, users):
    alice, bob, carla = users
    mine = env["test.mail.record"].create({"name": "Alice's", "user_id": alice.id})
    theirs = env["test.mail.record"].create({"name": "Bob's", "user_id": bob.id})
    mine.message_post(body="on mine")
    hidden = theirs.message_post(body="on theirs")
    messages = as_user(env, alice)["mail.message"]
    found = messages.search([("res_model", "=", "test.mail.record")])
    assert found.mapped("body") == ["on mine"]
    with pytest.raises(AccessError):
        messages.browse(hidden.id).read(["body"])
    # only its author (or an administrator) changes or deletes a message
    own = as_user(env, alice)["test.mail.record"].browse(mine.id).message_post(body="mine")
    own.write({"body": "<p>edited</p>"})
    by_system = messages.browse(found.id)
    with pytest.raises(AccessError):
        by_system.unlink()
    # portal users never see internal notes, even on records they may read
    assert not as_user(env, carla)["mail.message"].search([("id", "=", own.id)])


def test_tracked_changes_come_from_the_journal(env, users):
    alice, _bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Tracked"})
    assert {"name", "user_id", "stage", "amount", "state"} <= set(tracked_fields(record))
    assert "description" not in tracked_fields(record)
    record.write({"description": "not tracked"})
    record.write({"amount": 10})
    record.write({"state": "open"})  # a workflow move: tracked without tracking=True
    timeline = record._message_timeline()
    kinds = [(item.kind, item.operation, [c["field"] for c in item.changes])
             for item in timeline.items]
    assert ("journal", "write", ["amount"]) in kinds and ("journal", "write", ["state"]) in kinds
    assert ("journal", "create", ["name", "stage", "state"]) in kinds
    assert not any("description" in fields for _kind, _op, fields in kinds)
    # nothing was stored twice: no message for these changes
    assert not env["mail.message"].search([("res_model", "=", "test.mail.record"),
                                           ("res_id", "=", record.id)])


def test_a_subtype_announces_a_field_change_to_its_followers(env, users):
    alice, bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Stages"})
    record.message_subscribe([bob.partner_id.id])
    record.write({"stage": "won", "amount": 3})
    announced = env["mail.message"].search([("res_model", "=", "test.mail.record"),
                                            ("res_id", "=", record.id)])
    assert announced.subtype_id == env.ref("test_mail.mt_stage_changed")
    assert announced.journal_id.changes["stage"] == ["new", "won"]
    assert announced.notification_ids.mapped("res_partner_id") == bob.partner_id
    timeline = record._message_timeline().items
    first = timeline[0]
    assert first.kind == "message" and first.subtype == "Stage changed"
    assert [c["field"] for c in first.changes] == ["stage", "amount"]
    # the journal entry is shown once, with its message
    assert sum(1 for item in timeline if item.kind == "journal" and item.operation == "write") == 0


def test_hidden_fields_stay_hidden_in_the_timeline(env, users):
    alice, _bob, _carla = users
    record = env["test.mail.record"].create({"name": "Secret", "user_id": alice.id})
    record.write({"margin": 42, "amount": 5})
    seen = as_user(env, alice)["test.mail.record"].browse(record.id)._message_timeline()
    fields = {c["field"] for item in seen.items for c in item.changes}
    assert "amount" in fields and "margin" not in fields
    assert "margin" in {c["field"] for item in record._message_timeline().items
                             for c in item.changes}


def test_timeline_pages_newest_first_in_two_queries(env, users):
    alice, _bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Busy"})
    for index in range(7):
        record.message_post(body=f"<p>note {index}</p>",
                            attachments=[(f"f{index}.txt", b"x")] if index % 2 else [])
    record.write({"amount": 1})
    sudo_record = env["test.mail.record"].browse(record.id)
    sudo_record._message_timeline(limit=1)  # warm the caches (workflows, rules)
    with count_queries(env) as counter:
        first = sudo_record._message_timeline(limit=4)
    assert counter.count == 2, counter.statements
    assert len(first.items) == 4 and first.has_more
    dates = [item.date for item in first.items]
    assert dates == sorted(dates, reverse=True)
    rest = sudo_record._message_timeline(limit=20, offset=4)
    assert not rest.has_more and len(first.items) + len(rest.items) == 9  # 7 + write + create
    assert rest.items[-1].operation == "create"
    files = [f["name"] for item in first.items + rest.items for f in item.attachments]
    assert sorted(files) == ["f1.txt", "f3.txt", "f5.txt"]
    mine = record._message_timeline(limit=4)
    assert [i.id for i in mine.items] == [i.id for i in first.items]


def test_unreadable_records_show_an_empty_timeline(env, users):
    alice, bob, _carla = users
    theirs = env["test.mail.record"].create({"name": "Bob's", "user_id": bob.id})
    theirs.message_post(body="private")
    timeline = as_user(env, alice)["test.mail.record"].browse(theirs.id)._message_timeline()
    assert timeline.items == [] and not timeline.has_more


def test_deleting_a_record_deletes_its_thread(env, users):
    alice, _bob, _carla = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Doomed"})
    record.message_post(body="bye")
    record.activity_schedule("mail.activity_type_todo")
    rec_id = record.id
    record.unlink()
    for model in ("mail.message", "mail.followers", "mail.activity"):
        assert not env[model].with_context(active_test=False).search([
            ("res_model", "=", "test.mail.record"), ("res_id", "=", rec_id)]), model


def test_the_addons_pass_the_load_time_checks(comptoir_available):
    from core.modules.checks import run_checks
    assert [str(m) for m in run_checks(comptoir_available, ["base", "mail", "test_mail"])] == []
