"""In Chromium: marking a Visit activity done from an opportunity's chatter lands on its
new report (the chatter's script follows the server's answer), which the rep completes;
axe audits of the report form and the sales dashboard."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from core.testing import installed_database
from core.testing.browser import LiveServer, audit, login

from .lead_factories import make_lead, make_user

PASSWORD = "visits-2026"


@pytest.fixture(scope="module")
def visit_server(tmp_path_factory, comptoir_available, comptoir_addons):
    url = f"sqlite:///{tmp_path_factory.mktemp('visit-live') / 'visits.db'}"
    database = installed_database(url, comptoir_addons, available=comptoir_available)
    with database.environment() as env:
        rep = make_user(env, "vb_rep", "rep", name="Vic Rep", password=PASSWORD)
        acme = env["res.partner"].create({"name": "Acme Browser", "is_company": True})
        lead = make_lead(env, "Acme kiosks", user_id=rep.id, partner_id=acme.id,
                         expected_revenue=5000)
        env(uid=rep.id, su=False)["crm.lead"].browse(lead.id).activity_schedule(
            "crm_base.mail_activity_type_visit", summary="Kiosk demo on site",
            date_deadline=dt.date(2026, 3, 10))
        database.test_ids = {
            "lead": lead.id, "pipeline": env.ref("crm_base.crm_lead_action_pipeline").id,
            "dashboard": env.ref("crm_base.crm_lead_action_dashboard").id}
    server = LiveServer(database)
    yield server
    server.stop()
    database.engine.dispose()


def test_mark_the_visit_done_then_complete_the_report(page, visit_server):
    server, ids = visit_server, visit_server.database.test_ids
    login(page, server, "vb_rep", PASSWORD)
    page.goto(f"{server.url}/web/action/{ids['pipeline']}/{ids['lead']}")
    activities = page.get_by_role("region", name="Activities")
    activities.get_by_text("Mark as done").click()
    activities.get_by_label("Outcome").fill("They want three kiosks")
    activities.get_by_role("button", name="Done and write the report").click()
    page.wait_for_url(re.compile(r"/web/action/\d+/\d+\?menu="))
    form = page.locator("form.record-form")
    assert form.get_by_label("Subject").input_value() == "Kiosk demo on site"
    assert "They want three kiosks" in form.get_by_role(
        "textbox", name="Summary and Outcome").inner_text()
    assert "Acme Browser" in form.inner_text() and "Acme kiosks" in form.inner_text()
    assert audit(page) == []
    form.get_by_label("Interest Level").select_option("hot")
    form.get_by_label("Next Steps").fill("Send the kiosk quote")
    form.get_by_label("Follow-up Date").fill("2026-03-17")
    form.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with server.database.environment() as env:
        report = env["crm.visit.report"].search([("lead_id", "=", ids["lead"])])
        assert report.interest_level == "hot"
        assert report.follow_up_activity_id.summary == "Send the kiosk quote"


def test_the_dashboard_is_accessible(page, visit_server):
    server, ids = visit_server, visit_server.database.test_ids
    login(page, server, "vb_rep", PASSWORD)
    page.goto(f"{server.url}/web/action/{ids['dashboard']}/dashboard")
    page.get_by_role("heading", name="Sales Dashboard").wait_for()
    assert audit(page) == []
