"""The helpdesk dashboard and ticket analysis over HTTP, as an agent and as a manager: the
tiles, widgets and charts follow the viewer's record rules; the Reporting menu's entries by
role. Tickets dated relative to the real day, since the page shows "this month"."""
from __future__ import annotations

import datetime as dt
import types

import pytest
from lxml import etree

from core import hookimpl
from core.testing import installed_database, scratch_database
from core.testing.web import client_for
from core.web.client.dashboard_widgets import widgets_of

from addons.helpdesk.models.helpdesk_report_widgets import DASHBOARD_WIDGETS

from .report_factories import agent_reply, make_org, ticket

PLUGIN = "helpdesk_report_test_hooks"


def register_widgets(database) -> None:
    """The hook the addon's ``__init__`` declares (see the report), unless it does."""
    if "helpdesk_kpis" in widgets_of(database.registry):
        return
    plugin = types.ModuleType(PLUGIN)

    @hookimpl
    def comptoir_dashboard_widgets() -> list:
        return list(DASHBOARD_WIDGETS)

    plugin.comptoir_dashboard_widgets = comptoir_dashboard_widgets
    pm = database.registry.pm
    if pm.get_plugin(PLUGIN) is None:
        pm.register(plugin, name=PLUGIN)
    database.registry.__dict__.pop("web_dashboard_widgets", None)


@pytest.fixture(scope="module")
def report_db(engine_name, tmp_path_factory, comptoir_available, comptoir_addons):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("hdreport"), "hdreport")
    database = installed_database(url, comptoir_addons, available=comptoir_available)
    register_widgets(database)
    with database.environment() as env:
        org = make_org(env)
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        done = ticket(env, org.support, now - dt.timedelta(hours=6), responded=1, resolved=3,
                      name="Support done")
        agent_reply(done, org.agent)
        ticket(env, org.support, now - dt.timedelta(days=12), name="Support stale")
        ticket(env, org.hardware, now - dt.timedelta(hours=2), name="Hardware open",
               priority="3")
        database.test_ids = {
            "agent": org.agent.id, "manager": org.manager.id,
            "dashboard": env.ref("helpdesk.helpdesk_ticket_action_dashboard").id,
            "analysis": env.ref("helpdesk.helpdesk_ticket_action_analysis").id,
            "reporting": env.ref("helpdesk.menu_reporting").id}
    yield database
    database.engine.dispose()
    drop()


def page(database, who, path):
    client, _csrf = client_for(database, database.test_ids[who])
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def dashboard(database, who):
    return page(database, who, f"/web/action/{database.test_ids['dashboard']}/dashboard")


def tiles(html):
    tree = etree.HTML(html)
    return {tile.findtext(".//span[@class='kpi-label']"): tile.findtext(
        ".//span[@class='kpi-value']") for tile in tree.iter("a", "div")
        if (tile.get("class") or "") == "kpi"}


def test_the_addon_registers_its_widgets(report_db):
    assert {"helpdesk_kpis", "helpdesk_kpis_by", "helpdesk_backlog_age",
            "helpdesk_escalations"} <= set(
        widgets_of(report_db.registry))


def test_a_manager_sees_every_team(report_db):
    html = dashboard(report_db, "manager")
    found = tiles(html)
    assert found["Unresolved tickets"] == "2"
    assert found["High and urgent, unresolved"] == "1"
    assert found["Opened"] in ("3", "2")  # this month (the stale one may be last month's)
    assert found["Resolved"] == "1" and found["First-contact resolution"] == "100 %"
    for text in ("Helpdesk Dashboard", "Key figures by month", "Unresolved tickets by team "
                 "and age", "RP Support", "RP Hardware", "Tickets by type",
                 "Tickets opened by month", "Escalations this month", "1-2 weeks",
                 "Key figures by team", "Key figures by type"):
        assert text in html, text
    assert "No dashboard widget" not in html and "alert-error" not in html


def test_an_agent_sees_his_teams(report_db):
    html = dashboard(report_db, "agent")
    found = tiles(html)
    assert found["Unresolved tickets"] == "1"
    assert "RP Hardware" not in html and "alert-error" not in html


def test_the_analysis_pages(report_db):
    base = f"/web/action/{report_db.test_ids['analysis']}"
    html = page(report_db, "manager", f"{base}/graph")
    assert "Tickets by team" in html and "RP Hardware" in html
    html = page(report_db, "manager", f"{base}/pivot")
    assert "RP Support" in html


def test_the_ticket_form_shows_the_durations(report_db):
    with report_db.environment() as env:
        view = env["ir.ui.view"].get_view("helpdesk.ticket", "form")
        names = {node.get("name") for node in view.arch.iter("field")}
    assert {"first_response_hours", "handling_hours"} <= names


def reporting_menus(database, who):
    with database.environment(uid=database.test_ids[who]) as env:
        for app in env["ir.ui.menu"].visible_tree():
            for menu in app.get("children", ()):
                if menu["id"] == database.test_ids["reporting"]:
                    return [child["name"] for child in menu.get("children", ())]
    return []


def test_the_reporting_menu(report_db):
    assert {"Dashboard", "Ticket Analysis", "Weekly Recaps"} <= set(
        reporting_menus(report_db, "manager"))


def test_the_cli(report_db):
    import json

    from click.testing import CliRunner

    from addons.helpdesk.cli_reports import report_group

    def cli(*args, ok=True):
        result = CliRunner().invoke(report_group, list(args), obj={"database": report_db})
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    today = dt.date.today()
    figures = json.loads(cli("kpis", "--team", "RP Support", "--from",
                             (today - dt.timedelta(days=40)).isoformat(), "--to",
                             (today + dt.timedelta(days=1)).isoformat(), "--json"))
    assert figures["opened"] == 2 and figures["resolved"] == 1 and figures["fcr_rate"] == 100
    assert "First-contact resolution (%)" in cli("kpis", "--period", "year")
    by_team = json.loads(cli("kpis", "--period", "year", "--by", "team_id", "--json"))
    assert {row["group"] for row in by_team} >= {"RP Support", "RP Hardware"}
    assert "RP Hardware" in cli("kpis", "--period", "year", "--by", "team_id")
    assert "Urgent" in cli("kpis", "--period", "year", "--by", "priority")
    rows = json.loads(cli("backlog", "--json"))
    assert {row["group"]: row["total"] for row in rows} == {"RP Support": 1, "RP Hardware": 1}
    assert "RP Hardware" in cli("backlog")
    assert "No helpdesk team is named" in cli("kpis", "--team", "Nobody", ok=False)
    assert "is not a date" in cli("kpis", "--from", "yesterday", "--to", "2026-01-01",
                                  ok=False)
    assert "Give both --from and --to" in cli("kpis", "--from", "2026-01-01", ok=False)
    assert "no field" in cli("backlog", "--by", "nothing", ok=False)
    assert "recaps sent" in cli("recap", "--today", today.isoformat())
