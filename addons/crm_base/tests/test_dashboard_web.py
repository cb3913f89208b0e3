"""The sales dashboard page over HTTP, as a sales representative and as a manager: the
pipeline tiles and charts follow the viewer's record rules, the widgets his scope; the
Reporting menu. Data dated relative to the real day, since the page shows "this month"."""
from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from core.mail.models.mail_activity import local_today
from core.testing import installed_database, scratch_database
from core.testing.web import client_for
from core.web.client.dashboard_widgets import widgets_of

from .lead_factories import make_lead, make_team, make_user, stage


@pytest.fixture(scope="module")
def sales_db(engine_name, tmp_path_factory, comptoir_available, comptoir_addons):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("salesdash"), "salesdash")
    database = installed_database(url, comptoir_addons, available=comptoir_available)
    with database.environment() as env:
        rep = make_user(env, "dw_rep", "rep", name="Dora Rep")
        other = make_user(env, "dw_other", "rep", name="Olaf Other")
        manager = make_user(env, "dw_manager", "manager", name="Mia Manager")
        make_team(env, "Web Team", members=rep | other)
        today = local_today("Europe/Paris")  # the users' day, the one the page shows
        mine = make_lead(env, "Dora open", user_id=rep.id, expected_revenue=1200,
                         stage_id=stage(env, "proposition").id,
                         date_deadline=today + dt.timedelta(days=40))
        make_lead(env, "Olaf open", user_id=other.id, expected_revenue=9900,
                  stage_id=stage(env, "qualified").id)
        won = make_lead(env, "Dora won", user_id=rep.id, expected_revenue=700)
        won.action_set_won()
        for user, amount in ((rep, 1400), (other, 5000)):
            env["crm.target"].create({"user_id": user.id, "period": "month",
                                      "date_start": today, "target_amount": amount})
        mine.activity_schedule("mail.activity_type_call", user_id=rep.id).action_done()
        database.test_ids = {
            "rep": rep.id, "other": other.id, "manager": manager.id,
            "action": env.ref("crm_base.crm_lead_action_dashboard").id,
            "reporting": env.ref("crm_base.menu_reporting").id}
    yield database
    database.engine.dispose()
    drop()


def page(database, who):
    client, _csrf = client_for(database, database.test_ids[who])
    response = client.get(f"/web/action/{database.test_ids['action']}/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tiles(html):
    tree = etree.HTML(html)
    return {tile.findtext(".//span[@class='kpi-label']"): tile.findtext(
        ".//span[@class='kpi-value']") for tile in tree.iter("a", "div")
        if (tile.get("class") or "") == "kpi"}


def test_the_addon_registers_its_dashboard_widgets(sales_db):
    assert {"crm_won_against_target", "crm_activities_done"} <= set(
        widgets_of(sales_db.registry))


def test_a_rep_sees_his_own_figures(sales_db):
    html = page(sales_db, "rep")
    found = tiles(html)
    assert found["Open opportunities"] == "1"
    assert found["Open pipeline"].startswith("1,200")
    assert found["Weighted pipeline"].startswith("600")
    assert found["Won this month"].startswith("700")
    for text in ("Sales Dashboard", "Pipeline by stage", "Open opportunities by stage",
                 "Forecast by month of expected closing", "Proposition",
                 "Won against target", "Activities done this week", "Dora Rep"):
        assert text in html, text
    assert "Olaf" not in html and "9,900" not in html
    assert "No dashboard widget" not in html and "alert-error" not in html


def test_a_manager_sees_everyone(sales_db):
    html = page(sales_db, "manager")
    found = tiles(html)
    assert found["Open opportunities"] == "2"
    assert found["Open pipeline"].startswith("11,100")
    assert "Olaf Other" in html and "Dora Rep" in html and "50 %" in html


def reporting_menus(database, who):
    with database.environment(uid=database.test_ids[who]) as env:
        for app in env["ir.ui.menu"].visible_tree():
            for menu in app.get("children", ()):
                if menu["id"] == database.test_ids["reporting"]:
                    return [child["name"] for child in menu.get("children", ())]
    return []


def test_the_reporting_menu(sales_db):
    mine = ["Sales Dashboard", "Visit Reports", "Targets"]
    rep = reporting_menus(sales_db, "rep")
    assert [name for name in rep if name in mine] == mine
    assert "Weekly Summaries" not in rep
    assert "Weekly Summaries" in reporting_menus(sales_db, "manager")
