"""Field types on the test addons' models: conversion, validation, defaults, required
fields, translations and metadata, on SQLite and PostgreSQL.

Values are checked twice where it matters: straight after the write (the cache) and after
``env.invalidate_all()`` (what the database kept).
"""
from __future__ import annotations

import base64
import datetime as dt
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import UnknownFieldError, ValidationError

_names = count(1)


def make_order(env, **vals):
    vals.setdefault("name", f"F{next(_names)}")
    return env["test.order"].create(vals)


def reread(record, name):
    """The value the database holds, not the cache."""
    record.env.invalidate_all()
    return record[name]


# -- char, text, html ----------------------------------------------------------------------
def test_char_size_is_enforced_and_names_the_field(env):
    order = make_order(env, name="x" * 32)
    assert reread(order, "name") == "x" * 32
    with pytest.raises(ValidationError) as info:
        make_order(env, name="y" * 33)
    assert info.value.field == "name"
    assert "Reference" in str(info.value) and "32" in str(info.value)
    with pytest.raises(ValidationError):
        order.write({"name": "z" * 40})
    assert reread(order, "name") == "x" * 32


def test_char_converts_non_strings_and_false(env):
    order = make_order(env, name=12345, ref_code=False)
    assert reread(order, "name") == "12345"
    assert reread(order, "ref_code") in (None, False)


def test_html_is_sanitised(env):
    order = make_order(env, description='<p onclick="steal()">Hi <b>there</b></p>'
                                         '<script>alert("x")</script>')
    stored = reread(order, "description")
    assert "<script" not in stored and "alert" not in stored
    assert "onclick" not in stored
    assert "<p>Hi <b>there</b></p>" in stored
    order.write({"description": "<img src=x onerror=alert(1)>ok"})
    assert "onerror" not in reread(order, "description")


# -- numbers -------------------------------------------------------------------------------
def test_integer_from_strings_and_errors(env):
    order = make_order(env, quantity="42")
    assert reread(order, "quantity") == 42
    order.write({"quantity": False})
    assert reread(order, "quantity") == 0
    for bad in ("4.5", "many", [1]):
        with pytest.raises(ValidationError) as info:
            order.write({"quantity": bad})
        assert info.value.field == "quantity"
        assert "Quantity" in str(info.value)
    assert reread(order, "quantity") == 0


def test_float_from_strings_rounded_to_digits(env):
    order = make_order(env, discount="12.3456")
    assert order.discount == pytest.approx(12.35)
    assert reread(order, "discount") == pytest.approx(12.35)
    with pytest.raises(ValidationError) as info:
        order.write({"discount": "ten"})
    assert info.value.field == "discount"


def test_monetary(env):
    order = make_order(env, budget="1234.5", currency_id=env["res.currency"].search(
        [], limit=1).id or False)
    assert reread(order, "budget") == pytest.approx(1234.5)
    assert isinstance(order.budget, float)
    order.write({"budget": 10.004})
    assert reread(order, "budget") == pytest.approx(10.0)
    with pytest.raises(ValidationError) as info:
        order.write({"budget": "lots"})
    assert info.value.field == "budget"
    desc = env["test.order"].fields_get(["budget"])["budget"]
    assert desc["type"] == "monetary" and desc["currency_field"] == "currency_id"


def test_monetary_cache_agrees_with_database(env):
    order = make_order(env, line_ids=[(0, 0, {"product": "p", "quantity": 1, "price": 1 / 3})])
    in_cache = order.amount_total
    assert in_cache == reread(order, "amount_total") == pytest.approx(0.33)


# -- dates ---------------------------------------------------------------------------------
def test_date_conversion_and_errors(env):
    order = make_order(env, date="2024-02-29")
    assert reread(order, "date") == dt.date(2024, 2, 29)
    order.write({"date": dt.datetime(2024, 3, 1, 23, 59)})
    assert reread(order, "date") == dt.date(2024, 3, 1)
    for bad in ("2023-02-29", "31/12/2024", "tomorrow"):
        with pytest.raises(ValidationError) as info:
            order.write({"date": bad})
        assert info.value.field == "date"
        assert "Date" in str(info.value)
    assert reread(order, "date") == dt.date(2024, 3, 1)


def test_datetime_aware_values_become_naive_utc(env):
    paris = dt.datetime(2024, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Paris"))
    order = make_order(env, deadline=paris)
    assert order.deadline == dt.datetime(2024, 7, 1, 10, 30)
    assert reread(order, "deadline") == dt.datetime(2024, 7, 1, 10, 30)
    assert order.deadline.tzinfo is None
    order.write({"deadline": "2024-01-15T08:00:00-05:00"})
    assert reread(order, "deadline") == dt.datetime(2024, 1, 15, 13, 0)
    order.write({"deadline": "2024-01-15 09:10:11"})
    assert reread(order, "deadline") == dt.datetime(2024, 1, 15, 9, 10, 11)
    with pytest.raises(ValidationError) as info:
        order.write({"deadline": "2024-01-15 25:00"})
    assert info.value.field == "deadline"


# -- selection -----------------------------------------------------------------------------
def test_selection_refuses_values_not_in_list(env):
    order = make_order(env, state="confirmed", priority="3")
    assert reread(order, "state") == "confirmed"
    assert order.priority == "3"
    with pytest.raises(ValidationError) as info:
        order.write({"state": "cancelled"})
    assert info.value.field == "state" and "cancelled" in str(info.value)
    with pytest.raises(ValidationError) as info:
        make_order(env, priority="9")
    assert info.value.field == "priority"
    assert reread(order, "state") == "confirmed"


# -- binary, json, reference ---------------------------------------------------------------
def test_binary_from_base64(env):
    order = make_order(env, attachment=base64.b64encode(b"\x00hello\xff").decode())
    assert reread(order, "attachment") == b"\x00hello\xff"
    order.write({"attachment": b"raw bytes"})
    assert reread(order, "attachment") == b"raw bytes"
    with pytest.raises(ValidationError) as info:
        order.write({"attachment": "not base64 !!"})
    assert info.value.field == "attachment"
    order.write({"attachment": False})
    assert not reread(order, "attachment")


def test_json_round_trip_and_refusal(env):
    value = {"a": [1, 2.5, None], "b": {"nested": "é"}, "c": True}
    order = make_order(env, data=value)
    assert reread(order, "data") == value
    order.write({"data": [1, "two"]})
    assert reread(order, "data") == [1, "two"]
    with pytest.raises(ValidationError) as info:
        order.write({"data": {"when": dt.date(2024, 1, 1)}})
    assert info.value.field == "data"
    assert reread(order, "data") == [1, "two"]


def test_reference(env):
    partner = env["res.partner"].create({"name": "Ref target"})
    tag = env["test.tag"].create({"name": "t"})
    order = make_order(env, source=f"res.partner,{partner.id}")
    assert reread(order, "source") == partner
    order.write({"source": tag})
    assert reread(order, "source") == tag
    for bad in ("res.partner", "res.partner,abc", "no.such.model,1"):
        with pytest.raises(ValidationError) as info:
            order.write({"source": bad})
        assert info.value.field == "source"
    assert reread(order, "source") == tag


def test_reference_refuses_models_outside_its_selection(env):
    other = make_order(env)
    with pytest.raises(ValidationError):
        make_order(env, source=f"test.order,{other.id}")


# -- defaults and required -----------------------------------------------------------------
def test_defaults_value_callable_and_context(env):
    order = make_order(env)
    assert (order.state, order.priority, order.active) == ("draft", "1", True)
    assert order.ref_code == f"REF-{env.uid}"
    assert order.origin == "ext"  # default declared by the extending addon
    ctx = make_order(env.with_context(default_state="done", default_priority="2"))
    assert (ctx.state, ctx.priority) == ("done", "2")
    explicit = env["test.order"].with_context(default_state="done").create(
        {"name": "explicit", "state": "confirmed"})
    assert explicit.state == "confirmed"


def test_context_default_is_validated(env):
    with pytest.raises(ValidationError):
        env["test.order"].with_context(default_state="nonsense").create({"name": "d"})


def test_default_get(env):
    values = env["test.order"].default_get(["state", "priority", "active", "name", "ref_code"])
    assert values == {"state": "draft", "priority": "1", "active": True,
                      "ref_code": f"REF-{env.uid}"}
    values = env["test.order"].with_context(default_name="N", default_state="done") \
        .default_get(["name", "state"])
    assert values == {"name": "N", "state": "done"}


def test_required_fields_name_their_label(env):
    with pytest.raises(ValidationError) as info:
        env["test.order"].create({"quantity": 1})
    assert info.value.field == "name" and "Reference" in str(info.value)
    with pytest.raises(ValidationError) as info:
        env["test.order.line"].create({"product": "p"})
    assert info.value.field == "order_id"
    order = make_order(env)
    for empty in (False, "", None):
        with pytest.raises(ValidationError) as info:
            order.write({"name": empty})
        assert info.value.field == "name"
    assert reread(order, "name")


def test_required_translated_field(env):
    with pytest.raises(ValidationError) as info:
        env["test.stage"].create({"sequence": 3})
    assert info.value.field == "name"
    stage = env["test.stage"].create({"name": "Kept"})
    with pytest.raises(ValidationError):
        stage.write({"name": False})
    assert reread(stage, "name") == "Kept"


# -- translations --------------------------------------------------------------------------
def test_translated_field_per_language_with_fallback(env):
    stage = env["test.stage"].create({"name": "Qualified"})
    fr = stage.with_context(lang="fr_FR")
    assert fr.name == "Qualified"  # no French yet: falls back to English
    fr.write({"name": "Qualifié"})
    env.invalidate_all()
    assert stage.name == "Qualified"
    assert fr.name == "Qualifié"
    assert stage.with_context(lang="de_DE").name == "Qualified"
    stage.write({"name": "Qualified lead"})
    env.invalidate_all()
    assert (stage.name, fr.name) == ("Qualified lead", "Qualifié")


def test_create_in_another_language_fills_english_too(env):
    stage = env["test.stage"].with_context(lang="fr_FR").create({"name": "Gagné"})
    env.invalidate_all()
    assert stage.with_context(lang="en_US").name == "Gagné"
    stage.with_context(lang="en_US").write({"name": "Won"})
    assert stage.with_context(lang="fr_FR").name == "Gagné"
    assert stage.with_context(lang="en_US").name == "Won"


def test_search_on_translated_value_in_each_language(env):
    stage = env["test.stage"].create({"name": "Lost"})
    stage.with_context(lang="fr_FR").write({"name": "Perdu"})
    other = env["test.stage"].create({"name": "Perdu in English"})
    stages = env["test.stage"]
    fr = stages.with_context(lang="fr_FR")
    assert stages.search([("name", "=", "Lost")]) == stage
    assert not stages.search([("name", "=", "Perdu")])
    assert fr.search([("name", "=", "Perdu")]) == stage
    assert not fr.search([("name", "=", "Lost")])
    assert fr.search([("name", "ilike", "perdu")]) == stage | other
    # a record without French falls back to English in French searches
    assert fr.search([("name", "=", "Perdu in English")]) == other
    ordered = fr.search([("id", "in", (stage | other).ids)], order="name desc")
    assert ordered.ids == [other.id, stage.id]


# -- metadata ------------------------------------------------------------------------------
def test_fields_get_types_selection_relations(env):
    desc = env["test.order"].fields_get()
    expected = {"name": "char", "description": "html", "partner_id": "many2one",
                "line_ids": "one2many", "tag_ids": "many2many", "state": "selection",
                "date": "date", "deadline": "datetime", "quantity": "integer",
                "discount": "float", "amount_total": "monetary", "is_urgent": "boolean",
                "attachment": "binary", "data": "json", "source": "reference",
                "note": "text"}
    assert {n: desc[n]["type"] for n in expected} == expected
    assert desc["state"]["selection"] == [["draft", "Draft"], ["confirmed", "Confirmed"],
                                          ["done", "Done"]]
    assert [k for k, _label in desc["priority"]["selection"]] == ["0", "1", "2", "3"]
    assert desc["partner_id"]["relation"] == "res.partner"
    assert desc["partner_id"]["string"] == "Customer"
    assert desc["line_ids"]["relation"] == "test.order.line"
    assert desc["line_ids"]["relation_field"] == "order_id"
    assert desc["tag_ids"]["relation"] == "test.tag"
    assert desc["name"]["required"] and desc["name"]["size"] == 32
    assert desc["amount_total"]["readonly"] and desc["amount_total"]["store"]
    assert not desc["line_count"]["store"] and not desc["line_count"]["sortable"]
    assert desc["partner_country_code"]["type"] == "char"
    assert desc["source"]["string"] == "Source"
    assert desc["source"]["selection"] == [["res.partner", "Contact"], ["test.tag", "Tag"]]
    assert env["test.stage"].fields_get(["name"])["name"]["translate"] is True
    only = env["test.order"].fields_get(["state"], attributes=["type"])
    assert only == {"state": {"type": "selection"}}


def test_unknown_field_errors_are_clear(env):
    order = make_order(env)
    with pytest.raises(ValidationError, match="'nmae'.*name"):
        env["test.order"].create({"name": "u", "nmae": "typo"})
    with pytest.raises(ValidationError, match="'stat'"):
        order.write({"stat": "done"})
    with pytest.raises(UnknownFieldError, match="'partner'.*partner_id"):
        order.read(["partner"])
    with pytest.raises(UnknownFieldError):
        order["no_such_field"]
