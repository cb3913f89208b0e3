"""The view editor's layouts: read from a view, arranged, stored as one extension that
survives upgrades, and reset."""
from __future__ import annotations

import pytest

from core.exceptions import ValidationError
from core.modules.loading import Database
from core.views import editor


@pytest.fixture(scope="module")
def editor_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("editor"), "editor")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    yield database
    database.engine.dispose()
    drop()


def layout_of(env, view_type="form"):
    _root, arch = editor.base_arch(env, "test.order", view_type)
    return editor.containers_of(arch, view_type)


def field_names(node):
    return [f.get("name") for f in node.iter("field")]


def compiled(env, view_type="form"):
    env.invalidate_all()
    return env["ir.ui.view"].get_view("test.order", view_type).arch


def as_data(containers):
    return {"containers": [{"key": c.key, "label": c.label, "hidden": c.hidden,
                            "fields": [dict(f) for f in c.fields]} for c in containers]}


def test_form_layout_is_read_from_the_view(editor_db):
    with editor_db.environment() as env:
        containers = layout_of(env)
    keys = [c.key for c in containers]
    assert keys[0] == '//group[@name="main"]'
    main = containers[0]
    assert [f["name"] for f in main.fields][:3] == ["partner_id", "user_id", "date"]


def test_arrange_hide_add_group_then_reset(editor_db):
    with editor_db.environment() as env:
        data = as_data(layout_of(env))
        main = data["containers"][0]
        names = [f["name"] for f in main["fields"]]
        # user first, date hidden, is_urgent moved to a new group with an added field
        main["fields"].sort(key=lambda f: f["name"] != "user_id")
        for item in main["fields"]:
            item["hidden"] = item["name"] == "date"
        urgent = next(f for f in main["fields"] if f["name"] == "is_urgent")
        main["fields"].remove(urgent)
        data["containers"].append({"key": "new:1", "label": "Logistics", "hidden": False,
                                   "fields": [urgent, {"name": "amount_total",
                                                       "hidden": False}]})
        known = set(env["test.order"]._fields)
        layout = editor.parse_layout(data, known)
        view = editor.save_layout(env, "test.order", "form", layout)
        assert view.key == editor.CUSTOMISATION_KEY and not view.env["ir.model.data"].search(
            [("model", "=", "ir.ui.view"), ("res_id", "=", view.id)])
        arch = compiled(env)
        group = arch.find(".//group[@name='main']")
        assert field_names(group)[0] == "user_id"
        assert len(field_names(group)) == len(names) - 1
        assert group.find("field[@name='date']").get("invisible") == "1"
        logistics = next(g for g in arch.iter("group") if g.get("string") == "Logistics")
        assert field_names(logistics) == ["is_urgent", "amount_total"]
        # what the editor shows next time is what was saved
        again = editor.containers_of(arch, "form")
        assert [c.label for c in again][-1] == "Logistics"
        assert editor.reset_layout(env, "test.order", "form")
        arch = compiled(env)
        assert field_names(arch.find(".//group[@name='main']"))[:2] == ["partner_id", "user_id"]
        assert not any(g.get("string") == "Logistics" for g in arch.iter("group"))


def test_list_columns_reordered_hidden_and_kept_through_an_upgrade(editor_db):
    with editor_db.environment() as env:
        data = as_data(layout_of(env, "list"))
        columns = data["containers"][0]["fields"]
        columns.reverse()
        columns[0]["hidden"] = True  # amount_total
        columns.append({"name": "user_id", "hidden": False})
        layout = editor.parse_layout(data, set(env["test.order"]._fields))
        editor.save_layout(env, "test.order", "list", layout)
    editor_db.upgrade(["test_kernel"])
    with editor_db.environment() as env:
        arch = compiled(env, "list")
        assert field_names(arch) == ["amount_total", "state", "partner_id", "name", "user_id"]
        assert arch.find("field[@name='amount_total']").get("column_invisible") == "1"
        editor.reset_layout(env, "test.order", "list")
        assert field_names(compiled(env, "list")) == ["name", "partner_id", "state",
                                                      "amount_total"]


def test_bad_layouts_are_refused_with_a_reason(editor_db):
    with editor_db.environment() as env:
        known = set(env["test.order"]._fields)
        with pytest.raises(ValidationError, match="Unknown field"):
            editor.parse_layout({"containers": [{"key": "/*", "fields": [
                {"name": "password"}]}]}, known)
        with pytest.raises(ValidationError, match="twice"):
            editor.parse_layout({"containers": [{"key": "/*", "fields": [
                {"name": "name"}, {"name": "name"}]}]}, known)
        with pytest.raises(ValidationError, match="title"):
            editor.parse_layout({"containers": [{"key": "new:1", "fields": []}]}, known)
        with pytest.raises(ValidationError, match="not valid"):
            editor.parse_layout(["nope"], known)
