"""Computed fields: who depends on what, and recomputation in batch.

For a computed field ``F`` of model ``M`` with ``depends('line_ids.amount')``, the
registry records two triggers: a change of ``amount`` on lines ``L``, or of the lines'
inverse ``order_id``, makes ``F`` stale on ``M.search([('line_ids', 'in', L)])``. That
search is one query whatever the number of records; stale stored fields are queued on
the transaction and recomputed, then written with one executemany per field, before the
ORM call that caused them returns. Non-stored computed fields are just forgotten and
recomputed (for the whole prefetch batch) on the next read.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable

import sqlalchemy as sa

from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    from .environment import Environment
    from .fields import Field
    from .models import BaseModel
    from .registry import Registry

MAX_RECOMPUTE_ROUNDS = 50


class Triggers:
    """The dependency graph of one registry."""

    def __init__(self, registry: "Registry") -> None:
        self.registry = registry
        #: (model, field name) -> [(computed field, path prefix from its model)]
        self.graph: dict[tuple[str, str], list[tuple["Field", str]]] = defaultdict(list)
        #: (model, many2one name) -> one2many fields using it as inverse
        self.inverse_of: dict[tuple[str, str], list["Field"]] = defaultdict(list)
        self.stored_computes: dict[str, list["Field"]] = defaultdict(list)
        #: relation table -> many2many fields stored in it (both sides of a relation)
        self.relation_fields: dict[str, list["Field"]] = defaultdict(list)

    # -- building ------------------------------------------------------------------
    def build(self) -> None:
        self.graph.clear()
        self.inverse_of.clear()
        self.stored_computes.clear()
        self.relation_fields.clear()
        for model in self.registry.models.values():
            if model._abstract:
                continue
            for field in model._fields.values():
                if field.type == "one2many":
                    self.inverse_of[(field.comodel_name, field.inverse_name)].append(field)
                elif field.type == "many2many":
                    self.relation_fields[field.relation].append(field)
                if field.compute or field.related:
                    if field.store:
                        self.stored_computes[model._name].append(field)
                    for path in field.depends:
                        self._add_path(model, field, path)

    def _add_path(self, model: type["BaseModel"], field: "Field", path: str) -> None:
        current = model
        prefix: list[str] = []
        for step in path.split("."):
            step_field = current._fields.get(step)
            if step_field is None:
                raise ConfigurationError(
                    f"{model._name}.{field.name}: depends on '{path}', but '{step}' is not a "
                    f"field of {current._name}")
            self.graph[(current._name, step)].append((field, ".".join(prefix)))
            if not step_field.relational:
                break
            if step_field.type == "one2many":
                # moving a line to another parent changes both parents
                self.graph[(step_field.comodel_name, step_field.inverse_name)].append(
                    (field, ".".join(prefix + [step])))
            prefix.append(step)
            current = self.registry.models[step_field.comodel_name]

    # -- marking -------------------------------------------------------------------------
    def mark_new(self, records: "BaseModel") -> None:
        queue = records.env.transaction.to_recompute
        for field in self.stored_computes.get(records._name, ()):
            queue[field].update(records._ids)

    def _targets(self, records: "BaseModel", field: "Field", prefix: str) -> tuple[int, ...]:
        if not prefix:
            return records._ids if field.model_name == records._name else ()
        model = records.env(su=True).with_context(active_test=False)[field.model_name]
        return tuple(model.search([(prefix, "in", list(records._ids))], order="id")._ids)

    def before_modify(self, records: "BaseModel", names: Iterable[str],
                      deleting: bool = False) -> None:
        """Queue computed fields reached through the *old* values of ``names``."""
        queue = records.env.transaction.to_recompute
        for name in names:
            for field, prefix in self.graph.get((records._name, name), ()):
                if not prefix and not deleting:
                    continue
                if not field.store:
                    records.env.cache.invalidate([(field.model_name, field.name)])
                    continue
                targets = self._targets(records, field, prefix)
                if deleting and field.model_name == records._name and not prefix:
                    continue
                queue[field].update(targets)

    def modified(self, records: "BaseModel", names: Iterable[str],
                 created: bool = False) -> None:
        """Queue (stored) or forget (non-stored) computed fields that depend on ``names``."""
        cache = records.env.cache
        queue = records.env.transaction.to_recompute
        for name in names:
            for o2m in self.inverse_of.get((records._name, name), ()):
                cache.invalidate([(o2m.model_name, o2m.name)])
            for field, prefix in self.graph.get((records._name, name), ()):
                if not field.store:
                    cache.invalidate([(field.model_name, field.name)])
                    continue
                if created and not prefix and field.model_name == records._name:
                    continue  # new records are queued by mark_new
                targets = self._targets(records, field, prefix)
                if targets:
                    queue[field].update(targets)

    # -- computing --------------------------------------------------------------------------
    def method_for(self, records: "BaseModel", field: "Field") -> Callable[[], Any]:
        if field.related and not field.compute:
            return lambda: compute_related(records, field)
        if callable(field.compute):
            return lambda: field.compute(records)
        return getattr(records, field.compute)

    def fields_sharing(self, records: "BaseModel", field: "Field") -> list["Field"]:
        if field.related or callable(field.compute):
            return [field]
        return [f for f in records._fields.values()
                if f.compute == field.compute and f.store == field.store]

    def compute_into_cache(self, records: "BaseModel", field: "Field") -> list["Field"]:
        """Run the compute method of ``field`` on ``records``; values land in the cache."""
        fields = self.fields_sharing(records, field)
        cache = records.env.cache
        keys = [(f.model_name, f.name) for f in fields]
        cache.invalidate(keys, records._ids)
        records = records.sudo() if not records.env.su else records
        with records.env.transaction.protected.protecting(fields, records._ids):
            self.method_for(records, field)()
        for f, key in zip(fields, keys):
            for rec_id in cache.missing(key, records._ids):
                cache.set(key, rec_id, f.convert_to_cache(f.empty_value(), records))
        return fields

    def recompute_pending(self, env: "Environment") -> None:
        tx = env.transaction
        if tx.recompute_depth:
            return  # the outer call will finish the work
        tx.recompute_depth += 1
        try:
            for _round in range(MAX_RECOMPUTE_ROUNDS):
                if not tx.to_recompute:
                    return
                field = next(iter(tx.to_recompute))
                ids = tx.to_recompute.pop(field)
                self._recompute(env, field, ids)
            raise ConfigurationError("computed fields keep triggering each other "
                                     f"(still pending: {list(tx.to_recompute)})")
        finally:
            tx.recompute_depth -= 1

    def _recompute(self, env: "Environment", field: "Field", ids: set[int]) -> None:
        """Compute, then store and propagate only the values that changed (so that
        dependency chains end, even over a cyclic hierarchy being refused)."""
        model = env(su=True).with_context(active_test=False)[field.model_name]
        table = model._sa_table
        fields = self.fields_sharing(model, field)
        rows = env.execute(sa.select(table.c.id, *[table.c[f.name] for f in fields]).where(
            model._ids_in(table.c.id, sorted(ids)))).all()
        if not rows:
            return
        stored = {row[0]: row[1:] for row in rows}
        records = model.browse(list(stored))
        self.compute_into_cache(records, field)
        for other in fields[1:]:
            env.transaction.to_recompute.pop(other, None)
        cache = env.cache
        params, changed = [], []
        for rec_id in records._ids:
            row = {"_id": rec_id}
            for f in fields:
                value = cache.get((f.model_name, f.name), rec_id)
                row[f.name] = model._column_value(f, value) if f.type != "many2one" else value
            old = tuple(f.convert_from_db(v, model) for f, v in zip(fields, stored[rec_id]))
            new = tuple(f.convert_from_db(row[f.name], model) for f in fields)
            if old != new:
                params.append(row)
                changed.append(rec_id)
            elif any(raw is None and row[f.name] is not None
                     for f, raw in zip(fields, stored[rec_id])):
                params.append(row)  # NULL reads as 0 or False, but searches see the column
        if not params:
            return
        statement = table.update().where(table.c.id == sa.bindparam("_id")).values(
            {f.name: sa.bindparam(f.name) for f in fields})
        with records._integrity_errors():
            env.execute(statement, params)
        if any(f.translate for f in fields):
            cache.invalidate([(f.model_name, f.name) for f in fields if f.translate])
        self.modified(model.browse(changed), [f.name for f in fields])


def compute_related(records: "BaseModel", field: "Field") -> None:
    """Follow ``field.related`` for each record (prefetch makes it one query per step)."""
    steps = field.related.split(".")
    for record in records:
        value: Any = record
        for step in steps:
            value = value[step] if value else None
            if value is None:
                break
        if value is not None and hasattr(value, "_ids") and field.type == "many2one":
            value = value[:1]
        records.env.cache.set((field.model_name, field.name), record._ids[0],
                              field.convert_to_cache(value, record))
