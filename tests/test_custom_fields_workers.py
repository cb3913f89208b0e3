"""Custom fields on a committed database served by two workers: the one that adds a field
and every other one use it from their next request (the registry version in the
database), in the web client's forms and lists and in the REST API."""
from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from core.modules.loading import Database
from core.security import sessions
from core.testing import count_queries
from core.web import Application
from core.web.app import SESSION_COOKIE


@pytest.fixture(scope="module")
def workers(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("cfw"), "cfworkers")
    one = Database(url, available=comptoir_available)
    one.install(["test_kernel"])
    two = Database(url, available=comptoir_available)
    yield one, two
    one.engine.dispose()
    two.engine.dispose()
    drop()


@pytest.fixture
def region(workers):
    """x_region on contacts, added by the first worker; removed after the test."""
    one, _two = workers
    with one.environment() as env:
        env["ir.model.fields"].create({
            "model": "res.partner", "name": "region", "ttype": "selection",
            "field_description": "Region", "selection_ids": [
                (0, 0, {"value": "north", "name": "North"}),
                (0, 0, {"value": "south", "name": "South"})]})
    yield
    with one.environment() as env:
        env["ir.model.fields"].search([("name", "=", "x_region")]).unlink(drop_data=True)


def test_every_worker_uses_a_field_from_its_next_request(workers):
    one, two = workers
    with two.environment() as env:   # the second worker has built its registry
        assert "x_score" not in env["res.partner"]._fields
        before = env.registry
    with one.environment() as env:
        env["ir.model.fields"].create({"model": "res.partner", "name": "x_score",
                                       "ttype": "integer", "field_description": "Score"})
        assert "x_score" not in env["res.partner"]._fields  # this request's registry
    with two.environment() as env:
        assert env.registry is not before
        partner = env["res.partner"].create({"name": "CF scored", "x_score": 7})
    with one.environment() as env:   # the worker that made the change rebuilds too
        assert env["res.partner"].browse(partner.id).x_score == 7
        env["ir.model.fields"].search([("name", "=", "x_score")]).unlink(drop_data=True)
    with two.environment() as env:
        assert "x_score" not in env["res.partner"]._fields
    with two.engine.connect() as conn, conn.begin():
        with count_queries(conn) as counter:
            two.check_signals(conn)
    assert counter.count == 1  # what every request pays to know


def client_for(database, login="admin"):
    with database.environment() as env:
        uid = env["res.users"].search([("login", "=", login)]).id
        sid, csrf = sessions.create_session(env, uid)
        action = env.ref("base.res_partner_action").id
    client = Client(Application(database))
    client.set_cookie(SESSION_COOKIE, sid)
    return client, csrf, action


def test_the_web_client_shows_saves_and_lists_the_field(workers, region):
    one, two = workers
    with two.environment() as env:
        partner = env["res.partner"].create({"name": "CF Web"})
        env["res.partner"].create({"name": "CF Northern", "x_region": "north"})
    client, csrf, action = client_for(two)
    page = client.get(f"/web/action/{action}/{partner.id}").get_data(as_text=True)
    assert "Custom fields" in page and 'name="x_region"' in page
    form = {"csrf_token": csrf, "version": re.search(
        r'name="version" value="(\d+)"', page).group(1), "name": "CF Web",
        "x_region": "south"}
    saved = client.post(f"/web/action/{action}/{partner.id}", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    with one.environment() as env:
        assert env["res.partner"].browse(partner.id).x_region == "south"
    listing = client.get(f"/web/action/{action}").get_data(as_text=True)
    assert re.search(r'name="col" value="x_region"> Region', listing)  # hidden, offered
    assert re.search(r'<option value="x_region" data-type="selection"', listing)  # filter
    assert '<option value="x_region">Region</option>' in listing  # group by
    grouped = client.get(f"/web/action/{action}?g=x_region").get_data(as_text=True)
    assert "South" in grouped
    filtered = client.get(f"/web/action/{action}?c=x_region|=|south").get_data(as_text=True)
    assert "CF Web" in filtered and "CF Northern" not in filtered
    assert "<td" in listing and ">South<" not in listing
    shown = client.get(f"/web/action/{action}?cols=1&col=x_region").get_data(as_text=True)
    assert re.search(r'name="col" value="x_region" checked> Region', shown)
    assert "South" in shown


def test_the_rest_api_reads_and_writes_the_field(workers, region):
    one, _two = workers
    with one.environment() as env:
        admin = env.ref("base.user_admin")
        key = env["res.users.apikey"].generate("cf tests", admin.id)
        partner = env["res.partner"].create({"name": "CF Api", "x_region": "north"})
    client = Client(Application(one))
    headers = {"Authorization": f"Bearer {key}"}
    read = client.get(f"/api/v1/models/res.partner/{partner.id}?fields=name,x_region",
                      headers=headers)
    assert read.status_code == 200, read.get_data(as_text=True)
    assert read.json["x_region"] == "north"
    patched = client.patch(f"/api/v1/models/res.partner/{partner.id}",
                           json={"x_region": "south"}, headers=headers)
    assert patched.status_code == 200, patched.get_data(as_text=True)
    refused = client.patch(f"/api/v1/models/res.partner/{partner.id}",
                           json={"x_region": "east"}, headers=headers)
    assert refused.status_code == 422
    with one.environment() as env:
        assert env["res.partner"].browse(partner.id).x_region == "south"


def test_an_upgrade_keeps_custom_fields_as_the_admin_made_them(workers, region):
    one, two = workers
    with one.environment() as env:
        env["ir.model.fields"].search([("name", "=", "x_region")]).write(
            {"field_description": "Sales Region", "required": True})
    one.upgrade(["base"])
    with two.environment() as env:
        row = env["ir.model.fields"].search([("name", "=", "x_region")])
        assert (row.state, row.field_description, row.required) == ("manual",
                                                                     "Sales Region", True)
        assert env["res.partner"]._fields["x_region"].string == "Sales Region"


def test_uninstalling_the_linked_addon_drops_the_link(fresh_db_url, comptoir_available):
    database = Database(fresh_db_url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        env["ir.model.fields"].create([
            {"model": "res.partner", "name": "x_stage_id", "ttype": "many2one",
             "relation": "test.stage"},
            {"model": "res.partner", "name": "x_tag_ids", "ttype": "many2many",
             "relation": "test.tag"},
            {"model": "res.partner", "name": "x_note", "ttype": "char"}])
    with database.environment() as env:
        env["res.partner"].search([], limit=1).write({"x_note": "kept"})
    plan = database.uninstall_plan(["test_kernel"])
    assert plan["columns"]["res_partner"] == ["x_stage_id"]
    assert "x_res_partner_tag_ids_rel" in plan["tables"]
    database.uninstall(["test_kernel"], drop_data=True)
    with database.environment() as env:
        assert {"x_stage_id", "x_tag_ids"}.isdisjoint(env["res.partner"]._fields)
        assert env["res.partner"].search([("x_note", "=", "kept")])
        assert env["ir.model.fields"].search([("state", "=", "manual")]).mapped("name") == [
            "x_note"]
    database.engine.dispose()
