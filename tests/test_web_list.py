"""The list view over HTTP on both engines: rows edited in place (with and without
JavaScript), "Set a field" on a selection, the condition builder and saved searches."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest

from core.modules.loading import Database
from core.testing import count_queries
from core.testing.web import client_for

FRAGMENT = {"X-Comptoir-Fragment": "1"}
EDITABLE_LIST = """<list editable="bottom" default_order="name">
    <field name="name"/>
    <field name="partner_id"/>
    <field name="state"/>
    <field name="quantity" readonly="[('state', '=', 'done')]"/>
    <field name="date"/>
    <field name="deadline" optional="hide"/>
    <field name="is_urgent"/>
    <field name="budget" sum="Total"/>
    <field name="amount_total"/>
</list>"""


@pytest.fixture(scope="module")
def list_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("list"), "list")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel_ext"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        reps = env["res.users"].create([
            {"name": f"Rep {i}", "login": f"listrep{i}", "tz": "Europe/Paris",
             "groups_id": [(6, 0, [group_user.id])]} for i in range(2)])
        partners = env["res.partner"].create([
            {"name": f"Client {i}", "email": f"client{i}@example.com"} for i in range(3)])
        env["test.order"].create([{
            "name": f"SO{i:04d}", "partner_id": partners.ids[i % 3], "quantity": i,
            "budget": 10.0 * i, "user_id": reps.ids[0]} for i in range(120)])
        views = env["ir.ui.view"]
        order_list = views.create({"name": "orders: editable", "model": "test.order",
                                   "type": "list", "priority": 90, "arch": EDITABLE_LIST})
        stage_list = views.create({"name": "stages: editable", "model": "test.stage",
                                   "type": "list", "priority": 90,
                                   "arch": '<list editable="top"><field name="name"/>'
                                           '<field name="sequence"/></list>'})
        actions = env["ir.actions.act_window"]
        ids = {
            "editable": actions.create({"name": "Quick orders", "res_model": "test.order",
                                        "view_id": order_list.id,
                                        "context": "{'default_state': 'confirmed'}"}).id,
            "plain": actions.create({"name": "Orders", "res_model": "test.order"}).id,
            "stages": actions.create({"name": "Stages", "res_model": "test.stage",
                                      "view_id": stage_list.id}).id,
            "rep": reps.ids[0], "rep2": reps.ids[1], "admin": env.ref("base.user_admin").id,
            "partners": partners.ids}
    database.test_ids = ids
    yield database
    database.engine.dispose()
    drop()


def order(database, name: str):
    with database.environment() as env:
        record = env["test.order"].search([("name", "=", name)])
        return {f: record[f] for f in ("quantity", "version", "name", "state",
                                       "is_urgent", "budget")} | {
            "id": record.id, "partner": record.partner_id.id, "date": record.date}


def test_editable_list_offers_edit_links_and_a_new_line(list_db) -> None:
    ids = list_db.test_ids
    client, _csrf = client_for(list_db, ids["rep"])
    page = client.get(f"/web/action/{ids['editable']}?limit=10").get_data(as_text=True)
    assert page.count('class="editable-row"') == 10
    assert 'data-editable="bottom"' in page and 'id="inline-edit"' in page
    assert page.index('name="ids"') < page.index("Add a line")       # the new line at the end
    plain = client.get(f"/web/action/{ids['plain']}?limit=10").get_data(as_text=True)
    assert "data-edit-url" not in plain and "Add a line" not in plain
    # a read-only user gets no edit link, and is refused if he tries
    stages = client.get(f"/web/action/{ids['stages']}").get_data(as_text=True)
    assert "data-edit-url" not in stages and "Add a line" not in stages
    with list_db.environment() as env:
        stage = env.ref("test_kernel.stage_new").id
    response = client.get(f"/web/action/{ids['stages']}/inline/{stage}", headers=FRAGMENT)
    assert response.status_code == 403


def test_groups_show_counts_and_sums(list_db) -> None:
    ids = list_db.test_ids
    client, _csrf = client_for(list_db, ids["rep"])
    page = client.get(f"/web/action/{ids['editable']}?g=partner_id").get_data(as_text=True)
    groups = page.split('<caption class="visually-hidden">Groups</caption>')[1]
    groups = groups.split("</table>")[0]
    assert '<th scope="col" class="num">Budget</th>' in groups
    with list_db.environment() as env:
        expected = env["test.order"].read_group([], ["budget:sum"], ["partner_id"])
    for group in expected:
        cells = re.search(rf">{group['partner_id'][1]}</a></td><td class=\"num\">"
                          rf"(\d+)</td>\s*<td class=\"num\">([\d,.]+)</td>", groups)
        assert int(cells.group(1)) == group["partner_id_count"]
        assert float(cells.group(2).replace(",", "")) == group["budget"]


def test_list_queries_do_not_grow_with_the_page_in_an_editable_list(list_db) -> None:
    ids = list_db.test_ids
    client, _csrf = client_for(list_db, ids["rep"])
    url = f"/web/action/{ids['editable']}"
    client.get(url + "?limit=5")
    counts = {}
    for limit in (10, 80):
        with count_queries(list_db.engine) as counter:
            body = client.get(f"{url}?limit={limit}").get_data(as_text=True)
        assert body.count('name="ids"') == limit
        counts[limit] = counter.count
    assert counts[10] == counts[80], counts


def test_a_row_edited_in_place_and_saved(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    before = order(list_db, "SO0005")
    url = f"/web/action/{ids['editable']}/inline/{before['id']}?q=SO00&menu=1"
    row = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert row.lstrip().startswith('<tr class="editing"')
    assert f'name="version" value="{before["version"]}" form="inline-edit"' in row
    assert 'name="quantity"' in row and 'name="partner_id"' in row
    assert 'name="amount_total"' not in row                   # computed: shown, not edited
    assert 'aria-label="Customer"' in row and "data-m2o-model=\"res.partner\"" in row
    response = client.post(url, headers=FRAGMENT, data={
        "csrf_token": csrf, "version": before["version"], "name": "SO0005-B",
        "partner_id": ids["partners"][2], "state": "confirmed", "quantity": "42",
        "date": "2026-03-01", "is_urgent__present": "1", "is_urgent": "1",
        "budget": "1,250.50"})
    assert response.status_code == 200, response.get_data(as_text=True)
    saved = response.get_data(as_text=True)
    assert 'class="editable-row"' in saved and "SO0005-B" in saved and "Client 2" in saved
    sums = json.loads(response.headers["X-List-Sums"])
    assert sums == {"budget": "50,700.50"}          # the SO00.. search: 49,500 + 1,200.50
    after = order(list_db, "SO0005-B")
    assert (after["quantity"], after["partner"], after["state"], after["is_urgent"],
            after["budget"], str(after["date"])) == (42, ids["partners"][2], "confirmed",
                                                     True, 1250.5, "2026-03-01")


def test_readonly_modifier_and_errors_shown_on_the_row(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    with list_db.environment() as env:
        env["test.order"].search([("name", "=", "SO0006")]).write({"state": "done"})
    done = order(list_db, "SO0006")
    url = f"/web/action/{ids['editable']}/inline/{done['id']}"
    row = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert 'name="quantity"' not in row and 'name="name"' in row
    response = client.post(url, headers=FRAGMENT, data={
        "csrf_token": csrf, "version": done["version"], "name": "SO0006",
        "quantity": "999", "budget": "ten"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<td class="num has-error" data-label="Budget">\s*'
                     r'<input id="inline-\d+-budget"', page)
    assert 'aria-invalid="true" aria-describedby="inline-' in page
    assert "is not a valid value for" in unescape(page)
    assert 'value="ten"' in page                                 # what the user typed, kept
    response = client.post(url, headers=FRAGMENT, data={
        "csrf_token": csrf, "version": done["version"], "name": "", "quantity": "999"})
    assert response.status_code == 422 and "is required" in response.get_data(as_text=True)
    assert order(list_db, "SO0006")["quantity"] == 6              # read-only: never written


def test_a_stale_row_is_refused_and_shown_with_the_other_change(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    record = order(list_db, "SO0007")
    with list_db.environment() as env:
        env["test.order"].browse(record["id"]).write({"quantity": 70})
    url = f"/web/action/{ids['editable']}/inline/{record['id']}"
    stale = client.post(url, headers=FRAGMENT, data={
        "csrf_token": csrf, "version": record["version"], "name": "SO0007", "quantity": "8"})
    assert stale.status_code == 409
    page = unescape(stale.get_data(as_text=True))
    assert "changed by someone else" in page and "Quantity: 70" in page
    latest = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert int(latest) == record["version"] + 1 and 'value="8"' in page
    assert order(list_db, "SO0007")["quantity"] == 70
    again = client.post(url, headers=FRAGMENT, data={
        "csrf_token": csrf, "version": latest, "name": "SO0007", "quantity": "8"})
    assert again.status_code == 200 and order(list_db, "SO0007")["quantity"] == 8


def test_new_line_with_the_action_defaults(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    url = f"/web/action/{ids['editable']}/inline/new"
    row = client.get(url, headers=FRAGMENT).get_data(as_text=True)
    assert 'data-key="new"' in row and 'name="version"' not in row
    assert re.search(r'<option value="confirmed" selected>', row)       # default_state
    response = client.post(url, headers=FRAGMENT, data={
        "csrf_token": csrf, "name": "NEW-LINE", "state": "confirmed", "quantity": "3"})
    assert response.status_code == 200
    created = order(list_db, "NEW-LINE")
    assert f'data-id="{created["id"]}"' in response.get_data(as_text=True)
    assert created["quantity"] == 3 and created["state"] == "confirmed"
    duplicate = client.post(url, headers=FRAGMENT, data={"csrf_token": csrf,
                                                         "name": "NEW-LINE"})
    assert duplicate.status_code == 422 and "unique" in duplicate.get_data(as_text=True)


def test_rows_edited_without_javascript(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    record = order(list_db, "SO0010")
    url = f"/web/action/{ids['editable']}/inline/{record['id']}?q=SO001&menu=3"
    page = client.get(url).get_data(as_text=True)
    assert "<h1>Quick orders</h1>" in page and 'class="editing"' in page
    assert page.count('name="ids"') == 9                      # SO0011..SO0019 as usual
    assert f'<form id="inline-edit" method="post" action="/web/action/{ids["editable"]}' \
           f'/inline/{record["id"]}?q=SO001&amp;menu=3"' in page
    bad = client.post(url, data={"csrf_token": csrf, "version": record["version"],
                                 "name": "SO0010", "quantity": "x"})
    assert bad.status_code == 422 and "<h1>Quick orders</h1>" in bad.get_data(as_text=True)
    good = client.post(url, data={"csrf_token": csrf, "version": record["version"],
                                  "name": "SO0010", "quantity": "11"})
    assert good.status_code == 303
    assert good.headers["Location"].endswith(f"/web/action/{ids['editable']}?q=SO001&menu=3")
    assert order(list_db, "SO0010")["quantity"] == 11


@pytest.mark.parametrize("field, posted, expected", [
    ("origin", "web shop", "web shop"),
    ("quantity", "12", 12),
    ("discount", "7.5", 7.5),
    ("budget", "99.90", 99.9),
    ("is_urgent", "1", True),
    ("state", "done", "done"),
    ("date", "2026-05-04", "2026-05-04"),
    ("deadline", "2026-05-04T10:30", "2026-05-04 08:30:00"),      # Paris time, stored UTC
    ("partner_id", "PARTNER", "PARTNER"),
    ("ref_code", "", False),
])
def test_set_a_field_on_the_selection(list_db, field, posted, expected) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    base = f"/web/action/{ids['plain']}"
    with list_db.environment() as env:
        chosen = env["test.order"].search([("name", "in", ["SO0020", "SO0021"])]).ids
    if posted == "PARTNER":
        posted = expected = ids["partners"][1]
    form = {"csrf_token": csrf, "back": base + "?q=SO002", "ids": chosen, "field": field}
    page = client.post(base + "/bulk/set", data=form)
    assert page.status_code == 200
    assert f'<option value="{field}"' in page.get_data(as_text=True)
    data = {**form, "apply": "1", f"value__{field}": posted}
    if field == "is_urgent":
        data["value__is_urgent__present"] = "1"
    response = client.post(base + "/bulk/set", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(base + "?q=SO002")
    with list_db.environment() as env:
        for record in env["test.order"].browse(chosen):
            value = record[field]
            value = value.id if field == "partner_id" else value
            value = value or False if field == "ref_code" else value
            assert (str(value) if field in ("date", "deadline") else value) == expected


def test_set_a_field_offers_writable_fields_only_and_checks_values(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    base = f"/web/action/{ids['plain']}"
    form = {"csrf_token": csrf, "back": base + "?q=SO003", "all": "1"}
    page = client.post(base + "/bulk/set", data=form).get_data(as_text=True)
    options = set(re.findall(r'<option value="(\w+)"', page.split('id="set-field"')[1]
                             .split("</select>")[0]))
    assert {"quantity", "partner_id", "state", "is_urgent"} <= options
    assert not options & {"amount_total", "internal_note", "line_count", "id", "version",
                          "create_date", "tag_ids", "line_ids"}
    assert "on 10 records" in page                            # all matching "SO003"
    bad = client.post(base + "/bulk/set", data={**form, "apply": "1", "field": "quantity",
                                                "value__quantity": "many"})
    assert bad.status_code == 422 and "is not a valid value" in bad.get_data(as_text=True)
    negative = client.post(base + "/bulk/set", data={**form, "apply": "1",
                                                     "field": "quantity",
                                                     "value__quantity": "-1"})
    assert negative.status_code == 422                  # the SQL constraint, in words
    done = client.post(base + "/bulk/set", data={**form, "apply": "1", "field": "quantity",
                                                 "value__quantity": "5"})
    assert done.status_code == 303
    with list_db.environment() as env:
        quantities = env["test.order"].search([("name", "like", "SO003")]).mapped("quantity")
        assert quantities == [5] * 10
    stages = client.post(f"/web/action/{ids['stages']}/bulk/set", data={
        "csrf_token": csrf, "all": "1"})
    assert stages.status_code == 403


def test_bulk_actions_on_everything_matching_and_a_safe_return(list_db) -> None:
    ids = list_db.test_ids
    client, csrf = client_for(list_db, ids["rep"])
    base = f"/web/action/{ids['plain']}"
    with list_db.environment() as env:
        first = env["test.order"].search([("name", "=", "SO0090")]).id
    response = client.post(base + "/bulk", data={"csrf_token": csrf, "operation": "archive",
                                                 "ids": [first],
                                                 "back": "//evil.example/?q=SO009"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(base)        # not the other site
    response = client.post(base + "/bulk", data={"csrf_token": csrf, "operation": "archive",
                                                 "all": "1", "back": base + "?q=SO009"})
    assert response.status_code == 303
    with list_db.environment() as env:
        archived = env["test.order"].with_context(active_test=False).search(
            [("active", "=", False)])
        assert sorted(archived.mapped("name")) == [f"SO009{i}" for i in range(10)]
        archived.write({"active": True})
    nothing = client.post(base + "/bulk", data={"csrf_token": csrf, "operation": "export_csv",
                                                "back": base})
    assert nothing.status_code == 400 and "Select the records" in unescape(
        nothing.get_data(as_text=True))


def test_condition_builder_per_type_and_combined_with_the_search(list_db) -> None:
    ids = list_db.test_ids
    client, _csrf = client_for(list_db, ids["rep"])
    base = f"/web/action/{ids['plain']}"
    page = client.get(base).get_data(as_text=True)
    quantity = re.search(r'<option value="quantity" data-type="integer" data-ops="([^"]+)"',
                         page)
    assert json.loads(unescape(quantity.group(1)))[:2] == ["=", "!="]
    assert re.search(r'value="state" data-type="selection" data-ops="[^"]+" '
                     r'data-options="[^"]*Confirmed', page)
    assert re.search(r'value="is_urgent" data-type="boolean"', page)

    def count(query: str) -> int:
        return client.get(f"{base}?{query}&limit=500").get_data(as_text=True).count(
            'name="ids"')
    assert count("c=quantity|%3E%3D|100") == 20
    assert count("q=SO001&c=quantity|%3E%3D|15") == 5               # text AND condition
    assert count("cond_field=quantity&cond_op=%3C&cond_value=3&c=partner_id|set|") == 3
    assert count("c=date|not+set|&c=quantity|%3C|2") == 2
    with list_db.environment() as env:
        expected = env["test.order"].search_count([("partner_id.name", "ilike", "client 1")])
    assert count("c=partner_id|ilike|client+1") == expected >= 40
    listed = client.get(f"{base}?c=partner_id|set|&c=state|=|draft").get_data(as_text=True)
    assert "Customer is set" in listed and "State is “Draft”" in listed   # in words
    linked = client.get(f"{base}?c=partner_id|=|{ids['partners'][1]}").get_data(as_text=True)
    assert "Customer is “Client 1”" in linked


def test_saved_searches_private_or_shared(list_db) -> None:
    ids = list_db.test_ids
    base = f"/web/action/{ids['plain']}"
    rep, rep_csrf = client_for(list_db, ids["rep"])
    other, _ = client_for(list_db, ids["rep2"])
    admin, admin_csrf = client_for(list_db, ids["admin"])
    rep.post(base + "/filters", data={"csrf_token": rep_csrf, "name": "Mine only",
                                      "query": "q=SO01"})
    admin.post(base + "/filters", data={"csrf_token": admin_csrf, "name": "For all",
                                        "query": "q=SO02", "shared": "1"})
    refused = rep.post(base + "/filters", data={"csrf_token": rep_csrf, "name": "Sneaky",
                                                "query": "q=x", "shared": "1"})
    assert refused.status_code == 403
    assert "Mine only" in rep.get(base).get_data(as_text=True)
    seen = other.get(base).get_data(as_text=True)
    assert "Mine only" not in seen and "For all" in seen and "(shared)" in seen
    with list_db.environment() as env:
        shared = env["ir.filters"].search([("name", "=", "For all")]).id
    assert rep.post(f"{base}/filters/{shared}/delete",
                    data={"csrf_token": rep_csrf}).status_code == 403


def test_rows_carry_the_lists_decorations(list_db) -> None:
    ids = list_db.test_ids
    with list_db.environment() as env:
        view = env["ir.ui.view"].create({
            "name": "orders: decorated", "model": "test.order", "type": "list",
            "priority": 95, "arch": '<list decoration-danger="[(\'quantity\', \'&gt;=\', 118)]" '
                                    'decoration-bf="[(\'quantity\', \'=\', 119)]" '
                                    'decoration-muted="not a domain">'
                                    '<field name="name"/><field name="quantity"/></list>'})
        action = env["ir.actions.act_window"].create({
            "name": "Decorated orders", "res_model": "test.order", "view_id": view.id}).id
    client, _csrf = client_for(list_db, ids["rep"])
    page = client.get(f"/web/action/{action}?limit=200&o=name").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-id="(\d+)"(?: class="([^"]*)")?', page))
    with list_db.environment() as env:
        by_name = {o.name: str(o.id) for o in env["test.order"].search(
            [("name", "in", ["SO0117", "SO0118", "SO0119"])])}
    assert rows[by_name["SO0117"]] == ""
    assert rows[by_name["SO0118"]] == "decoration-danger"
    assert rows[by_name["SO0119"]] == "decoration-danger decoration-bf"
