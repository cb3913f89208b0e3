"""Search domains evaluated in Python, with exactly the semantics of the SQL compiler.

:mod:`core.orm.domain` turns a domain into SQL; this module turns the same domain into a
Python predicate over in-memory rows, for places that hold rows rather than a database:
offline sync, automation filters on values about to be written, tests of the compiler.

A *row* is a mapping of field name to raw stored value: ``None`` for NULL, an id for a
many2one, a list of ids for an x2many (every linked id, archived ones included), a
``{lang: text}`` mapping (or its JSON) for a translated field. Related rows are fetched
through a *row getter*, ``get_row(model_name, id) -> row | None``; :class:`RowStore` is a
ready-made one (:meth:`RowStore.load` fills it from a database, for tests and for priming
a client). Model metadata (fields, comodels, language, ``active_test``) comes from a
recordset such as ``env['crm.lead']``; evaluating never sends a query. Record rules are
not applied: filter the rows a user may read before evaluating.

The semantics are those of the compiler, leaf by leaf (validation and value conversion
included, so a domain the compiler refuses raises the same :class:`DomainError` here):
two-valued logic (``!`` of a leaf on an unset value is true), Odoo's ``False`` rules,
``like`` character by character and ``ilike`` on :func:`~core.orm.db.fold`. Strings
compare by code point, as SQLite and PostgreSQL databases in the C collation do.
``like`` on a non-text field compares PostgreSQL's text rendering of the value; SQLite
renders floats, booleans and datetimes differently, so do not rely on it there.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from ..exceptions import DomainError
from ..i18n.translate import _
from .db import fold, like_match
from .domain import (
    AND, FALSE_LEAF, NEGATIVE, NOT, OR, TRUE_LEAF, _LIKE_OPS, _TEXT_TYPES, _ids_of, check_bound,
    check_pattern, comparable_value, domain_and, escape_like, hierarchy_ids, leaf_fields,
    normalize,
)

if TYPE_CHECKING:
    from .models import BaseModel

Row = Mapping[str, Any]
RowGetter = Callable[[str, int], "Row | None"]
Predicate = Callable[[Row, RowGetter], bool]
Getter = Callable[[Row], Any]

__all__ = ["RowStore", "compile_domain", "filter_records", "matches"]


class RowStore:
    """Rows of several models held in memory; an instance is a row getter."""

    def __init__(self, rows: Mapping[str, Iterable[Row]] | None = None) -> None:
        self._rows: dict[str, dict[int, Row]] = {}
        for model_name, model_rows in (rows or {}).items():
            for row in model_rows:
                self.add(model_name, row)

    def add(self, model_name: str, row: Row) -> None:
        self._rows.setdefault(model_name, {})[row["id"]] = row

    def rows(self, model_name: str) -> list[Row]:
        return list(self._rows.get(model_name, {}).values())

    @classmethod
    def load(cls, env: Any, model_names: Iterable[str]) -> "RowStore":
        """Every row of the models as stored (one query per table and x2many field)."""
        import sqlalchemy as sa
        store = cls()
        for name in model_names:
            model = env[name]
            table = model._sa_table
            rows = {row.id: dict(row._mapping) for row in env.execute(sa.select(table))}
            for fname, field in model._fields.items():
                if field.type not in ("one2many", "many2many"):
                    continue
                for row in rows.values():
                    row[fname] = []
                if field.type == "one2many":
                    co_table = env[field.comodel_name]._sa_table
                    links = sa.select(co_table.c[field.inverse_name], co_table.c.id)
                else:
                    rel = field.relation_table(model._registry.metadata)
                    links = sa.select(rel.c[field.column1], rel.c[field.column2])
                for owner, co_id in env.execute(links.order_by(*links.selected_columns)):
                    if owner in rows:
                        rows[owner][fname].append(co_id)
            for row in rows.values():
                store.add(name, row)
        return store

    def __call__(self, model_name: str, rec_id: int) -> Row | None:
        return self._rows.get(model_name, {}).get(rec_id)


def compile_domain(domain: Any, model: "BaseModel", active_test: bool | None = None
                   ) -> Predicate:
    """A predicate ``(row, get_row) -> bool`` for ``domain`` on ``model``'s rows.

    Like ``model.search``: unless ``domain`` mentions ``active`` or ``active_test`` (by
    default the context's) is false, archived rows do not match. Raises
    :class:`DomainError` for any domain the SQL compiler would refuse.
    """
    if active_test is not None:
        model = model.with_context(active_test=active_test)
    return _Evaluator(model).where(domain)


def matches(domain: Any, model: "BaseModel", row: Row, get_row: RowGetter,
            active_test: bool | None = None) -> bool:
    """Whether ``row`` of ``model`` is one that ``model.search(domain)`` would return."""
    return compile_domain(domain, model, active_test)(row, get_row)


def filter_records(domain: Any, model: "BaseModel", rows: Iterable[Row], get_row: RowGetter,
                   active_test: bool | None = None) -> list[Row]:
    """The rows matching ``domain``, in their given order (the domain is compiled once)."""
    predicate = compile_domain(domain, model, active_test)
    return [row for row in rows if predicate(row, get_row)]


# --------------------------------------------------------------------------- predicates
class _Const:
    def __init__(self, value: bool) -> None:
        self.value = value

    def __call__(self, row: Row, get_row: RowGetter) -> bool:
        return self.value


class _All:
    def __init__(self, parts: Sequence[Predicate]) -> None:
        self.parts = parts

    def __call__(self, row: Row, get_row: RowGetter) -> bool:
        return all(part(row, get_row) for part in self.parts)


class _Any(_All):
    def __call__(self, row: Row, get_row: RowGetter) -> bool:
        return any(part(row, get_row) for part in self.parts)


class _Not:
    def __init__(self, part: Predicate) -> None:
        self.part = part

    def __call__(self, row: Row, get_row: RowGetter) -> bool:
        return not self.part(row, get_row)


def _combine(kind: type[_All], left: Predicate, right: Predicate) -> Predicate:
    # flattened, so that a long implicit AND does not nest one call per leaf
    parts = [*(left.parts if type(left) is kind else [left]),
             *(right.parts if type(right) is kind else [right])]
    return kind(parts)


def _negate(part: Predicate) -> Predicate:
    return part.part if isinstance(part, _Not) else _Not(part)


class _Leaf:
    """One compiled leaf: ``test(row, get_row)``, named for debugging."""

    def __init__(self, leaf: tuple, test: Predicate) -> None:
        self.leaf = leaf
        self.test = test

    def __call__(self, row: Row, get_row: RowGetter) -> bool:
        return self.test(row, get_row)

    def __repr__(self) -> str:
        return f"<leaf {self.leaf!r}>"


# --------------------------------------------------------------------------- evaluator
class _Evaluator:
    """The Python twin of :class:`~core.orm.domain.DomainCompiler`, method by method."""

    def __init__(self, model: "BaseModel") -> None:
        self.model = model
        self.env = model.env

    def where(self, domain: Any) -> Predicate:
        """What ``model._where(domain)`` selects: the domain plus ``active_test``."""
        domain = normalize(domain or [])
        if ("active" in self.model._fields and self.env.context.get("active_test", True)
                and "active" not in leaf_fields(domain)):
            domain = domain_and([("active", "=", True)], domain)
        return self.compile(domain)

    def sub(self, model: "BaseModel", domain: Any) -> Predicate:
        """A predicate on ``model`` rows, as ``model._search(domain)`` selects them."""
        return _Evaluator(model).where(domain)

    def compile(self, domain: Any) -> Predicate:
        domain = normalize(domain)
        if not domain:
            return _Const(True)
        stack: list[Predicate] = []
        for item in reversed(domain):
            if item == NOT:
                stack.append(_negate(stack.pop()))
            elif item in (AND, OR):
                left, right = stack.pop(), stack.pop()
                stack.append(_combine(_All if item == AND else _Any, left, right))
            else:
                stack.append(_Leaf(item, self.leaf(item)))
        return stack.pop()

    # -- leaves --------------------------------------------------------------------
    def leaf(self, leaf: tuple) -> Predicate:
        path, operator, value = leaf
        if leaf == TRUE_LEAF:
            return _Const(True)
        if leaf == FALSE_LEAF:
            return _Const(False)
        name, _dot, rest = path.partition(".")
        field = self.model._field_or_error(name, DomainError)
        if rest:
            if not field.relational:
                raise DomainError(_("'%(path)s': '%(field)s' of %(model)s is not a relational "
                                    "field, it cannot be followed.", path=path, field=name,
                                    model=self.model._name))
            return self.leaf((name, "any", [(rest, operator, value)]))
        if not field.stored_column and not field.column_less:
            return self._non_stored_leaf(field, operator, value)
        if field.type == "many2one":
            return self._many2one(field, operator, value)
        if field.type in ("one2many", "many2many"):
            return self._x2many(field, operator, value)
        if operator in ("any", "not any"):
            raise DomainError(_("Operator '%(op)s' needs a relational field, not '%(field)s'.",
                                op=operator, field=name))
        if operator in ("child_of", "parent_of"):
            if name != "id":
                raise DomainError(_("Operator '%(op)s' needs 'id' or a many2one field.",
                                    op=operator))
            in_tree = self._hierarchy(self.model, operator, value)
            return lambda row, get_row: in_tree(row["id"], get_row)
        getter = self._column(field)
        test = self._scalar(field, operator, value)
        return lambda row, get_row: test(getter(row))

    def _non_stored_leaf(self, field: Any, operator: str, value: Any) -> Predicate:
        if field.related:
            return self.leaf((field.related, operator, value))
        if field.search:
            return self.compile(getattr(self.model, field.search)(operator, value))
        raise DomainError(_("Field '%(field)s' of %(model)s is not stored: it cannot be "
                            "searched.", field=field.name, model=self.model._name))

    def _column(self, field: Any) -> Getter:
        name = field.name
        if not field.translate:
            return lambda row: row.get(name)
        lang = self.env.lang

        def translated(row: Row) -> Any:
            value = row.get(name)
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, Mapping):
                return None
            text = value.get(lang)
            text = value.get("en_US") if text is None else text
            return None if text is None else str(text)
        return translated

    def _many2one(self, field: Any, operator: str, value: Any) -> Predicate:
        name, comodel_name = field.name, field.comodel_name
        comodel = self.env[comodel_name].with_context(active_test=False)
        if operator in ("any", "not any"):
            if not isinstance(value, (list, tuple)):
                raise DomainError(_("Operator '%(op)s' expects a domain.", op=operator))
            return _link_test(name, comodel_name, self.sub(comodel, value),
                              positive=operator == "any")
        if operator in ("child_of", "parent_of"):
            in_tree = self._hierarchy(comodel, operator, value)
            return lambda row, get_row: row.get(name) is not None and in_tree(row[name], get_row)
        if isinstance(value, str) and operator in {"=", "!=", *_LIKE_OPS,
                                                   "not like", "not ilike"}:
            positive = NEGATIVE.get(operator, operator)
            sub = self.sub(comodel, [(comodel._rec_name_field(), positive, value)])
            return _link_test(name, comodel_name, sub, positive=positive == operator)
        test = self._scalar(field, operator, _ids_of(value, operator))
        return lambda row, get_row: test(row.get(name))

    def _x2many(self, field: Any, operator: str, value: Any) -> Predicate:
        if operator in ("any", "not any"):
            if not isinstance(value, (list, tuple)):
                raise DomainError(_("Operator '%(op)s' expects a domain.", op=operator))
            name, comodel_name = field.name, field.comodel_name
            sub = self.sub(self.env[comodel_name], value)

            def linked(row: Row, get_row: RowGetter) -> bool:
                for co_id in row.get(name) or ():
                    co_row = get_row(comodel_name, co_id)
                    if co_row is not None and sub(co_row, get_row):
                        return True
                return False
            return linked if operator == "any" else _Not(linked)
        if value is None or value is False:
            if operator == "=":
                return self._x2many(field, "not any", [])
            if operator == "!=":
                return self._x2many(field, "any", [])
        if isinstance(value, str) and operator in {"=", "!=", *_LIKE_OPS, "not like",
                                                   "not ilike"}:
            comodel = self.env[field.comodel_name]
            positive = NEGATIVE.get(operator, operator)
            sub = [(comodel._rec_name_field(), positive, value)]
            return self._x2many(field, "any" if positive == operator else "not any", sub)
        if operator in ("=", "in", "!=", "not in"):
            ids = _ids_of(value, operator)
            ids = ids if isinstance(ids, list) else [ids]
            sub = [("id", "in", [i for i in ids if i])]
            return self._x2many(field, "any" if operator in ("=", "in") else "not any", sub)
        raise DomainError(_("Operator '%(op)s' is not supported on %(type)s field '%(field)s'.",
                            op=operator, type=field.type, field=field.name))

    def _hierarchy(self, model: "BaseModel", operator: str, value: Any
                   ) -> Callable[[int, RowGetter], bool]:
        """``in_tree(id, get_row)``: is ``id`` below (``child_of``) or above (``parent_of``)
        one of the given ids, themselves included."""
        parent_name, model_name = model._parent_name, model._name
        if parent_name not in model._fields:
            raise DomainError(_("%(model)s has no parent field: '%(op)s' cannot be used.",
                                model=model._name, op=operator))
        ids = _ids_of(value, "in")
        ids = ids if isinstance(ids, list) else [ids]
        seeds = set(hierarchy_ids(ids))

        def ancestry(rec_id: int, get_row: RowGetter) -> set[int]:
            seen: set[int] = set()
            row = get_row(model_name, rec_id)
            while row is not None and row["id"] not in seen:
                seen.add(row["id"])
                parent = row.get(parent_name)
                row = None if parent is None else get_row(model_name, parent)
            return seen

        if operator == "child_of":
            return lambda rec_id, get_row: not seeds.isdisjoint(ancestry(rec_id, get_row))
        return lambda rec_id, get_row: any(rec_id in ancestry(seed, get_row) for seed in seeds)

    # -- scalar columns ------------------------------------------------------------
    def _scalar(self, field: Any, operator: str, value: Any) -> Callable[[Any], bool]:
        ftype = field.type if field.name != "id" else "integer"
        if operator in ("child_of", "parent_of", "any", "not any"):
            raise DomainError(_("Operator '%(op)s' is not valid for '%(field)s'.",
                                op=operator, field=field.name))
        if operator in ("in", "not in"):
            if not isinstance(value, (list, tuple, set, frozenset)):
                raise DomainError(_("Operator '%(op)s' expects a list of values for "
                                    "'%(field)s'.", op=operator, field=field.name))
            values = [self._value(field, v) for v in value if v is not None and v is not False]
            values = [v for v in values if v is not None]
            has_null = len(values) != len(value)
            if ftype == "boolean":
                has_null = has_null or False in set(values)
                values = [v for v in values if v]
            negate = operator == "not in"

            def member(x: Any) -> bool:
                found = x is not None and any(x == v for v in values)
                return (found or (has_null and _is_unset(ftype, x))) != negate
            return member
        if value is None or value is False:
            if operator == "=":
                return lambda x: _is_unset(ftype, x)
            if operator == "!=":
                return lambda x: not _is_unset(ftype, x)
            if ftype == "boolean" and operator in ("<", "<=", ">", ">="):
                value = False
            else:
                raise DomainError(_("Operator '%(op)s' cannot compare '%(field)s' with an "
                                    "empty value.", op=operator, field=field.name))
        if operator in _LIKE_OPS or operator in ("not like", "not ilike"):
            return self._like(ftype, field, operator, value)
        value = self._value(field, value)
        if value is None and operator not in ("=", "!="):  # 0 for a many2one, '' for a date
            raise DomainError(_("Operator '%(op)s' cannot compare '%(field)s' with an "
                                "empty value.", op=operator, field=field.name))
        if ftype == "boolean" and operator in ("=", "!="):
            wanted = bool(value)
            return lambda x: (bool(x) if wanted else _is_unset(ftype, x)) == (operator == "=")
        if operator == "=":
            return lambda x: x is None if value is None else x == value
        if operator == "!=":
            return lambda x: value is None or x is None or x != value
        compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
                   ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[operator]
        return lambda x: x is not None and compare(x, value)

    def _like(self, ftype: str, field: Any, operator: str, value: Any) -> Callable[[Any], bool]:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise DomainError(_("Operator '%(op)s' expects a text for '%(field)s'.",
                                op=operator, field=field.name))
        value = check_bound(str(value))
        positive_op = NEGATIVE.get(operator, operator)
        as_text = (lambda x: x) if ftype in _TEXT_TYPES else _sql_text
        if positive_op in ("like", "ilike"):
            pattern = "%" + escape_like(value) + "%"
        else:
            pattern = check_pattern(value)
        folded = positive_op in ("ilike", "=ilike")
        if folded:
            pattern = fold(pattern)
        positive = positive_op == operator

        def test(x: Any) -> bool:
            if x is None:
                return not positive
            text = as_text(x)
            return bool(like_match(fold(text) if folded else text, pattern)) == positive
        return test

    def _value(self, field: Any, value: Any) -> Any:
        return comparable_value(self.model, field, value)


def _link_test(name: str, comodel_name: str, sub: Predicate, positive: bool) -> Predicate:
    """``column IN (sub)``, or ``column IS NULL OR column NOT IN (sub)``."""
    def test(row: Row, get_row: RowGetter) -> bool:
        target = row.get(name)
        if target is None:
            return not positive
        co_row = get_row(comodel_name, target)
        return (co_row is not None and sub(co_row, get_row)) == positive
    return test


def _is_unset(ftype: str, x: Any) -> bool:
    if ftype == "boolean":
        return x is None or not x
    if ftype in ("char", "text", "html"):
        return x is None or x == ""
    return x is None


def _sql_text(x: Any) -> str:
    """PostgreSQL's ``CAST(x AS VARCHAR)`` for the non-text column types."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return repr(x)
    if isinstance(x, dt.datetime):
        return x.isoformat(" ")
    return str(x)
