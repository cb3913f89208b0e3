"""Grouped reads: Odoo's ``read_group`` built on the lean ``_read_group_raw``.

One SQL statement per call: an inner SELECT filtered by ``_where`` (domain, active_test,
record rules) computes each row's group keys (date periods truncated in SQL); the outer one
groups, aggregates, orders and limits. ``read_group`` adds many2one display names (one
query per comodel), labels, ``__domain`` and ``__range``. Names in ``fields``, ``groupby``
and ``orderby`` are checked against the model and whitelists first; values reach SQL only
as bound parameters. Datetimes are grouped in the context ``tz`` (else UTC) on both
engines: PostgreSQL with ``AT TIME ZONE``, SQLite with a :mod:`zoneinfo` function
registered on the connection, so both apply the same IANA rules.
"""
from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from ..exceptions import ValidationError
from ..i18n.translate import _
from .domain import normalize

if TYPE_CHECKING:
    from .fields import Field
    from .models import BaseModel

_logger = logging.getLogger(__name__)

GRANULARITIES = ("day", "week", "month", "quarter", "year")
AGGREGATES = ("sum", "avg", "min", "max", "count", "count_distinct", "bool_and", "bool_or")
GROUPABLE = frozenset({"many2one", "selection", "boolean", "char", "integer", "date", "datetime"})
_NUMERIC = frozenset({"integer", "float", "monetary"})
_COMPARABLE = _NUMERIC | {"date", "datetime", "char", "selection", "many2one"}
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SPEC_RE = re.compile(rf"^\s*({_NAME})(?::({_NAME}))?\s*$")
_FIELD_RE = re.compile(rf"^\s*({_NAME})(?::({_NAME})(?:\(\s*({_NAME})\s*\))?)?\s*$")
_ORDER_RE = re.compile(rf"^\s*({_NAME}(?::{_NAME})?)(?:\s+(asc|desc))?"
                       r"(?:\s+nulls\s+(first|last))?\s*$", re.IGNORECASE)
_LABEL_PATTERNS = {"day": "dd MMM yyyy", "month": "MMMM yyyy", "quarter": "QQQ yyyy",
                   "year": "yyyy"}
_SQLITE_TZ_FUNCTION = "comptoir_utc_to_local"  # registered by core.orm.db


@dataclass(frozen=True)
class GroupBy:
    """One validated groupby: ``spec`` as written (``'date'``), granularity resolved."""

    spec: str
    field: "Field"
    granularity: str | None = None


@dataclass(frozen=True)
class Aggregate:
    """One validated aggregate: ``'__count'`` or ``'<field>:<func>'``."""

    spec: str
    field: "Field | None"
    func: str


def _hint(name: str, choices: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, list(choices), 1)
    return _(" Did you mean '%(name)s'?", name=near[0]) if near else ""


def _usable_field(model: "BaseModel", name: str) -> "Field":
    field = model._field_or_error(name, ValidationError)
    if not field.stored_column:
        raise ValidationError(_("Field '%(field)s' of %(model)s is not stored: it cannot be "
                                "grouped or aggregated.", field=name, model=model._name))
    if not model.env.su:
        model._check_field_access(field, "read")
    return field


def parse_groupby(model: "BaseModel", spec: str) -> GroupBy:
    """Validate ``'stage_id'`` or ``'date:week'``; a date without granularity is by month."""
    match = _SPEC_RE.match(spec) if isinstance(spec, str) else None
    if not match:
        raise ValidationError(_("Invalid groupby %(spec)r: expected 'field' or "
                                "'field:granularity'.", spec=spec))
    name, granularity = match.groups()
    field = _usable_field(model, name)
    if field.type not in GROUPABLE:
        raise ValidationError(_("Cannot group by '%(field)s': %(type)s fields are not "
                                "groupable.", field=name, type=field.type))
    if field.type in ("date", "datetime"):
        granularity = granularity or "month"
        if granularity not in GRANULARITIES:
            raise ValidationError(_("Unknown granularity '%(gran)s' in '%(spec)s' (valid: "
                                    "%(valid)s).", gran=granularity, spec=spec.strip(),
                                    valid=", ".join(GRANULARITIES))
                                  + _hint(granularity, GRANULARITIES))
    elif granularity:
        raise ValidationError(_("'%(spec)s': only date and datetime fields take a "
                                "granularity.", spec=spec.strip()))
    return GroupBy(spec.strip(), field, granularity)


def parse_aggregate(model: "BaseModel", spec: str) -> Aggregate:
    """Validate ``'__count'`` or ``'amount:sum'`` (the aggregate must suit the type)."""
    if spec == "__count":
        return Aggregate(spec, None, "count")
    match = _SPEC_RE.match(spec) if isinstance(spec, str) else None
    if not match or not match.group(2):
        raise ValidationError(_("Invalid aggregate %(spec)r: expected 'field:function'.",
                                spec=spec))
    name, func = match.groups()
    field = _usable_field(model, name)
    if func not in AGGREGATES:
        raise ValidationError(_("Unknown aggregate function '%(func)s' (valid: %(valid)s).",
                                func=func, valid=", ".join(AGGREGATES))
                              + _hint(func, AGGREGATES))
    suits = (func in ("count", "count_distinct")
             or (func in ("sum", "avg") and field.type in _NUMERIC)
             or (func in ("min", "max") and field.type in _COMPARABLE)
             or (func in ("bool_and", "bool_or") and field.type == "boolean"))
    if not suits:
        raise ValidationError(_("Aggregate '%(func)s' does not apply to '%(field)s' "
                                "(%(type)s).", func=func, field=name, type=field.type))
    return Aggregate(f"{name}:{func}", field, func)


def parse_fields(model: "BaseModel", fields: Sequence[str],
                 groups: Sequence[GroupBy]) -> dict[str, Aggregate]:
    """``read_group``'s ``fields`` as ``{alias: aggregate}``; bare names use the field's
    ``group_operator`` and are skipped when grouped or without one."""
    grouped, keys = {g.field.name for g in groups}, {g.spec for g in groups}
    result: dict[str, Aggregate] = {}
    for spec in fields or ():
        match = _FIELD_RE.match(spec) if isinstance(spec, str) else None
        if not match:
            raise ValidationError(_("Invalid field specification %(spec)r.", spec=spec))
        alias, func, source = match.groups()
        if alias == "__count" and not func:
            continue
        if not func:
            field = model._field_or_error(alias, ValidationError)
            if alias in grouped or alias == "id" or not field.group_operator:
                continue
            func = field.group_operator
        if alias in keys or alias in result:
            raise ValidationError(_("'%(alias)s' is used twice in the result of read_group.",
                                    alias=alias))
        result[alias] = parse_aggregate(model, f"{source or alias}:{func}")
    return result


# --------------------------------------------------------------------------- SQL

def _translated(column: sa.ColumnElement, field: "Field", lang: str) -> sa.ColumnElement:
    if not field.translate:
        return column
    return sa.func.coalesce(column[lang].as_string(), column["en_US"].as_string())


def _period_start(model: "BaseModel", column: sa.ColumnElement, group: GroupBy,
                  tz: ZoneInfo | None) -> sa.ColumnElement:
    """The first day of the row's period: a DATE on PostgreSQL, ISO text on SQLite."""
    unit, is_datetime = group.granularity, group.field.type == "datetime"
    if model.env.dialect == "postgresql":
        if is_datetime and tz is not None:
            column = sa.func.timezone(tz.key, sa.func.timezone("UTC", column))
        if unit == "day":
            return sa.cast(column, sa.Date)
        stamp = column if is_datetime else sa.cast(column, sa.DateTime)
        return sa.cast(sa.func.date_trunc(unit, stamp), sa.Date)
    if is_datetime and tz is not None:
        column = getattr(sa.func, _SQLITE_TZ_FUNCTION)(column, tz.key)
    if unit == "quarter":
        back = (sa.cast(sa.func.strftime("%m", column), sa.Integer) - 1) % 3
        return sa.func.date(column, "start of month", sa.func.printf("-%d months", back))
    modifiers = {"day": (), "week": ("weekday 0", "-6 days"), "month": ("start of month",),
                 "year": ("start of year",)}[unit or "day"]
    return sa.func.date(column, *modifiers)


def _group_key(model: "BaseModel", group: GroupBy, tz: ZoneInfo | None) -> sa.ColumnElement:
    """The group key of a row. Empty values fold into the one group that
    ``('f', '=', False)`` selects: NULL or false booleans, NULL or ``''`` texts."""
    field = group.field
    column = model._sa_table.c[field.name]
    if field.type == "boolean":
        return sa.func.coalesce(column, sa.false())
    if field.type == "char":
        return sa.func.nullif(_translated(column, field, model.env.lang), "")
    if group.granularity:
        return _period_start(model, column, group, tz)
    return column


def _aggregate_sql(model: "BaseModel", agg: Aggregate,
                   column: sa.ColumnElement | None) -> sa.ColumnElement:
    if column is None:
        return sa.func.count()
    if agg.func == "count_distinct":
        return sa.func.count(sa.distinct(column))
    if agg.func in ("bool_and", "bool_or") and model.env.dialect == "sqlite":
        return (sa.func.min if agg.func == "bool_and" else sa.func.max)(column)
    return getattr(sa.func, agg.func)(column)  # a name out of AGGREGATES


def order_parts(order: str | None) -> list[tuple[str, bool, str]]:
    """``'amount:sum desc, stage_id'`` as ``[(name, descending, nulls)]``, validated."""
    parts = []
    for part in (order or "").split(","):
        if not part.strip():
            continue
        match = _ORDER_RE.match(part)
        if not match:
            raise ValidationError(_("Invalid group order '%(order)s'.", order=part.strip()))
        parts.append((match.group(1), (match.group(2) or "").lower() == "desc",
                      (match.group(3) or "").lower()))
    return parts


def _direction(term: sa.ColumnElement, desc: bool, nulls: str) -> sa.ColumnElement:
    ordered = term.desc() if desc else term.asc()
    nulls = nulls or ("first" if desc else "last")
    return ordered.nulls_first() if nulls == "first" else ordered.nulls_last()


def _group_order(model: "BaseModel", group: GroupBy, key: sa.ColumnElement, desc: bool,
                 nulls: str) -> list[sa.ColumnElement]:
    """Order terms for a group key; many2one groups follow the comodel's ``_order``."""
    if group.field.type != "many2one":
        return [_direction(key, desc, nulls)]
    nulls = nulls or ("first" if desc else "last")
    terms: list[sa.ColumnElement] = [key.is_(None).desc() if nulls == "first"
                                     else key.is_(None).asc()]
    comodel = model.env[group.field.comodel_name]
    cotable = comodel._sa_table.alias()
    id_desc = desc
    for part in comodel._order.split(","):
        match = _ORDER_RE.match(part)
        field = comodel._fields.get(match.group(1)) if match else None
        if field is None or not field.stored_column:
            continue
        reverse = desc != ((match.group(2) or "asc").lower() == "desc")
        if field.name == "id":
            id_desc = reverse
            break
        value = _translated(cotable.c[field.name], field, model.env.lang)
        terms.append(_direction(sa.select(value).where(cotable.c.id == key)
                                .scalar_subquery(), reverse, ""))
    return terms + [_direction(key, id_desc, nulls)]


def _iso_date(value: Any) -> Any:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _iso_datetime(value: Any) -> Any:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _converter(item: GroupBy | Aggregate) -> Callable[[Any], Any] | None:
    """What turns either engine's value into the raw one (``None``: keep it as is)."""
    if isinstance(item, GroupBy):
        return bool if item.field.type == "boolean" else _iso_date if item.granularity else None
    if item.func in ("count", "count_distinct"):
        return int
    ftype = item.field.type if item.field is not None else ""
    convert = (bool if item.func in ("bool_and", "bool_or")
               else float if item.func == "avg" or ftype in ("float", "monetary")
               else int if ftype == "integer" else _iso_date if ftype == "date"
               else _iso_datetime if ftype == "datetime" else None)
    return convert and (lambda value: None if value is None else convert(value))


# --------------------------------------------------------------------------- presentation

def context_tz(env: Any) -> ZoneInfo | None:
    """The context's time zone, ``None`` for UTC, missing or unknown (logged)."""
    name = env.context.get("tz")
    if not name or name in ("UTC", "Etc/UTC"):
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        _logger.warning("read_group: unknown time zone %r, grouping in UTC", name)
        return None


@lru_cache(maxsize=32)
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en_US")


def period_end(start: dt.date, granularity: str) -> dt.date:
    """The first day of the next period."""
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(start: dt.date, granularity: str, lang: str) -> str:
    """Odoo's labels: ``'12 Jan 2026'``, ``'W05 2026'``, ``'January 2026'``, ``'Q1 2026'``."""
    if granularity == "week":
        year, week, _day = start.isocalendar()
        return f"W{week:02d} {year}"
    return format_date(start, _LABEL_PATTERNS[granularity], locale=_locale(lang))


def _bound(day: dt.date, group: GroupBy, tz: ZoneInfo | None) -> str:
    if group.field.type == "date":
        return day.isoformat()
    moment = dt.datetime(day.year, day.month, day.day)
    if tz is not None:
        moment = moment.replace(tzinfo=tz).astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def group_leaves(group: GroupBy, key: Any, tz: ZoneInfo | None) -> list[tuple]:
    """Domain leaves selecting exactly the records of one group."""
    name = group.field.name
    if key is None:
        return [(name, "=", False)]
    if group.granularity:
        end = period_end(key, group.granularity)
        return [(name, ">=", _bound(key, group, tz)), (name, "<", _bound(end, group, tz))]
    return [(name, "=", key)]


class ReadGroupMixin:
    """``read_group`` and ``_read_group_raw`` of :class:`~core.orm.models.BaseModel`."""

    def _read_group_raw(self: "BaseModel", domain: Sequence | None, groupby: Sequence[str],
                        aggregates: Sequence[str] = ("__count",), order: str | None = None,
                        limit: int | None = None, offset: int = 0) -> list[tuple]:
        """Groups as tuples: one raw key per groupby (many2one ids, ``date`` period starts
        — local calendar days for datetimes —, ``None`` for empty), then one value per
        aggregate (``'__count'``, ``'amount:sum'``...). ``order`` names groupbys,
        aggregates or ``__count``; groupbys not named follow, ascending."""
        if not self.env.su:
            self._check_access("read")
        groups = [parse_groupby(self, spec) for spec in groupby]
        aggs = [parse_aggregate(self, spec) for spec in aggregates]
        order_terms = self._read_group_order_terms(order, groups)
        tz = context_tz(self.env)
        table = self._sa_table
        columns = {agg.field.name: table.c[agg.field.name]
                   for agg in aggs + [t[0] for t in order_terms if isinstance(t[0], Aggregate)]
                   if agg.field is not None}
        inner = [_group_key(self, g, tz).label(f"g{i}") for i, g in enumerate(groups)]
        if not inner and not columns:  # a SELECT needs a column
            columns["id"] = table.c.id
        sub = sa.select(*inner, *[c.label(f"f_{n}") for n, c in columns.items()]).where(
            self._where(domain)).subquery("grouped")
        keys = [sub.c[f"g{i}"] for i in range(len(groups))]

        def aggregate(agg: Aggregate) -> sa.ColumnElement:
            column = sub.c[f"f_{agg.field.name}"] if agg.field is not None else None
            return _aggregate_sql(self, agg, column)

        ordering: list[sa.ColumnElement] = []
        for target, desc, nulls in order_terms:
            if isinstance(target, Aggregate):
                ordering.append(_direction(aggregate(target), desc, nulls))
            else:
                ordering += _group_order(self, groups[target], keys[target], desc, nulls)
        query = sa.select(*keys, *[aggregate(a) for a in aggs]).select_from(sub)
        query = query.group_by(*keys).order_by(*ordering)
        if limit:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        converters = [_converter(item) for item in [*groups, *aggs]]
        return [tuple(v if convert is None else convert(v) for convert, v in zip(converters, row))
                for row in self.env.execute(query)]

    def _read_group_order_terms(self: "BaseModel", order: str | None,
                                groups: list[GroupBy]) -> list[tuple[Any, bool, str]]:
        """``(groupby index or Aggregate, descending, nulls)`` per term, then the
        groupbys not named, ascending."""
        terms: list[tuple[Any, bool, str]] = []
        named: set[int] = set()
        for name, desc, nulls in order_parts(order):
            index = next((i for i, g in enumerate(groups) if name in (g.spec, g.field.name)),
                         None)
            if index is not None:
                named.add(index)
                terms.append((index, desc, nulls))
            elif name == "__count" or ":" in name:
                terms.append((parse_aggregate(self, name), desc, nulls))
            else:
                raise ValidationError(_("Cannot order groups by '%(name)s': it is neither a "
                                        "groupby nor an aggregate.", name=name)
                                      + _hint(name, [g.spec for g in groups] + ["__count"]))
        return terms + [(i, False, "") for i in range(len(groups)) if i not in named]

    def read_group(self: "BaseModel", domain: Sequence | None, fields: Sequence[str],
                   groupby: str | Sequence[str], offset: int = 0, limit: int | None = None,
                   orderby: str | None = None, lazy: bool = True) -> list[dict[str, Any]]:
        """Odoo's ``read_group``: one dict per group with the groupby values (many2one
        ``(id, name)``, date labels), the aggregates, the count (``<groupby>_count``
        when ``lazy``, else ``__count``), ``__domain``, ``__range`` for dates and, when
        ``lazy``, ``__context`` with the remaining groupbys."""
        groupby_list = [groupby] if isinstance(groupby, str) and groupby else \
            list(groupby or ())
        all_groups = [parse_groupby(self, spec) for spec in groupby_list]
        groups = all_groups[:1] if lazy else all_groups
        aliases = parse_fields(self, fields, all_groups)
        order = self._read_group_orderby(orderby, groups, all_groups, aliases)
        rows = self._read_group_raw(domain, [g.spec for g in groups],
                                    ["__count"] + [a.spec for a in aliases.values()],
                                    order=order, limit=limit, offset=offset)
        names = self._read_group_names(groups, rows)
        count_key = f"{groups[0].field.name}_count" if lazy and groups else "__count"
        tz, lang = context_tz(self.env), self.env.lang
        base = normalize(domain or [])  # once: the same in every group's __domain
        result = []
        for row in rows:
            group: dict[str, Any] = {}
            leaves: list[tuple] = []
            ranges: dict[str, Any] = {}
            for index, (spec, key) in enumerate(zip(groups, row)):
                leaves += group_leaves(spec, key, tz)
                if spec.granularity:
                    ranges[spec.spec] = key is not None and {
                        "from": leaves[-2][2], "to": leaves[-1][2]}
                if key is None:
                    group[spec.spec] = False
                elif spec.field.type == "many2one":
                    group[spec.spec] = (key, names[index].get(key, ""))
                elif spec.granularity:
                    group[spec.spec] = period_label(key, spec.granularity, lang)
                else:
                    group[spec.spec] = key
            group[count_key] = row[len(groups)]
            for alias, value in zip(aliases, row[len(groups) + 1:]):
                group[alias] = False if value is None else value
            group["__domain"] = ["&"] * (len(leaves) - (0 if base else 1)) + leaves + base
            if ranges:
                group["__range"] = ranges
            if lazy:
                group["__context"] = {"group_by": groupby_list[1:]}
            result.append(group)
        return result

    def _read_group_orderby(self: "BaseModel", orderby: str | None, groups: list[GroupBy],
                            all_groups: list[GroupBy], aliases: dict[str, Aggregate]) -> str:
        """Translate ``read_group``'s ``orderby`` (aliases, field names) for the raw API;
        terms on groupbys left out by ``lazy`` are dropped."""
        terms = []
        for name, desc, nulls in order_parts(orderby):
            suffix = (" desc" if desc else " asc") + (f" nulls {nulls}" if nulls else "")
            if name == "__count" or any(name in (g.spec, g.field.name) for g in groups):
                terms.append(name + suffix)
            elif name in aliases:
                terms.append(aliases[name].spec + suffix)
            elif not any(name in (g.spec, g.field.name) for g in all_groups):
                raise ValidationError(_("Cannot order groups by '%(name)s': it is neither a "
                                        "groupby nor an aggregated field.", name=name)
                                      + _hint(name, [g.spec for g in groups] + list(aliases)))
        return ", ".join(terms)

    def _read_group_names(self: "BaseModel", groups: list[GroupBy],
                          rows: list[tuple]) -> list[dict[int, str]]:
        """Display names of many2one group keys: one query per comodel."""
        wanted: dict[str, set[int]] = {}
        for index, group in enumerate(groups):
            if group.field.type == "many2one":
                ids = {row[index] for row in rows if row[index] is not None}
                wanted.setdefault(group.field.comodel_name, set()).update(ids)
        names = {model: self.env[model].sudo()._display_names(ids)
                 for model, ids in wanted.items() if ids}
        return [names.get(g.field.comodel_name, {}) if g.field.type == "many2one" else {}
                for g in groups]
