"""Search domains: Odoo's prefix-notation lists, validated then compiled to SQLAlchemy.

``['|', ('stage_id.name', '=', 'Won'), ('probability', '>', 50)]``

Every leaf is checked against the model's fields and a whitelist of operators before
anything is compiled; values only ever reach SQL as bound parameters. Paths through
relational fields compile to ``IN (subquery)`` with Odoo 17's "any" semantics: a path
through a many2one matches records whose linked record (archived or not) matches; a path
through an x2many matches records having at least one active linked record that matches.

``False`` semantics follow Odoo: ``('f', '=', False)`` is "not set" (NULL; also ``''``
for text, ``false`` for booleans); ``!=``, ``not in``, ``not like`` also match unset values.
"""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Sequence

import sqlalchemy as sa

from ..exceptions import DomainError
from ..i18n.translate import _
from .db import fold

if TYPE_CHECKING:
    from .models import BaseModel

AND, OR, NOT = "&", "|", "!"
OPERATORS = frozenset({
    "=", "!=", "<", "<=", ">", ">=", "in", "not in", "like", "not like", "ilike",
    "not ilike", "=like", "=ilike", "child_of", "parent_of", "any", "not any",
})
NEGATIVE = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike",
            "not any": "any"}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
_TEXT_TYPES = {"char", "text", "html", "selection"}
_LIKE_OPS = {"like", "ilike", "=like", "=ilike"}


def normalize(domain: Any) -> list:
    """Check the structure and make every ``&`` explicit; returns a new list."""
    if domain is None:
        return []
    if not isinstance(domain, (list, tuple)):
        raise DomainError(_("A domain must be a list, not %(kind)s.", kind=type(domain).__name__))
    result: list = []
    expected = 1  # how many terms are still expected
    for item in domain:
        if expected == 0:
            result.insert(0, AND)
            expected = 1
        if isinstance(item, str) and item in (AND, OR, NOT):
            expected += 0 if item == NOT else 1
            result.append(item)
            continue
        result.append(check_leaf_shape(item))
        expected -= 1
    if expected and result:
        raise DomainError(_("The domain %(domain)s is incomplete: an operator lacks its terms.",
                            domain=list(domain)))
    return result


def check_leaf_shape(leaf: Any) -> tuple:
    if isinstance(leaf, (list, tuple)) and len(leaf) == 3:
        path, operator, value = leaf
        if (path, operator, value) in (TRUE_LEAF, FALSE_LEAF):
            return (path, operator, value)
        if isinstance(path, str) and path and isinstance(operator, str):
            operator = operator.lower()
            if operator not in OPERATORS:
                near = difflib.get_close_matches(operator, sorted(OPERATORS), 1)
                hint = _(" Did you mean '%(op)s'?", op=near[0]) if near else ""
                raise DomainError(_("Unknown domain operator '%(op)s' in %(leaf)s.",
                                    op=leaf[1], leaf=list(leaf)) + hint)
            return (path, operator, value)
    raise DomainError(_("Invalid domain term %(leaf)s: expected (field, operator, value).",
                        leaf=repr(leaf)))


def domain_and(*domains: Sequence) -> list:
    """Combine domains with AND (empty ones are dropped)."""
    parts = [normalize(d) for d in domains if d]
    if not parts:
        return []
    return [AND] * (len(parts) - 1) + [term for part in parts for term in part]


def domain_or(*domains: Sequence) -> list:
    parts = [normalize(d) or [TRUE_LEAF] for d in domains]
    if not parts:
        return [FALSE_LEAF]
    return [OR] * (len(parts) - 1) + [term for part in parts for term in part]


def leaf_fields(domain: Sequence) -> set[str]:
    """First path component of every leaf (for ``active_test``)."""
    return {leaf[0].split(".")[0] for leaf in domain
            if isinstance(leaf, tuple) and isinstance(leaf[0], str)}


class DomainCompiler:
    """Compiles one normalised domain for one model (a recordset gives env and table)."""

    def __init__(self, model: "BaseModel") -> None:
        self.model = model
        self.env = model.env
        self.table = model._sa_table
        self.dialect = model.env.dialect

    def compile(self, domain: Sequence) -> sa.ColumnElement[bool]:
        domain = normalize(domain)
        if not domain:
            return sa.true()
        # read backwards with a stack: thousands of leaves nest no Python call
        stack: list[sa.ColumnElement[bool]] = []
        for item in reversed(domain):
            if item == NOT:
                # two-valued logic, as in Odoo 18: "!" of a leaf that is NULL in SQL (a
                # comparison with an unset value) is true, not NULL
                stack.append(stack.pop().is_not(sa.true()))
            elif item in (AND, OR):
                left, right = stack.pop(), stack.pop()
                stack.append(sa.and_(left, right) if item == AND else sa.or_(left, right))
            else:
                stack.append(self.leaf(item))
        return stack.pop()

    # -- leaves --------------------------------------------------------------------
    def leaf(self, leaf: tuple) -> sa.ColumnElement[bool]:
        path, operator, value = leaf
        if leaf == TRUE_LEAF:
            return sa.true()
        if leaf == FALSE_LEAF:
            return sa.false()
        name, _dot, rest = path.partition(".")
        field = self.model._field_or_error(name, DomainError)
        if field.groups and not self.env.su:
            # a field hidden from the user must not be probed through searches either
            self.model._check_field_access(field, "read")
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
            return self.table.c.id.in_(self._hierarchy(self.model, operator, value))
        return self._scalar(field, self._column(field), operator, value)

    def _non_stored_leaf(self, field: Any, operator: str, value: Any) -> sa.ColumnElement[bool]:
        if field.related:
            return self.leaf((field.related, operator, value))
        if field.search:
            domain = getattr(self.model, field.search)(operator, value)
            return self.compile(domain)
        raise DomainError(_("Field '%(field)s' of %(model)s is not stored: it cannot be "
                            "searched.", field=field.name, model=self.model._name))

    def _column(self, field: Any) -> sa.ColumnElement:
        column = self.table.c[field.name]
        if field.translate:
            lang = self.env.lang
            column = sa.func.coalesce(column[lang].as_string(), column["en_US"].as_string())
        return column

    def _subquery_model(self, field: Any, active_test: bool) -> "BaseModel":
        comodel = self.env[field.comodel_name]
        if not active_test:
            comodel = comodel.with_context(active_test=False)
        return comodel

    def _many2one(self, field: Any, operator: str, value: Any) -> sa.ColumnElement[bool]:
        column = self.table.c[field.name]
        comodel = self._subquery_model(field, active_test=False)
        if operator in ("any", "not any"):
            if not isinstance(value, (list, tuple)):
                raise DomainError(_("Operator '%(op)s' expects a domain.", op=operator))
            sub = comodel._search(value, order=False)
            if operator == "any":
                return column.in_(sub)
            return sa.or_(column.is_(None), column.not_in(sub))
        if operator in ("child_of", "parent_of"):
            return column.in_(self._hierarchy(comodel, operator, value))
        if isinstance(value, str) and operator in {"=", "!=", *_LIKE_OPS,
                                                   "not like", "not ilike"}:
            positive = NEGATIVE.get(operator, operator)
            sub = comodel._search([(comodel._rec_name_field(), positive, value)], order=False)
            if positive == operator:
                return column.in_(sub)
            return sa.or_(column.is_(None), column.not_in(sub))
        return self._scalar(field, column, operator, _ids_of(value, operator))

    def _x2many(self, field: Any, operator: str, value: Any) -> sa.ColumnElement[bool]:
        if operator in ("any", "not any"):
            if not isinstance(value, (list, tuple)):
                raise DomainError(_("Operator '%(op)s' expects a domain.", op=operator))
            comodel = self.env[field.comodel_name]
            ids_select = self._x2many_owner_ids(field, comodel._search(value, order=False))
            if operator == "any":
                return self.table.c.id.in_(ids_select)
            return self.table.c.id.not_in(ids_select)
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

    def _x2many_owner_ids(self, field: Any, comodel_ids: sa.Select) -> sa.Select:
        comodel = self.env[field.comodel_name]
        if field.type == "one2many":
            inverse = comodel._sa_table.c[field.inverse_name]
            comodel_ids = comodel_ids.with_only_columns(inverse).where(inverse.is_not(None))
            return comodel_ids.order_by(None)
        rel = field.relation_table(self.model._registry.metadata)
        return sa.select(rel.c[field.column1]).where(
            rel.c[field.column2].in_(comodel_ids.order_by(None)))

    def _hierarchy(self, model: "BaseModel", operator: str, value: Any) -> sa.Select:
        """Ids below (``child_of``) or above (``parent_of``) the given ids, included."""
        parent_name = model._parent_name
        if parent_name not in model._fields:
            raise DomainError(_("%(model)s has no parent field: '%(op)s' cannot be used.",
                                model=model._name, op=operator))
        ids = _ids_of(value, "in")
        ids = ids if isinstance(ids, list) else [ids]
        table = model._sa_table
        seed = sa.select(table.c.id.label("id")).where(
            table.c.id.in_(int_param(hierarchy_ids(ids))))
        tree = seed.cte(recursive=True)  # anonymous: several per query
        if operator == "child_of":
            step = sa.select(table.c.id).join(tree, table.c[parent_name] == tree.c.id)
        else:
            step = sa.select(table.c[parent_name]).join(tree, table.c.id == tree.c.id).where(
                table.c[parent_name].is_not(None))
        tree = tree.union(step)
        return sa.select(tree.c.id)

    def _scalar(self, field: Any, column: sa.ColumnElement, operator: str,
                value: Any) -> sa.ColumnElement[bool]:
        ftype = field.type if field.name != "id" else "integer"
        if operator in ("child_of", "parent_of", "any", "not any"):
            raise DomainError(_("Operator '%(op)s' is not valid for '%(field)s'.",
                                op=operator, field=field.name))
        if operator in ("in", "not in"):
            if not isinstance(value, (list, tuple, set, frozenset)):
                raise DomainError(_("Operator '%(op)s' expects a list of values for "
                                    "'%(field)s'.", op=operator, field=field.name))
            values = [self._value(field, v) for v in value if v is not None and v is not False]
            values = [v for v in values if v is not None]  # e.g. 0 for a many2one: unset
            has_null = len(values) != len(value)
            if ftype == "boolean":
                values_set = set(values)
                has_null = has_null or False in values_set
                values = [v for v in values if v]
            bound = int_param(values) if ftype in ("integer", "many2one") else values
            positive = column.in_(bound) if values else sa.false()
            if has_null:
                positive = sa.or_(positive, self._is_unset(ftype, column))
            if operator == "in":
                return positive
            if has_null:
                return sa.not_(positive)
            return sa.or_(sa.not_(positive), column.is_(None))
        if value is None or value is False:
            if operator == "=":
                return self._is_unset(ftype, column)
            if operator == "!=":
                return sa.not_(self._is_unset(ftype, column))
            if ftype == "boolean" and operator in ("<", "<=", ">", ">="):
                value = False
            else:
                raise DomainError(_("Operator '%(op)s' cannot compare '%(field)s' with an "
                                    "empty value.", op=operator, field=field.name))
        if operator in _LIKE_OPS or operator in ("not like", "not ilike"):
            return self._like(ftype, field, column, operator, value)
        value = self._value(field, value)
        if value is None and operator not in ("=", "!="):  # 0 for a many2one, '' for a date
            raise DomainError(_("Operator '%(op)s' cannot compare '%(field)s' with an "
                                "empty value.", op=operator, field=field.name))
        if ftype == "boolean" and operator in ("=", "!="):
            positive = column.is_(True) if value else self._is_unset(ftype, column)
            if operator == "=":
                return positive
            return sa.not_(positive)
        if ftype == "boolean":  # SQLAlchemy refuses "<" against a bare True/False
            value = sa.literal(value, sa.Boolean)
        elif ftype in ("integer", "many2one") and isinstance(value, int):
            value = sa.literal(value, sa.BigInteger)
        if operator == "=":
            return column == value
        if operator == "!=":
            return sa.or_(column != value, column.is_(None))
        return {"<": column < value, "<=": column <= value, ">": column > value,
                ">=": column >= value}[operator]

    def _like(self, ftype: str, field: Any, column: sa.ColumnElement, operator: str,
              value: Any) -> sa.ColumnElement[bool]:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise DomainError(_("Operator '%(op)s' expects a text for '%(field)s'.",
                                op=operator, field=field.name))
        value = check_bound(str(value))
        positive_op = NEGATIVE.get(operator, operator)
        if ftype not in _TEXT_TYPES:
            column = sa.cast(column, sa.String)
        if positive_op in ("like", "ilike"):
            pattern = "%" + escape_like(value) + "%"
        else:
            pattern = check_pattern(value)
        if positive_op in ("ilike", "=ilike"):
            # the pattern is folded once here (the same function SQLite uses on the column)
            expr = fold_sql(column, self.dialect).like(
                sa.literal(fold(pattern), sa.String), escape="\\")
        else:
            expr = column.like(pattern, escape="\\") if self.dialect != "sqlite" else \
                sa.func.comptoir_like(pattern, column)
        if positive_op == operator:
            return sa.and_(column.is_not(None), expr)
        return sa.or_(column.is_(None), sa.not_(expr))

    def _is_unset(self, ftype: str, column: sa.ColumnElement) -> sa.ColumnElement[bool]:
        if ftype == "boolean":
            return sa.or_(column.is_(None), column.is_(False))
        if ftype in ("char", "text", "html"):
            return sa.or_(column.is_(None), column == "")
        return column.is_(None)

    def _value(self, field: Any, value: Any) -> Any:
        """``value`` converted for comparison with ``field``'s column."""
        return comparable_value(self.model, field, value)



def comparable_value(model: Any, field: Any, value: Any) -> Any:
    """A domain's ``value`` converted for comparison with ``field`` (a DomainError in
    words when it cannot be): shared by the SQL compiler and the Python evaluator."""
    return check_bound(_comparable(model, field, check_bound(value)))


def _comparable(model: Any, field: Any, value: Any) -> Any:
    from .models import BaseModel
    if field.name == "id" or field.type in ("many2one", "integer"):
        if isinstance(value, BaseModel):
            return value.id
        if isinstance(value, bool) and field.type != "integer":
            raise DomainError(_("Invalid value %(value)r for '%(field)s'.",
                                value=value, field=field.name))
    if field.type == "integer" and isinstance(value, int):
        return int(value)  # any 64-bit number compares (the 32-bit column limit is for writes)
    if field.type in ("selection", "reference"):
        return str(value)
    if field.type in ("char", "text", "html"):
        return str(value)
    try:
        converted = field.convert_to_cache(value, model)
    except Exception:  # a user typed it: say what is wrong, not a traceback
        raise DomainError(_("Invalid value %(value)r for '%(field)s'.",
                            value=value, field=field.name)) from None
    if field.name == "id":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise DomainError(_("Invalid value %(value)r for '%(field)s'.",
                                value=value, field=field.name)) from None
    return converted


def fold_sql(expr: sa.ColumnElement, dialect: str = "postgresql") -> sa.ColumnElement:
    """The accent- and case-insensitive form: ``lower(unaccent(x))`` on PostgreSQL, the
    Python twin :func:`core.orm.db.fold` on SQLite (whose ``lower`` is ASCII-only)."""
    if dialect == "sqlite":
        return sa.func.comptoir_fold(expr)
    return sa.func.lower(sa.func.unaccent(expr))


def check_bound(value: Any) -> Any:
    """Refuse what no engine can bind: NUL in text, integers beyond 64 bits."""
    if isinstance(value, str) and "\x00" in value:
        raise DomainError(_("A domain value may not contain a NUL character."))
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
        raise DomainError(_("The number %(value)s is out of range.", value=value))
    return value


def int_param(values: Any) -> Any:
    """Integers bound as 64-bit: PostgreSQL casts a plain one to its int4 column's type and
    fails on 2**31 instead of comparing."""
    if not values:
        return values
    return sa.bindparam(None, list(values), type_=sa.BigInteger, expanding=True)


def check_pattern(pattern: str) -> str:
    """An ``=like`` pattern may not end with a lone escaping backslash."""
    if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
        raise DomainError(_("The pattern %(pattern)r ends with an unescaped backslash.",
                            pattern=pattern))
    return pattern


def hierarchy_ids(ids: list) -> list[int]:
    """The non-empty ids given to ``child_of``/``parent_of``, as integers."""
    try:
        return [check_bound(int(i)) for i in ids if i]
    except (TypeError, ValueError, OverflowError):
        raise DomainError(_("Invalid record ids %(ids)r.", ids=ids)) from None


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ids_of(value: Any, operator: str) -> Any:
    from .models import BaseModel
    if isinstance(value, BaseModel):
        return list(value._ids) if operator in ("in", "not in") or len(value) != 1 \
            else value._ids[0]
    return value
