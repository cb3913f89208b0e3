"""The registry: every model of a database, composed from every installed addon.

Addons declare classes; :meth:`Registry.add` records them in load (dependency) order and
:meth:`Registry.setup` composes one final class per model whose bases are the
declarations, latest first, so ``super()`` in an extension reaches the previous one. Every
model implicitly inherits the abstract model ``base``, which lets the kernel (security,
journal) and addons extend *all* models the same way they extend one.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from typing import Any, Iterable, Iterator

import sqlalchemy as sa

from ..exceptions import ConfigurationError
from . import fields as F
from .models import AbstractModel, BaseModel
from .triggers import Triggers


class Base(AbstractModel):
    """The model every model inherits (``_inherit = 'base'`` extends them all)."""

    _name = "base"
    _description = "Base"

    display_name = F.Char("Display Name", compute="_compute_display_name")
    create_date = F.Datetime("Created on", readonly=True)
    write_date = F.Datetime("Last Updated on", readonly=True)
    version = F.Integer("Version", readonly=True, copy=False)


class Registry:
    """Model classes, SQLAlchemy tables and the dependency graph of one database."""

    def __init__(self) -> None:
        self.models: dict[str, type[BaseModel]] = {}
        self.metadata = sa.MetaData()
        self.triggers = Triggers(self)
        self._definitions: dict[str, list[tuple[str, type]]] = defaultdict(list)
        self._order: list[str] = []
        self._class_addon: dict[type, str] = {}
        self._extra_fields: dict[str, dict[str, F.Field]] = defaultdict(dict)
        self.addons: list[str] = []
        self.add("base", [Base])
        self.ready = False

    # -- declaring -----------------------------------------------------------------
    def add(self, addon: str, classes: Iterable[type]) -> None:
        """Record the model classes an addon declares (in dependency order)."""
        if addon not in self.addons:
            self.addons.append(addon)
        for cls in classes:
            name = cls.__dict__.get("_name") or _first(cls.__dict__.get("_inherit"))
            if not name:
                raise ConfigurationError(f"{cls.__module__}.{cls.__name__}: a model class "
                                         "needs _name or _inherit")
            if name not in self._definitions:
                if cls.__dict__.get("_name") is None:
                    raise ConfigurationError(
                        f"{cls.__module__}.{cls.__name__} extends '{name}', which no addon "
                        "loaded so far defines" + _suggest(name, self._definitions))
                self._order.append(name)
            self._definitions[name].append((addon, cls))
            self._class_addon[cls] = addon
        self.ready = False

    def declares(self, model_name: str) -> bool:
        """Whether a loaded addon declares this model (answers before ``setup()`` too)."""
        return model_name in self._definitions

    def add_fields(self, model_name: str, fields: dict[str, F.Field]) -> None:
        """Fields no class declares (the database's custom fields) for this one model:
        unlike a class's, models inheriting it do not get them, for they have no column
        there. Used as given, marked ``manual``; a declared field of the same name wins."""
        if model_name not in self._definitions:
            raise ConfigurationError(self.unknown_model_message(model_name))
        self._extra_fields[model_name].update(fields)
        self.ready = False

    # -- composing -----------------------------------------------------------------
    def setup(self) -> None:
        """Compose classes, build fields and tables, wire computed-field triggers."""
        self.models = {}
        self.metadata = sa.MetaData()
        for name in self._ordered_names():
            self.models[name] = self._compose(name)
        for model in self.models.values():
            model._fields = self._collect_fields(model)
        for model in self.models.values():
            for field in model._fields.values():
                if field.related:
                    self._setup_related(model, field, ())
        for model in self.models.values():
            for field in model._fields.values():
                field.setup(model)
            self._setup_computes(model)
            model._constraint_methods = _methods_with(model, "_constrains")
        for model in self.models.values():
            if not model._abstract and model._auto:
                self._build_table(model)
        self.triggers.build()
        self.ready = True

    def _ordered_names(self) -> list[str]:
        """Model names with every parent before its children."""
        result: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str, chain: tuple[str, ...]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                raise ConfigurationError("model inheritance cycle: " + " -> ".join(chain + (name,)))
            state[name] = 1
            for parent in self._parents(name):
                if parent not in self._definitions:
                    raise ConfigurationError(
                        f"model '{name}' inherits '{parent}', which does not exist"
                        + _suggest(parent, self._definitions))
                visit(parent, chain + (name,))
            state[name] = 2
            result.append(name)

        for name in self._order:
            visit(name, ())
        return result

    def _parents(self, name: str) -> list[str]:
        parents: list[str] = []
        for _addon, cls in self._definitions[name]:
            for parent in _as_list(cls.__dict__.get("_inherit")):
                if parent != name and parent not in parents:
                    parents.append(parent)
        if name != "base":
            parents.append("base")
        return parents

    def _compose(self, name: str) -> type[BaseModel]:
        definitions = self._definitions[name]
        first = definitions[0][1]
        composed: type | None = None
        for _addon, cls in definitions:
            parents = [self.models[p] for p in _as_list(cls.__dict__.get("_inherit"))
                       if p != name]
            if composed is None:
                if name != "base":
                    parents.append(self.models["base"])
                bases = (cls, *[p for p in parents if not issubclass(cls, p)])
            else:
                bases = (cls, composed, *[p for p in parents if not issubclass(composed, p)])
            composed = type(name.replace(".", "_"), tuple(dict.fromkeys(bases)), {
                "_name": name, "__module__": cls.__module__, "__slots__": ()})
        assert composed is not None
        composed._registry = self
        composed._abstract = first.__dict__.get("_abstract", first._abstract)
        composed._table = first.__dict__.get("_table") or name.replace(".", "_")
        composed._addons = tuple(dict.fromkeys(a for a, _c in definitions))
        composed._original_module = first.__module__
        if not composed._description:
            composed._description = name
        return composed

    def _collect_fields(self, model: type[BaseModel]) -> dict[str, F.Field]:
        declared: dict[str, F.Field] = {}
        for klass in reversed(model.__mro__):
            if klass is model or getattr(klass, "_registry", None) is self:
                continue  # composed classes carry copies; the declarations are the truth
            addon = self._class_addon.get(klass, "base")
            for attr, value in klass.__dict__.items():
                if isinstance(value, F.Field):
                    previous = declared.get(attr)
                    declared[attr] = value.new_merged(previous)
                    declared[attr].addons = tuple(dict.fromkeys(
                        (*getattr(previous, "addons", ()), addon)))
        if not model._abstract and model._auto:
            for attr, extra in self._extra_fields.get(model._name, {}).items():
                if attr not in declared:
                    extra.manual, extra.addons = True, ()
                    declared[attr] = extra
        if model._abstract:
            declared.pop("version", None)
        if not model._log_access:
            for name in ("create_date", "write_date"):
                declared.pop(name, None)
        id_field = F.Integer("ID", readonly=True, copy=False)
        id_field.name, id_field.addons = "id", ("base",)
        result: dict[str, F.Field] = {"id": id_field}
        for name, field in declared.items():
            field.name = name
            if name != "id":  # BaseModel.id (a property) reads the recordset, not the cache
                setattr(model, name, field)
            result[name] = field
        if "res.users" in self._definitions and not model._abstract and model._log_access:
            for name, label in (("create_uid", "Created by"), ("write_uid", "Last Updated by")):
                if name not in result:
                    field = F.Many2one("res.users", label, ondelete="set null", readonly=True,
                                       index=False, copy=False)
                    field.name = name
                    setattr(model, name, field)
                    result[name] = field
        # keep the classic order: id first, magic fields last
        return dict(sorted(result.items(), key=lambda kv: (
            kv[0] != "id", kv[0] in ("create_uid", "create_date", "write_uid", "write_date",
                                     "version", "display_name"))))

    def _setup_related(self, model: type[BaseModel], field: F.Field,
                       chain: tuple[F.Field, ...]) -> None:
        """Copy type attributes from the target of ``related`` (targets first)."""
        if field in chain:
            raise ConfigurationError("related fields form a cycle: " + " -> ".join(
                f"{f.model_name or '?'}.{f.name}" for f in chain + (field,)))
        if getattr(field, "_related_done", False):
            return
        target_model: Any = model
        target: F.Field | None = None
        for step in field.related.split("."):
            target = target_model._fields.get(step)
            if target is None:
                raise ConfigurationError(
                    f"{model._name}.{field.name}: related path '{field.related}' has no "
                    f"field '{step}' on {target_model._name}")
            if target.related:
                self._setup_related(target_model, target, chain + (field,))
            if target.relational:
                target_model = self.models[target.comodel_name]
        assert target is not None
        if type(target) is not type(field):
            raise ConfigurationError(
                f"{model._name}.{field.name}: a {field.type} field cannot be related to "
                f"'{field.related}', a {target.type} field")
        field.depends = (field.related,)
        for attr in ("string", "selection", "digits", "size", "currency_field", "help",
                     "comodel_name", "translate"):
            if attr not in field._args and getattr(target, attr, None) is not None:
                setattr(field, attr, getattr(target, attr))
        field._related_done = True

    def _setup_computes(self, model: type[BaseModel]) -> None:
        for field in model._fields.values():
            if not isinstance(field.compute, str):
                continue
            method = getattr(model, field.compute, None)
            if not callable(method):
                raise ConfigurationError(
                    f"{model._name}.{field.name}: compute method '{field.compute}' does not "
                    "exist" + _suggest(field.compute, [m for m in dir(model)
                                                       if m.startswith("_compute")]))
            if not field.depends:
                field.depends = tuple(getattr(method, "_depends", ()))
        display = model._fields.get("display_name")
        rec_name = model._rec_name_field()
        if display is not None and not display.depends and rec_name != "id":
            display.depends = (rec_name,)

    def _build_table(self, model: type[BaseModel]) -> None:
        columns: list[Any] = []
        for name, field in model._fields.items():
            if name == "id":
                columns.append(sa.Column("id", sa.Integer, primary_key=True, autoincrement=True))
            elif field.stored_column:
                columns.append(field.sa_column())
        constraints: list[Any] = []
        for name, field in model._fields.items():
            if field.unique and field.stored_column:
                constraints.append(sa.UniqueConstraint(name, name=f"{model._table}_{name}_unique"))
        for name, definition, _message in model._sql_constraints:
            constraints.append(_sql_constraint(model, name, definition))
        # AUTOINCREMENT: SQLite would otherwise hand a deleted record's id to a new one
        model._sa_table = sa.Table(model._table, self.metadata, *columns, *constraints,
                                   sqlite_autoincrement=True)
        for field in model._fields.values():
            if field.type == "many2many":
                field.relation_table(self.metadata)

    # -- lookup -----------------------------------------------------------------------
    def __getitem__(self, name: str) -> type[BaseModel]:
        return self.models[name]

    def __contains__(self, name: object) -> bool:
        return name in self.models

    def __iter__(self) -> Iterator[str]:
        return iter(self.models)

    def unknown_model_message(self, name: str) -> str:
        known = self.models or self._definitions  # before setup(): the declared ones
        return f"Model '{name}' does not exist" + _suggest(name, known)

    def tables_of(self, model_names: Iterable[str]) -> list[str]:
        """Table names (relation tables included) owned by these models."""
        names: list[str] = []
        for model_name in model_names:
            model = self.models.get(model_name)
            if model is None or model._abstract or not model._auto:
                continue
            names.append(model._table)
            for field in model._fields.values():
                if field.type == "many2many" and field.relation not in names:
                    names.append(field.relation)
        return names


def _sql_constraint(model: type[BaseModel], name: str, definition: str) -> Any:
    definition = definition.strip()
    lowered = definition.lower()
    full_name = f"{model._table}_{name}"
    if lowered.startswith("unique"):
        columns = [c.strip() for c in definition[definition.index("(") + 1:
                                                 definition.rindex(")")].split(",")]
        for column in columns:
            if column not in model._fields:
                raise ConfigurationError(
                    f"{model._name}: SQL constraint '{name}' names unknown field '{column}'")
        return sa.UniqueConstraint(*columns, name=full_name)
    if lowered.startswith("check"):
        return sa.CheckConstraint(definition[definition.index("(") + 1:definition.rindex(")")],
                                  name=full_name)
    raise ConfigurationError(f"{model._name}: SQL constraint '{name}' must be unique(...) or "
                             f"check(...), not {definition!r}")


def _methods_with(model: type, marker: str) -> list[Any]:
    methods = []
    seen: set[str] = set()
    for klass in model.__mro__:
        for attr, value in klass.__dict__.items():
            if attr in seen or not callable(value):
                continue
            if hasattr(value, marker):
                methods.append(value)
                seen.add(attr)
    return methods


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _first(value: Any) -> str | None:
    values = _as_list(value)
    return values[0] if values else None


def _suggest(name: str, names: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(names), 1)
    return f"; did you mean '{near[0]}'?" if near else ""
