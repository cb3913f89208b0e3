"""Menus and window actions: visibility per group and model access, the <menuitem> tag."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.exceptions import DataFileError, ValidationError
from core.modules.data import DataLoader


@pytest.fixture
def users(env):
    create = env["res.users"].create

    def user(login, *groups):
        return create({"name": login.title(), "login": login,
                       "groups_id": [(6, 0, [env.ref(g).id for g in groups])]})

    return {"user": user("ulla", "base.group_user"),
            "manager": user("mona", "test_kernel.group_manager"),
            "admin": user("adam", "base.group_system"),
            "portal": user("pete", "base.group_portal")}


def tree_of(env, user=None) -> dict:
    """``{name: children}`` of the visible tree (names are unique in these tests)."""
    menus = env["ir.ui.menu"] if user is None else env(uid=user.id, su=False)["ir.ui.menu"]

    def names(nodes):
        return {node["name"]: names(node["children"]) for node in nodes}

    return names(menus.visible_tree())


def test_internal_users_see_contacts_and_their_orders_not_settings(env, users) -> None:
    tree = tree_of(env, users["user"])
    assert "Settings" not in tree
    assert tree["Contacts"] == {"Contacts": {}}
    # Configuration holds a manager-only menu and an action on a model users cannot read
    assert tree["Test Orders"] == {"Orders": {}}


def test_menu_groups_and_model_access_decide_together(env, users) -> None:
    assert tree_of(env, users["manager"])["Test Orders"] == {
        "Orders": {}, "Configuration": {"Stages": {}}}
    admin = tree_of(env, users["admin"])
    assert admin["Test Orders"]["Configuration"] == {"Order History": {}}
    assert set(admin["Settings"]) >= {"Users & Companies", "Localisation", "Security",
                                      "Technical"}
    assert set(admin["Settings"]["Users & Companies"]) == {"Users", "Groups", "Companies"}
    assert set(admin["Settings"]["Technical"]) >= {"Journal", "Sequences", "Parameters"}
    assert set(admin["Settings"]["Security"]) == {"Access Rights", "Record Rules"}
    assert tree_of(env, users["portal"]) == {}


def test_tree_shape_order_and_keys(env, users) -> None:
    roots = env(uid=users["user"].id, su=False)["ir.ui.menu"].visible_tree()
    names = [r["name"] for r in roots]
    assert {"Contacts", "Test Orders"} <= set(names)   # and the kernel addons' apps
    menus = env["ir.ui.menu"].browse([r["id"] for r in roots])
    assert [m.sequence for m in menus] == sorted(m.sequence for m in menus)  # by sequence
    contacts = roots[names.index("Contacts")]
    assert set(contacts) == {"id", "name", "action_id", "web_icon", "children"}
    assert contacts["action_id"] is None and contacts["web_icon"] == "contacts"
    assert contacts["children"][0]["action_id"] == env.ref("base.res_partner_action").id


def test_action_groups_hide_their_menus(env, users) -> None:
    action = env.ref("test_kernel.test_order_action")
    action.write({"groups_id": [(6, 0, [env.ref("test_kernel.group_manager").id])]})
    assert "Test Orders" not in tree_of(env, users["user"])
    assert "Orders" in tree_of(env, users["manager"])["Test Orders"]


def test_menus_are_translated_and_have_a_complete_name(env) -> None:
    menu = env.ref("test_kernel.menu_test_stages")
    assert menu.complete_name == "Test Orders / Configuration / Stages"
    menu.with_context(lang="fr_FR").write({"name": "Étapes"})
    french = tree_of(env(context={"lang": "fr_FR"}))
    assert "Étapes" in french["Test Orders"]["Configuration"]
    assert "Stages" in tree_of(env)["Test Orders"]["Configuration"]


def test_a_menu_cannot_be_its_own_ancestor(env) -> None:
    root = env.ref("test_kernel.menu_test_root")
    with pytest.raises(ValidationError, match="own parent"), env.savepoint():
        root.write({"parent_id": env.ref("test_kernel.menu_test_stages").id})


# -- the <menuitem> data tag -------------------------------------------------------------------
def write_menus(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "menus.xml"
    path.write_text(f"<comptoir>\n{body}\n</comptoir>\n", encoding="utf-8")
    return path


def test_menuitem_creates_and_updates_menus(env, tmp_path: Path) -> None:
    path = write_menus(tmp_path, """
    <menuitem id="menu_app" name="App" sequence="5" web_icon="app" groups="group_manager">
        <menuitem id="menu_app_orders" action="test_order_action" sequence="3"/>
    </menuitem>
    <menuitem id="menu_app_more" name="More" parent="menu_app"
              groups="base.group_user,group_manager"/>""")
    DataLoader(env, "test_kernel").load_file(path)
    app = env.ref("test_kernel.menu_app")
    assert (app.name, app.sequence, app.web_icon) == ("App", 5, "app")
    assert app.groups_id == env.ref("test_kernel.group_manager")
    orders, more = env.ref("test_kernel.menu_app_orders"), env.ref("test_kernel.menu_app_more")
    assert orders.parent_id == app and orders.name == "Orders"          # the action's name
    assert orders.action == env.ref("test_kernel.test_order_action")
    assert more.parent_id == app and len(more.groups_id) == 2
    # an upgrade updates what the addon owns but keeps what an admin changed
    app.write({"name": "My App"})
    path.write_text(path.read_text().replace('sequence="5"', 'sequence="7"'))
    DataLoader(env, "test_kernel", mode="update").load_file(path)
    assert (app.name, app.sequence) == ("My App", 7)


def test_menuitem_errors_name_the_file(env, tmp_path: Path) -> None:
    path = write_menus(tmp_path, '<menuitem id="menu_bad" name="Bad" action="no_such_action"/>')
    with pytest.raises(DataFileError, match=r"menus.xml:2: external id 'test_kernel.no_such"):
        DataLoader(env, "test_kernel").load_file(path)
    path = write_menus(tmp_path, '<menuitem id="menu_bad"/>')
    with pytest.raises(DataFileError, match="needs a name or an action"):
        DataLoader(env, "test_kernel").load_file(path)
    path = write_menus(tmp_path, '<menuitem id="menu_bad" name="x" colour="red"/>')
    with pytest.raises(DataFileError, match="schema"):
        DataLoader(env, "test_kernel").load_file(path)


# -- window actions ------------------------------------------------------------------------------
def test_action_domain_and_context_are_evaluated_safely(env, users) -> None:
    action = env.ref("test_kernel.test_order_action")
    as_user = action.with_env(env(uid=users["user"].id, su=False))
    assert as_user._eval_domain() == [("user_id", "in", [users["user"].id, False])]
    assert as_user._eval_context() == {"default_user_id": users["user"].id,
                                       "search_default_draft": 1}
    action.write({"domain": "[('date', '>=', context_today)]", "context": ""})
    assert action._eval_domain() == [("date", ">=", dt.date.today().isoformat())]
    assert action._eval_context() == {}
    for evil in ("__import__('os').system('true')", "[().__class__]", "[x for x in [1]]",
                 "[open('/etc/passwd')]", "[user.id]"):
        with pytest.raises(ValidationError), env.savepoint():
            action.write({"domain": evil})


def test_action_defaults_views_and_checks(env) -> None:
    action = env["ir.actions.act_window"].create({"name": "Tags", "res_model": "test.tag"})
    assert (action.view_mode, action.limit, action.target) == ("list,form", 80, "current")
    assert action._get_views() == [(None, "list"), (None, "form"), (None, "search")]
    partners = env.ref("base.res_partner_action")
    assert partners._get_views()[-1] == (env.ref("base.res_partner_view_search").id, "search")
    with pytest.raises(ValidationError, match="unknown model"), env.savepoint():
        action.write({"res_model": "test.nope"})
    with pytest.raises(ValidationError, match="view mode"), env.savepoint():
        action.write({"view_mode": "list,gantt"})
    with pytest.raises(ValidationError, match="must be a list"), env.savepoint():
        action.write({"domain": "{'a': 1}"})
