"""Views: validation, inheritance, compilation per user and language, cache, checks."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.exceptions import DataFileError, ValidationError
from core.i18n.translate import catalogs
from core.modules.checks import run_checks
from core.modules.data import DataLoader
from core.testing import count_queries

from .test_loading import AddonFactory

BASE_FORM = """<form string="Order">
    <sheet>
        <group name="main">
            <field name="name"/>
            <field name="partner_id"/>
            <field name="date" class="a b"/>
        </group>
        <group name="other">
            <field name="quantity"/>
        </group>
    </sheet>
</form>"""


@pytest.fixture
def users(env):
    group_user = env.ref("base.group_user")
    manager_group = env.ref("test_kernel.group_manager")
    create = env["res.users"].create
    return {
        "user": create({"name": "Ulla", "login": "ulla", "groups_id": [(6, 0, [group_user.id])]}),
        "manager": create({"name": "Mona", "login": "mona",
                           "groups_id": [(6, 0, [manager_group.id])]}),
    }


def as_user(env, user, **context):
    return env(uid=user.id, su=False, context=context or None)


def make_view(env, arch, **values):
    values = {"name": "test.order.custom", "model": "test.order", "arch": arch, **values}
    return env["ir.ui.view"].create(values)


def field_names(compiled) -> list[str]:
    return [node.get("name") for node in compiled.arch.iter("field")]


# -- validation --------------------------------------------------------------------------
def test_type_and_mode_are_inferred(env) -> None:
    view = make_view(env, "<list><field name='name'/></list>", priority=1)
    assert (view.type, view.mode, view.priority) == ("list", "primary", 1)
    extension = make_view(env, "<field name='name' position='after'><field name='date'/>"
                               "</field>", inherit_id=view.id, model=False)
    assert (extension.type, extension.mode, extension.model) == ("list", "extension",
                                                                 "test.order")


@pytest.mark.parametrize("arch, message", [
    ("<form js_class='custom'><field name='name'/></form>", "js_class"),
    ("<list editable='left'><field name='name'/></list>", "editable"),
    ("<form><blink/></form>", "blink"),
    ("<list><field name='name' optional='maybe'/></list>", "optional"),
    ("<calendar><field name='name'/></calendar>", "calendar"),
    ("<graph type='donut'><field name='state' type='row'/></graph>", "type"),
])
def test_archs_breaking_the_schema_are_refused(env, arch, message) -> None:
    with pytest.raises(ValidationError, match="schema") as caught:
        make_view(env, arch)
    assert message in str(caught.value)


def test_every_view_type_has_a_schema_accepting_a_typical_arch(env) -> None:
    archs = {
        "kanban": "<kanban default_group_by='stage_id'><field name='state'/><templates>"
                  "<t t-name='card'><div t-if='record.name'><field name='name'/></div></t>"
                  "</templates></kanban>",
        "search": "<search><field name='name'/><filter name='draft' string='Draft' "
                  "domain=\"[('state', '=', 'draft')]\"/><group expand='0' string='Group By'>"
                  "<filter name='by_stage' string='Stage' context=\"{'group_by': 'stage_id'}\"/>"
                  "</group></search>",
        "calendar": "<calendar date_start='date' color='user_id' mode='month'>"
                    "<field name='name'/></calendar>",
        "graph": "<graph type='bar'><field name='stage_id' type='row'/>"
                 "<field name='amount_total' type='measure'/></graph>",
        "pivot": "<pivot><field name='date' type='col' interval='month'/>"
                 "<field name='quantity' type='measure'/></pivot>",
        "dashboard": "<dashboard><group string='Totals'><aggregate name='total' "
                     "field='amount_total' group_operator='sum'/></group>"
                     "<view type='graph'/></dashboard>",
        "list": "<list editable='top' default_order='name' decoration-danger='1'>"
                "<field name='name' optional='show' widget='char'/>"
                "<field name='quantity' sum='Total' readonly=\"[('state', '=', 'done')]\"/>"
                "</list>",
    }
    for view_type, arch in archs.items():
        assert make_view(env, arch, name=f"typical {view_type}").type == view_type


def test_unknown_fields_are_named_with_a_suggestion(env) -> None:
    with pytest.raises(ValidationError) as caught:
        make_view(env, "<form>\n<field name='name'/>\n<field name='partnr_id'/>\n</form>")
    message = str(caught.value)
    assert "line 3" in message and "'partnr_id' does not exist on test.order" in message
    assert "did you mean 'partner_id'?" in message
    with pytest.raises(ValidationError, match="'prodcut' does not exist on test.order.line"):
        make_view(env, "<form><field name='line_ids'><list><field name='prodcut'/></list>"
                       "</field></form>")
    with pytest.raises(ValidationError, match="date_start> 'dat' does not exist"):
        make_view(env, "<calendar date_start='dat'><field name='name'/></calendar>")


def test_malformed_xml_and_bad_modifiers_are_refused(env) -> None:
    with pytest.raises(ValidationError, match="not well-formed"):
        make_view(env, "<form><field name='name'></form>")
    with pytest.raises(ValidationError, match="boolean .* or a domain"):
        make_view(env, "<form><field name='name' invisible='state == 1'/></form>")


def test_data_file_errors_name_the_file_and_line(env, tmp_path: Path) -> None:
    path = tmp_path / "views.xml"
    path.write_text("""<comptoir>
    <record id="bad_view" model="ir.ui.view">
        <field name="model">test.order</field>
        <field name="arch" type="xml">
            <form>
                <field name="nmae"/>
            </form>
        </field>
    </record>
</comptoir>""")
    with pytest.raises(DataFileError) as caught:
        DataLoader(env, "test_kernel").load_file(path)
    message = str(caught.value)
    assert f"{path}:2" in message and "line 6" in message and "did you mean 'name'?" in message


# -- inheritance -------------------------------------------------------------------------------
@pytest.fixture
def base_form(env):
    return make_view(env, BASE_FORM, priority=1)


def extend(env, parent, arch, **values):
    return make_view(env, arch, inherit_id=parent.id, **{"name": "ext", **values})


def compiled(env, view=None):
    return env["ir.ui.view"].get_view("test.order", "form", view.id if view else None)


@pytest.mark.parametrize("spec, expected", [
    ("<field name='name' position='before'><field name='state'/></field>",
     ["state", "name", "partner_id", "date", "quantity"]),
    ("<xpath expr=\"//field[@name='name']\" position='after'><field name='state'/>"
     "<field name='stage_id'/></xpath>",
     ["name", "state", "stage_id", "partner_id", "date", "quantity"]),
    ("<group name='other' position='inside'><field name='state'/></group>",
     ["name", "partner_id", "date", "quantity", "state"]),
    ("<field name='partner_id' position='replace'><field name='user_id'/></field>",
     ["name", "user_id", "date", "quantity"]),
    ("<field name='partner_id' position='replace'/>", ["name", "date", "quantity"]),
    ("<xpath expr=\"//field[@name='quantity']\" position='after'>"
     "<field name='name' position='move'/></xpath>", ["partner_id", "date", "quantity", "name"]),
    ("<data><field name='name' position='after'><field name='state'/></field>"
     "<xpath expr='//group[@name=\"other\"]' position='before'><field name='user_id'/></xpath>"
     "</data>", ["name", "state", "partner_id", "date", "user_id", "quantity"]),
])
def test_inheritance_positions(env, base_form, spec, expected) -> None:
    extend(env, base_form, spec)
    assert field_names(compiled(env, base_form)) == expected


def test_attributes_position_sets_removes_and_edits_lists(env, base_form) -> None:
    extend(env, base_form, """<field name="date" position="attributes">
        <attribute name="readonly">1</attribute>
        <attribute name="string">When</attribute>
        <attribute name="class" add="c" remove="a"/>
    </field>""")
    extend(env, base_form, "<field name='date' position='attributes'>"
                           "<attribute name='readonly'></attribute></field>", priority=20)
    date = compiled(env, base_form).arch.find(".//field[@name='date']")
    assert date.get("string") == "When" and date.get("class") == "b c"
    assert date.get("readonly") is None


def test_extensions_apply_in_priority_order_and_chain(env, base_form) -> None:
    first = extend(env, base_form, "<field name='name' position='after'><field name='state'/>"
                                   "</field>", priority=5)
    extend(env, base_form, "<field name='name' position='after'><field name='user_id'/>"
                           "</field>", priority=30)
    extend(env, first, "<field name='state' position='after'><field name='stage_id'/>"
                       "</field>")
    assert field_names(compiled(env, base_form))[:4] == ["name", "user_id", "state",
                                                          "stage_id"]


def test_a_primary_view_can_inherit_another(env, base_form) -> None:
    variant = make_view(env, "<field name='quantity' position='replace'/>",
                        inherit_id=base_form.id, mode="primary", priority=50)
    assert field_names(compiled(env, variant)) == ["name", "partner_id", "date"]
    assert "quantity" in field_names(compiled(env, base_form))


def test_a_spec_matching_nothing_names_the_expression_and_view(env, base_form) -> None:
    with pytest.raises(ValidationError) as caught:
        extend(env, base_form, "<xpath expr=\"//field[@name='nope']\" position='after'>"
                               "<field name='state'/></xpath>", name="broken.extension")
    message = str(caught.value)
    assert "//field[@name='nope']" in message and "broken.extension" in message
    with pytest.raises(ValidationError, match="<group name=\"missing\">"):
        extend(env, base_form, "<group name='missing' position='inside'/>")
    with pytest.raises(ValidationError, match="invalid position 'around'"):
        extend(env, base_form, "<field name='name' position='around'/>")
    with pytest.raises(ValidationError, match="'nmae' does not exist"):
        extend(env, base_form, "<field name='name' position='after'><field name='nmae'/>"
                               "</field>")


def test_editing_a_parent_that_breaks_an_extension_is_refused(env, base_form) -> None:
    extend(env, base_form, "<field name='quantity' position='after'><field name='state'/>"
                           "</field>")
    with pytest.raises(ValidationError, match="matches nothing"):
        base_form.write({"arch": "<form><field name='name'/></form>"})


# -- per user --------------------------------------------------------------------------------
def test_extension_restricted_to_a_group_is_seen_by_members_only(env, users) -> None:
    # test_kernel's test_order_view_form_manager adds 'deadline' for managers
    views = env["ir.ui.view"]
    assert "deadline" not in field_names(views.with_env(as_user(env, users["user"]))
                                         .get_view("test.order", "form"))
    assert "deadline" in field_names(views.with_env(as_user(env, users["manager"]))
                                     .get_view("test.order", "form"))


def test_groups_attributes_and_restricted_fields_are_stripped(env, users) -> None:
    views = env["ir.ui.view"]
    for_user = views.with_env(as_user(env, users["user"])).get_view("test.order", "form")
    assert "budget" not in field_names(for_user)          # <group groups="...manager">
    assert "internal_note" not in field_names(for_user)   # field groups=...manager
    assert "internal_note" not in for_user.fields and "name" in for_user.fields
    for_manager = views.with_env(as_user(env, users["manager"])).get_view("test.order", "form")
    assert {"budget", "internal_note"} <= set(field_names(for_manager))
    assert "internal_note" in for_manager.fields
    assert "groups=" not in for_manager.arch_string
    lines = for_manager.fields["line_ids"]["views"]["list"]["fields"]
    assert set(lines) == {"product", "quantity", "price"}


def test_labels_are_translated_in_the_users_language(env, monkeypatch) -> None:
    monkeypatch.setattr(catalogs, "_messages", {**catalogs._messages, "fr_FR": {
        **catalogs._messages.get("fr_FR", {}), "Order": "Commande", "Lines": "Lignes",
        "Reference": "Référence", "Note": "Remarque", "Confirm": "Confirmer",
        "Total Quantity": "Quantité totale"}})
    french = env(context={"lang": "fr_FR"})["ir.ui.view"].get_view("test.order", "form")
    arch = french.arch
    assert arch.get("string") == "Commande"
    assert arch.find(".//page").get("string") == "Lignes"
    assert arch.find(".//field[@name='name']").get("string") == "Référence"
    assert arch.find(".//label").text == "Remarque"
    assert arch.find(".//button").get("string") == "Confirmer"
    assert arch.find(".//field[@name='quantity']").get("sum") == "Quantité totale"
    english = env["ir.ui.view"].get_view("test.order", "form").arch
    assert english.get("string") == "Order"
    assert english.find(".//field[@name='name']").get("string") == "Reference"


# -- cache, defaults -------------------------------------------------------------------------
def test_a_warm_cache_costs_no_query_and_saving_a_view_clears_it(env, users) -> None:
    views = env["ir.ui.view"].with_env(as_user(env, users["user"]))
    first = views.get_view("test.order", "form")
    with count_queries(env) as counter:
        again = views.get_view("test.order", "form")
    assert counter.count == 0
    assert again is first                     # shared, read-only (copy() to change it)
    parent = env.ref("test_kernel.test_order_view_form")
    extend(env, parent, "<field name='date' position='after'><field name='is_urgent'/>"
                        "</field>")
    assert "is_urgent" in field_names(views.get_view("test.order", "form"))


def test_default_views_are_generated(env) -> None:
    views = env["ir.ui.view"]
    listed = views.get_view("test.tag", "list")
    assert listed.view_id == 0 and field_names(listed) == ["name", "color"]
    form = views.get_view("test.tag", "form")
    assert field_names(form) == ["name", "color"] and form.arch.find("sheet/group") is not None
    assert field_names(views.get_view("test.tag", "search")) == ["name"]
    assert views.get_view("test.order", "calendar").arch.get("date_start") == "date"
    with pytest.raises(ValidationError, match="no dashboard view"):
        views.get_view("test.tag", "dashboard")


def test_asking_for_a_view_of_another_model_or_type_fails(env) -> None:
    form = env.ref("test_kernel.test_order_view_form")
    with pytest.raises(ValidationError, match="not of res.partner"):
        env["ir.ui.view"].get_view("res.partner", "form", form.id)
    with pytest.raises(ValidationError, match="not list"):
        env["ir.ui.view"].get_view("test.order", "list", form.id)


# -- upgrade and checks --------------------------------------------------------------------------
def test_upgrade_keeps_an_admin_created_extension(fresh_db_url, comptoir_available) -> None:
    from core.modules.loading import Database
    database = Database(fresh_db_url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        parent = env.ref("test_kernel.test_order_view_form")
        make_view(env, "<field name='date' position='after'><field name='is_urgent'/></field>",
                  inherit_id=parent.id, name="admin tweak")
    database.upgrade(["test_kernel"])
    with database.environment() as env:
        assert env["ir.ui.view"].search([("name", "=", "admin tweak")])
        assert "is_urgent" in field_names(env["ir.ui.view"].get_view("test.order", "form"))


def test_check_reports_view_problems_with_lines(tmp_path: Path) -> None:
    factory = AddonFactory(tmp_path / "site")
    try:
        factory.write("viewy", {
            "addon.toml": 'name = "viewy"\nversion = "1.0"\ndepends = ["base"]\n'
                          'data = ["views/viewy.xml"]\n',
            "views/viewy.xml": """
                <comptoir>
                  <record id="partner_list" model="ir.ui.view">
                    <field name="model">res.partner</field>
                    <field name="arch" type="xml">
                      <list>
                        <field name="emial"/>
                      </list>
                    </field>
                  </record>
                  <record id="partner_form_ext" model="ir.ui.view">
                    <field name="inherit_id" ref="base.res_partner_view_form"/>
                    <field name="arch" type="xml">
                      <xpath expr="//field[@name='nope']" position="after"/>
                    </field>
                  </record>
                  <record id="partner_form_ext2" model="ir.ui.view">
                    <field name="inherit_id" ref="base.res_partner_view_form"/>
                    <field name="arch" type="xml">
                      <field name="email" position="after"><field name="fax"/></field>
                    </field>
                  </record>
                  <menuitem id="menu_x" name="X" parent="base.menu_nowhere" action="no_action"/>
                </comptoir>
            """,
        })
        messages = run_checks(factory.available("viewy"), ["base", "viewy"])
    finally:
        factory.close()
    found = {(m.id, m.line) for m in messages if m.id.startswith("views.")}
    assert found == {("views.E001", 6), ("views.E003", 13), ("views.E001", 19),
                     ("views.E004", 22)}
    unknown = next(m for m in messages if m.id == "views.E001" and m.line == 6)
    assert unknown.file.endswith("viewy.xml") and unknown.hint == "did you mean 'email'?"
    assert len([m for m in messages if m.id == "views.E004"]) == 2
