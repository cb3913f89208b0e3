"""The kernel addon's models: countries and currencies, sequences, settings, metadata."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import MissingError, UserError, ValidationError


def test_countries_and_currencies_come_from_cldr_in_two_languages(env) -> None:
    countries = env["res.country"]
    assert countries.search_count([]) > 240
    germany = env.ref("base.de")
    assert germany.code == "DE" and germany.currency_id.name == "EUR"
    assert germany.name == "Germany"
    assert germany.with_context(lang="fr_FR").name == "Allemagne"
    assert countries.with_context(lang="fr_FR").search([("name", "=ilike", "etats-unis")]) \
        == env.ref("base.us")
    assert env.ref("base.EUR").active and env.ref("base.USD").active
    assert not env.ref("base.JPY").active
    assert env.ref("base.EUR").symbol == "€"


def test_sequences_with_date_parts(env) -> None:
    sequence = env["ir.sequence"].create({"name": "Tickets", "code": "test.ticket",
                                          "prefix": "TCK/%(year)s/", "padding": 5})
    when = dt.datetime(2026, 3, 1)
    first = env["ir.sequence"].next_by_code("test.ticket", when)
    second = sequence.next_by_id(when)
    assert first == "TCK/2026/00001"
    assert second == "TCK/2026/00002"


def test_no_gap_sequence_and_bad_input(env) -> None:
    sequence = env["ir.sequence"].create({"name": "Invoices", "code": "test.inv",
                                          "implementation": "no_gap", "prefix": "INV-",
                                          "suffix": "-%(y)s", "padding": 3,
                                          "number_next": 41})
    assert sequence.next_by_id(dt.datetime(2026, 1, 1)) == "INV-041-26"
    assert sequence.next_by_id(dt.datetime(2026, 1, 1)) == "INV-042-26"
    with pytest.raises(UserError, match="no_such_code"):
        env["ir.sequence"].next_by_code("no_such_code")
    sequence.write({"prefix": "%(nope)s"})
    with pytest.raises(ValidationError, match="Invalid prefix"):
        sequence.next_by_id()


def test_config_parameters(env) -> None:
    params = env["ir.config_parameter"]
    assert params.get_param("test.key", "default") == "default"
    params.set_param("test.key", 42)
    assert params.get_param("test.key") == "42"
    params.set_param("test.key", "43")
    assert params.get_param("test.key") == "43"
    params.set_param("test.key", False)
    assert params.get_param("test.key") is None


def test_metadata_is_readable_as_records(env) -> None:
    model = env["ir.model"].search([("model", "=", "test.order")])
    assert model.name == "Order"
    names = set(model.field_id.mapped("name"))
    assert {"name", "line_ids", "amount_total", "origin"} <= names
    origin = model.field_id.filtered(lambda f: f.name == "origin")
    assert origin.ttype == "char" and origin.modules == "test_kernel_ext"
    name = model.field_id.filtered(lambda f: f.name == "name")
    assert name.modules == "test_kernel, test_kernel_ext"
    partner_field = model.field_id.filtered(lambda f: f.name == "partner_id")
    assert partner_field.relation == "res.partner"
    assert env.ref("base.model_res_partner").model == "res.partner"
    assert env.ref("test_kernel.model_test_order") == model


def test_external_ids(env) -> None:
    imd = env["ir.model.data"]
    assert imd.check_object_reference("base", "main_company") == (
        "res.company", env.ref("base.main_company").id)
    with pytest.raises(MissingError, match="base.nothing"):
        env.ref("base.nothing")
    assert env.ref("base.nothing", raise_if_not_found=False) is None


def test_users_get_a_contact_and_partners_a_commercial_entity(env) -> None:
    user = env["res.users"].create({"name": "Léa Martin", "login": "lea",
                                    "email": "lea@example.com"})
    assert user.partner_id.name == "Léa Martin"
    assert user.partner_id.email == "lea@example.com"
    company = env["res.partner"].create({"name": "Acme", "is_company": True})
    person = env["res.partner"].create({"name": "Jo", "parent_id": company.id})
    assert person.commercial_partner_id == company
    assert person.display_name == "Acme, Jo"
    other = env["res.partner"].create({"name": "Other Co", "is_company": True})
    person.write({"parent_id": other.id})
    assert person.commercial_partner_id == other
    with pytest.raises(ValidationError, match="own parent"):
        with env.savepoint():
            other.write({"parent_id": person.id})
