"""The view editor over HTTP: administrators only, a saved layout shows in the form,
bad input refused in words, reset."""
from __future__ import annotations

import json

import pytest

from core.modules.loading import Database
from core.testing.web import client_for


@pytest.fixture(scope="module")
def editor_web(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("vedit"), "vedit")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        rep = env["res.users"].create({"name": "Rep", "login": "ve_rep", "groups_id": [
            (6, 0, [env.ref("base.group_user").id])]})
        action = env["ir.actions.act_window"].create({"name": "Orders",
                                                      "res_model": "test.order"}).id
        admin = env.ref("base.user_admin").id
    database.test_ids = {"rep": rep.id, "admin": admin, "action": action}
    yield database
    database.engine.dispose()
    drop()


def test_admin_arranges_the_list_and_resets_it(editor_web):
    ids = editor_web.test_ids
    client, csrf = client_for(editor_web, ids["admin"])
    url = f"/web/action/{ids['action']}/edit_view/list"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Available fields" in html and 'data-name="partner_id"' in html
    layout = {"containers": [{"key": "/*", "label": "", "hidden": False, "fields": [
        {"name": "partner_id", "hidden": False}, {"name": "name", "hidden": False},
        {"name": "user_id", "hidden": False}, {"name": "state", "hidden": True}]}]}
    saved = client.post(url, data={"csrf_token": csrf, "layout": json.dumps(layout)})
    assert saved.status_code == 303
    with editor_web.environment() as env:
        labels = {n: d["string"] for n, d in env["test.order"].fields_get(
            ["partner_id", "name", "user_id", "state"], ["string"]).items()}
    listing = client.get(f"/web/action/{ids['action']}").get_data(as_text=True)
    head = listing.split("<thead", 1)[1].split("</thead>", 1)[0]
    positions = [head.index(labels[n]) for n in ("partner_id", "name", "user_id")]
    assert positions == sorted(positions)        # the arranged order
    assert f">{labels['state']}<" not in head     # hidden column
    assert "Reset to default" in client.get(url).get_data(as_text=True)
    assert client.post(url + "/reset", data={"csrf_token": csrf}).status_code == 303
    assert "Reset to default" not in client.get(url).get_data(as_text=True)


def test_bad_layout_is_a_message_and_changes_nothing(editor_web):
    ids = editor_web.test_ids
    client, csrf = client_for(editor_web, ids["admin"])
    url = f"/web/action/{ids['action']}/edit_view/form"
    refused = client.post(url, data={"csrf_token": csrf, "layout": "{not json"})
    assert refused.status_code == 422
    assert "not valid" in refused.get_data(as_text=True)
    twice = {"containers": [{"key": '//group[@name="main"]', "fields": [
        {"name": "date"}, {"name": "date"}]}]}
    refused = client.post(url, data={"csrf_token": csrf, "layout": json.dumps(twice)})
    assert refused.status_code == 422 and "placed twice" in refused.get_data(as_text=True)
    with editor_web.environment() as env:
        assert not env["ir.ui.view"].search([("key", "=", "comptoir.customisation")])


def test_only_administrators_edit_views(editor_web):
    ids = editor_web.test_ids
    client, csrf = client_for(editor_web, ids["rep"])
    url = f"/web/action/{ids['action']}/edit_view/form"
    assert client.get(url).status_code == 403
    assert client.post(url + "/reset", data={"csrf_token": csrf}).status_code == 403
    assert client.get(f"/web/action/{ids['action']}/edit_view/kanban").status_code == 404
