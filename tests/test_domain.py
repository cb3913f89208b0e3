"""Unit tests of the domain compiler (SQLite and PostgreSQL) and of its Python twin.

Every search below is also run through :mod:`core.orm.domain_eval` on a snapshot of the
same rows, so each expectation pins both the SQL and the Python semantics.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

import pytest

from core.exceptions import DomainError
from core.orm import Model, fields
from core.orm.db import like_match
from core.orm.domain_eval import RowStore, filter_records, matches
from core.testing.plugin import orm_env


class DomCountry(Model):
    _name = "dom.country"
    name = fields.Char()
    code = fields.Char()


class DomTag(Model):
    _name = "dom.tag"
    name = fields.Char()
    active = fields.Boolean(default=True)


class DomPartner(Model):
    _name = "dom.partner"
    ref = fields.Char()
    name = fields.Char()
    active = fields.Boolean(default=True)
    parent_id = fields.Many2one("dom.partner")
    child_ids = fields.One2many("dom.partner", "parent_id")
    country_id = fields.Many2one("dom.country")
    lead_ids = fields.One2many("dom.lead", "partner_id")


class DomLead(Model):
    _name = "dom.lead"
    ref = fields.Char()
    name = fields.Char()
    description = fields.Text()
    title = fields.Char(translate=True)
    count = fields.Integer()
    amount = fields.Float()
    flag = fields.Boolean()
    day = fields.Date()
    moment = fields.Datetime()
    state = fields.Selection([("new", "New"), ("won", "Won")])
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one("dom.partner")
    tag_ids = fields.Many2many("dom.tag")


NAMES = ("dom.country", "dom.tag", "dom.partner", "dom.lead")
LEADS = {"L1", "L2", "L3", "L4", "L5"}


@pytest.fixture(scope="module")
def env(db_engine: Any) -> Iterator[Any]:
    """Countries, tags (one archived), a partner tree (P1 > P2 > P3, P4 archived), leads.

    Built once per module and engine (no test writes), rolled back at the end."""
    with orm_env(db_engine, [DomCountry, DomTag, DomPartner, DomLead]) as env:
        _make_data(env)
        yield env


def _make_data(env: Any) -> None:
    fr, be = env["dom.country"].create([{"name": "France", "code": "FR"},
                                        {"name": "Belgique", "code": "BE"}])
    vip, old, hot = env["dom.tag"].create([{"name": "VIP"}, {"name": "Old", "active": False},
                                          {"name": "hot"}])
    partners = env["dom.partner"]
    p1 = partners.create({"ref": "P1", "name": "Société Générale", "country_id": fr.id})
    p2 = partners.create({"ref": "P2", "name": "SOCIÉTÉ", "parent_id": p1.id,
                          "country_id": be.id})
    p3 = partners.create({"ref": "P3", "name": "Acme", "parent_id": p2.id})
    partners.create({"ref": "P4", "name": "Archived Ltd", "active": False, "parent_id": p1.id,
                     "country_id": fr.id})
    partners.create({"ref": "P5", "name": ""})
    p4 = partners.with_context(active_test=False).search([("ref", "=", "P4")])
    leads = env["dom.lead"]
    leads.create({"ref": "L1", "name": "Big 100% deal", "description": "Café crème",
                  "title": "Hello", "count": 5, "amount": 1.5, "flag": True,
                  "day": dt.date(2024, 1, 10), "moment": dt.datetime(2024, 1, 10, 9, 30),
                  "state": "new", "partner_id": p1.id, "tag_ids": [(6, 0, [vip.id, old.id])]})
    leads.create({"ref": "L2", "name": "small_deal", "description": "", "count": 0,
                  "amount": 0.0, "flag": False, "day": dt.date(2024, 2, 1),
                  "state": "won", "partner_id": p3.id, "tag_ids": [(6, 0, [hot.id])]})
    leads.create({"ref": "L3", "name": "", "count": -2, "amount": -3.25, "flag": False,
                  "partner_id": p4.id, "tag_ids": [(6, 0, [old.id])]})
    leads.create({"ref": "L4", "name": "BIG deal"})
    leads.create({"ref": "L5", "name": None, "partner_id": p2.id, "title": "Bye", "count": 0,
                  "amount": 0.0, "flag": False})
    leads.create({"ref": "L6", "name": "archived lead", "active": False, "partner_id": p3.id})
    leads.search([("ref", "=", "L1")]).with_context(lang="fr_FR").write({"title": "Bonjour"})
    table = leads._sa_table
    env.execute(table.update().where(table.c.ref == "L4").values(count=None, amount=None,
                                                                   flag=None))
    env.invalidate_all()


def refs(env: Any, model: str, domain: Any) -> set[str]:
    """The refs ``search`` finds, after checking the Python evaluator finds the same."""
    with env.savepoint():
        records = env[model].search(domain)
    found = {rec.ref if "ref" in rec._fields else rec.name for rec in records}
    store = RowStore.load(env, NAMES)
    key = "ref" if "ref" in env[model]._fields else "name"
    evaluated = {row[key] for row in filter_records(domain, env[model], store.rows(model),
                                                    store)}
    assert evaluated == found, f"evaluator {evaluated} != SQL {found} for {domain}"
    return found


def leads(env: Any, domain: Any) -> set[str]:
    return refs(env, "dom.lead", domain)


def others(*excluded: str) -> set[str]:
    return LEADS - set(excluded)


# --------------------------------------------------------------------------- char & text
@pytest.mark.parametrize("domain, expected", [
    ([("name", "=", "BIG deal")], {"L4"}),
    ([("name", "!=", "BIG deal")], others("L4")),  # NULL and '' included
    ([("name", "=", False)], {"L3", "L5"}),  # NULL or ''
    ([("name", "!=", False)], {"L1", "L2", "L4"}),
    ([("name", "=", "")], {"L3"}),
    ([("name", "in", ["small_deal", False])], {"L2", "L3", "L5"}),
    ([("name", "not in", ["small_deal"])], others("L2")),
    ([("name", "not in", ["small_deal", False])], {"L1", "L4"}),
    ([("name", "like", "deal")], {"L1", "L2", "L4"}),
    ([("name", "like", "big")], set()),  # case-sensitive
    ([("name", "like", "Big")], {"L1"}),
    ([("name", "ilike", "big")], {"L1", "L4"}),
    ([("name", "not like", "deal")], {"L3", "L5"}),
    ([("name", "not ilike", "BIG")], {"L2", "L3", "L5"}),
    ([("name", "like", "100%")], {"L1"}),  # taken literally
    ([("name", "like", "l_d")], {"L2"}),  # '_' literal too
    ([("name", "like", "0% d")], {"L1"}),
    ([("name", "=like", "B%")], {"L1", "L4"}),
    ([("name", "=like", "b%")], set()),
    ([("name", "=ilike", "b%deal")], {"L1", "L4"}),
    ([("name", "=like", "small\\_deal")], {"L2"}),
    ([("name", "=like", "%\\%%")], {"L1"}),
    ([("name", "<", "a")], {"L1", "L3", "L4"}),  # by code point: 'B' < 'a', '' < 'a'
    ([("name", ">=", "s")], {"L2"}),
    ([("description", "ilike", "CAFE")], {"L1"}),
    ([("description", "=", False)], others("L1")),
    ([("description", "not ilike", "crème")], others("L1")),
])
def test_char_and_text(env: Any, domain: list, expected: set[str]) -> None:
    assert leads(env, domain) == expected


def test_ilike_ignores_case_and_accents_like_does_not(env: Any) -> None:
    assert refs(env, "dom.partner", [("name", "ilike", "societe")]) == {"P1", "P2"}
    assert refs(env, "dom.partner", [("name", "ilike", "SOCIETE GEN")]) == {"P1"}
    assert refs(env, "dom.partner", [("name", "like", "Société")]) == {"P1"}
    assert refs(env, "dom.partner", [("name", "like", "Societe")]) == set()
    assert refs(env, "dom.partner", [("name", "=ilike", "société")]) == {"P2"}


def test_translated_char(env: Any) -> None:
    assert leads(env, [("title", "=", "Hello")]) == {"L1"}
    assert leads(env, [("title", "=", False)]) == {"L2", "L3", "L4"}
    french = env(context={"lang": "fr_FR"})
    assert leads(french, [("title", "=", "Bonjour")]) == {"L1"}
    assert leads(french, [("title", "ilike", "bye")]) == {"L5"}  # falls back to en_US
    assert leads(french, [("title", "=", "Hello")]) == set()


# --------------------------------------------------------------------------- numbers & dates
@pytest.mark.parametrize("domain, expected", [
    ([("count", "=", 5)], {"L1"}),
    ([("count", "=", 0)], {"L2", "L5"}),
    ([("count", "=", False)], {"L4"}),  # NULL only
    ([("count", "!=", 0)], {"L1", "L3", "L4"}),
    ([("count", ">", 0)], {"L1"}),
    ([("count", "<=", 0)], {"L2", "L3", "L5"}),
    ([("count", "in", [5, -2])], {"L1", "L3"}),
    ([("count", "in", [5, False])], {"L1", "L4"}),
    ([("count", "not in", [5, -2])], {"L2", "L4", "L5"}),
    ([("count", "like", "-")], {"L3"}),
    ([("amount", "<", 0)], {"L3"}),
    ([("amount", ">=", 1.5)], {"L1"}),
    ([("amount", "=", False)], {"L4"}),
    ([("amount", "!=", 1.5)], others("L1")),
    ([("flag", "=", True)], {"L1"}),
    ([("flag", "=", False)], others("L1")),  # false and NULL
    ([("flag", "!=", True)], others("L1")),
    ([("flag", "!=", False)], {"L1"}),
    ([("flag", "in", [False])], others("L1")),
    ([("flag", "not in", [True])], others("L1")),
    ([("flag", "<", True)], {"L2", "L3", "L5"}),  # NULL compares with nothing
    ([("flag", ">", False)], {"L1"}),
    ([("day", "<", "2024-01-15")], {"L1"}),
    ([("day", ">=", dt.date(2024, 1, 10))], {"L1", "L2"}),
    ([("day", "=", False)], {"L3", "L4", "L5"}),
    ([("day", "!=", "2024-02-01")], others("L2")),
    ([("day", "like", "2024-02")], {"L2"}),
    ([("moment", ">", "2024-01-10 09:00:00")], {"L1"}),
    ([("moment", "<", dt.datetime(2024, 1, 10, 9, 0))], set()),
    ([("moment", "=", False)], others("L1")),
    ([("state", "=", "won")], {"L2"}),
    ([("state", "!=", "won")], others("L2")),
    ([("state", "in", ["new", "won"])], {"L1", "L2"}),
    ([("state", "=", False)], {"L3", "L4", "L5"}),
    ([("state", "ilike", "WO")], {"L2"}),
    # regressions: 64-bit values against int4 columns (PostgreSQL), booleans ordered
    ([("count", "<", 2**31)], {"L1", "L2", "L3", "L5"}),
    ([("count", "!=", 2**40)], LEADS),
    ([("count", "in", [2**31, 5])], {"L1"}),
    ([("flag", "<=", False)], {"L2", "L3", "L5"}),
])
def test_scalar_types(env: Any, domain: list, expected: set[str]) -> None:
    assert leads(env, domain) == expected


# --------------------------------------------------------------------------- relations
@pytest.mark.parametrize("domain, expected", [
    ([("partner_id", "=", False)], {"L4"}),
    ([("partner_id", "in", [0])], {"L4"}),  # regression: 0 is "no record", not NULL in SQL
    ([("partner_id", "not in", [0])], others("L4")),
    ([("partner_id", "in", [2**40])], set()),
    ([("partner_id", "!=", False)], others("L4")),
    ([("partner_id", "ilike", "société")], {"L1", "L5"}),
    ([("partner_id", "=", "Acme")], {"L2"}),
    ([("partner_id", "!=", "Acme")], others("L2")),  # NULL partner included
    ([("partner_id", "not ilike", "soc")], {"L2", "L3", "L4"}),
    ([("partner_id.name", "=", "Archived Ltd")], {"L3"}),  # archived targets included
    ([("partner_id.active", "=", False)], {"L3"}),
    ([("partner_id", "any", [("country_id.code", "=", "FR")])], {"L1", "L3"}),
    ([("partner_id", "not any", [("country_id.code", "=", "FR")])], {"L2", "L4", "L5"}),
    ([("partner_id.country_id.code", "=", "BE")], {"L5"}),
    ([("partner_id.parent_id.parent_id.name", "=like", "Soc%")], {"L2"}),
    ([("tag_ids", "=", False)], {"L3", "L4", "L5"}),  # only archived tags: none
    ([("tag_ids", "!=", False)], {"L1", "L2"}),
    ([("tag_ids.name", "=", "Old")], set()),  # archived targets excluded
    ([("tag_ids.active", "=", False)], {"L1", "L3"}),  # ...unless asked for
    ([("tag_ids", "ilike", "vi")], {"L1"}),
    ([("tag_ids", "not ilike", "vi")], others("L1")),
    ([("tag_ids", "any", [("name", "in", ["hot", "VIP"])])], {"L1", "L2"}),
    ([("tag_ids", "not any", [("name", "=", "hot")])], others("L2")),
])
def test_many2one_and_many2many(env: Any, domain: list, expected: set[str]) -> None:
    assert leads(env, domain) == expected


def test_many2many_ids(env: Any) -> None:
    vip = env["dom.tag"].search([("name", "=", "VIP")])
    assert leads(env, [("tag_ids", "=", vip.id)]) == {"L1"}
    assert leads(env, [("tag_ids", "in", vip.ids)]) == {"L1"}
    assert leads(env, [("tag_ids", "not in", vip.ids)]) == others("L1")
    assert leads(env, [("tag_ids", "!=", vip.id)]) == others("L1")


def test_one2many(env: Any) -> None:
    partner = lambda domain: refs(env, "dom.partner", domain)  # noqa: E731
    assert partner([("lead_ids", "=", False)]) == {"P5"}  # P4 is archived
    assert partner([("lead_ids", "!=", False)]) == {"P1", "P2", "P3"}
    assert partner([("lead_ids.name", "=", "archived lead")]) == set()
    assert partner([("lead_ids", "ilike", "deal")]) == {"P1", "P3"}
    assert partner([("lead_ids", "any", [("count", ">", 1)])]) == {"P1"}
    assert partner([("lead_ids", "not any", [("count", ">", 1)])]) == {"P2", "P3", "P5"}
    assert partner([("lead_ids.tag_ids.name", "=", "hot")]) == {"P3"}  # three levels
    assert partner([("child_ids.lead_ids.state", "=", "won")]) == {"P2"}


def test_child_of_and_parent_of(env: Any) -> None:
    partners = env["dom.partner"].with_context(active_test=False)
    p1, p2, p3 = (partners.search([("ref", "=", r)]) for r in ("P1", "P2", "P3"))
    assert refs(env, "dom.partner", [("id", "child_of", p1.id)]) == {"P1", "P2", "P3"}
    assert refs(env, "dom.partner", [("id", "child_of", [p2.id])]) == {"P2", "P3"}
    assert refs(env, "dom.partner", [("id", "parent_of", p3.id)]) == {"P1", "P2", "P3"}
    assert refs(env, "dom.partner", [("parent_id", "child_of", p2.id)]) == {"P3"}
    assert leads(env, [("partner_id", "child_of", p1.id)]) == {"L1", "L2", "L3", "L5"}
    assert leads(env, [("partner_id", "parent_of", p2.id)]) == {"L1", "L5"}
    # two hierarchies in one query (each gets its own CTE)
    assert refs(env, "dom.partner", ["|", ("id", "child_of", p3.id),
                                     ("id", "parent_of", p1.id)]) == {"P1", "P3"}


# --------------------------------------------------------------------------- logic
@pytest.mark.parametrize("domain, expected", [
    (["|", ("count", ">", 1), ("flag", "=", False)], {"L1", "L2", "L3", "L4", "L5"}),
    ([("name", "ilike", "deal"), ("count", ">=", 0)], {"L1", "L2"}),
    (["!", ("count", "<", 1)], {"L1", "L4"}),  # two-valued: NULL count is "not < 1"
    (["!", ("partner_id", "=", "Acme")], others("L2")),
    (["!", ("partner_id.name", "=", "Acme")], others("L2")),
    (["!", "!", ("count", "<", 1)], {"L2", "L3", "L5"}),
    (["!", "|", ("name", "=", False), ("count", "=", 5)], {"L2", "L4"}),
    ([("active", "=", False)], {"L6"}),
    ([("active", "in", [True, False])], LEADS | {"L6"}),
    ([], LEADS),
])
def test_operators_and_negation(env: Any, domain: list, expected: set[str]) -> None:
    assert leads(env, domain) == expected


def test_many_leaves_do_not_recurse(env: Any) -> None:
    # more leaves than Python's recursion limit allows nested calls (SQLite's own
    # expression depth limit is 1,000)
    domain = [("count", "!=", n) for n in range(100, 1000)]
    assert leads(env, domain) == LEADS
    assert leads(env, ["!"] * 41 + [("count", "=", 5)]) == others("L1")


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("domain, message", [
    ([("nme", "=", "x")], "Field 'nme' does not exist on dom.lead. Did you mean 'name'?"),
    ([("partner_id.nmae", "=", "x")], "'nmae' does not exist on dom.partner"),
    ([("name", "equals", "x")], "Unknown domain operator 'equals'"),
    ([("name", "=like")], "expected (field, operator, value)"),
    ([("name", "=", "x", "y")], "expected (field, operator, value)"),
    (["&", ("name", "=", "x")], "incomplete"),
    (["|"], "incomplete"),
    ("name = x", "must be a list"),
    ({"name": "x"}, "must be a list"),
    ([("name.x", "=", 1)], "'name' of dom.lead is not a relational field"),
    ([("count", "in", 5)], "expects a list of values for 'count'"),
    ([("name", "not in", "abc")], "expects a list"),
    ([("count", "=", "five")], "Invalid value 'five' for 'count'"),
    ([("count", ">", False)], "cannot compare 'count' with an empty value"),
    ([("partner_id", "<", 0)], "cannot compare 'partner_id' with an empty value"),
    ([("day", ">=", "")], "cannot compare 'day' with an empty value"),
    ([("name", "child_of", 1)], "needs 'id' or a many2one field"),
    ([("tag_ids", "child_of", 1)], "not supported on many2many field 'tag_ids'"),
    ([("partner_id", "any", "x")], "expects a domain"),
    ([("name", "any", [])], "needs a relational field"),
    ([("flag", "like", True)], "expects a text"),
    ([("name", "=like", "abc\\")], "ends with an unescaped backslash"),
    ([("name", "=", "a\x00b")], "NUL"),
    ([("count", "=", 2**70)], "out of range"),
    ([("partner_id", "child_of", ["x"])], "Invalid record ids"),
    ([("partner_id", "=", True)], "Invalid value True"),
])
def test_invalid_domains(env: Any, domain: Any, message: str) -> None:
    with pytest.raises(DomainError) as info, env.savepoint():
        env["dom.lead"].search(domain)
    assert message in str(info.value)
    with pytest.raises(DomainError):
        filter_records(domain, env["dom.lead"], [], RowStore())
    assert env["dom.lead"].search_count([]) == 5  # the transaction is still usable


# --------------------------------------------------------------------------- evaluator
def test_evaluator_on_rows_without_database(env: Any) -> None:
    """Rows from elsewhere (a sync payload): dicts plus a getter for linked rows."""
    store = RowStore({
        "dom.partner": [{"id": 1, "name": "Café", "active": True, "parent_id": None}],
        "dom.tag": [{"id": 7, "name": "VIP", "active": False}],
    })
    model = env["dom.lead"]
    row = {"id": 99, "name": "Deal", "count": None, "active": True, "partner_id": 1,
           "tag_ids": [7], "title": '{"en_US": "Hi"}'}
    assert matches([("partner_id.name", "ilike", "cafe")], model, row, store)
    assert matches(["!", ("count", "=", 3)], model, row, store)
    assert matches([("count", "=", False)], model, row, store)
    assert not matches([("tag_ids", "!=", False)], model, row, store)  # tag archived
    assert matches([("tag_ids", "!=", False)], model, row, store, active_test=False)
    assert matches([("title", "=like", "H_")], model, row, store)
    archived = {**row, "active": False}
    assert filter_records([("name", "=", "Deal")], model, [row, archived], store) == [row]


@pytest.mark.parametrize("value, pattern, expected", [
    ("abc", "a%", True), ("abc", "A%", False), ("abc", "_b_", True), ("abc", "ab", False),
    ("a%c", "a\\%c", True), ("abc", "a\\%c", False), ("", "%", True), ("", "_", False),
    ("a\nb", "a_b", True), ("aab", "%ab", True), ("ab", "a\\", False), (None, "%", None),
    ("été", "_t_", True), ("x" * 300, "%x%x%x%y", False),
])
def test_like_match(value: str | None, pattern: str, expected: bool | None) -> None:
    assert like_match(value, pattern) is expected

