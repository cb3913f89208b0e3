"""A visit from the browser's point of view: "Mark as done" on a Visit activity of an
opportunity opens the new visit report's form, pre-filled; the opportunity and the
account count their visit reports on their forms."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from core.testing import installed_database, scratch_database
from core.testing.web import client_for

from .lead_factories import make_lead, make_user


@pytest.fixture(scope="module")
def visit_db(engine_name, tmp_path_factory, comptoir_available, comptoir_addons):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("visitweb"), "visitweb")
    database = installed_database(url, comptoir_addons, available=comptoir_available)
    with database.environment() as env:
        rep = make_user(env, "vw_rep", "rep", name="Vera Rep")
        acme = env["res.partner"].create({"name": "Acme Web", "is_company": True})
        lead = make_lead(env, "Acme web shop", user_id=rep.id, partner_id=acme.id)
        database.test_ids = {
            "rep": rep.id, "lead": lead.id, "acme": acme.id,
            "pipeline": env.ref("crm_base.crm_lead_action_pipeline").id,
            "visits": env.ref("crm_base.crm_visit_report_action").id}
    yield database
    database.engine.dispose()
    drop()


def test_mark_a_visit_done_and_write_its_report(visit_db):
    ids = visit_db.test_ids
    with visit_db.environment(uid=ids["rep"]) as env:
        activity = env["crm.lead"].browse(ids["lead"]).activity_schedule(
            "crm_base.mail_activity_type_visit", summary="Demo of the shop",
            date_deadline=dt.date(2026, 3, 10))
        activity_id = activity.id
    client, csrf = client_for(visit_db, ids["rep"])
    form = f"/web/action/{ids['pipeline']}/{ids['lead']}"
    html = client.get(form).get_data(as_text=True)
    assert "Done and write the report" in html
    done = client.post(f"/mail/activity/{activity_id}/done",
                       data={"csrf_token": csrf, "feedback": "Loved the demo", "next": form})
    assert done.status_code == 303 and "/mail/open/crm.visit.report/" in done.headers["Location"]
    opened = client.get(done.headers["Location"])
    assert opened.status_code == 303
    assert re.search(rf"/web/action/{ids['visits']}/\d+", opened.headers["Location"])
    report_page = client.get(opened.headers["Location"]).get_data(as_text=True)
    for text in ("Demo of the shop", "Acme Web", "Acme web shop", "Loved the demo",
                 "Vera Rep", 'id="chatter"'):
        assert text in report_page, text
    # the opportunity now counts one visit report, the account too
    lead_page = client.get(form).get_data(as_text=True)
    assert re.search(r'<span class="smart-count">1</span> <span class="smart-label">Visit '
                     r'Reports</span>', lead_page)
    assert "Done and write the report" not in lead_page  # the activity is done


def test_a_rep_writes_a_report_from_the_menu(visit_db):
    ids = visit_db.test_ids
    client, csrf = client_for(visit_db, ids["rep"])
    new = f"/web/action/{ids['visits']}/new"
    assert client.get(new).status_code == 200
    saved = client.post(new, data={"csrf_token": csrf, "name": "Walk-in visit",
                                   "partner_id": str(ids["acme"]), "date": "2026-03-11",
                                   "interest_level": "hot",
                                   "date_follow_up": "2026-03-18",
                                   "next_steps": "Send the price list"})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    with visit_db.environment() as env:
        report = env["crm.visit.report"].search([("name", "=", "Walk-in visit")])
        assert report.user_id.id == ids["rep"] and report.interest_level == "hot"
        assert report.follow_up_activity_id.summary == "Send the price list"
        assert report.follow_up_activity_id.res_model == "res.partner"
    missing = client.post(new, data={"csrf_token": csrf, "name": "Nowhere",
                                     "date": "2026-03-11"})
    assert missing.status_code == 422
    assert "Say which account or opportunity was visited." in missing.get_data(as_text=True)
