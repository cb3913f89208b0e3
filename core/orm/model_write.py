"""Writing models: create, write, unlink, copy, x2many commands, constraints.

Set-based: ``create`` inserts every record of a batch in one multi-row INSERT, ``write``
updates every record with one UPDATE, ``unlink`` deletes with one DELETE; then stored
computed fields that depend on what changed are recomputed in batch, in the same
transaction, and Python constraints are checked.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import sqlalchemy as sa

from ..exceptions import AccessError, ConflictError, ValidationError
from ..i18n.translate import _

if TYPE_CHECKING:
    from .fields import Field
    from .models import BaseModel

@dataclass
class CreatePlan:
    columns: list[str]
    defaults: list[str]
    callable_defaults: list[str]
    required: list[str]
    raw_columns: set[str]


MAGIC_FIELDS = frozenset({"id", "create_uid", "create_date", "write_uid", "write_date",
                          "version", "display_name"})


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class WriteMixin:
    """Create, write and delete methods of :class:`~core.orm.models.BaseModel`."""

    # -- create -----------------------------------------------------------------------
    def create(self: "BaseModel", vals_list: dict | Sequence[dict]) -> "BaseModel":
        """Create records from one dict or a list of dicts; returns them, in order."""
        single = isinstance(vals_list, dict)
        vals_list = [vals_list] if single else list(vals_list)
        if not vals_list:
            return self.browse(())
        if not self.env.su:
            self._check_access("create")
        table = self._sa_table
        fields = self._fields
        now, uid = now_utc(), self.env.uid
        plan = self._create_plan()
        context = self.env.context
        per_row = [n for n in plan.callable_defaults if f"default_{n}" not in context]
        shared = self.default_get([n for n in plan.defaults if n not in per_row])
        rows: list[dict[str, Any]] = []
        x2many: list[dict[str, Any]] = []
        inverses: list[dict[str, Any]] = []
        check_fields = not self.env.su
        for vals in vals_list:
            unknown = vals.keys() - fields.keys()
            if unknown:
                self._check_known(unknown)
            defaults = {k: v for k, v in shared.items() if k not in vals}
            needed = [n for n in per_row if n not in vals]
            if needed:
                defaults.update(self.default_get(needed))
            vals = {**defaults, **vals}
            row: dict[str, Any] = dict.fromkeys(plan.columns)
            rel_vals, inverse_vals = {}, {}
            for name, value in vals.items():
                if name in MAGIC_FIELDS:
                    continue
                field = fields[name]
                if check_fields:
                    self._check_field_access(field, "write")
                if field.column_less:
                    rel_vals[name] = value
                elif field.compute or field.related:
                    if field.inverse or field.related:
                        inverse_vals[name] = value
                elif value is not None:
                    row[name] = self._column_value(field, value)
            for name in plan.required:
                value = row[name]
                if value is None or value == "" or value == {}:
                    raise ValidationError(_("The field '%(field)s' is required.",
                                            field=fields[name].string), field=name)
            if self._log_access:
                row.update(create_uid=uid, create_date=now, write_uid=uid, write_date=now)
            row["version"] = 1
            rows.append(row)
            x2many.append(rel_vals)
            inverses.append(inverse_vals)
        with self._integrity_errors():
            if self.env.dialect == "sqlite":
                # SQLite hands out rowids in insertion order within one statement, so
                # sorting restores the order while letting SQLAlchemy batch the rows
                result = self.env.execute(table.insert().returning(table.c.id), rows)
                ids = tuple(sorted(r[0] for r in result))
            else:
                result = self.env.execute(
                    table.insert().returning(table.c.id, sort_by_parameter_order=True), rows)
                ids = tuple(r[0] for r in result)
        records = self._browse(ids, ids)
        cache = self.env.cache
        for name in rows[0]:
            field = fields.get(name)
            if field is None or field.translate:
                continue
            if name in plan.raw_columns:
                cache.update((self._name, name), dict(zip(ids, (row[name] for row in rows))))
            else:
                cache.update((self._name, name), {rec_id: field.convert_from_db(row[name], self)
                                                  for rec_id, row in zip(ids, rows)})
        from .x2many import apply_created
        for name in dict.fromkeys(n for rel_vals in x2many for n in rel_vals):
            owners = [(rec_id, rel_vals[name]) for rec_id, rel_vals in zip(ids, x2many)
                      if name in rel_vals]
            apply_created(self._browse(tuple(rec_id for rec_id, _v in owners)), fields[name],
                          [value for _rec_id, value in owners])
        for rec_id, inverse_vals in zip(ids, inverses):
            if inverse_vals:
                self._browse((rec_id,))._apply_inverses(inverse_vals)
        triggers = self._registry.triggers
        triggers.mark_new(records)
        changed = set(rows[0]) | {n for v in x2many for n in v}
        triggers.modified(records, changed, created=True)
        triggers.recompute_pending(self.env)
        records._validate_constraints(changed)
        return records[0] if single else records

    @classmethod
    def _create_plan(cls) -> "CreatePlan":
        """What ``create`` needs to know about the fields, computed once per class."""
        plan = cls.__dict__.get("_create_plan_cache")
        if plan is None:
            fields = cls._fields
            plan = CreatePlan(
                columns=[n for n, f in fields.items() if f.stored_column and n not in
                         MAGIC_FIELDS and not f.compute and not f.related],
                defaults=[n for n, f in fields.items() if n not in MAGIC_FIELDS and
                          (f.stored_column or f.column_less)],
                callable_defaults=[n for n, f in fields.items() if n not in MAGIC_FIELDS
                                   and callable(f.default)],
                required=[n for n, f in fields.items() if f.required and f.stored_column
                          and not f.compute and not f.related and f.type not in
                          ("integer", "float", "monetary", "boolean")],
                raw_columns={n for n, f in fields.items() if f.raw_from_db},
            )
            cls._create_plan_cache = plan
        return plan

    def _check_known(self: "BaseModel", names: Iterable[str]) -> None:
        for name in names:
            self._field_or_error(name, ValidationError)

    def _column_value(self: "BaseModel", field: "Field", value: Any) -> Any:
        value = field.convert_to_column(value, self)
        if field.translate and value is not None:
            lang = self.env.lang
            value = {"en_US": value} if lang == "en_US" else {"en_US": value, lang: value}
        return value

    # -- write -------------------------------------------------------------------------
    def write(self: "BaseModel", vals: dict[str, Any]) -> bool:
        """Write ``vals`` on every record. A ``version`` in ``vals`` is the version the
        caller based the change on: if any record moved on since, nothing is written
        and :class:`ConflictError` is raised."""
        if not self._ids:
            return True
        vals = dict(vals)
        expected_version = vals.pop("version", None)
        self._check_known(vals)
        if not self.env.su:
            self._check_access("write")
            self._check_rules("write")
            # what the user may read can change with this write: check again next time
            self.env.transaction.readable[(self.env.uid, self._name)].difference_update(
                self._ids)
        columns: dict[str, Any] = {}
        translated: dict[str, Any] = {}
        rel_vals, inverse_vals = {}, {}
        for name, value in vals.items():
            if name in MAGIC_FIELDS:
                continue
            field = self._fields[name]
            if not self.env.su:
                self._check_field_access(field, "write")
            if field.column_less:
                rel_vals[name] = value
            elif field.compute or field.related:
                if not (field.inverse or field.related):
                    raise ValidationError(_("The field '%(field)s' is computed and cannot be "
                                            "written.", field=field.string), field=name)
                inverse_vals[name] = value
            else:
                if field.translate:
                    translated[name] = written = field.convert_to_column(value, self)
                else:
                    columns[name] = written = self._column_value(field, value)
                if field.required and written in (None, "") and field.type not in (
                        "integer", "float", "monetary", "boolean"):
                    raise ValidationError(
                        _("The field '%(field)s' is required.", field=field.string), field=name)
        table = self._sa_table
        if expected_version is not None:
            self._check_version(int(expected_version))
        triggers = self._registry.triggers
        changed = set(columns) | set(translated) | set(rel_vals) | set(inverse_vals)
        triggers.before_modify(self, changed)
        update = dict(columns)
        if self._log_access:
            update.update(write_uid=self.env.uid, write_date=now_utc())
        update["version"] = table.c.version + 1
        where = self._ids_in(table.c.id, self._ids)
        if expected_version is not None:
            where = sa.and_(where, table.c.version == int(expected_version))
        with self._integrity_errors():
            result = self.env.execute(table.update().where(where).values(**update))
        if expected_version is not None and result.rowcount != len(self._ids):
            raise self._conflict_error()
        if translated:
            self._write_translations(translated)
        cache = self.env.cache
        for name, value in columns.items():
            field = self._fields[name]
            cache.update((self._name, name),
                         {i: field.convert_from_db(value, self) for i in self._ids})
        cache.invalidate([(self._name, n) for n in ("version", "write_date", "write_uid")],
                         self._ids)
        for name, commands in rel_vals.items():
            self._write_x2many(self._fields[name], commands)
        if inverse_vals:
            self._apply_inverses(inverse_vals)
        triggers.modified(self, changed)
        triggers.recompute_pending(self.env)
        self._validate_constraints(changed)
        return True

    def _check_version(self: "BaseModel", expected: int) -> None:
        table = self._sa_table
        rows = self.env.execute(sa.select(table.c.id, table.c.version).where(
            self._ids_in(table.c.id, self._ids))).all()
        stale = [r[0] for r in rows if r[1] != expected]
        if stale:
            raise self._conflict_error(stale)

    def _conflict_error(self: "BaseModel", ids: list[int] | None = None) -> ConflictError:
        return ConflictError(
            _("%(model)s was changed by someone else since you opened it; reload it and "
              "apply your change again.", model=self._description or self._name),
            model=self._name, ids=ids or list(self._ids))

    def _write_translations(self: "BaseModel", values: dict[str, Any]) -> None:
        table, lang = self._sa_table, self.env.lang
        names = list(values)
        rows = self.env.execute(sa.select(table.c.id, *[table.c[n] for n in names]).where(
            self._ids_in(table.c.id, self._ids))).all()
        params = []
        for row in rows:
            item: dict[str, Any] = {"_id": row[0]}
            for index, name in enumerate(names, start=1):
                current = dict(row[index] or {})
                value = values[name]
                current[lang] = value
                if "en_US" not in current or current["en_US"] is None:
                    current["en_US"] = value
                item[name] = current
            params.append(item)
        statement = table.update().where(table.c.id == sa.bindparam("_id")).values(
            {n: sa.bindparam(n) for n in names})
        self.env.execute(statement, params)
        self.env.cache.invalidate([(self._name, n) for n in names], self._ids)

    def _apply_inverses(self: "BaseModel", vals: dict[str, Any]) -> None:
        for name, value in vals.items():
            field = self._fields[name]
            if field.related:
                self._write_related(field, value)
                continue
            for record in self:
                key = (self._name, name)
                self.env.cache.set(key, record._ids[0], field.convert_to_cache(value, record))
            with self.env.transaction.protected.protecting([field], self._ids):
                getattr(self, field.inverse)()

    def _write_related(self: "BaseModel", field: "Field", value: Any) -> None:
        *path, last = field.related.split(".")
        targets = self
        for step in path:
            targets = targets.mapped(step)
        if targets:
            targets.write({last: value})

    # -- x2many commands -------------------------------------------------------------------
    def _write_x2many(self: "BaseModel", field: "Field", commands: Any,
                      created: bool = False) -> None:
        from .x2many import apply_commands
        apply_commands(self, field, commands, created)

    # -- unlink ---------------------------------------------------------------------------------
    def unlink(self: "BaseModel") -> bool:
        """Delete the records (what references them follows each many2one's ondelete)."""
        if not self._ids:
            return True
        if not self.env.su:
            self._check_access("unlink")
            self._check_rules("unlink")
        triggers = self._registry.triggers
        triggers.before_modify(self, set(self._fields), deleting=True)
        table = self._sa_table
        with self._integrity_errors(deleting=True):
            self.env.execute(table.delete().where(self._ids_in(table.c.id, self._ids)))
        # cascades may have removed rows of other models: start afresh
        self.env.cache.invalidate()
        triggers.recompute_pending(self.env)
        return True

    def _check_rules(self: "BaseModel", operation: str) -> None:
        """Refuse ``operation`` when record rules hide any of these records."""
        rules = self._rule_clause(operation)
        if rules is None:
            return
        table = self._sa_table
        allowed = {r[0] for r in self.env.execute(sa.select(table.c.id).where(
            self._ids_in(table.c.id, self._ids), rules))}
        refused = [i for i in self._ids if i not in allowed]
        if refused:
            existing = self.sudo().browse(refused).exists()
            if not existing:
                raise self._missing_error(refused)
            raise AccessError(self._access_error_message(operation, rules=True))

    def _access_error_message(self: "BaseModel", operation: str, rules: bool = False) -> str:
        labels = {"read": _("read"), "write": _("modify"), "create": _("create"),
                  "unlink": _("delete")}
        if rules:
            return _("You may not %(operation)s these %(model)s records: they are outside "
                     "what your access rules allow.", operation=labels[operation],
                     model=self._description or self._name)
        return _("You may not %(operation)s %(model)s records.", operation=labels[operation],
                 model=self._description or self._name)

    # -- copy --------------------------------------------------------------------------------------
    def copy(self: "BaseModel", default: dict[str, Any] | None = None) -> "BaseModel":
        """Duplicate one record: fields with ``copy=True``, then ``default``."""
        self.ensure_one()
        vals: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name in MAGIC_FIELDS or not field.copy or (field.compute and not field.inverse):
                continue
            if not self._field_visible(field):
                continue  # a field the user may not read is not his to duplicate
            if field.type == "one2many":
                continue
            value = field.__get__(self, type(self))
            if field.type == "many2one":
                vals[name] = value.id or False
            elif field.type == "many2many":
                vals[name] = [(6, 0, value.ids)]
            else:
                vals[name] = value
        rec_name = self._rec_name_field()
        if rec_name in vals and isinstance(vals[rec_name], str) and not (
                default and rec_name in default) and not self._fields[rec_name].unique:
            vals[rec_name] = _("%(name)s (copy)", name=vals[rec_name])
        vals.update(default or {})
        return self.create(vals)

    # -- constraints -----------------------------------------------------------------------------
    def _validate_constraints(self: "BaseModel", changed: Iterable[str]) -> None:
        changed = set(changed)
        for method in self._constraint_methods:
            if changed & set(method._constrains):
                method(self)

    def _integrity_errors(self: "BaseModel", deleting: bool = False) -> Any:
        from .integrity import IntegrityGuard
        return IntegrityGuard(self, deleting)
