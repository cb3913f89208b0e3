"""Removing a custom field: refused while something uses it (the list of usages, addons
included through ``comptoir_field_usages``), and while records hold values unless the
admin confirms; selection options stay editable without orphaning records' values."""
from __future__ import annotations

import types

import pytest
import sqlalchemy as sa

from core.exceptions import UserError, ValidationError
from core.modules import hookimpl, make_plugin_manager
from core.modules.custom_fields import relation_table, reload_env
from core.modules.custom_fields_usages import field_usages, mentions


def add(env, **vals):
    env["ir.model.fields"].create({"model": "test.order", "ttype": "char", **vals})
    return reload_env(env)


def field_row(env, name, model="test.order"):
    return env["ir.model.fields"].search([("model", "=", model), ("name", "=", name)])


def has_column(env, table, name):
    return name in {c["name"] for c in sa.inspect(env.conn).get_columns(table)}


def test_an_unused_empty_field_is_removed_with_its_column(env):
    env2 = add(env, name="x_code")
    field_row(env2, "x_code").unlink()
    assert not has_column(env2, "test_order", "x_code")
    assert not field_row(env2, "x_code")
    assert "x_code" not in reload_env(env2)["test.order"]._fields


def test_values_are_deleted_only_when_confirmed(env):
    env2 = add(env, name="x_code")
    env2["test.order"].create([{"name": f"CF-R{i}", "x_code": "v"} for i in range(3)])
    row = field_row(env2, "x_code")
    assert row.value_count == 3
    with pytest.raises(UserError, match="3 record"):
        row.unlink()
    assert has_column(env2, "test_order", "x_code")
    row.unlink(drop_data=True)
    assert not has_column(env2, "test_order", "x_code")


def test_the_confirmation_box_of_the_admin_screen(env):
    env2 = add(env, name="x_flag", ttype="boolean")
    env2["test.order"].create([{"name": "CF-B1", "x_flag": True},
                               {"name": "CF-B2", "x_flag": False}])
    row = field_row(env2, "x_flag")
    assert row.value_count == 1  # an unticked box holds nothing worth asking about
    with pytest.raises(UserError):
        row.unlink()
    row.write({"confirm_drop_data": True})
    row.unlink()
    assert not has_column(env2, "test_order", "x_flag")


def test_a_many2many_takes_its_relation_table_along(env):
    env2 = add(env, name="x_tag_ids", ttype="many2many", relation="test.tag")
    tag = env2["test.tag"].create({"name": "CF tag"})
    env2["test.order"].create({"name": "CF-M", "x_tag_ids": [(6, 0, tag.ids)]})
    row = field_row(env2, "x_tag_ids")
    assert row.value_count == 1
    row.unlink(drop_data=True)
    assert not sa.inspect(env2.conn).has_table(relation_table("test.order", "x_tag_ids"))


def test_usages_refuse_the_removal_and_are_listed(env):
    env2 = add(env, name="x_region")
    action = env2["ir.actions.act_window"].create({
        "name": "CF regional orders", "res_model": "test.order",
        "domain": "[('x_region', '=', 'north')]"})
    env2["ir.ui.view"].create({
        "name": "CF orders with region", "model": "test.order",
        "inherit_id": env2.ref("test_kernel.test_order_view_form").id,
        "arch": '<field name="name" position="after"><field name="x_region"/></field>'})
    env2["ir.rule"].create({"name": "CF north only",
                            "model_id": env2.ref("test_kernel.model_test_order").id,
                            "domain_force": "[('x_region', '!=', 'south')]"})
    env2["ir.filters"].create({"name": "CF northern", "action_id": action.id,
                               "query": "c=x_region%7C%3D%7Cnorth"})
    env2["ir.actions.act_window"].create({"name": "CF lines of the north",
                                          "res_model": "test.order.line",
                                          "domain": "[('order_id.x_region', '=', 'n')]"})
    with pytest.raises(UserError) as info:
        field_row(env2, "x_region").unlink(drop_data=True)
    message = str(info.value)
    for expected in ("View 'CF orders with region'", "Record rule 'CF north only'",
                     "Saved search 'CF northern'", "Action 'CF regional orders'",
                     "Action 'CF lines of the north'"):
        assert expected in message
    assert has_column(env2, "test_order", "x_region")


def test_a_same_name_on_another_model_is_not_a_usage(env):
    env["ir.model.fields"].create({"model": "test.tag", "name": "x_region", "ttype": "char"})
    env2 = add(env, name="x_region")
    env2["ir.actions.act_window"].create({"name": "CF tags", "res_model": "test.tag",
                                          "domain": "[('x_region', '=', 'n')]"})
    assert field_usages(env2, "test.order", "x_region") == []
    assert len(field_usages(env2, "test.tag", "x_region")) == 1


@pytest.mark.parametrize("text,same,found", [
    ("[('x_region', '=', 1)]", True, True), ("[('x_regional', '=', 1)]", True, False),
    ("[('partner_id.x_region', '=', 1)]", False, True), ("[('x_region', '=', 1)]", False,
                                                         False),
    ("<field name=\"parent_id.x_region\"/>", True, True), ("", True, False)])
def test_mentions(text, same, found):
    assert mentions(text, "x_region", same) is found


def test_addons_report_usages_through_the_hook(env):
    @hookimpl
    def comptoir_field_usages(env, model, field):
        return [f"Workflow 'CF tickets' ({model}.{field})"] if field == "x_state" else []

    env2 = add(env, name="x_state")
    env2.registry.pm = make_plugin_manager([types.SimpleNamespace(
        __name__="addons.cf_workflows", comptoir_field_usages=comptoir_field_usages)])
    with pytest.raises(UserError, match=r"Workflow 'CF tickets' \(test.order.x_state\)"):
        field_row(env2, "x_state").unlink()


# -- selection options ---------------------------------------------------------------------
def selection_field(env):
    return add(env, name="x_size", ttype="selection", selection_ids=[
        (0, 0, {"value": "s", "name": "Small", "sequence": 1}),
        (0, 0, {"value": "m", "name": "Medium", "sequence": 2})])


def test_options_are_editable_and_reach_the_registry(env):
    env2 = selection_field(env)
    row = field_row(env2, "x_size")
    row.write({"selection_ids": [(0, 0, {"value": "l", "name": "Large", "sequence": 3})]})
    row.selection_ids.filtered(lambda o: o.value == "s").write({"name": "Tiny"})
    env3 = reload_env(env2)
    assert env3["test.order"]._fields["x_size"].get_values(env3) == [
        ("s", "Tiny"), ("m", "Medium"), ("l", "Large")]
    assert env3["test.order"].create({"name": "CF-L", "x_size": "l"}).x_size == "l"


def test_an_option_records_hold_is_neither_renamed_nor_removed(env):
    env2 = selection_field(env)
    env2["test.order"].create({"name": "CF-S", "x_size": "s"})
    small, medium = field_row(env2, "x_size").selection_ids
    with pytest.raises(ValidationError, match="1 record"):
        small.write({"value": "xs"})
    with pytest.raises(ValidationError, match="1 record"):
        small.unlink()
    medium.write({"value": "md"})
    medium.unlink()
    assert field_row(env2, "x_size").selection_ids.mapped("value") == ["s"]


def test_the_default_option_stays(env):
    env2 = selection_field(env)
    row = field_row(env2, "x_size")
    row.write({"default_value": "m"})
    with pytest.raises(ValidationError):
        row.selection_ids.filtered(lambda o: o.value == "m").unlink()
    with pytest.raises(ValidationError) as info:
        row.write({"default_value": "xl"})
    assert info.value.field == "default_value"
    assert reload_env(env2)["test.order"].create({"name": "CF-D"}).x_size == "m"


def test_workflows_and_automation_rules_block_the_removal(env):
    env2 = add(env, name="x_code")
    rule = env2["ir.automation.rule"].create({
        "name": "CF watch code", "model_id": env2.ref("test_kernel.model_test_order").id,
        "trigger": "on_write", "trigger_fields": "x_code"})
    with pytest.raises(UserError, match="Automation rule 'CF watch code'"):
        field_row(env2, "x_code").unlink()
    rule.write({"trigger_fields": "name", "filter_domain": "[('x_code', '=', 'a')]"})
    with pytest.raises(UserError, match="Automation rule 'CF watch code'"):
        field_row(env2, "x_code").unlink()
    rule.unlink()
    field_row(env2, "x_code").unlink()
    assert not has_column(env2, "test_order", "x_code")
