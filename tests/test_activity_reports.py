"""Activity reports: an activity type naming a report model makes "mark as done" create
the report (pre-filled by the report model) and the chatter open it."""
from __future__ import annotations

import pytest

from core.exceptions import ValidationError
from core.modules.loading import Database
from core.testing.web import client_for


@pytest.fixture
def report_type(env):
    return env["mail.activity.type"].create({"name": "Inspection", "category": "meeting",
                                             "report_model": "test.mail.report"})


def make_user(env, login, *groups):
    return env["res.users"].create({
        "name": login.title(), "login": login,
        "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])]})


def test_the_report_model_must_inherit_the_mixin(env):
    kinds = env["mail.activity.type"]
    for wrong in ("test.no.such.model", "test.mail.record", "mail.activity.report"):
        with pytest.raises(ValidationError, match="is not a report model"):
            with env.savepoint():
                kinds.create({"name": "Audit", "report_model": wrong})


def test_done_creates_the_report_then_logs_the_activity(env, report_type):
    admin = make_user(env, "ar_admin", "base.group_system")
    record = env["test.mail.record"].create({"name": "Plant"})
    mine = env(uid=admin.id, su=False)
    activity = mine["test.mail.record"].browse(record.id).activity_schedule(
        activity_type_id=report_type.id, summary="Yearly inspection")
    messages = activity.action_done("All valves checked")
    report = activity._done_report()
    assert report._name == "test.mail.report" and report.activity_id == activity
    assert report.name == "All valves checked" and report.record_id == record
    assert report.create_uid == admin  # written as the user
    assert not activity.with_context(active_test=False).active
    assert "All valves checked" in messages.sudo().body
    # an activity of another type has no report
    plain = record.activity_schedule("mail.activity_type_call")
    plain.action_done()
    assert plain._done_report() is None


def test_who_may_not_write_reports_still_marks_done(env, report_type):
    clerk = make_user(env, "ar_clerk")
    record = env["test.mail.record"].create({"name": "Depot", "user_id": clerk.id})
    activity = env(uid=clerk.id, su=False)["test.mail.record"].browse(record.id)\
        .activity_schedule(activity_type_id=report_type.id)
    activity.action_done("Looked fine")
    assert not activity.with_context(active_test=False).active
    assert activity._done_report() is None
    assert not env["test.mail.report"].search([("activity_id", "=", activity.id)])


@pytest.fixture(scope="module")
def report_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("reports"), "reports")
    database = Database(url, available=comptoir_available)
    database.install(["test_mail"])
    with database.environment() as env:
        admin = make_user(env, "ar_web", "base.group_system")
        kind = env["mail.activity.type"].create({"name": "Inspection",
                                                 "report_model": "test.mail.report"})
        record = env["test.mail.record"].create({"name": "Plant", "user_id": admin.id})
        database.test_ids = {"admin": admin.id, "kind": kind.id, "record": record.id,
                             "action": env.ref("test_mail.test_mail_record_action").id}
    yield database
    database.engine.dispose()
    drop()


def schedule(database, summary):
    ids = database.test_ids
    with database.environment() as env:
        return env["test.mail.record"].browse(ids["record"]).activity_schedule(
            activity_type_id=ids["kind"], summary=summary, user_id=ids["admin"]).id


def test_the_chatter_opens_the_report(report_db):
    ids = report_db.test_ids
    client, csrf = client_for(report_db, ids["admin"])
    activity_id = schedule(report_db, "Inspect the boiler")
    page = client.get(f"/web/action/{ids['action']}/{ids['record']}").get_data(as_text=True)
    assert "Done and write the report" in page and "Its report opens next" in page
    answer = client.post(f"/mail/activity/{activity_id}/done",
                         data={"csrf_token": csrf, "feedback": "Boiler fine"},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200
    with report_db.environment() as env:
        report = env["test.mail.report"].search([("activity_id", "=", activity_id)])
        assert report.name == "Boiler fine"
    assert answer.get_json()["redirect"] == f"/mail/open/test.mail.report/{report.id}"
    # without script: a plain redirection
    second = schedule(report_db, "Inspect the pipes")
    plain = client.post(f"/mail/activity/{second}/done", data={"csrf_token": csrf})
    assert plain.status_code == 303
    assert "/mail/open/test.mail.report/" in plain.headers["Location"]
