"""Reading models: search, fetch into the cache, read, name_search, metadata.

Every query here is per batch: fetching a field for one record fetches it for the
whole prefetch set (up to 1,000 records), display names of many2one targets cost one
query per target model, x2many values one query per field.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import sqlalchemy as sa

from ..exceptions import AccessError, ValidationError
from ..i18n.translate import _
from .domain import DomainCompiler, domain_and, leaf_fields, normalize

if TYPE_CHECKING:
    from .fields import Field
    from .models import BaseModel

_ORDER_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$",
                       re.IGNORECASE)
PREFETCH_MAX = 1000


class ReadMixin:
    """Search and read methods of :class:`~core.orm.models.BaseModel`."""

    # -- access hooks (the security layer overrides these through ``base``) -------------
    def _check_access(self: "BaseModel", operation: str, raise_exception: bool = True) -> bool:
        """Model-level permission for ``read``/``write``/``create``/``unlink``."""
        return True

    def _rule_domain(self: "BaseModel", operation: str) -> list:
        """Record rules of the current user for ``operation``, as a domain."""
        return []

    def _check_field_access(self: "BaseModel", field: "Field", operation: str) -> None:
        """Refuse access to fields restricted to groups the user is not in."""

    def _rule_clause(self: "BaseModel", operation: str) -> sa.ColumnElement[bool] | None:
        """The record rules of ``operation`` as SQL, or None when nothing restricts.

        Rule domains are compiled as superuser and without ``active_test`` (as Odoo
        does): a rule says which records are allowed, whatever the rules of the models
        its paths go through."""
        if self.env.su:
            return None
        rules = self._rule_domain(operation)
        if not rules:
            return None
        return DomainCompiler(self.sudo().with_context(active_test=False)).compile(rules)

    # -- search -------------------------------------------------------------------------
    def _where(self: "BaseModel", domain: Sequence | None,
               operation: str = "read") -> sa.ColumnElement[bool]:
        """The WHERE clause for a domain, with ``active_test`` and record rules."""
        domain = normalize(domain or [])
        if ("active" in self._fields and self.env.context.get("active_test", True)
                and "active" not in leaf_fields(domain)):
            domain = domain_and([("active", "=", True)], domain)
        compiler = DomainCompiler(self)
        clause = compiler.compile(domain)
        rules = self._rule_clause(operation)
        return clause if rules is None else sa.and_(clause, rules)

    def _search(self: "BaseModel", domain: Sequence | None, order: str | None = None,
                limit: int | None = None, offset: int = 0,
                operation: str = "read") -> sa.Select:
        """A ``SELECT id`` statement for the domain (to run, or to nest as a subquery)."""
        if not self.env.su:
            self._check_access(operation)
        table = self._sa_table
        query = sa.select(table.c.id).where(self._where(domain, operation))
        if order is not False:
            query = query.order_by(*self._order_by(order))
        if limit:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        return query

    def search(self: "BaseModel", domain: Sequence | None = None, order: str | None = None,
               limit: int | None = None, offset: int = 0) -> "BaseModel":
        """Records matching ``domain``, sorted by ``order`` (default ``_order``)."""
        ids = tuple(row[0] for row in self.env.execute(
            self._search(domain, order, limit, offset)))
        if not self.env.su:
            self.env.transaction.readable[(self.env.uid, self._name)].update(ids)
        return self._browse(ids, ids)

    def search_fetch(self: "BaseModel", domain: Sequence | None, field_names: Sequence[str],
                     order: str | None = None, limit: int | None = None,
                     offset: int = 0) -> "BaseModel":
        """``search`` that also loads these stored fields into the cache, in ONE query
        (for hot paths that know what they will read)."""
        fields = [self._field_or_error(name) for name in field_names]
        columns = [f for f in fields if f.stored_column and f.name != "id"]
        table = self._sa_table
        query = self._search(domain, order, limit, offset).add_columns(
            *[table.c[f.name] for f in columns])
        rows = self.env.execute(query).all()
        ids = tuple(row[0] for row in rows)
        cache = self.env.cache
        for index, field in enumerate(columns, start=1):
            cache.update((self._name, field.name), {
                row[0]: row[index] if field.raw_from_db else field.convert_from_db(
                    row[index], self) for row in rows})
        if not self.env.su:
            self.env.transaction.readable[(self.env.uid, self._name)].update(ids)
        return self._browse(ids, ids)

    def _ensure_readable(self: "BaseModel") -> None:
        """Check read access to records whose values may sit in the shared cache."""
        env = self.env
        if env.su:
            return
        readable = env.transaction.readable[(env.uid, self._name)]
        unknown = [i for i in self._ids if i not in readable]
        if not unknown:
            return
        self._check_access("read")
        rules = self._rule_clause("read")
        if rules is None:
            readable.update(unknown)
            return
        table = self._sa_table
        allowed = {r[0] for r in env.execute(sa.select(table.c.id).where(
            self._ids_in(table.c.id, unknown), rules))}
        readable.update(allowed)
        refused = [i for i in unknown if i not in allowed]
        if refused:
            existing = self.sudo().browse(refused).exists()
            if existing:
                raise AccessError(_(
                    "You may not read %(model)s records %(ids)s (record rules).",
                    model=self._description or self._name, ids=existing.ids))
            raise self._missing_error(refused)

    def search_count(self: "BaseModel", domain: Sequence | None = None,
                     limit: int | None = None) -> int:
        query = self._search(domain, order=False, limit=limit).subquery()
        return self.env.execute(sa.select(sa.func.count()).select_from(query)).scalar_one()

    def search_read(self: "BaseModel", domain: Sequence | None = None,
                    fields: Sequence[str] | None = None, offset: int = 0,
                    limit: int | None = None, order: str | None = None,
                    **kwargs: Any) -> list[dict[str, Any]]:
        records = self.search(domain, order=order, limit=limit, offset=offset)
        return records.read(fields, **kwargs) if records else []

    def _order_by(self: "BaseModel", order: str | None) -> list[sa.ColumnElement]:
        """Parse ``"name desc, id"`` into ORDER BY terms (validated, never raw SQL)."""
        spec = order or self._order or "id"
        terms: list[sa.ColumnElement] = []
        seen: set[str] = set()
        for part in spec.split(","):
            if not part.strip():
                continue
            match = _ORDER_RE.match(part)
            if not match:
                raise ValidationError(_("Invalid sort order '%(order)s'.", order=part.strip()))
            name, direction, nulls = match.group(1), (match.group(2) or "asc").lower(), \
                (match.group(3) or "").lower()
            field = self._field_or_error(name, ValidationError)
            if not field.stored_column:
                raise ValidationError(_("Cannot sort on '%(field)s': it is not stored.",
                                        field=name))
            seen.add(name)
            terms.extend(self._order_terms(field, direction, nulls))
        if "id" not in seen:
            terms.append(self._sa_table.c.id.asc())
        return terms

    def _order_terms(self: "BaseModel", field: "Field", direction: str,
                     nulls: str) -> list[sa.ColumnElement]:
        """ORDER BY terms for one field; a many2one sorts by its comodel's ``_order``
        (every term, directions combined), as users expect ("by stage" = stage order)."""
        table = self._sa_table
        column: sa.ColumnElement = table.c[field.name]
        if field.type == "many2one":
            comodel = self.env[field.comodel_name]
            cotable = comodel._sa_table.alias()
            terms = []
            for part in (comodel._order or "id").split(","):
                match = _ORDER_RE.match(part)
                if not match:
                    continue
                name, sub_dir = match.group(1), (match.group(2) or "asc").lower()
                target = comodel._fields.get(name)
                if name == "id" or target is None or not target.stored_column:
                    expr: sa.ColumnElement = column
                else:
                    expr = sa.select(cotable.c[name]).where(
                        cotable.c.id == column).scalar_subquery()
                flipped = "desc" if (sub_dir == "desc") != (direction == "desc") else "asc"
                terms.append(self._direction(expr, flipped, nulls))
            return terms or [self._direction(column, direction, nulls)]
        if field.translate:
            column = sa.func.coalesce(column[self.env.lang].as_string(),
                                      column["en_US"].as_string())
        return [self._direction(column, direction, nulls)]

    @staticmethod
    def _direction(column: sa.ColumnElement, direction: str, nulls: str) -> sa.ColumnElement:
        term = column.desc() if direction == "desc" else column.asc()
        nulls = nulls or ("first" if direction == "desc" else "last")
        return term.nulls_first() if nulls == "first" else term.nulls_last()

    # -- fetching into the cache ---------------------------------------------------------
    def _fetch(self: "BaseModel", field: "Field") -> None:
        """Load ``field`` (and its prefetchable siblings) for the whole prefetch batch."""
        if (field.compute or field.related) and not field.store:
            self._compute_non_stored(field)
            return
        if field.column_less:
            self._fetch_x2many(field)
            return
        self._fetch_columns([field])

    def _prefetch_batch(self: "BaseModel", key: tuple[str, str]) -> list[int]:
        cache = self.env.cache
        ids = list(self._ids)
        seen = set(ids)
        for rec_id in self._prefetch_ids or ():
            if len(ids) >= PREFETCH_MAX:
                break
            if rec_id not in seen and not cache.contains(key, rec_id):
                ids.append(rec_id)
                seen.add(rec_id)
        return ids

    def _fetch_columns(self: "BaseModel", wanted: Iterable["Field"],
                       only: bool = False) -> None:
        """Load columns for the prefetch batch: ``wanted`` plus, unless ``only``, every
        other prefetchable column (attribute access usually reads several fields)."""
        wanted = list(wanted)
        cache = self.env.cache
        key = (self._name, wanted[0].name)
        ids = self._prefetch_batch(key)
        columns = {f.name: f for f in wanted if f.name != "id"}
        if not only:
            for name, field in self._fields.items():
                if field.stored_column and field.prefetch and name not in columns \
                        and name != "id":
                    columns[name] = field
        table = self._sa_table
        query = sa.select(table.c.id, *[table.c[n] for n in columns]).where(
            self._ids_in(table.c.id, ids))
        if not self.env.su:
            self._check_access("read")
            rules = self._rule_clause("read")
            if rules is not None:
                query = query.where(rules)
        rows = self.env.execute(query).all()
        found = [row[0] for row in rows]
        if not self.env.su:
            self.env.transaction.readable[(self.env.uid, self._name)].update(found)
        for index, (name, field) in enumerate(columns.items(), start=1):
            if field.raw_from_db:
                values = {row[0]: row[index] for row in rows}
            else:
                values = {row[0]: field.convert_from_db(row[index], self) for row in rows}
            cache.update((self._name, name), values)
        found = set(found)
        missing = [i for i in self._ids if i not in found]
        if missing:
            existing = self.sudo().browse(missing).exists()
            if existing:
                raise AccessError(_(
                    "You may not read %(model)s records %(ids)s (record rules).",
                    model=self._description or self._name, ids=existing.ids))
            raise self._missing_error(missing)

    def _fetch_x2many(self: "BaseModel", field: "Field") -> None:
        key = (self._name, field.name)
        ids = self._prefetch_batch(key)
        comodel = self.env[field.comodel_name]
        values: dict[int, list[int]] = {rec_id: [] for rec_id in ids}
        if field.type == "one2many":
            inverse = comodel._sa_table.c[field.inverse_name]
            query = comodel._search([(field.inverse_name, "in", ids)])
            query = query.add_columns(inverse)
            for co_id, owner in self.env.execute(query):
                values[owner].append(co_id)
        else:
            rel = field.relation_table(self._registry.metadata)
            co_ids = comodel._search([], order=False).subquery()
            query = sa.select(rel.c[field.column1], rel.c[field.column2]).join(
                comodel._sa_table, comodel._sa_table.c.id == rel.c[field.column2]).where(
                self._ids_in(rel.c[field.column1], ids),
                rel.c[field.column2].in_(sa.select(co_ids.c.id))).order_by(
                *comodel._order_by(None))
            for owner, co_id in self.env.execute(query):
                values[owner].append(co_id)
        self.env.cache.update(key, {k: tuple(v) for k, v in values.items()})

    def _compute_non_stored(self: "BaseModel", field: "Field") -> None:
        key = (self._name, field.name)
        ids = self._prefetch_batch(key)
        records = self._browse(tuple(ids), tuple(ids))
        self._registry.triggers.compute_into_cache(records, field)

    # -- read -------------------------------------------------------------------------------
    def read(self: "BaseModel", fields: Sequence[str] | None = None,
             load: str = "_classic_read") -> list[dict[str, Any]]:
        """Field values as dicts; many2one as ``(id, display name)`` unless
        ``load='_classic_write'`` (bare ids)."""
        if not self._ids:
            return []
        if not self.env.su:
            self._check_access("read")
            self._ensure_readable()
        names = list(fields) if fields else [
            n for n, f in self._fields.items()
            if (f.type != "binary" or f.store) and self._field_visible(f)]
        field_objs = []
        for name in names:
            field = self._field_or_error(name)
            self._check_field_access(field, "read")
            field_objs.append(field)
        # every missing column in one query, then x2many and computed fields per field
        cache = self.env.cache
        columns = [f for f in field_objs if f.stored_column and f.name != "id"
                   and cache.missing((self._name, f.name), self._ids)]
        records = self._browse(self._ids, self._ids)
        if columns:
            records._fetch_columns(columns, only=True)
        result = [{"id": rec_id} for rec_id in self._ids]
        m2o_targets: dict[str, set[int]] = defaultdict(set)
        for field in field_objs:
            if field.name == "id":
                continue
            key = (self._name, field.name)
            if cache.missing(key, self._ids):
                records._fetch(field)
            values = cache._data[key]
            name = field.name
            if field.type == "many2one":
                targets = m2o_targets[field.comodel_name]
                for row in result:
                    value = row[name] = values[row["id"]]
                    if value:
                        targets.add(value)
            elif field.translate or field.column_less:
                for row in result:
                    row[name] = field.convert_to_read(values[row["id"]], records)
            else:
                for row in result:
                    row[name] = values[row["id"]]
        if load != "_classic_write" and m2o_targets:
            names_by_model = {model: self.env[model].sudo()._display_names(ids)
                              for model, ids in m2o_targets.items() if ids}
            for field in field_objs:
                if field.type == "many2one":
                    labels = names_by_model.get(field.comodel_name, {})
                    name = field.name
                    for row in result:
                        value = row[name]
                        if value:
                            row[name] = (value, labels.get(value, ""))
        return result

    def _display_names(self: "BaseModel", ids: Iterable[int]) -> dict[int, str]:
        """``{id: display name}`` in one query when the name is a plain stored field
        (the common case), through ``display_name`` otherwise; missing ids are left out."""
        from .fields import translated_value
        from .models import BaseModel
        ids = sorted(ids)
        rec_name = self._rec_name_field()
        field = self._fields.get(rec_name)
        plain = type(self)._compute_display_name is BaseModel._compute_display_name
        if plain and field is not None and field.stored_column and rec_name != "id":
            table = self._sa_table
            rows = self.env.execute(sa.select(table.c.id, table.c[rec_name]).where(
                self._ids_in(table.c.id, ids))).all()
            lang = self.env.lang
            return {rec_id: (translated_value(value, lang) if field.translate else value)
                    or f"{self._name},{rec_id}" for rec_id, value in rows}
        return {record._ids[0]: record.display_name for record in self.browse(ids).exists()}

    # -- names ---------------------------------------------------------------------------------
    def name_search(self: "BaseModel", name: str = "", domain: Sequence | None = None,
                    operator: str = "ilike", limit: int = 100) -> list[tuple[int, str]]:
        rec_name = self._rec_name_field()
        search_domain = list(domain or [])
        if name:
            search_domain = domain_and(search_domain, [(rec_name, operator, name)])
        return self.search(search_domain, limit=limit).name_get()

    # -- metadata ------------------------------------------------------------------------------
    def fields_get(self: "BaseModel", allfields: Sequence[str] | None = None,
                   attributes: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        result = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            if not self._field_visible(field):
                continue
            desc = field.get_description(self.env)
            if attributes:
                desc = {k: v for k, v in desc.items() if k in attributes}
            result[name] = desc
        return result

    def _field_visible(self: "BaseModel", field: "Field") -> bool:
        """Whether the current user may see ``field`` (security overrides this)."""
        return True

    def default_get(self: "BaseModel", fields_list: Sequence[str]) -> dict[str, Any]:
        """Default values for a new record: context ``default_<field>``, then field defaults."""
        result: dict[str, Any] = {}
        context = self.env.context
        for name in fields_list:
            field = self._fields.get(name)
            if field is None:
                continue
            if f"default_{name}" in context:
                result[name] = context[f"default_{name}"]
            elif field.default is not None:
                default = field.default
                value = default(self) if callable(default) else default
                if hasattr(value, "_ids") and field.type == "many2one":
                    value = value.id
                elif hasattr(value, "_ids"):
                    value = [(6, 0, list(value._ids))]
                result[name] = value
        return result
