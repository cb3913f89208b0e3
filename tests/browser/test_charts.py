"""Graph, pivot and dashboard views in Chromium: the chart is drawn and switches type,
the pivot and the dashboard render, each page passes an axe audit; screenshots in
test-artifacts/ to look at."""
from __future__ import annotations

import datetime as dt

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit, login
from core.web.client.dashboard import period_start


@pytest.fixture(scope="module")
def charts_server(tmp_path_factory, comptoir_available):
    from core.modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('charts-live') / 'live.db'}"
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"], demo=True)
    today = dt.date.today()
    months = [period_start(today, "month", back) for back in range(6)]
    with database.environment() as env:
        admin = env.ref("base.user_admin")
        admin.write({"groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        group_user = env.ref("base.group_user")
        reps = env["res.users"].create([
            {"name": name, "login": name.lower().replace(" ", "."),
             "groups_id": [(6, 0, [group_user.id])]}
            for name in ("Alice Martin", "Bruno Petit", "Chloé Durand")])
        stages = env["test.stage"].create([{"name": n} for n in
                                           ("New", "Qualified", "Proposal", "Won")])
        people = [admin.id, *reps.ids]
        env["test.order"].create([{
            "name": f"SO{i:04d}", "user_id": people[i % 4], "stage_id": stages.ids[i % 4],
            "state": ("draft", "confirmed", "done")[i % 3],
            "quantity": (i * 7) % 23 + 1, "date": (months[i % 6] + dt.timedelta(
                days=i % 27)).isoformat()} for i in range(60)])
        action = env.ref("test_kernel.test_order_analysis_action").id
    server = LiveServer(database)
    server.action = action
    yield server
    server.stop()
    database.engine.dispose()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_graph_draws_and_switches_type(page, charts_server) -> None:
    login(page, charts_server)
    page.goto(f"{charts_server.url}/web/action/{charts_server.action}/graph")
    page.wait_for_selector("[data-chart-ready]")
    assert page.evaluate("document.querySelector('[data-chart] canvas').width") > 100
    assert page.evaluate("Chart.getChart(document.querySelector('[data-chart] canvas'))"
                         ".config.type") == "bar"
    assert audit(page) == []
    shot(page, "graph")
    page.get_by_role("link", name="Pie", exact=True).click()
    page.wait_for_selector("[data-chart-ready]")
    assert page.evaluate("Chart.getChart(document.querySelector('[data-chart] canvas'))"
                         ".config.type") == "pie"
    page.get_by_text("Show data").click()
    assert page.get_by_role("table").first.is_visible()
    assert audit(page) == []
    # the measure and grouping come from the search panel
    page.get_by_label("Group by").select_option("date:month")
    page.get_by_label("Measure").select_option("__count")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("[data-chart-ready]")
    assert "g=date%3Amonth" in page.url


def test_pivot_renders_with_totals(page, charts_server) -> None:
    login(page, charts_server)
    page.goto(f"{charts_server.url}/web/action/{charts_server.action}/pivot"
              "?rows=user_id,stage_id&cols=state&m=quantity&m=__count")
    table = page.locator("table.pivot-table")
    assert table.locator("tfoot th").first.inner_text() == "Total"
    assert table.locator("tbody tr.level-1").count() > 0
    assert audit(page) == []
    shot(page, "pivot")
    # one row folds alone: its nested rows hide, the other rows stay
    toggle = table.locator("tbody tr.level-0 .pivot-toggle").first
    nested = table.locator("tbody tr.level-1:visible").count()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert 0 < table.locator("tbody tr.level-1:visible").count() < nested or \
        table.locator("tbody tr.level-0").count() == 1
    toggle.click()
    assert table.locator("tbody tr.level-1:visible").count() == nested


def test_dashboard_renders(page, charts_server) -> None:
    login(page, charts_server)
    page.goto(f"{charts_server.url}/web/action/{charts_server.action}/dashboard")
    page.wait_for_selector("[data-chart-ready]")
    assert page.locator(".kpi").count() >= 2
    assert audit(page) == []
    shot(page, "dashboard")
    # save a graph to the personal dashboard and see it there
    page.goto(f"{charts_server.url}/web/action/{charts_server.action}/graph?chart=line"
              "&g=date:month")
    page.get_by_role("button", name="Add to my dashboard").click()
    page.wait_for_url("**/web/dashboard")
    page.wait_for_selector("[data-chart-ready]")
    assert audit(page) == []
    shot(page, "dashboard-personal")
