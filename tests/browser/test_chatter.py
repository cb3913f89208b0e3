"""The chatter in Chromium: a note with an @mention picked from the keyboard, unfollow and
follow, schedule an activity and mark it done (logged on the record), the mentioned
colleague's inbox and unread counter; axe audits and screenshots."""
from __future__ import annotations

import datetime as dt

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit, login

PASSWORD = "chatter-2026"


@pytest.fixture(scope="module")
def chatter_server(tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('chatter-live') / 'chatter.db'}"
    database = Database(url, available=comptoir_available)
    database.install(["test_mail"])
    with database.environment() as env:
        admin = env.ref("base.user_admin")
        admin.write({"tz": "Europe/Paris", "lang": "en_US", "password": PASSWORD})
        bob = env["res.users"].create({
            "name": "Bob Durand", "login": "bob", "email": "bob@example.com",
            "password": PASSWORD, "tz": "Europe/Paris",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        customer = env["res.partner"].create({"name": "Atelier Durand"})
        record = env(uid=admin.id, su=False)["test.mail.record"].create({
            "name": "Atelier Durand renewal", "user_id": admin.id, "partner_id": customer.id,
            "amount": 12000})
        record.write({"stage": "qualified"})
        record.message_post(body="<p>Met the owner at the trade fair.</p>")
        database.test_ids = {"record": record.id, "bob": bob.id,
                             "action": env.ref("test_mail.test_mail_record_action").id}
    server = LiveServer(database)
    yield server
    server.stop()
    database.engine.dispose()


def shot(target, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_note_mention_follow_and_activity(page, chatter_server) -> None:
    server, ids = chatter_server, chatter_server.database.test_ids
    login(page, server, "admin", PASSWORD)
    page.goto(f"{server.url}/web/action/{ids['action']}/{ids['record']}")
    chatter = page.get_by_role("region", name="Discussion")
    assert "Met the owner at the trade fair." in chatter.inner_text()
    assert audit(page) == []
    # a note with an @mention picked from the suggestions with the keyboard
    body = page.get_by_label("Internal note (only the people you mention are told)")
    body.click()
    body.press_sequentially("Bob, please call them @Bo", delay=20)
    option = page.get_by_role("option", name="Bob Durand")
    option.wait_for()
    assert audit(page) == []
    body.press("Enter")
    body.press_sequentially("today.", delay=10)
    assert body.input_value() == "Bob, please call them @Bob Durand today."
    page.get_by_role("button", name="Log", exact=True).click()
    page.locator(".chatter-timeline a", has_text="@Bob Durand").wait_for()
    with server.database.environment() as env:
        note = env["mail.message"].search([("res_model", "=", "test.mail.record")], limit=1)
        assert note.partner_ids.mapped("name") == ["Bob Durand"]
        assert env["mail.notification"].search_count(
            [("res_partner_id", "=", note.partner_ids.id)]) == 1
    # unfollow, then follow again
    chatter = page.locator("#chatter")
    chatter.get_by_role("button", name="Unfollow").click()
    page.locator("#chatter").get_by_role("button", name="Follow", exact=True).wait_for()
    page.locator("#chatter").get_by_role("button", name="Follow", exact=True).click()
    page.locator("#chatter").get_by_role("button", name="Unfollow").wait_for()
    # schedule a call, then mark it done with its outcome
    page.locator("#chatter summary", has_text="Schedule an activity").click()
    form = page.locator("#chatter .chatter-schedule form")
    form.get_by_label("Activity type").select_option(label="Call")
    assert form.get_by_label("Due date").input_value()  # proposed from the type's delay
    form.get_by_label("Summary").fill("Call the buyer about the renewal")
    assert audit(page) == []
    shot(page.locator("#chatter"), "chatter-schedule")
    form.get_by_role("button", name="Schedule").click()
    activities = page.locator("#chatter-activities")
    activities.locator(".activity-title", has_text="Call the buyer about the renewal").wait_for()
    assert "Planned" in activities.inner_text()
    assert audit(page) == []
    shot(page.locator("#chatter"), "chatter")
    page.locator("#chatter-activities summary", has_text="Mark as done").click()
    done = page.locator("#chatter-activities form[action$='/done']")
    done.get_by_label("Outcome").fill("They renew for two years.")
    done.get_by_role("button", name="Done").click()
    page.locator(".chatter-timeline", has_text="They renew for two years.").wait_for()
    activities = page.locator("#chatter-activities")
    assert "Nothing planned." in activities.inner_text()
    first = page.locator(".chatter-timeline > li").first
    assert "Call done" in first.inner_text() and "Call the buyer" in first.inner_text()
    assert audit(page) == []
    shot(page.locator("#chatter"), "chatter-after")
    page.screenshot(path=str(ARTIFACTS / "chatter-page.png"), full_page=True)


def test_the_mentioned_colleague_sees_it_in_his_inbox(page, chatter_server) -> None:
    server, ids = chatter_server, chatter_server.database.test_ids
    with server.database.environment() as env:
        record = env["test.mail.record"].browse(ids["record"])
        bob = env["res.users"].browse(ids["bob"])
        record.message_post(body=f'<p><a href="/mail/open/res.partner/{bob.partner_id.id}">'
                                 '@Bob Durand</a> the quote is attached</p>',
                            partner_ids=[bob.partner_id.id],
                            author_id=env.ref("base.partner_admin").id)
    login(page, server, "bob", PASSWORD)
    counter = page.locator(".inbox-link .inbox-count")
    assert int(counter.inner_text().split()[0]) >= 1
    page.get_by_role("link", name="Inbox").click()
    page.wait_for_url("**/mail/inbox")
    items = page.locator(".inbox-item.is-unread")
    assert items.count() >= 1 and "the quote is attached" in page.inner_text("main")
    assert audit(page) == []
    shot(page.locator("main"), "inbox")
    page.get_by_role("button", name="Mark all as read").click()
    page.get_by_text("Nothing new: you have read everything.").wait_for()
    assert page.locator(".inbox-link .inbox-count").count() == 0
    assert audit(page) == []


def test_my_activities_board_list_and_calendar(page, chatter_server) -> None:
    server, ids = chatter_server, chatter_server.database.test_ids
    with server.database.environment() as env:
        record = env["test.mail.record"].browse(ids["record"])
        admin = env.ref("base.user_admin")
        today = env["mail.activity"].create({"res_model": record._name, "res_id": record.id,
                                             "user_id": admin.id, "summary": "Send the quote"})
        for delta, summary in ((-3, "Chase the unpaid invoice"), (6, "Plan the visit")):
            today.copy({"summary": summary,
                        "date_deadline": today.date_deadline + dt.timedelta(days=delta)})
    login(page, server, "admin", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activities").click()
    page.wait_for_selector(".kanban-board")  # the action's first view: the board
    page.get_by_role("link", name="List").click()
    page.wait_for_selector("table.data-table")
    listed = page.locator("table.data-table tbody").inner_text()
    assert listed.index("Chase the unpaid invoice") < listed.index("Plan the visit")
    assert "Overdue" in listed and "Today" in listed and "Planned" in listed
    assert audit(page) == []
    page.get_by_role("link", name="Calendar").click()
    page.wait_for_selector(".cal-event")
    assert "Send the quote" in page.inner_text("main")
    assert audit(page) == []
    page.get_by_role("link", name="Kanban").click()
    page.wait_for_selector(".kanban-board")
    board = page.locator(".kanban-board").inner_text()
    for text in ("Overdue", "Today", "Planned", "Chase the unpaid invoice", "Send the quote",
                 "Plan the visit", "Atelier Durand renewal"):
        assert text in board, text
    assert audit(page) == []
    page.screenshot(path=str(ARTIFACTS / "my-activities.png"), full_page=True)
    page.locator(".kanban-card", has_text="Send the quote").get_by_role("link").first.click()
    page.wait_for_url("**/web/action/*/*")
    assert page.get_by_role("link", name="Atelier Durand renewal").count() == 1
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_url("**/web/action/*/*")
    assert "Done on" in page.inner_text("main")
    assert audit(page) == []
