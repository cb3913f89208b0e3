"""The kanban view over HTTP (Werkzeug client) on both engines: columns for every stage,
counts and sums, moving cards (JSON and plain forms, stale versions, access), quick create,
and a query count that does not depend on the number of cards."""
from __future__ import annotations

import json
import re

import pytest

from core.modules.loading import Database
from core.testing import count_queries
from core.testing.web import client_for

KANBAN = ('<kanban default_group_by="stage_id" quick_create="1">'
          '<field name="name" class="title"/><field name="partner_id"/>'
          '<field name="quantity" sum="Quantity"/><field name="user_id"/></kanban>')


@pytest.fixture(scope="module")
def kanban_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("kanban"),
                                 "kanban")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        rep = env["res.users"].create({"name": "Rep", "login": "rep",
                                       "groups_id": [(6, 0, [group_user.id])]})
        # a group that may read orders but not write them
        viewers = env["res.groups"].create({"name": "Order viewers"})
        env["ir.model.access"].create({
            "name": "test.order viewer", "model_id": env.ref("test_kernel.model_test_order").id,
            "group_id": viewers.id, "perm_read": True, "perm_write": False,
            "perm_create": False, "perm_unlink": False})
        env["ir.model.access"].create({
            "name": "test.stage viewer", "model_id": env.ref("test_kernel.model_test_stage").id,
            "group_id": viewers.id, "perm_read": True, "perm_write": False,
            "perm_create": False, "perm_unlink": False})
        viewer = env["res.users"].create({"name": "Viewer", "login": "viewer",
                                          "groups_id": [(6, 0, [viewers.id])]})
        stages = {"new": env.ref("test_kernel.stage_new"),
                  "done": env.ref("test_kernel.stage_done")}
        stages["won"] = env["test.stage"].create({"name": "Won", "sequence": 5})
        stages["empty"] = env["test.stage"].create({"name": "Qualified", "sequence": 3})
        partner = env["res.partner"].create({"name": "Kanban Customer"})
        env["test.order"].create([{
            "name": f"K{i:03d}", "partner_id": partner.id, "quantity": i,
            "stage_id": (stages["new"] if i < 6 else stages["won"] if i < 9
                         else stages["done"]).id} for i in range(10)])
        env["test.order"].create({"name": "K-NOSTAGE", "quantity": 100})
        env.ref("base.user_admin").write(
            {"groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        view = env["ir.ui.view"].create({"name": "orders kanban (tests)",
                                         "model": "test.order", "arch": KANBAN})
        action = env["ir.actions.act_window"].create({
            "name": "Pipeline", "res_model": "test.order", "view_mode": "kanban,list,form",
            "view_id": view.id})
        database.test_ids = {"action": action.id, "admin": env.ref("base.user_admin").id,
                             "rep": rep.id, "viewer": viewer.id,
                             **{f"stage_{k}": v.id for k, v in stages.items()}}
    yield database
    database.engine.dispose()
    drop()


def columns_of(body: str) -> list[tuple[str, str, int]]:
    """(group value, title, count) of each column, in order."""
    return [(value, title, int(count)) for value, title, count in re.findall(
        r'class="kanban-column[^"]*" data-group-value="([^"]*)".*?'
        r'class="kanban-column-title"[^>]*>([^<]*)<.*?data-count-for="[^"]*"[^>]*>(\d+)<',
        body, re.S)]


def order(database, name: str):
    with database.environment() as env:
        record = env["test.order"].search([("name", "=", name)])
        return record.id, record.version, record.stage_id.id


def move(client, database, csrf, record_id, value, version, as_json=True):
    url = f"/web/action/{database.test_ids['action']}/kanban/move"
    if as_json:
        return client.post(url, data=json.dumps({"record_id": record_id, "group_value": value,
                                                 "version": version}),
                           content_type="application/json",
                           headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    return client.post(url, data={"csrf_token": csrf, "record_id": record_id,
                                  "group_value": value, "version": version,
                                  "back": f"/web/action/{database.test_ids['action']}/kanban"})


def test_every_stage_is_a_column_with_counts_and_sums(kanban_db) -> None:
    client, _csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    response = client.get(f"/web/action/{kanban_db.test_ids['action']}/kanban")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    ids = kanban_db.test_ids
    assert columns_of(body) == [
        ("", "None", 1), (str(ids["stage_new"]), "New", 6),
        (str(ids["stage_empty"]), "Qualified", 0), (str(ids["stage_won"]), "Won", 3),
        (str(ids["stage_done"]), "Done", 1)]
    # the folded stage is collapsed, the others are open sections
    assert re.search(rf'<details class="kanban-column kanban-folded" data-group-value='
                     rf'"{ids["stage_done"]}"', body)
    assert re.search(rf'<section class="kanban-column" data-group-value="{ids["stage_won"]}"',
                     body)
    # sums of quantity: New 0..5 = 15, Won 6+7+8 = 21
    sums = re.findall(r'class="kanban-sum-value">([^<]*)<', body)
    assert sums[:4] == ["100", "15", "0", "21"]
    assert body.count('class="kanban-card"') == 11
    assert '<meta name="csrf-token"' in body and "Sortable.min.js" in body
    assert 'href="/web/action/%s/kanban' % ids["action"] in body   # view switcher


def test_group_by_selection_and_refused_group_by(kanban_db) -> None:
    client, _csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    base = f"/web/action/{kanban_db.test_ids['action']}/kanban"
    body = client.get(base + "?g=state").get_data(as_text=True)
    assert [c[:2] for c in columns_of(body)] == [("draft", "Draft"), ("confirmed", "Confirmed"),
                                                 ("done", "Done")]
    bad = client.get(base + "?g=name")
    assert bad.status_code == 422
    assert "many2one or selection" in bad.get_data(as_text=True)


def test_move_by_json_then_stale_version_is_refused(kanban_db) -> None:
    client, csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    ids = kanban_db.test_ids
    record_id, version, _stage = order(kanban_db, "K000")
    response = move(client, kanban_db, csrf, record_id, str(ids["stage_empty"]), version)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["ok"] and data["version"] == version + 1
    assert data["column_counts"][str(ids["stage_empty"])] == 1
    assert data["column_counts"][str(ids["stage_new"])] == 5
    assert order(kanban_db, "K000")[2] == ids["stage_empty"]
    stale = move(client, kanban_db, csrf, record_id, str(ids["stage_won"]), version)
    assert stale.status_code == 409
    assert "someone else" in stale.get_json()["error"]["message"]
    assert order(kanban_db, "K000")[2] == ids["stage_empty"]
    # the "None" column takes cards too
    back = move(client, kanban_db, csrf, record_id, "", version + 1)
    assert back.status_code == 200 and order(kanban_db, "K000")[2] is False
    assert move(client, kanban_db, csrf, record_id, str(ids["stage_new"]),
                version + 2).status_code == 200


def test_move_by_form_for_keyboard_users(kanban_db) -> None:
    client, csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    ids = kanban_db.test_ids
    page = client.get(f"/web/action/{ids['action']}/kanban").get_data(as_text=True)
    record_id, version, _stage = order(kanban_db, "K001")
    assert f'id="move-{record_id}" name="group_value"' in page
    response = move(client, kanban_db, csrf, record_id, str(ids["stage_won"]), version,
                    as_json=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/web/action/{ids['action']}/kanban")
    assert order(kanban_db, "K001")[2] == ids["stage_won"]
    bad = move(client, kanban_db, csrf, record_id, "nope", version + 1, as_json=False)
    assert bad.status_code == 422
    move(client, kanban_db, csrf, record_id, str(ids["stage_new"]), version + 1)


def test_users_without_write_access_cannot_move(kanban_db) -> None:
    client, csrf = client_for(kanban_db, kanban_db.test_ids["viewer"])
    ids = kanban_db.test_ids
    page = client.get(f"/web/action/{ids['action']}/kanban")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "data-draggable" not in body and 'name="group_value"' not in body
    record_id, version, stage = order(kanban_db, "K002")
    response = move(client, kanban_db, csrf, record_id, str(ids["stage_won"]), version)
    assert response.status_code == 403
    assert order(kanban_db, "K002")[2] == stage
    no_token = move(client, kanban_db, "forged", record_id, str(ids["stage_won"]), version)
    assert no_token.status_code == 403


def test_quick_create_in_a_column(kanban_db) -> None:
    client, csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    ids = kanban_db.test_ids
    base = f"/web/action/{ids['action']}/kanban"
    response = client.post(base + "/quick_create", data={
        "csrf_token": csrf, "name": "KQUICK", "group_value": str(ids["stage_won"]),
        "back": base})
    assert response.status_code == 303
    with kanban_db.environment() as env:
        created = env["test.order"].search([("name", "=", "KQUICK")])
        assert created.stage_id.id == ids["stage_won"]
        created.unlink()
    empty = client.post(base + "/quick_create", data={"csrf_token": csrf, "name": " "})
    assert empty.status_code == 422


def test_query_count_does_not_grow_with_the_cards(kanban_db) -> None:
    client, _csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    ids = kanban_db.test_ids
    url = f"/web/action/{ids['action']}/kanban"

    def add(count: int, prefix: str) -> None:
        with kanban_db.environment() as env:
            partners = env["res.partner"].create([{"name": f"{prefix} P{i}"} for i in range(5)])
            users = env["res.users"].create([{"name": f"{prefix} U{i}",
                                              "login": f"{prefix.lower()}u{i}"}
                                             for i in range(3)])
            stages = [ids["stage_new"], ids["stage_empty"], ids["stage_won"]]
            env["test.order"].create([{
                "name": f"{prefix}{i:04d}", "partner_id": partners.ids[i % 5],
                "user_id": users.ids[i % 3], "stage_id": stages[i % 3], "quantity": 1}
                for i in range(count)])

    def cleanup(prefix: str) -> None:
        with kanban_db.environment() as env:
            env["test.order"].search([("name", "=like", f"{prefix}%")]).unlink()

    counts = {}
    for size, prefix in ((20, "QA"), (200, "QB")):
        add(size, prefix)
        client.get(url)                                          # warm caches
        with count_queries(kanban_db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="kanban-card"') >= size
        counts[size] = counter.count
        cleanup(prefix)
    assert counts[20] == counts[200], counts
    assert counts[200] <= 30, counts


def test_more_link_when_a_column_is_full(kanban_db, monkeypatch) -> None:
    from core.web.client import kanban
    monkeypatch.setattr(kanban, "CARDS_PER_COLUMN", 2)
    client, _csrf = client_for(kanban_db, kanban_db.test_ids["admin"])
    ids = kanban_db.test_ids
    body = client.get(f"/web/action/{ids['action']}/kanban").get_data(as_text=True)
    assert "4 more" in body
    assert f"c=stage_id%7C%3D%7C{ids['stage_new']}" in body


def test_a_menu_opens_its_action_on_the_first_view_and_create_0_hides_new(kanban_db):
    ids = kanban_db.test_ids
    with kanban_db.environment() as env:
        menu = env["ir.ui.menu"].create({"name": "Pipeline (tests)", "action": ids["action"]})
        frozen = env["ir.ui.view"].create({
            "name": "orders kanban: no create", "model": "test.order", "mode": "primary",
            "priority": 99, "arch": KANBAN.replace("<kanban ", '<kanban create="0" ', 1)})
        frozen_action = env["ir.actions.act_window"].create({
            "name": "Frozen", "res_model": "test.order", "view_mode": "kanban",
            "view_id": frozen.id}).id
    client, _csrf = client_for(kanban_db, ids["admin"])
    opened = client.get(f"/web/menu/{menu.id}")
    assert opened.status_code == 302
    assert f"/web/action/{ids['action']}/kanban?menu=" in opened.headers["Location"]
    board = client.get(f"/web/action/{ids['action']}/kanban").get_data(as_text=True)
    assert f"/web/action/{ids['action']}/new" in board
    frozen_board = client.get(f"/web/action/{frozen_action}/kanban").get_data(as_text=True)
    assert f"/web/action/{frozen_action}/new" not in frozen_board


def test_cards_show_pictures_and_amounts_with_their_currency(kanban_db) -> None:
    from .test_web_form_widgets import png
    ids = kanban_db.test_ids
    with kanban_db.environment() as env:
        euro = env["res.currency"].search([("name", "=", "EUR")])
        view = env["ir.ui.view"].create({
            "name": "orders kanban with pictures", "model": "test.order",
            "arch": '<kanban><field name="name"/><field name="picture"/>'
                    '<field name="budget"/></kanban>'})
        action = env["ir.actions.act_window"].create({
            "name": "Catalogue", "res_model": "test.order", "view_mode": "kanban",
            "view_id": view.id}).id
        pictured = env["test.order"].create({"name": "With picture", "picture": png(),
                                             "budget": 1250.5, "currency_id": euro.id})
        plain = env["test.order"].create({"name": "Without picture", "budget": 3})
    client, _csrf = client_for(kanban_db, ids["admin"])
    with count_queries(kanban_db.engine) as counter:
        page = client.get(f"/web/action/{action}/kanban").get_data(as_text=True)
    assert f'src="/web/image/test.order/{pictured.id}/picture?v=' in page
    assert f"/web/image/test.order/{plain.id}/picture" not in page
    assert "€1,250.50" in page                       # the card's own currency
    assert counter.count < 40                         # pictures are not read to be shown
