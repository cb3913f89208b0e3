"""Activities: scheduled on any record with an owner and a due date, states relative to
the owner's time zone, done activities logged on the record's chatter, reminders."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, ValidationError
from core.mail.models.mail_activity import activity_state, local_today
from core.testing import count_queries


@pytest.fixture
def users(env):
    internal = env.ref("base.group_user")
    make = env["res.users"].create
    return (make({"name": "Alice Martin", "login": "ac_alice", "tz": "Pacific/Auckland",
                  "groups_id": [(6, 0, [internal.id])]}),
            make({"name": "Bob Durand", "login": "ac_bob", "tz": "America/Los_Angeles",
                  "groups_id": [(6, 0, [internal.id])]}))


def as_user(env, user):
    return env(uid=user.id, su=False)


def test_state_is_relative_to_the_owners_day():
    # 11:30 UTC: already tomorrow in Auckland (UTC+13 in November), still today in LA
    now = dt.datetime(2026, 11, 23, 11, 30)
    assert local_today("Pacific/Auckland", now) == dt.date(2026, 11, 24)
    assert local_today("America/Los_Angeles", now) == dt.date(2026, 11, 23)
    assert local_today("Not/AZone", now) == dt.date(2026, 11, 23)
    today = dt.date(2026, 11, 23)
    assert activity_state(dt.date(2026, 11, 22), today) == "overdue"
    assert activity_state(today, today) == "today"
    assert activity_state(dt.date(2026, 11, 24), today) == "planned"


def test_schedule_with_the_types_delay_and_summary(env, users):
    alice, bob = users
    record = as_user(env, alice)["test.mail.record"].create({"name": "Customer"})
    call = record.activity_schedule("mail.activity_type_call")
    assert call.user_id == alice and not call.summary
    assert call.date_deadline == local_today(alice.tz) + dt.timedelta(days=2)  # her day
    upload = record.activity_schedule("mail.activity_type_upload", user_id=bob.id)
    assert upload.summary == "Upload the document"
    assert record.activity_ids == call | upload
    assert upload.res_name == "Customer"
    # the owner follows the record and hears of the assignment
    assert bob.partner_id in env["test.mail.record"].browse(record.id)\
        .message_follower_ids.mapped("partner_id")
    told = env["mail.notification"].search([("res_partner_id", "=", bob.partner_id.id)])
    assert "Alice Martin assigned you an activity" in told.mail_message_id.body
    assert told.mail_message_id.message_type == "user_notification"
    assert all(item.message_type != "user_notification"  # not on the record's timeline
               for item in record._message_timeline().items)


def test_scheduling_needs_the_right_to_post(env, users):
    alice, bob = users
    theirs = env["test.mail.record"].create({"name": "Bob's", "user_id": bob.id})
    activities = as_user(env, alice)["mail.activity"]
    with pytest.raises(AccessError):
        activities.create({"res_model": "test.mail.record", "res_id": theirs.id,
                           "activity_type_id": env.ref("mail.activity_type_todo").id})
    with pytest.raises(ValidationError):
        activities.create({"res_model": "mail.thread", "res_id": 1})
    with pytest.raises(ValidationError):
        activities.create({"res_model": "test.mail.record", "res_id": 999999})
    # activities on records of models without a chatter work too (a contact)
    partner = env["res.partner"].create({"name": "Someone"})
    todo = activities.create({"res_model": "res.partner", "res_id": partner.id,
                              "summary": "Check the address"})
    assert todo.res_name == "Someone"


def test_done_logs_the_outcome_on_the_record(env, users):
    alice, bob = users
    record = env["test.mail.record"].create({"name": "Bob's", "user_id": bob.id})
    activity = as_user(env, bob)["test.mail.record"].browse(record.id).activity_schedule(
        "mail.activity_type_call", summary="Call back", note="<p>About the renewal</p>")
    # someone who may neither modify the record nor owns the activity may not close it
    with pytest.raises(AccessError):
        as_user(env, alice)["mail.activity"].browse(activity.id).action_done("no")
    messages = activity.action_done("He renews for two years")
    logged = messages.sudo()
    assert logged.subtype_id == env.ref("mail.mt_activities")
    assert logged.mail_activity_type_id == env.ref("mail.activity_type_call")
    assert "Call back" in logged.body and "About the renewal" in logged.body
    assert "He renews for two years" in logged.body and logged.author_id == bob.partner_id
    done = env["mail.activity"].with_context(active_test=False).browse(activity.id)
    assert not done.active and done.date_done and done.feedback == "He renews for two years"
    assert not env["test.mail.record"].browse(record.id).activity_ids  # out of the lists
    first = record._message_timeline().items[0]
    assert first.activity_type == "Call" and "renews" in first.body
    assert not activity.action_done()  # done once


def test_owner_may_close_an_activity_on_a_record_he_cannot_read(env, users):
    alice, bob = users
    record = env["test.mail.record"].create({"name": "Alice's", "user_id": alice.id})
    activity = as_user(env, alice)["test.mail.record"].browse(record.id).activity_schedule(
        "mail.activity_type_todo", user_id=bob.id)
    # bob may not read the record: he does not follow it, but his activity is his
    assert bob.partner_id not in record.message_follower_ids.mapped("partner_id")
    mine = as_user(env, bob)["mail.activity"]
    assert mine.search([("id", "=", activity.id)]).read(["res_name"])[0]["res_name"] == \
        "Alice's"
    with pytest.raises(AccessError):
        as_user(env, bob)["test.mail.record"].browse(record.id).read(["name"])
    mine.browse(activity.id).write({"summary": "rescheduled", "date_deadline": "2030-01-01"})
    mine.browse(activity.id).action_done()
    assert not activity.with_context(active_test=False).active


def test_states_are_refreshed_as_days_pass(env, users):
    alice, bob = users
    record = env["test.mail.record"].create({"name": "Later"})
    today = local_today(alice.tz)
    activity = env["mail.activity"].create({
        "res_model": "test.mail.record", "res_id": record.id, "user_id": alice.id,
        "date_deadline": today + dt.timedelta(days=1)})
    assert activity.state == "planned"
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(12)) - \
        dt.timedelta(hours=13)  # midday in Auckland
    assert env["mail.activity"]._refresh_states(tomorrow) >= 1
    assert env["mail.activity"].browse(activity.id).state == "today"
    env["mail.activity"]._refresh_states(tomorrow + dt.timedelta(days=1))
    assert env["mail.activity"].browse(activity.id).state == "overdue"
    # a new owner, a new zone: recomputed at once
    activity.write({"user_id": bob.id, "date_deadline": local_today(bob.tz)})
    assert activity.state == "today"
    board = env["mail.activity"].read_group([("id", "=", activity.id)], ["state"], ["state"])
    assert [group["state"] for group in board] == ["today"]


def test_reminders_are_sent_once_before_the_deadline(env, users):
    alice, bob = users
    record = env["test.mail.record"].create({"name": "Renewal"})
    today = local_today(bob.tz)
    soon, later = env["mail.activity"].create([
        {"res_model": "test.mail.record", "res_id": record.id, "user_id": bob.id,
         "summary": "Soon", "date_deadline": today + dt.timedelta(days=1)},
        {"res_model": "test.mail.record", "res_id": record.id, "user_id": bob.id,
         "summary": "Later", "date_deadline": today + dt.timedelta(days=5)}])
    before = env["mail.notification"].search_count([("res_partner_id", "=", bob.partner_id.id)])
    reminded = env["mail.activity"]._send_reminders()
    assert soon in reminded and later not in reminded
    notes = env["mail.notification"].search([("res_partner_id", "=", bob.partner_id.id)])
    assert len(notes) == before + 1
    assert "Reminder: Soon on Renewal is due on" in notes[0].mail_message_id.body
    assert not env["mail.activity"]._send_reminders().filtered(lambda a: a == soon)  # once
    env["ir.config_parameter"].set_param("mail.activity.reminder_days", "7")
    assert later in env["mail.activity"]._send_reminders()
    # moving the deadline asks for a new reminder
    soon.write({"date_deadline": today})
    assert soon in env["mail.activity"]._send_reminders()


def test_scheduled_actions_exist(env):
    crons = env["ir.cron"].search([("model", "=", "mail.activity")])
    assert sorted(crons.mapped("method")) == ["_cron_refresh_states", "_cron_send_reminders"]
    for cron in crons:
        cron.action_run_now()


def test_my_activities_views(env):
    action = env.ref("mail.mail_activity_action_my")
    assert action._eval_domain() == [("user_id", "=", env.uid)]
    assert action._view_modes() == ["kanban", "list", "calendar", "form"]
    kanban = env["ir.ui.view"].get_view("mail.activity", "kanban")
    assert kanban.arch.get("default_group_by") == "state"
    assert env["ir.ui.view"].get_view("mail.activity", "calendar").arch.get(
        "date_start") == "date_deadline"


def test_scheduling_in_batch_costs_the_same_queries(env, users):
    alice, bob = users
    me = as_user(env, alice)["test.mail.record"]
    small = me.create([{"name": f"S{i}"} for i in range(3)])
    large = me.create([{"name": f"L{i}"} for i in range(30)])
    me.create([{"name": "W1"}, {"name": "W2"}]).activity_schedule(  # warm the caches
        "mail.activity_type_call", user_id=bob.id)
    counts = {}
    for records in (small, large):
        with count_queries(env) as counter:
            records.activity_schedule("mail.activity_type_call", user_id=bob.id)
        counts[len(records)] = counter.count
    assert counts[3] == counts[30], counts
    told = env["mail.notification"].search([("res_partner_id", "=", bob.partner_id.id)])
    assert len(told) == 3 and "assigned you 30 activities" in told[0].mail_message_id.body
    assert "assigned you 3 activities" in told[1].mail_message_id.body
    assert all(bob.partner_id in r.message_follower_ids.mapped("partner_id") for r in large)
