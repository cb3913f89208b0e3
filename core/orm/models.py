"""Model classes and recordsets.

A model is declared as a Python class (``_name``, fields, methods). The registry
composes, per model, one final class out of every addon's declarations, in dependency
order, so ``super()`` chains through the addons. An instance of that class is a
*recordset*: an environment plus an ordered tuple of ids. The API is set-based:
operations take and return recordsets and cost a number of queries independent of the
number of records.

This module holds the recordset mechanics; reading and searching live in
:mod:`core.orm.model_read`, writing in :mod:`core.orm.model_write`.
"""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator

import sqlalchemy as sa

from ..exceptions import MissingError, SingletonError, UnknownFieldError
from ..i18n.translate import _
from . import fields
from .model_read import ReadMixin
from .model_write import WriteMixin
from .read_group import ReadGroupMixin

if TYPE_CHECKING:
    from .environment import Environment
    from .registry import Registry


class BaseModel(ReadMixin, WriteMixin, ReadGroupMixin):
    """Behaviour shared by every model. Declare models with :class:`Model` or
    :class:`AbstractModel`; never instantiate directly (``env[name]`` does)."""

    _name: ClassVar[str | None] = None
    _description: ClassVar[str | None] = None
    _inherit: ClassVar[str | list[str] | tuple[str, ...] | None] = None
    _order: ClassVar[str] = "id"
    _rec_name: ClassVar[str | None] = None
    _table: ClassVar[str] = ""
    _abstract: ClassVar[bool] = True
    _auto: ClassVar[bool] = True
    _log_access: ClassVar[bool] = True
    _parent_name: ClassVar[str] = "parent_id"
    _sql_constraints: ClassVar[list[tuple[str, str, str]]] = []

    # set on composed classes by the registry
    _registry: ClassVar["Registry"]
    _fields: ClassVar[dict[str, fields.Field]] = {}
    _sa_table: ClassVar[sa.Table]
    _constraint_methods: ClassVar[list[Callable]] = []
    _onchange_methods: ClassVar[dict[str, list[Callable]]] = {}
    _addons: ClassVar[tuple[str, ...]] = ()
    _original_module: ClassVar[str] = ""

    __slots__ = ("env", "_ids", "_prefetch_ids")

    def __init__(self, env: "Environment", ids: tuple[int, ...],
                 prefetch_ids: Iterable[int] | tuple[int, ...]) -> None:
        self.env = env
        self._ids = ids
        self._prefetch_ids = prefetch_ids

    # -- identity & iteration ------------------------------------------------------
    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    @property
    def id(self) -> int | bool:
        """The id of a single record (``False`` for an empty recordset)."""
        if not self._ids:
            return False
        if len(self._ids) > 1:
            raise ValueError(f"Expected singleton: {self}")
        return self._ids[0]

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def __iter__(self) -> Iterator["BaseModel"]:
        cls, env, prefetch = type(self), self.env, self._prefetch_ids or self._ids
        for rec_id in self._ids:
            yield cls(env, (rec_id,), prefetch)

    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            return self._field_or_error(key).__get__(self, type(self))
        if isinstance(key, slice):
            return self._browse(self._ids[key], self._prefetch_ids)
        return self._browse((self._ids[key],), self._prefetch_ids)

    def __contains__(self, item: "BaseModel") -> bool:
        if isinstance(item, BaseModel) and item._name == self._name:
            return len(item) == 1 and item._ids[0] in self._ids
        raise TypeError(f"cannot test membership of {item!r} in {self._name} records")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return self._name == other._name and set(self._ids) == set(other._ids)

    def __hash__(self) -> int:
        return hash((self._name, frozenset(self._ids)))

    def __or__(self, other: "BaseModel") -> "BaseModel":
        return self._browse(tuple(dict.fromkeys(self._ids + other._ids)), self._prefetch_ids)

    def __and__(self, other: "BaseModel") -> "BaseModel":
        other_ids = set(other._ids)
        return self._browse(tuple(i for i in self._ids if i in other_ids), self._prefetch_ids)

    def __sub__(self, other: "BaseModel") -> "BaseModel":
        other_ids = set(other._ids)
        return self._browse(tuple(i for i in self._ids if i not in other_ids),
                            self._prefetch_ids)

    def __add__(self, other: "BaseModel") -> "BaseModel":
        return self._browse(self._ids + other._ids, self._prefetch_ids)

    def __repr__(self) -> str:
        return f"{self._name}{self._ids!r}"

    # -- building recordsets ---------------------------------------------------------
    def _browse(self, ids: tuple[int, ...], prefetch_ids: Any = ()) -> "BaseModel":
        return type(self)(self.env, ids, prefetch_ids or ids)

    def browse(self, ids: int | Iterable[int] | None = None) -> "BaseModel":
        """Records by id, without a query (see :meth:`exists`)."""
        if ids is None or ids is False:
            ids = ()
        elif isinstance(ids, int):
            ids = (ids,)
        else:
            ids = tuple(int(i) for i in ids)
        return self._browse(ids, ids)

    def with_env(self, env: "Environment") -> "BaseModel":
        return type(self)(env, self._ids, self._prefetch_ids)

    def sudo(self, flag: bool = True) -> "BaseModel":
        """The same records with access checks bypassed: use sparingly, explicitly."""
        return self.with_env(self.env.sudo(flag))

    def with_user(self, uid: int | "BaseModel") -> "BaseModel":
        uid = uid.id if isinstance(uid, BaseModel) else uid
        return self.with_env(self.env(uid=uid, su=False))

    def with_context(self, *args: dict, **values: Any) -> "BaseModel":
        context = dict(args[0]) if args else dict(self.env.context)
        context.update(values)
        return self.with_env(self.env(context=context))

    def ensure_one(self) -> "BaseModel":
        if len(self._ids) != 1:
            raise SingletonError(_("Expected one %(model)s record, got %(count)s.",
                                   model=self._description or self._name,
                                   count=len(self._ids)))
        return self

    def exists(self) -> "BaseModel":
        """The subset of these records that still exist in the database."""
        if not self._ids:
            return self
        table = self._sa_table
        found = {row[0] for row in self.env.execute(
            sa.select(table.c.id).where(self._ids_in(table.c.id, self._ids)))}
        return self._browse(tuple(i for i in self._ids if i in found), self._prefetch_ids)

    # -- functional helpers ------------------------------------------------------------
    def filtered(self, func: Callable[["BaseModel"], Any] | str) -> "BaseModel":
        if isinstance(func, str):
            path = func
            func = lambda rec: any(rec.mapped(path))  # noqa: E731
        return self._browse(tuple(rec._ids[0] for rec in self if func(rec)),
                            self._prefetch_ids)

    def filtered_domain(self, domain: list) -> "BaseModel":
        if not self._ids:
            return self
        found = set(self.with_context(active_test=False).search(
            [("id", "in", list(self._ids))] + list(domain or []))._ids) if domain else \
            set(self._ids)
        return self._browse(tuple(i for i in self._ids if i in found), self._prefetch_ids)

    def mapped(self, func: Callable[["BaseModel"], Any] | str) -> Any:
        """Values of a function or a dotted path; recordsets are unioned."""
        if isinstance(func, str):
            recs: Any = self
            for name in func.split("."):
                recs = recs._mapped_field(name)
            return recs
        values = [func(rec) for rec in self]
        if values and all(isinstance(v, BaseModel) for v in values):
            result = values[0].browse(())
            for value in values:
                result = result | value
            return result
        return values

    def _mapped_field(self, name: str) -> Any:
        field = self._field_or_error(name)
        values = [field.__get__(rec, type(rec)) for rec in self]
        if field.relational:
            ids: dict[int, None] = {}
            for value in values:
                ids.update(dict.fromkeys(value._ids))
            comodel = self.env[field.comodel_name]
            return comodel._browse(tuple(ids), tuple(ids))
        return values

    def sorted(self, key: Callable | str | None = None, reverse: bool = False) -> "BaseModel":
        if key is None:
            ordered = self.search([("id", "in", list(self._ids))]) if self._ids else self
            ids = ordered._ids[::-1] if reverse else ordered._ids
            return self._browse(ids, self._prefetch_ids)
        if isinstance(key, str):
            name = key
            key = lambda rec: rec[name]  # noqa: E731
        records = sorted(self, key=key, reverse=reverse)
        return self._browse(tuple(r._ids[0] for r in records), self._prefetch_ids)

    # -- metadata ------------------------------------------------------------------------
    @classmethod
    def _field_or_error(cls, name: str, error: type[Exception] = UnknownFieldError
                        ) -> fields.Field:
        try:
            return cls._fields[name]
        except KeyError:
            near = difflib.get_close_matches(name, list(cls._fields), 1)
            hint = _(" Did you mean '%(name)s'?", name=near[0]) if near else ""
            raise error(_("Field '%(field)s' does not exist on %(model)s.", field=name,
                          model=cls._name) + hint) from None

    @classmethod
    def _rec_name_field(cls) -> str:
        if cls._rec_name and cls._rec_name in cls._fields:
            return cls._rec_name
        return "name" if "name" in cls._fields else "id"

    def _related_prefetch(self, field: fields.Field) -> "LazyPrefetch":
        """Prefetch ids for records reached through ``field`` from this batch, worked
        out only when a fetch needs them: reading ``field`` on each record of a batch
        would otherwise walk the whole batch each time (quadratic)."""
        key = (self._name, field.name)
        cache = self.env.cache
        source = self._prefetch_ids or self._ids

        def compute() -> tuple[int, ...]:
            values = cache._data.get(key)
            if not values:
                return ()
            ids: dict[int, None] = {}
            for rec_id in source:
                value = values.get(rec_id)
                if value:
                    if isinstance(value, tuple):
                        ids.update(dict.fromkeys(value))
                    else:
                        ids[value] = None
            return tuple(ids)

        return LazyPrefetch(compute)

    def _ids_in(self, column: sa.ColumnElement, ids: Iterable[int]) -> sa.ColumnElement[bool]:
        from .db import ids_in
        return ids_in(column, list(ids), self.env.dialect)

    # -- display name ---------------------------------------------------------------------
    def _compute_display_name(self) -> None:
        name = self._rec_name_field()
        for record in self:
            value = record[name] if name != "id" else None
            record.display_name = value if value else f"{self._name},{record._ids[0]}"

    def name_get(self) -> list[tuple[int, str]]:
        if type(self)._compute_display_name is BaseModel._compute_display_name:
            self._ensure_readable()      # free after a search: those ids are known readable
            names = self._display_names(self._ids)
            return [(rec_id, names.get(rec_id, "")) for rec_id in self._ids]
        return [(rec._ids[0], rec.display_name) for rec in self]

    def _missing_error(self, ids: Iterable[int]) -> MissingError:
        return MissingError(_("Record does not exist or has been deleted: %(model)s %(ids)s.",
                              model=self._name, ids=sorted(ids)))



class LazyPrefetch:
    """Ids computed on first iteration (then kept); always true, even when empty."""

    __slots__ = ("_compute", "_ids")

    def __init__(self, compute: Callable[[], tuple[int, ...]]) -> None:
        self._compute: Callable[[], tuple[int, ...]] | None = compute
        self._ids: tuple[int, ...] = ()

    def __iter__(self) -> Iterator[int]:
        if self._compute is not None:
            self._ids, self._compute = self._compute(), None
        return iter(self._ids)

    def __bool__(self) -> bool:
        return True


class Model(BaseModel):
    """A model stored in its own table."""

    _abstract = False


class AbstractModel(BaseModel):
    """A mixin: its fields and methods are copied into models that ``_inherit`` it."""

    _abstract = True
