"""Custom fields in the views (a "Custom fields" group until an admin places them, an
optional list column, group-by choices), in translations, exports, imports, domains and
read_group: a custom field is a real field everywhere."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.modules.custom_fields import reload_env
from core.modules.data import DataLoader
from core.web.client import export

REGION = [(0, 0, {"value": "north", "name": "North", "sequence": 1}),
          (0, 0, {"value": "south", "name": "South", "sequence": 2})]


@pytest.fixture
def cenv(env):
    """test.order and res.partner with a custom selection and a custom link."""
    env["ir.model.fields"].create([
        {"model": "test.order", "name": "x_region", "ttype": "selection",
         "field_description": "Sales Region", "selection_ids": REGION},
        {"model": "test.order", "name": "x_contact_id", "ttype": "many2one",
         "relation": "res.partner", "field_description": "Site Contact"},
        {"model": "res.partner", "name": "x_region", "ttype": "selection",
         "field_description": "Sales Region", "selection_ids": REGION}])
    return reload_env(env)


def view(env, model, kind):
    return env["ir.ui.view"].get_view(model, kind)


def test_unplaced_fields_get_a_custom_group_at_the_end_of_the_form(cenv):
    form = view(cenv, "test.order", "form")
    group = form.arch.find(".//group[@name='custom_fields']")
    assert group is not None and group.get("string") == "Custom fields"
    assert [f.get("name") for f in group.iter("field")] == ["x_region", "x_contact_id"]
    assert group.getparent() is form.arch.find("sheet") and group.getparent()[-1] is group
    assert form.fields["x_region"]["selection"] == [["north", "North"], ["south", "South"]]
    assert group.find("field[@name='x_region']").get("string") == "Sales Region"


def test_a_field_an_admin_placed_stays_where_it_is(cenv):
    cenv["ir.ui.view"].create({
        "name": "CF region next to the name", "model": "test.order",
        "inherit_id": cenv.ref("test_kernel.test_order_view_form").id,
        "arch": '<field name="name" position="after"><field name="x_region"/></field>'})
    form = view(cenv, "test.order", "form")
    assert len(form.arch.xpath("//field[@name='x_region']")) == 1
    group = form.arch.find(".//group[@name='custom_fields']")
    assert [f.get("name") for f in group.iter("field")] == ["x_contact_id"]


def test_generated_forms_have_the_group_too(env):
    env["ir.model.fields"].create({"model": "test.tag", "name": "x_hue", "ttype": "char"})
    form = view(reload_env(env), "test.tag", "form")
    assert form.arch.find(".//group[@name='custom_fields']/field[@name='x_hue']") is not None


def test_lists_offer_them_as_hidden_optional_columns(cenv):
    columns = {n.get("name"): n for n in view(cenv, "test.order", "list").arch.iter("field")}
    assert columns["x_region"].get("optional") == "hide"
    assert columns["x_contact_id"].get("optional") == "hide"


def test_search_views_offer_them_as_group_by_choices(cenv):
    own = view(cenv, "res.partner", "search").arch   # has a "Group By" group
    choice = own.find(".//filter[@name='group_by_x_region']")
    assert choice.get("context") == "{'group_by': 'x_region'}"
    assert choice.getparent().get("name") == "group_by"
    generated = view(cenv, "test.order", "search").arch
    names = {f.get("name") for f in generated.iter("filter")}
    assert {"group_by_x_region", "group_by_x_contact_id"} <= names
    assert "x_region" in cenv["test.order"].fields_get(attributes=["searchable"])


def test_fields_of_a_group_are_hidden_from_others(env):
    env["ir.model.fields"].create({"model": "test.order", "name": "x_margin",
                                   "ttype": "float", "groups": "test_kernel.group_manager"})
    env2 = reload_env(env)
    user = env2["res.users"].create({"name": "CF viewer", "login": "cf_viewer",
                                     "groups_id": [(6, 0, [env2.ref("base.group_user").id])]})
    as_user = env2(uid=user.id, su=False)
    assert as_user["ir.ui.view"].get_view("test.order", "form").arch.find(
        ".//field[@name='x_margin']") is None
    assert env2["ir.ui.view"].get_view("test.order", "form").arch.find(
        ".//field[@name='x_margin']") is not None


def test_labels_help_and_options_are_translated(env):
    field = env["ir.model.fields"].create({
        "model": "test.order", "name": "x_zone", "ttype": "selection",
        "field_description": "Delivery Zone CF", "help": "Where we deliver CF",
        "selection_ids": [(0, 0, {"value": "in", "name": "Inside CF"})]})
    field.with_context(lang="fr_FR").write({"field_description": "Zone de livraison CF",
                                            "help": "Où nous livrons CF"})
    field.selection_ids.with_context(lang="fr_FR").write({"name": "Intérieur CF"})
    env2 = reload_env(env)
    french = env2(context={"lang": "fr_FR"})["test.order"].fields_get(["x_zone"])["x_zone"]
    assert (french["string"], french["help"]) == ("Zone de livraison CF", "Où nous livrons CF")
    assert french["selection"] == [["in", "Intérieur CF"]]
    assert env2["test.order"].fields_get(["x_zone"])["x_zone"]["string"] == "Delivery Zone CF"
    form = env2(context={"lang": "fr_FR"})["ir.ui.view"].get_view("test.order", "form")
    assert form.arch.find(".//field[@name='x_zone']").get("string") == "Zone de livraison CF"


def test_domains_read_group_and_paths(cenv):
    contact = cenv["res.partner"].create({"name": "CF Ada", "x_region": "north"})
    orders = cenv["test.order"].create([
        {"name": "CF-V1", "x_region": "north", "x_contact_id": contact.id},
        {"name": "CF-V2", "x_region": "north"}, {"name": "CF-V3", "x_region": "south"}])
    model = cenv["test.order"]
    assert model.search([("x_region", "=", "north"), ("name", "like", "CF-V")]) == orders[:2]
    assert model.search([("x_contact_id.x_region", "=", "north")]) == orders[:1]
    groups = model.read_group([("name", "like", "CF-V")], ["x_region"], ["x_region"])
    assert {(g["x_region"], g["x_region_count"]) for g in groups} == {("north", 2),
                                                                      ("south", 1)}
    by_contact = model.read_group([("name", "like", "CF-V")], ["x_contact_id"],
                                  ["x_contact_id"])
    assert {g["x_contact_id"][1] if g["x_contact_id"] else None: g["x_contact_id_count"]
            for g in by_contact} == {"CF Ada": 1, None: 2}


def test_exports_offer_and_write_them(cenv):
    contact = cenv["res.partner"].create({"name": "CF Bo"})
    record = cenv["test.order"].create({"name": "CF-E1", "x_region": "south",
                                        "x_contact_id": contact.id})
    offered = export.index(export.exportable(cenv["test.order"]))
    assert offered["x_region"].label == "Sales Region"
    assert "x_contact_id.name" in offered
    columns = [offered["name"], offered["x_region"], offered["x_contact_id"]]
    assert export.table(record, columns, "en_US") == [["CF-E1", "South", "CF Bo"]]


def test_imports_fill_them(cenv, tmp_path: Path):
    path = tmp_path / "test.order.csv"
    path.write_text("id,name,x_region,x_contact_id:id\ncf_o1,CF-I1,north,base.main_partner\n"
                    "cf_o2,CF-I2,south,\n", encoding="utf-8")
    DataLoader(cenv, "cf_import").load_csv(path)
    imported = cenv["test.order"].search([("name", "like", "CF-I")], order="name")
    assert imported.mapped("x_region") == ["north", "south"]
    assert imported[0].x_contact_id == cenv.ref("base.main_partner")


def test_a_label_an_addon_translates_keeps_its_translation(env):
    field = env["ir.model.fields"].create({"model": "test.tag", "name": "x_name2",
                                           "ttype": "char", "field_description": "Email"})
    field.with_context(lang="fr_FR").write({"field_description": "Courriel CF"})
    french = reload_env(env)(context={"lang": "fr_FR"})["test.tag"].fields_get(["x_name2"])
    assert french["x_name2"]["string"] == "E-mail"  # the kernel's catalogue wins
