"""Environment and transaction: who acts, in which context, over which connection.

An :class:`Environment` is cheap and immutable: database connection (through its
:class:`Transaction`), user id, context, superuser flag. Every environment of one
transaction shares the same cache, the same recomputation queue and the same
"protected" bookkeeping for compute methods.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import sqlalchemy as sa

from ..exceptions import UnknownModelError

if TYPE_CHECKING:
    from .models import BaseModel
    from .registry import Registry

SUPERUSER_ID = 1


class Cache:
    """Field values per ``(model, field)`` and record id, for one transaction."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], dict[int, Any]] = defaultdict(dict)

    def get(self, key: tuple[str, str], rec_id: int) -> Any:
        return self._data[key][rec_id]

    def contains(self, key: tuple[str, str], rec_id: int) -> bool:
        values = self._data.get(key)
        return values is not None and rec_id in values

    def set(self, key: tuple[str, str], rec_id: int, value: Any) -> None:
        self._data[key][rec_id] = value

    def update(self, key: tuple[str, str], values: Mapping[int, Any]) -> None:
        self._data[key].update(values)

    def missing(self, key: tuple[str, str], ids: Any) -> list[int]:
        values = self._data.get(key, {})
        return [i for i in ids if i not in values]

    def invalidate(self, keys: Any = None, ids: Any = None) -> None:
        """Forget values: all, those of some ``(model, field)`` keys, or some ids of them."""
        if keys is None:
            self._data.clear()
            return
        for key in keys:
            if ids is None:
                self._data.pop(key, None)
            else:
                values = self._data.get(key)
                if values:
                    for rec_id in ids:
                        values.pop(rec_id, None)

    def invalidate_model(self, model: str) -> None:
        for key in [k for k in self._data if k[0] == model]:
            del self._data[key]


class Protected:
    """Fields being computed, per record: assignments there only fill the cache."""

    def __init__(self) -> None:
        self._stack: list[tuple[frozenset, frozenset[int]]] = []

    def get_fields(self, ids: tuple[int, ...]) -> set:
        fields: set = set()
        for frame_fields, frame_ids in self._stack:
            if frame_ids.issuperset(ids):
                fields |= frame_fields
        return fields

    @contextmanager
    def protecting(self, fields: Any, ids: Any) -> Iterator[None]:
        self._stack.append((frozenset(fields), frozenset(ids)))
        try:
            yield
        finally:
            self._stack.pop()


class Transaction:
    """What every environment of one database transaction shares."""

    def __init__(self, registry: "Registry", connection: sa.Connection) -> None:
        self.registry = registry
        self.connection = connection
        self.dialect = connection.dialect.name
        self.cache = Cache()
        self.protected = Protected()
        self.envs: dict[tuple, Environment] = {}
        #: ``{field: set(ids)}`` of stored computed fields waiting for recomputation
        self.to_recompute: dict[Any, set[int]] = defaultdict(set)
        self.recompute_depth = 0
        #: ``(uid, model) -> ids`` a non-superuser was shown by a rule-filtered query:
        #: the cache is shared by every environment, access is not
        self.readable: dict[tuple[int, str], set[int]] = defaultdict(set)
        #: facts derived once per transaction by kernel mechanisms (keyed by their module)
        self.memo: dict[str, Any] = {}


class Environment(Mapping[str, "BaseModel"]):
    """``env['res.partner']`` gives an empty recordset of the model, bound to this env."""

    def __new__(cls, registry_or_tx: Any, connection: sa.Connection | None = None,
                uid: int = SUPERUSER_ID, context: Mapping[str, Any] | None = None,
                su: bool = False) -> "Environment":
        if isinstance(registry_or_tx, Transaction):
            transaction = registry_or_tx
        else:
            assert connection is not None, "an environment needs a connection"
            transaction = Transaction(registry_or_tx, connection)
        context = dict(context or {})
        key = (uid, _freeze(context), su)
        env = transaction.envs.get(key)
        if env is None:
            env = object.__new__(cls)
            env.transaction = transaction
            env.registry = transaction.registry
            env.uid = uid
            env.context = context
            env.su = su or uid == SUPERUSER_ID
            env.cache = transaction.cache
            transaction.envs[key] = env
        return env

    transaction: Transaction
    registry: "Registry"
    uid: int
    context: dict[str, Any]
    su: bool
    cache: Cache

    # -- mapping over models -------------------------------------------------
    def __getitem__(self, model_name: str) -> "BaseModel":
        try:
            cls = self.registry.models[model_name]
        except KeyError:
            raise UnknownModelError(self.registry.unknown_model_message(model_name)) from None
        return cls(self, (), ())

    def __iter__(self) -> Iterator[str]:
        return iter(self.registry.models)

    def __len__(self) -> int:
        return len(self.registry.models)

    def __contains__(self, model_name: object) -> bool:
        return model_name in self.registry.models

    def __repr__(self) -> str:
        return f"<Environment uid={self.uid} su={self.su} {self.context}>"

    # -- derived environments ------------------------------------------------
    def __call__(self, uid: int | None = None, context: Mapping[str, Any] | None = None,
                 su: bool | None = None) -> "Environment":
        return Environment(self.transaction, uid=self.uid if uid is None else uid,
                           context=self.context if context is None else context,
                           su=self.su if su is None else su)

    def sudo(self, flag: bool = True) -> "Environment":
        """The same environment with access checks bypassed (``flag=False`` restores)."""
        return self(su=flag)

    def with_context(self, **values: Any) -> "Environment":
        return self(context={**self.context, **values})

    # -- conveniences --------------------------------------------------------
    @property
    def conn(self) -> sa.Connection:
        return self.transaction.connection

    @property
    def dialect(self) -> str:
        return self.transaction.dialect

    @property
    def lang(self) -> str:
        return self.context.get("lang") or "en_US"

    @property
    def user(self) -> "BaseModel":
        return self(su=True)["res.users"].browse(self.uid)

    @property
    def company(self) -> "BaseModel":
        return self.user.company_id

    def execute(self, statement: Any, params: Any = None) -> sa.CursorResult:
        """Run a SQLAlchemy Core statement in this transaction."""
        return self.transaction.connection.execute(statement, params)

    def ref(self, xml_id: str, raise_if_not_found: bool = True) -> "BaseModel | None":
        """The record with this external id (``addon.name``)."""
        return self["ir.model.data"]._xmlid_to_record(xml_id, raise_if_not_found)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block that may fail without spoiling the transaction."""
        nested = self.conn.begin_nested()
        try:
            yield
        except BaseException:
            nested.rollback()
            self.cache.invalidate()
            raise
        else:
            nested.commit()

    def flush(self) -> None:
        """Store pending recomputations now."""
        self.registry.triggers.recompute_pending(self)

    def invalidate_all(self) -> None:
        self.cache.invalidate()


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return frozenset((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, (list, set)):
        return tuple(_freeze(v) for v in value)
    return value
