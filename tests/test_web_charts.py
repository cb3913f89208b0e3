"""Graph, pivot and dashboard views over HTTP (Werkzeug client) on both engines: figures
against Python-computed sums, totals, the XLSX export, KPI period changes, personal
dashboards and clear messages for bad parameters."""
from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import openpyxl
import pytest
from lxml import etree

from core.modules.loading import Database
from core.testing import count_queries
from core.web.client.dashboard import period_start
from core.testing.web import client_for

TODAY = dt.date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = period_start(TODAY, "month", 1)


@pytest.fixture(scope="module")
def charts_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("charts"),
                                 "charts")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        users = env["res.users"].create([
            {"name": f"Rep {i}", "login": f"crep{i}", "groups_id": [(6, 0, [group_user.id])]}
            for i in range(2)])
        admin = env.ref("base.user_admin")
        admin.write({"groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        stages = env["test.stage"].create([{"name": "Lead"}, {"name": "Won"}])
        rows = []
        for i in range(30):
            rows.append({"name": f"CH{i:03d}", "user_id": (users.ids + [admin.id])[i % 3],
                         "stage_id": stages.ids[i % 2] if i % 5 else False,
                         "state": "draft" if i % 3 else "confirmed", "quantity": i,
                         "date": (THIS_MONTH if i < 12 else LAST_MONTH if i < 20
                                  else LAST_MONTH - dt.timedelta(days=40)).isoformat()})
        env["test.order"].create(rows)
        action = env.ref("test_kernel.test_order_analysis_action").id
        ids = {"action": action, "admin": admin.id, "rep0": users.ids[0], "rep1": users.ids[1]}
    database.test_ids = ids
    yield database
    database.engine.dispose()
    drop()


def expected(database, uid: int, group: str, measure: str = "quantity") -> dict:
    """Sums per group computed in Python over the records the user can read."""
    with database.environment() as env:
        records = env(uid=uid, su=False)["test.order"].search([])
        result: dict = {}
        for record in records:
            value = record[group]
            key = value.display_name if hasattr(value, "_name") else value
            key = key or None
            result[key] = result.get(key, 0) + (record[measure] if measure else 1)
    return result


def cells(html: str, table_class: str) -> etree._Element:
    tree = etree.HTML(html)
    return tree.xpath(f"//table[contains(@class, '{table_class}')]")[0]


def test_graph_table_matches_python_sums_and_is_one_read_group(charts_db) -> None:
    ids = charts_db.test_ids
    client, _csrf = client_for(charts_db, ids["admin"])
    url = f"/web/action/{ids['action']}/graph"
    assert client.get(url).status_code == 200  # warm caches
    with count_queries(charts_db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "chart.umd.min.js" in body and "<canvas" in body and "Show data" in body
    table = cells(body, "graph-table")
    found = {row.xpath("string(th)"): float(row.xpath("td/@data-value")[0])
             for row in table.xpath("tbody/tr")}
    sums = expected(charts_db, ids["admin"], "stage_id")
    assert found == {("None" if k is None else k): v for k, v in sums.items()}
    assert counter.count <= 30, counter.count
    # every bar links to its records, the list agrees with the figure
    link = unescape(table.xpath("tbody/tr[th='Lead']/td/a/@href")[0])
    assert "c=stage_id%7C%3D%7C" in link
    listing = client.get(link + "&limit=500").get_data(as_text=True)
    assert listing.count('name="ids"') == len([i for i in range(30) if i % 5 and i % 2 == 0])


def test_graph_overrides_month_granularity_count_and_pie(charts_db) -> None:
    ids = charts_db.test_ids
    client, _csrf = client_for(charts_db, ids["admin"])
    url = f"/web/action/{ids['action']}/graph?g=date:month&m=__count&chart=pie"
    body = client.get(url).get_data(as_text=True)
    table = cells(body, "graph-table")
    counts = {row.xpath("string(th)"): float(row.xpath("td/@data-value")[0])
              for row in table.xpath("tbody/tr")}
    assert sorted(counts.values()) == [8.0, 10.0, 12.0]
    assert '"type": "pie"' in body
    assert 'aria-current="page">Pie<' in body
    # two groupbys: one dataset per state
    body = client.get(f"/web/action/{ids['action']}/graph?g=stage_id,state").get_data(
        as_text=True)
    table = cells(body, "graph-table")
    assert [h.text for h in table.xpath("thead/tr/th")][1:] == ["Confirmed", "Draft",
                                                                 "Total"]


def test_bad_parameters_are_a_clear_422(charts_db) -> None:
    ids = charts_db.test_ids
    client, _csrf = client_for(charts_db, ids["admin"])
    base = f"/web/action/{ids['action']}"
    for url, message in [
            (f"{base}/graph?g=nosuchfield", "nosuchfield"),
            (f"{base}/graph?g=date:fortnight", "Unknown granularity"),
            (f"{base}/graph?m=nosuch", "Unknown measure"),
            (f"{base}/graph?m=name", "cannot be a measure"),
            (f"{base}/graph?chart=radar", "Unknown chart type"),
            (f"{base}/graph?g=description", "description"),
            (f"{base}/pivot?rows=nosuch", "nosuch"),
            (f"{base}/pivot?m=partner_id", "cannot be a measure"),
            (f"{base}/graph?c=quantity|%3E|abc", "abc")]:
        response = client.get(url)
        assert response.status_code == 422, url
        assert message in unescape(response.get_data(as_text=True)), url


def test_pivot_totals_rows_by_cols_and_nested_rows(charts_db) -> None:
    ids = charts_db.test_ids
    client, _csrf = client_for(charts_db, ids["admin"])
    base = f"/web/action/{ids['action']}/pivot"
    with count_queries(charts_db.engine) as counter:
        response = client.get(base + "?rows=user_id&cols=state&m=quantity,__count")
    assert response.status_code == 200
    assert counter.count <= 35, counter.count
    table = cells(response.get_data(as_text=True), "pivot-table")
    by_user = expected(charts_db, ids["admin"], "user_id")
    rows = table.xpath("tbody/tr")
    assert len(rows) == len(by_user)
    with charts_db.environment() as env:
        orders = env["test.order"].search([])
        cross = {}
        for order in orders:
            key = (order.user_id.display_name, order.state)
            cross[key] = cross.get(key, 0) + order.quantity
    for row in rows:
        user = row.xpath("string(th)")
        values = [float(v) for v in row.xpath("td/@data-value")]
        # confirmed (qty, count), draft (qty, count), total (qty, count)
        assert values[0] == cross.get((user, "confirmed"), 0)
        assert values[2] == cross.get((user, "draft"), 0)
        assert values[4] == by_user[user]
    grand = [float(v) for v in table.xpath("tfoot/tr/td/@data-value")]
    assert grand[-2:] == [sum(range(30)), 30]
    assert grand[0] == sum(i for i in range(30) if i % 3 == 0)
    # nested rows: users, then stages inside each user
    body = client.get(base + "?rows=user_id,stage_id&cols=").get_data(as_text=True)
    table = cells(body, "pivot-table")
    levels = [tr.get("class") for tr in table.xpath("tbody/tr")]
    assert levels[0] == "level-0" and "level-1" in levels
    first_user = table.xpath("tbody/tr")[0]
    children = []
    for tr in table.xpath("tbody/tr")[1:]:
        if tr.get("class") == "level-0":
            break
        children.append(float(tr.xpath("td/@data-value")[0]))
    assert sum(children) == float(first_user.xpath("td/@data-value")[0])
    # a cell links to its records
    link = unescape(table.xpath("tbody/tr[@class='level-1']/td/a/@href")[0])
    assert "user_id%7C%3D%7C" in link and "stage_id%7C%3D%7C" in link


def test_pivot_xlsx_export_has_the_totals(charts_db) -> None:
    ids = charts_db.test_ids
    client, _csrf = client_for(charts_db, ids["admin"])
    response = client.get(f"/web/action/{ids['action']}/pivot?rows=user_id&cols=state"
                          "&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "Salesperson"
    assert table[-1][0] == "Total" and table[-1][-1] == sum(range(30))
    by_user = expected(charts_db, ids["admin"], "user_id")
    assert {row[0]: row[-1] for row in table[1:-1]} == by_user


def test_dashboard_kpis_and_embedded_views(charts_db) -> None:
    ids = charts_db.test_ids
    client, _csrf = client_for(charts_db, ids["admin"])
    response = client.get(f"/web/action/{ids['action']}/dashboard")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    body = response.get_data(as_text=True)
    tree = etree.HTML(body)
    tiles = {t.xpath("string(span[@class='kpi-label'])"):
             float(t.xpath("span[@class='kpi-value']/@data-value")[0])
             for t in tree.xpath("//*[contains(@class, 'kpi ')] | //*[@class='kpi']")}
    assert tiles["Draft orders"] == len([i for i in range(30) if i % 3])
    assert tiles["Quantity"] == sum(range(30))
    assert "Budget" in tiles  # the admin is a manager
    assert tree.xpath("//table[contains(@class, 'graph-table')]")
    assert tree.xpath("//table[contains(@class, 'pivot-table')]")
    assert len(tree.xpath("//table[contains(@class, 'short-list')]/tbody/tr")) == 5
    # a rep sees neither the manager tile nor other reps' orders
    rep, _csrf = client_for(charts_db, ids["rep0"])
    tree = etree.HTML(rep.get(f"/web/action/{ids['action']}/dashboard").get_data(
        as_text=True))
    labels = [t.xpath("string(span[@class='kpi-label'])") for t in
              tree.xpath("//*[@class='kpi']")]
    assert "Budget" not in labels and "Quantity" in labels


def test_kpi_period_change(charts_db) -> None:
    """This month's figure against last month's, with date_field and period."""
    from core.web.client.dashboard import kpi
    from core.web.client.graph import Analysis
    from werkzeug.datastructures import MultiDict
    ids = charts_db.test_ids
    with charts_db.environment() as root:
        env = root(uid=ids["admin"], su=False)
        action = env["ir.actions.act_window"].browse(ids["action"])
        analysis = Analysis.of(env, action, MultiDict())
        node = etree.fromstring('<aggregate name="q" field="quantity" group_operator="sum" '
                                'date_field="date" period="month" string="Qty"/>')
        tile = kpi(analysis, node, on=TODAY)
        now, before = sum(range(12)), sum(range(12, 20))
        assert tile["raw"] == now
        assert tile["change"]["percent"] == round((now - before) / before * 100, 1)
        assert tile["change"]["direction"] == "down"
        assert "date%7C%3E%3D%7C" + THIS_MONTH.isoformat() in tile["link"]
        node = etree.fromstring('<aggregate name="n" field="id" group_operator="count" '
                                'date_field="date" period="month" '
                                "domain=\"[('state', '=', 'draft')]\"/>")
        tile = kpi(analysis, node, on=TODAY)
        drafts_now = len([i for i in range(12) if i % 3])
        drafts_before = len([i for i in range(12, 20) if i % 3])
        assert tile["raw"] == drafts_now
        assert tile["change"]["percent"] == round(
            (drafts_now - drafts_before) / drafts_before * 100, 1)
        assert "state%7C%3D%7Cdraft" in tile["link"]


def test_period_start() -> None:
    day = dt.date(2026, 1, 15)
    assert period_start(day, "month") == dt.date(2026, 1, 1)
    assert period_start(day, "month", 1) == dt.date(2025, 12, 1)
    assert period_start(day, "quarter", 1) == dt.date(2025, 10, 1)
    assert period_start(day, "year", 1) == dt.date(2025, 1, 1)
    assert period_start(day, "week") == dt.date(2026, 1, 12)
    assert period_start(day, "week", 1) == dt.date(2026, 1, 5)


def test_personal_dashboard_add_list_remove_and_privacy(charts_db) -> None:
    ids = charts_db.test_ids
    client, csrf = client_for(charts_db, ids["rep0"])
    other, other_csrf = client_for(charts_db, ids["rep1"])
    graph = f"/web/action/{ids['action']}/graph?g=state&chart=pie"
    assert client.post("/web/dashboard/add", data={"url": graph, "title": "My pie"}
                       ).status_code in (403, 400)  # no CSRF token
    response = client.post("/web/dashboard/add", data={"csrf_token": csrf, "url": graph,
                                                        "title": "My pie"})
    assert response.status_code == 303
    client.post("/web/dashboard/add", data={"csrf_token": csrf, "title": "My pivot",
                                            "url": f"/web/action/{ids['action']}/pivot"})
    bad = client.post("/web/dashboard/add", data={"csrf_token": csrf, "title": "x",
                                                  "url": "https://evil.example/"})
    assert bad.status_code == 422
    body = client.get("/web/dashboard").get_data(as_text=True)
    assert "My pie" in body and "My pivot" in body
    assert "graph-table" in body and "pivot-table" in body
    # the figures are computed for the rep (his access rights and record rules)
    table = cells(body, "graph-table")
    found = {row.xpath("string(th)"): float(row.xpath("td/@data-value")[0])
             for row in table.xpath("tbody/tr")}
    assert found == {k.capitalize(): v for k, v in
                     expected(charts_db, ids["rep0"], "state").items()}
    # another user sees none of it, and cannot remove it
    assert "My pie" not in other.get("/web/dashboard").get_data(as_text=True)
    item = re.search(r'name="item" value="([0-9a-f]+)"', body).group(1)
    assert other.post("/web/dashboard/remove", data={"csrf_token": other_csrf,
                                                     "item": item}).status_code == 404
    assert client.post("/web/dashboard/remove", data={"csrf_token": csrf, "item": item}
                       ).status_code == 303
    body = client.get("/web/dashboard").get_data(as_text=True)
    assert "My pie" not in body and "My pivot" in body
    with charts_db.environment() as env:
        keys = env["ir.config_parameter"].search([("key", "ilike", "dashboard.user.")])
        assert keys.mapped("key") == [f"dashboard.user.{ids['rep0']}"]


def test_dashboard_tile_compares_with_the_previous_period_from_the_view(charts_db) -> None:
    """The test dashboard's Quantity tile declares date_field/period in its arch."""
    client, _csrf = client_for(charts_db, charts_db.test_ids["admin"])
    action = charts_db.test_ids["action"]
    body = client.get(f"/web/action/{action}/dashboard").get_data(as_text=True)
    assert "vs last month" in body
