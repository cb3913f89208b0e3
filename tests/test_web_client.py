"""The web client over HTTP (Werkzeug client) on both engines: pages, bad input, access,
conflicts, and a query count that does not depend on the page size."""
from __future__ import annotations

import re

import pytest

from core.modules.loading import Database
from core.testing import count_queries
from core.testing.web import client_for


@pytest.fixture(scope="module")
def client_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("client"),
                                 "client")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel_ext"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        users = env["res.users"].create([
            {"name": f"Rep {i}", "login": f"rep{i}", "groups_id": [(6, 0, [group_user.id])]}
            for i in range(3)])
        team = env["test.team"].create({"name": "North", "member_ids": [(6, 0, users.ids)]})
        partners = env["res.partner"].create([{"name": f"Customer {i}"} for i in range(5)])
        stage = env.ref("test_kernel.stage_new")
        env["test.order"].create([{
            "name": f"SO{i:04d}", "note": "n", "user_id": users.ids[i % 3], "team_id": team.id,
            "partner_id": partners.ids[i % 5], "stage_id": stage.id,
            "quantity": i} for i in range(200)])
        # four many2one columns in the list, as admins would add them
        env["ir.ui.view"].create({
            "name": "orders: more columns", "model": "test.order",
            "inherit_id": env.ref("test_kernel.test_order_view_list").id,
            "arch": '<field name="partner_id" position="after"><field name="user_id"/>'
                    '<field name="team_id"/><field name="stage_id"/></field>'})
        # the admin manages orders: every order visible, manager-only fields shown
        env.ref("base.user_admin").write(
            {"groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        action = env["ir.actions.act_window"].create({"name": "All orders",
                                                      "res_model": "test.order"}).id
        uids = {"rep": users.ids[0], "admin": env.ref("base.user_admin").id}
    database.test_ids = {"action": action, **uids}
    yield database
    database.engine.dispose()
    drop()


def test_list_page_query_count_does_not_grow_with_the_page(client_db) -> None:
    client, _csrf = client_for(client_db, client_db.test_ids["rep"])
    url = f"/web/action/{client_db.test_ids['action']}"
    assert client.get(url + "?limit=5").status_code == 200       # warm caches
    counts = {}
    for limit in (10, 80):
        with count_queries(client_db.engine) as counter:
            response = client.get(f"{url}?limit={limit}")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert body.count('name="ids"') == limit
        counts[limit] = counter.count
    assert counts[10] == counts[80], counts
    assert counts[80] <= 25, counts
    for header in ("Customer", "Salesperson", "Team", "Stage"):
        assert f">{header}<" in body or f">{header}</a>" in body


def test_rule_restricted_user_sees_only_rule_records(client_db) -> None:
    with client_db.environment() as env:
        env["test.order"].create({"name": "FOREIGN", "note": "n",
                                  "user_id": client_db.test_ids["admin"]})
    client, _csrf = client_for(client_db, client_db.test_ids["rep"])
    body = client.get(f"/web/action/{client_db.test_ids['action']}?q=FOREIGN") \
        .get_data(as_text=True)
    assert "FOREIGN" not in body.split("</form>", 1)[-1] or "No record matches" in body


def test_bad_search_input_gives_a_message_not_an_error_page(client_db) -> None:
    client, _csrf = client_for(client_db, client_db.test_ids["admin"])
    base = f"/web/action/{client_db.test_ids['action']}"
    response = client.get(base + "?o=nmae+desc")
    assert response.status_code == 422
    assert "Field &#39;nmae&#39; does not exist" in response.get_data(as_text=True)
    response = client.get(base + "?c=quantity|%3E|abc")
    assert response.status_code == 422
    ok = client.get(base + "?c=quantity|%3E%3D|198&limit=80")
    assert ok.status_code == 200 and ok.get_data(as_text=True).count('name="ids"') == 2


def test_form_errors_next_to_the_field_and_conflicts(client_db) -> None:
    client, csrf = client_for(client_db, client_db.test_ids["admin"])
    base = f"/web/action/{client_db.test_ids['action']}"
    bad = client.post(base + "/new", data={"csrf_token": csrf, "name": "X1", "budget": "ten"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert re.search(r'has-error">\s*<label for="field-budget"', page)
    assert "is not a valid value for" in page
    created = client.post(base + "/new", data={"csrf_token": csrf, "name": "X1",
                                               "budget": "10"})
    assert created.status_code == 303
    record_url = created.headers["Location"].split("?")[0]
    form = client.get(record_url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    first = client.post(record_url, data={"csrf_token": csrf, "budget": "11.5",
                                          "version": version})
    assert first.status_code == 303
    stale = client.post(record_url, data={"csrf_token": csrf, "budget": "99",
                                          "version": version})
    assert stale.status_code == 422
    conflict = stale.get_data(as_text=True)
    assert "changed by someone else" in conflict
    assert re.search(r"<td>Budget</td><td>11\.50</td><td>99\.00</td>", conflict), conflict
    with client_db.environment() as env:
        order = env["test.order"].search([("name", "=", "X1")])
        assert order.budget == 11.5                       # nothing was overwritten
    latest = re.search(r'name="version" value="(\d+)"', conflict).group(1)
    assert latest != version
    merged = client.post(record_url, data={"csrf_token": csrf, "budget": "99",
                                           "version": latest})
    assert merged.status_code == 303
    with client_db.environment() as env:
        assert env["test.order"].search([("name", "=", "X1")]).budget == 99


def test_users_cannot_delete_what_access_forbids(client_db) -> None:
    client, csrf = client_for(client_db, client_db.test_ids["rep"])
    base = f"/web/action/{client_db.test_ids['action']}"
    page = client.get(base).get_data(as_text=True)
    assert 'value="delete"' not in page                        # no such bulk action shown
    ids = re.findall(r'name="ids" value="(\d+)"', page)[:2]
    response = client.post(base + "/bulk", data={"csrf_token": csrf, "operation": "delete",
                                                 "ids": ids})
    assert response.status_code == 403
    with client_db.environment() as env:
        assert len(env["test.order"].browse([int(i) for i in ids]).exists()) == 2


def test_export_csv_honours_field_access(client_db) -> None:
    client, csrf = client_for(client_db, client_db.test_ids["admin"])
    base = f"/web/action/{client_db.test_ids['action']}"
    page = client.get(base).get_data(as_text=True)
    ids = re.findall(r'name="ids" value="(\d+)"', page)[:3]
    response = client.post(base + "/bulk", data={"csrf_token": csrf,
                                                 "operation": "export_csv", "ids": ids})
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 4 and lines[0].startswith("Reference")
