"""Custom fields: rows of ir.model.fields that become real fields, with their column added
at once (no table rewrite), on SQLite and PostgreSQL. Each test works in a transaction
rolled back at the end; ``reload_env`` gives the registry that sees its fields."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from core.exceptions import AccessError, ValidationError
from core.modules.custom_fields import load_custom_fields, relation_table, reload_env
from core.modules.loading import build_registry
from core.orm import signals
from core.testing import count_queries


def add(env, **vals):
    """Create a custom field on test.order (unless told otherwise); the env that sees it."""
    vals = {"model": "test.order", "ttype": "char", "field_description": "Custom", **vals}
    env["ir.model.fields"].create(vals)
    return reload_env(env)


def order(env, **vals):
    return env["test.order"].create({"name": f"CF{len(env['test.order'].search([]))}",
                                     **vals})


def columns(env, table):
    return {c["name"]: c for c in sa.inspect(env.conn).get_columns(table)}


def storage_id(env, table):
    """What changes when the database rewrites a table."""
    if env.dialect == "sqlite":
        return env.conn.exec_driver_sql(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?",
            (table,)).scalar_one()
    return env.conn.exec_driver_sql(
        "SELECT relfilenode FROM pg_class WHERE relname = %s", (table,)).scalar_one()


VALUES = [
    ("char", {}, "Blue", "Blue"),
    ("text", {}, "Line 1\nLine 2", "Line 1\nLine 2"),
    ("integer", {}, 42, 42),
    ("float", {}, 2.5, 2.5),
    ("monetary", {}, 19.99, 19.99),
    ("boolean", {}, True, True),
    ("date", {}, "2024-03-01", dt.date(2024, 3, 1)),
    ("datetime", {}, "2024-03-01 10:30:00", dt.datetime(2024, 3, 1, 10, 30)),
    ("selection", {"selection_ids": [(0, 0, {"value": "n", "name": "North"}),
                                     (0, 0, {"value": "s", "name": "South"})]}, "s", "s"),
]


@pytest.mark.parametrize("ttype,extra,written,expected", VALUES, ids=[v[0] for v in VALUES])
def test_each_type_is_a_real_field_at_once(env, ttype, extra, written, expected):
    before = storage_id(env, "test_order")
    env2 = add(env, name="x_value", ttype=ttype, **extra)
    assert storage_id(env2, "test_order") == before  # ALTER TABLE ADD COLUMN, no rewrite
    assert columns(env2, "test_order")["x_value"]["nullable"]
    record = order(env2, x_value=written)
    record.env.cache.invalidate()
    assert record.x_value == expected
    assert env2["test.order"].search([("x_value", "=", written)]) == record
    field = env2["test.order"]._fields["x_value"]
    assert field.manual and field.type == ttype and field.string == "Custom"


def test_name_is_prefixed_and_the_creating_env_keeps_its_registry(env):
    field = env["ir.model.fields"].create({"model": "test.order", "name": "region",
                                           "ttype": "char"})
    assert field.name == "x_region" and field.state == "manual"
    assert "x_region" not in env["test.order"]._fields  # the env that made it: as it was
    assert "x_region" in reload_env(env)["test.order"]._fields


def test_creating_bumps_the_registry_version_once_per_call(env):
    start = signals.versions(env.conn)[0]
    env["ir.model.fields"].create([{"model": "test.order", "name": f"x_f{i}",
                                    "ttype": "integer"} for i in range(3)])
    assert signals.versions(env.conn)[0] == start + 1
    with pytest.raises(ValidationError), env.savepoint():
        env["ir.model.fields"].create({"model": "test.tag", "name": "x_g", "ttype": "bad"})
    env["ir.model.fields"].create({"model": "test.tag", "name": "x_g", "ttype": "char"})
    assert signals.versions(env.conn)[0] == start + 2


def test_required_is_enforced_by_the_orm_not_the_column(env):
    existing = order(env)
    env2 = add(env, name="x_code", required=True)
    assert columns(env2, "test_order")["x_code"]["nullable"]
    with pytest.raises(ValidationError) as info:
        order(env2)
    assert info.value.field == "x_code"
    assert order(env2, x_code="A1").x_code == "A1"
    existing = env2["test.order"].browse(existing.id)
    existing.write({"quantity": 3})  # an old record without a value can still change
    assert existing.x_code is None


@pytest.mark.parametrize("ttype,text,expected", [
    ("integer", "42", 42), ("float", " 3.5 ", 3.5), ("boolean", "true", True),
    ("boolean", "no", False), ("date", "2024-12-31", dt.date(2024, 12, 31)),
    ("char", "Hello", "Hello")])
def test_default_is_a_typed_literal(env, ttype, text, expected):
    env2 = add(env, name="x_default", ttype=ttype, default_value=text)
    assert order(env2).x_default == expected


@pytest.mark.parametrize("ttype,text", [("integer", "4.5"), ("boolean", "maybe"),
                                        ("date", "31/12/2024"), ("many2one", "1")])
def test_a_default_of_the_wrong_type_is_refused(env, ttype, text):
    relation = {"relation": "res.partner"} if ttype == "many2one" else {}
    with pytest.raises(ValidationError) as info:
        env["ir.model.fields"].create({"model": "test.order", "name": "x_default",
                                       "ttype": ttype, "default_value": text, **relation})
    assert info.value.field == "default_value"


def test_index_is_created_and_dropped(env):
    env2 = add(env, name="x_code", index=True)
    indexes = lambda: {ix["name"] for ix in sa.inspect(env.conn).get_indexes("test_order")}  # noqa: E731
    assert "ix_test_order_x_code" in indexes()
    field = env2["ir.model.fields"].search([("name", "=", "x_code")])
    field.write({"index": False})
    assert "ix_test_order_x_code" not in indexes()
    field.write({"index": True})
    assert "ix_test_order_x_code" in indexes()


def test_a_translatable_char_keeps_one_value_per_language(env):
    env2 = add(env, name="x_motto", translate=True)
    record = order(env2, x_motto="Hello")
    record.with_context(lang="fr_FR").write({"x_motto": "Bonjour"})
    record.env.cache.invalidate()
    assert record.x_motto == "Hello"
    assert record.with_context(lang="fr_FR").x_motto == "Bonjour"


def test_groups_restrict_the_field(env):
    env2 = add(env, name="x_secret", groups="test_kernel.group_manager")
    record = order(env2, x_secret="hidden")
    user = env2["res.users"].create({"name": "CF rep", "login": "cf_rep", "groups_id": [
        (6, 0, [env2.ref("base.group_user").id])]})
    as_user = env2(uid=user.id, su=False)["test.order"].browse(record.id)
    assert "x_secret" not in as_user.fields_get()
    with pytest.raises(AccessError):
        as_user.read(["x_secret"])


def test_many2one_sets_null_when_the_target_goes_and_many2many_has_its_own_table(env):
    env["ir.model.fields"].create({"model": "test.order", "name": "x_contact_id",
                                   "ttype": "many2one", "relation": "res.partner"})
    env2 = add(env, name="x_tag_ids", ttype="many2many", relation="test.tag")
    assert sa.inspect(env2.conn).has_table(relation_table("test.order", "x_tag_ids"))
    contact = env2["res.partner"].create({"name": "CF contact"})
    tags = env2["test.tag"].create([{"name": "CF a"}, {"name": "CF b"}])
    record = order(env2, x_contact_id=contact.id, x_tag_ids=[(6, 0, tags.ids)])
    assert env2["test.order"].search([("x_contact_id.name", "=", "CF contact")]) == record
    assert env2["test.order"].search([("x_tag_ids", "in", tags[:1].ids)]) == record
    contact.unlink()
    record.env.cache.invalidate()
    assert not record.x_contact_id and record.x_tag_ids == tags
    assert env2["test.order"]._fields["x_contact_id"].ondelete == "set null"


def test_two_custom_many2many_to_the_same_model_do_not_share_a_table(env):
    env["ir.model.fields"].create({"model": "test.order", "name": "x_a_ids",
                                   "ttype": "many2many", "relation": "test.tag"})
    env2 = add(env, name="x_b_ids", ttype="many2many", relation="test.tag")
    tag = env2["test.tag"].create({"name": "CF t"})
    record = order(env2, x_a_ids=[(6, 0, tag.ids)])
    assert record.x_a_ids == tag and not record.x_b_ids


@pytest.mark.parametrize("vals,field", [
    ({"name": "x_Bad-Name"}, "name"),
    ({"name": "x_" + "a" * 60}, "name"),
    ({"name": "quantity"}, "name"),                     # x_quantity, which exists
    ({"name": "x_lines", "ttype": "one2many"}, "ttype"),
    ({"name": "x_link", "ttype": "many2one"}, "relation_model_id"),
    ({"name": "x_link", "ttype": "many2one", "relation": "test.mixin"}, "relation_model_id"),
    ({"name": "x_link", "ttype": "char", "relation": "res.partner"}, "relation_model_id"),
    ({"name": "x_count", "ttype": "integer", "translate": True}, "translate"),
    ({"name": "x_note", "model": "test.mixin"}, "model_id"),
    ({"name": "x_note", "groups": "base.no_such_group"}, "groups"),
])
def test_invalid_fields_are_refused_with_the_field_named(env, vals, field):
    if vals["name"] == "quantity":
        env["ir.model.fields"].create({"model": "test.order", "name": "x_quantity",
                                       "ttype": "integer"})
    values = {"model": "test.order", "ttype": "char", **vals}
    with pytest.raises(ValidationError) as info:
        env["ir.model.fields"].create(values)
    assert info.value.field == field


def test_what_defines_the_column_cannot_change(env):
    env2 = add(env, name="x_code")
    field = env2["ir.model.fields"].search([("name", "=", "x_code")])
    field.write({"name": "x_code", "ttype": "char", "field_description": "Code"})  # same
    for vals in ({"name": "x_other"}, {"ttype": "integer"}, {"translate": True},
                 {"relation": "res.partner"}):
        with pytest.raises(ValidationError):
            field.write(vals)


def test_label_help_and_required_changes_reach_a_new_registry(env):
    env2 = add(env, name="x_code")
    start = signals.versions(env.conn)[0]
    env2["ir.model.fields"].search([("name", "=", "x_code")]).write(
        {"field_description": "Customer Code", "help": "As printed", "required": True})
    assert signals.versions(env.conn)[0] == start + 1
    field = reload_env(env2)["test.order"]._fields["x_code"]
    assert (field.string, field.help, field.required) == ("Customer Code", "As printed",
                                                          True)


def test_a_row_that_cannot_become_a_field_is_skipped(env, caplog):
    add(env, name="x_contact_id", ttype="many2one", relation="res.partner")
    env.conn.execute(sa.text("UPDATE ir_model_fields SET relation = 'no.such.model' "
                             "WHERE name = 'x_contact_id'"))
    registry = reload_env(env).registry
    assert "x_contact_id" not in registry["test.order"]._fields
    assert "related model no.such.model is not installed" in caplog.text


def test_loading_custom_fields_costs_the_same_whatever_their_number(env):
    manifests = env.registry.manifests

    def cost() -> int:
        registry = build_registry(manifests, [])  # nothing: only the reading is counted
        with count_queries(env) as counter:
            load_custom_fields(registry, env.conn)
        return counter.count

    add(env, name="x_one", ttype="selection", selection_ids=[(0, 0, {"value": "a",
                                                                    "name": "A"})])
    one = cost()
    env["ir.model.fields"].create([{"model": "test.order", "name": f"x_more{i}",
                                    "ttype": "selection", "selection_ids": [
                                        (0, 0, {"value": "a", "name": "A"})]}
                                   for i in range(5)])
    assert cost() == one


def test_only_admins_add_fields(env):
    user = env["res.users"].create({"name": "CF user", "login": "cf_user", "groups_id": [
        (6, 0, [env.ref("base.group_user").id])]})
    with pytest.raises(AccessError):
        env(uid=user.id, su=False)["ir.model.fields"].create(
            {"model": "test.order", "name": "x_sneaky", "ttype": "char"})
    assert "x_sneaky" not in columns(env, "test_order")
    admin = env(uid=env.ref("base.user_admin").id, su=False)
    admin["ir.model.fields"].create({"model": "test.order", "name": "x_fine", "ttype": "char"})
    assert "x_fine" in columns(env, "test_order")
