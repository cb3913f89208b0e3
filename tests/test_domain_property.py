"""Property tests: the SQL domain compiler against the Python evaluator, on both engines.

Random data is created once per test function (from a fixed seed); hypothesis then draws
random domains (every operator, nested ``&``/``|``/``!``, dotted paths, ``any``) and
checks that ``model.search(domain)`` returns exactly the ids that
:mod:`core.orm.domain_eval` selects from a snapshot of the same rows -- or that both
refuse the domain with a :class:`DomainError`. A last property feeds arbitrary JSON-like
garbage to ``search``: it must fail cleanly or succeed, and leave the transaction usable.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.exceptions import DomainError, ValidationError
from core.orm import Model, fields
from core.orm.domain_eval import RowStore, filter_records

ALPHABET = "aAeEéÉèçÇoœ %_\\"
STATES = [("new", "New"), ("won", "Won"), ("lost", "Lost")]


class PropTag(Model):
    _name = "prop.tag"
    name = fields.Char()
    active = fields.Boolean(default=True)


class PropPartner(Model):
    _name = "prop.partner"
    name = fields.Char()
    active = fields.Boolean(default=True)
    parent_id = fields.Many2one("prop.partner")
    lead_ids = fields.One2many("prop.lead", "partner_id")


class PropLead(Model):
    _name = "prop.lead"
    name = fields.Char()
    count = fields.Integer()
    amount = fields.Float()
    flag = fields.Boolean()
    day = fields.Date()
    state = fields.Selection(STATES)
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one("prop.partner")
    tag_ids = fields.Many2many("prop.tag")


MODELS = (PropTag, PropPartner, PropLead)
SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


# --------------------------------------------------------------------------- data
def _text(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.25:
        return ""
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4)))


def make_data(env: Any, seed: int = 7) -> None:
    """A small, nasty data set: NULLs, empty strings, accents, archived rows, cycles."""
    rng = random.Random(seed)
    maybe = lambda value: None if rng.random() < 0.2 else value  # noqa: E731
    tags = env["prop.tag"].create([{"name": _text(rng), "active": rng.random() < 0.7}
                                   for _ in range(5)])
    partners = env["prop.partner"].create([{"name": _text(rng), "active": rng.random() < 0.7}
                                           for _ in range(7)])
    for index, partner in enumerate(partners):
        if index and rng.random() < 0.7:
            partner.parent_id = partners[rng.randrange(index)]
    # a cycle in the hierarchy, which the ORM's own checks might refuse
    partner_table = env["prop.partner"]._sa_table
    env.execute(sa.update(partner_table).where(partner_table.c.id == partners[0].id).values(
        parent_id=partners[-1].id))
    env["prop.lead"].create([{
        "name": _text(rng),
        "count": maybe(rng.randint(-2, 3)),
        "amount": maybe(rng.choice([-1.5, 0.0, 0.5, 1.0, 2.25])),
        "flag": rng.choice([True, False, None]),
        "day": maybe(dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 5))),
        "state": maybe(rng.choice(STATES)[0]),
        "active": rng.random() < 0.75,
        "partner_id": maybe(rng.choice(partners).id),
        "tag_ids": [(6, 0, rng.sample(tags.ids, rng.randint(0, 3)))],
    } for _ in range(30)])
    # rows the ORM would never write: NULL booleans and integers
    lead_table = env["prop.lead"]._sa_table
    env.execute(sa.update(lead_table).where(lead_table.c.id % 5 == 0).values(
        flag=None, count=None, active=None))
    env.invalidate_all()


# --------------------------------------------------------------------------- domains
texts = st.text(alphabet=ALPHABET, max_size=3)
TEXT_OPS = ["=", "!=", "<", "<=", ">", ">=", "in", "not in", "like", "not like", "ilike",
            "not ilike", "=like", "=ilike"]
ORDER_OPS = ["=", "!=", "<", "<=", ">", ">=", "in", "not in"]
VALUES: dict[str, st.SearchStrategy] = {
    "char": st.one_of(texts, st.just(False), st.just("")),
    "integer": st.one_of(st.integers(-3, 4), st.just(False), st.just("2")),
    "float": st.one_of(st.sampled_from([-1.5, 0, 0.5, 1, 2.25, 3.0]), st.just(False)),
    "boolean": st.one_of(st.booleans(), st.none()),
    "date": st.one_of(st.dates(dt.date(2023, 12, 30), dt.date(2024, 1, 8)),
                      st.just("2024-01-03"), st.just(False)),
    "selection": st.one_of(st.sampled_from(["new", "won", "lost", "zzz"]), st.just(False)),
    "ids": st.one_of(st.integers(0, 9), st.just(False)),
}
OPS = {"char": TEXT_OPS, "integer": ORDER_OPS + ["like", "not like"], "float": ORDER_OPS,
       "boolean": ["=", "!=", "in", "not in", "<", ">="], "date": TEXT_OPS,
       "selection": TEXT_OPS, "many2one": ["=", "!=", "in", "not in", "ilike", "not ilike",
                                           "=like", "child_of", "parent_of"],
       "x2many": ["=", "!=", "in", "not in", "ilike", "not like"]}
SCALARS = {
    "prop.lead": {"name": "char", "count": "integer", "amount": "float", "flag": "boolean",
                  "day": "date", "state": "selection", "active": "boolean", "id": "integer"},
    "prop.partner": {"name": "char", "active": "boolean", "id": "integer"},
    "prop.tag": {"name": "char", "active": "boolean"},
}
RELATIONS = {
    "prop.lead": {"partner_id": ("many2one", "prop.partner"),
                  "tag_ids": ("x2many", "prop.tag")},
    "prop.partner": {"parent_id": ("many2one", "prop.partner"),
                     "lead_ids": ("x2many", "prop.lead")},
    "prop.tag": {},
}


def _value_for(kind: str, op: str) -> st.SearchStrategy:
    if kind in ("many2one", "x2many"):
        if op in ("in", "not in"):
            return st.lists(VALUES["ids"], max_size=3)
        if "like" in op:
            return texts
        return st.one_of(VALUES["ids"], texts, st.lists(VALUES["ids"], max_size=2))
    base = VALUES[kind]
    if op in ("in", "not in"):
        return st.lists(base, max_size=3)
    if "like" in op:
        return texts if kind != "integer" else st.sampled_from(["1", "-", "", "%"])
    return base


@st.composite
def leaves(draw: st.DrawFn, model: str, depth: int) -> list:
    relations = RELATIONS[model]
    if relations and draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(sorted(relations)))
        kind, comodel = relations[name]
        if depth > 0 and draw(st.booleans()):
            # a dotted path, or any / not any over a random sub-domain
            sub = draw(domains(comodel, depth - 1))
            if len(sub) == 1 and draw(st.booleans()):
                path, op, value = sub[0]
                return [(f"{name}.{path}", op, value)]
            return [(name, draw(st.sampled_from(["any", "not any"])), sub)]
        op = draw(st.sampled_from(OPS[kind]))
        return [(name, op, draw(_value_for(kind, op)))]
    name = draw(st.sampled_from(sorted(SCALARS[model])))
    kind = SCALARS[model][name]
    op = draw(st.sampled_from(OPS[kind] + (["child_of", "parent_of"]
                                           if name == "id" and model == "prop.partner" else [])))
    if op in ("child_of", "parent_of"):
        return [(name, op, draw(_value_for("many2one", "=")))]
    return [(name, op, draw(_value_for(kind, op)))]


def domains(model: str, depth: int = 2) -> st.SearchStrategy[list]:
    def extend(inner: st.SearchStrategy[list]) -> st.SearchStrategy[list]:
        return st.one_of(
            st.tuples(st.sampled_from(["&", "|"]), inner, inner).map(
                lambda t: [t[0], *t[1], *t[2]]),
            inner.map(lambda d: ["!", *d]),
            st.lists(inner, min_size=2, max_size=3).map(lambda ds: [x for d in ds for x in d]),
        )
    return st.recursive(leaves(model, depth), extend, max_leaves=4)


# --------------------------------------------------------------------------- properties
def _compare(env: Any, store: RowStore, model_name: str, domain: list) -> None:
    model = env[model_name]
    try:
        expected = sorted(row["id"] for row in filter_records(
            domain, model, store.rows(model_name), store))
    except DomainError:
        expected = None
    try:
        with env.savepoint():
            found = sorted(model.search(domain).ids)
    except DomainError:
        found = None
    assert found == expected, f"{model_name} {domain!r}: SQL {found} != Python {expected}"
    event("refused" if found is None else "none" if not found else
          "all" if len(found) == len(store.rows(model_name)) else "some")


def _check_model(env: Any, model_name: str) -> None:
    make_data(env)
    store = RowStore.load(env, ("prop.tag", "prop.partner", "prop.lead"))

    @SETTINGS
    @given(domain=domains(model_name))
    def check(domain: list) -> None:
        _compare(env, store, model_name, domain)
    check()


def test_lead_search_matches_evaluator(make_orm_env: Any) -> None:
    _check_model(make_orm_env(*MODELS), "prop.lead")


def test_partner_search_matches_evaluator(make_orm_env: Any) -> None:
    _check_model(make_orm_env(*MODELS), "prop.partner")


json_atoms = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=4),
    st.sampled_from(["&", "|", "!", "name", "id", "count", "day", "partner_id", "tag_ids",
                     "partner_id.name", "tag_ids.name", "name.x", "=", "in", "like", "=like",
                     "child_of", "parent_of", "any", "not any", "NOT IN", "ilike", "<"]))
json_like = st.recursive(
    json_atoms,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.tuples(children, children, children),
                               st.dictionaries(st.text(max_size=3), children, max_size=2)),
    max_leaves=12)
garbage_leaves = st.tuples(
    st.sampled_from(["name", "count", "amount", "flag", "day", "state", "partner_id",
                     "tag_ids", "id", "partner_id.parent_id", "tag_ids.name", "bogus"]),
    st.sampled_from(sorted(["=", "!=", "<", "<=", ">", ">=", "in", "not in", "like",
                            "not like", "ilike", "not ilike", "=like", "=ilike", "child_of",
                            "parent_of", "any", "not any"])),
    json_like)
garbage_domains = st.one_of(
    json_like,
    st.lists(st.one_of(garbage_leaves, st.sampled_from(["&", "|", "!"])), max_size=5))


def test_untrusted_domains_fail_cleanly(make_orm_env: Any) -> None:
    env = make_orm_env(*MODELS)
    make_data(env)
    leads = env["prop.lead"]
    total = leads.search_count([])

    @SETTINGS
    @given(domain=garbage_domains)
    def check(domain: Any) -> None:
        try:
            with env.savepoint():
                leads.search(domain)
        except (DomainError, ValidationError):
            pass
        assert leads.search_count([]) == total
    check()
