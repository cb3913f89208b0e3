"""The change journal: who changed what, when, from which value to which.

The kernel addon's ``base`` extension calls :func:`snapshot` around create, write and
unlink and :func:`record` after them; this module decides which fields a model journals
(:func:`plan_of`), reads their values straight from the tables with SQLAlchemy Core (one
query for the columns, one per x2many field, whatever the number of records), turns them
into JSON-ready values and appends every entry of a batch with one executemany INSERT.

Values are stored as ``{field: [old, new]}``: many2one as ids, x2many as sorted id lists,
dates and datetimes (naive UTC) as ISO strings, translated fields in the environment's
language, binary fields only as the marker ``"<binary>"``. Secrets (fields restricted to
one of :data:`SECRET_GROUPS`, and password- or token-like names) are never journaled.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import sqlalchemy as sa

from ..exceptions import AccessError, ValidationError
from ..i18n.translate import _
from ..orm.fields import translated_value
from ..orm.model_write import MAGIC_FIELDS, now_utc
from ..orm.models import BaseModel

if TYPE_CHECKING:
    from ..orm import Environment
    from ..orm.fields import Field

JOURNAL_MODEL = "ir.journal"
BINARY = "<binary>"
RETENTION_PARAM = "journal.retention_days"
DEFAULT_RETENTION_DAYS = 365
#: models that are bookkeeping, not business data; their classes may also say
#: ``_journal = False`` (the journal itself, metadata, modules, login attempts, sessions)
UNJOURNALED_MODELS = frozenset({JOURNAL_MODEL})
#: groups marking secrets (password hashes, tokens): such fields are never journaled
SECRET_GROUPS = frozenset({"base.group_no_one", "base.group_nobody"})
_SECRET_NAME = re.compile(r"(^|_)(password|passwd|secret|token|api_key|apikey)(_|$)")

Snapshot = dict[int, dict[str, Any]]


@dataclass(frozen=True)
class JournalPlan:
    """The fields a model journals, computed once per composed class."""

    fields: Mapping[str, "Field"]

    def written(self, names: Iterable[str]) -> list[str]:
        """The journaled fields among ``names`` (the keys given to ``write``)."""
        return [n for n in dict.fromkeys(names) if n in self.fields]


def is_secret(field: "Field") -> bool:
    groups = [g.strip() for g in (field.groups or "").split(",")]
    return bool(SECRET_GROUPS.intersection(groups)) or bool(_SECRET_NAME.search(field.name))


def journaled_field(field: "Field") -> bool:
    """User data worth journaling: stored, not magic, not derived, not secret."""
    if field.name in MAGIC_FIELDS or not field.store or field.related:
        return False
    if field.compute and not field.inverse:
        return False  # recomputed by the ORM from fields that are journaled themselves
    return not is_secret(field)


def plan_of(model: type["BaseModel"]) -> JournalPlan | None:
    """What ``model`` journals, or ``None`` when it opts out (``_journal = False``)."""
    cached = model.__dict__.get("_journal_plan_cache", False)
    if cached is not False:
        return cached
    plan: JournalPlan | None = None
    if (getattr(model, "_journal", True) and model._name not in UNJOURNALED_MODELS
            and not model._abstract and model._auto and JOURNAL_MODEL in model._registry):
        plan = JournalPlan({n: f for n, f in model._fields.items() if journaled_field(f)})
    model._journal_plan_cache = plan  # type: ignore[attr-defined]
    return plan


# -- reading values ------------------------------------------------------------------------
def snapshot(records: "BaseModel", names: Iterable[str], blobs: bool = False,
             with_names: bool = False) -> tuple[Snapshot, dict[int, str]]:
    """JSON-ready values of ``names`` for the existing ``records``, and their display
    names when ``with_names``. Binary fields give their content when ``blobs`` (to tell
    whether a write changed them), else only whether they are set."""
    env, model = records.env, type(records)
    fields = model._fields
    table = model._sa_table
    names = list(names)
    columns = [n for n in names if fields[n].stored_column]
    rec_name = model._rec_name_field()
    plain_name = with_names and _plain_name(model, rec_name)
    selected: list[Any] = [table.c.id]
    for name in columns:
        column = table.c[name]
        selected.append(column.is_not(None) if fields[name].type == "binary" and not blobs
                        else column)
    if plain_name:
        selected.append(table.c[rec_name])
    rows = env.execute(sa.select(*selected).where(
        records._ids_in(table.c.id, records._ids))).all()
    values: Snapshot = {}
    labels: dict[int, str] = {}
    for row in rows:
        item = values[row[0]] = {}
        for index, name in enumerate(columns, start=1):
            item[name] = _json_value(fields[name], row[index], records)
        if plain_name:
            label = row[-1]
            if fields[rec_name].translate:
                label = translated_value(fields[rec_name].convert_from_db(label, records),
                                         env.lang)
            labels[row[0]] = label or f"{model._name},{row[0]}"
    for name in names:
        if fields[name].column_less and values:
            for rec_id, ids in _x2many_ids(records, fields[name], list(values)).items():
                values[rec_id][name] = ids
    if with_names and not plain_name and values:
        labels = records.sudo()._display_names(values)
    return values, labels


def _plain_name(model: type["BaseModel"], rec_name: str) -> bool:
    """Whether the display name is a stored column (it can join the snapshot query)."""
    field = model._fields.get(rec_name)
    return (model._compute_display_name is BaseModel._compute_display_name
            and rec_name != "id" and field is not None and field.stored_column)


def _json_value(field: "Field", value: Any, records: "BaseModel") -> Any:
    if field.type == "binary":
        return value if isinstance(value, bytes) else (BINARY if value else None)
    value = field.convert_from_db(value, records)
    if field.translate:
        return translated_value(value, records.env.lang)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _x2many_ids(records: "BaseModel", field: "Field", ids: list[int]) -> dict[int, list[int]]:
    """Sorted linked ids per record, archived ones included, in one query."""
    env = records.env
    comodel = env[field.comodel_name]
    if field.type == "one2many":
        table = comodel._sa_table
        owner, target = table.c[field.inverse_name], table.c.id
    else:
        table = field.relation_table(records._registry.metadata)
        owner, target = table.c[field.column1], table.c[field.column2]
    linked: dict[int, list[int]] = {rec_id: [] for rec_id in ids}
    for rec_id, co_id in env.execute(sa.select(owner, target).where(
            records._ids_in(owner, ids))):
        linked[rec_id].append(co_id)
    return {rec_id: sorted(co_ids) for rec_id, co_ids in linked.items()}


# -- comparing -------------------------------------------------------------------------------
def created_changes(after: Snapshot) -> dict[int, dict[str, list]]:
    """``{id: {field: [None, value]}}`` for the non-empty initial values."""
    return {rec_id: {n: [None, v] for n, v in values.items() if _filled(v)}
            for rec_id, values in after.items()}


def deleted_changes(before: Snapshot) -> dict[int, dict[str, list]]:
    """``{id: {field: [value, None]}}`` for the last non-empty values."""
    return {rec_id: {n: [v, None] for n, v in values.items() if _filled(v)}
            for rec_id, values in before.items()}


def written_changes(before: Snapshot, after: Snapshot) -> dict[int, dict[str, list]]:
    """``{id: {field: [old, new]}}`` for the values that really changed (records whose
    values did not change at all are left out)."""
    result: dict[int, dict[str, list]] = {}
    for rec_id, new_values in after.items():
        old_values = before.get(rec_id)
        if old_values is None:
            continue
        changes = {}
        for name, new in new_values.items():
            old = old_values.get(name)
            if old != new:
                binary = isinstance(old, bytes) or isinstance(new, bytes)
                changes[name] = [None, BINARY] if binary else [old, new]
        if changes:
            result[rec_id] = changes
    return result


def _filled(value: Any) -> bool:
    return value not in (None, False, "", [], {}) and not (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0)


# -- writing entries ---------------------------------------------------------------------------
def record(records: "BaseModel", operation: str, changes: Mapping[int, dict[str, list]],
           labels: Mapping[int, str]) -> int:
    """Append one entry per record of ``changes`` with a single INSERT; returns how many."""
    if not changes:
        return 0
    env = records.env
    table = env.registry[JOURNAL_MODEL]._sa_table
    now, uid, model = now_utc(), env.uid, records._name
    rows = [{"model": model, "res_id": rec_id, "operation": operation, "user_id": uid,
             "date": now, "changes": values, "record_name": labels.get(rec_id),
             "version": 1}
            for rec_id, values in changes.items()]
    env.execute(table.insert(), rows)
    return len(rows)


def purge(env: "Environment", days: int | None = None) -> int:
    """Delete the entries older than ``days`` (default: the ``journal.retention_days``
    setting, 365 when unset; 0 keeps everything); returns how many were deleted."""
    if not env.su:
        raise AccessError(_("Only the superuser may purge the change journal."))
    if days is None:
        setting = env["ir.config_parameter"].get_param(RETENTION_PARAM,
                                                       DEFAULT_RETENTION_DAYS)
        try:
            days = int(setting)
        except (TypeError, ValueError):
            raise ValidationError(_(
                "The setting %(key)s must be a whole number of days, not '%(value)s'.",
                key=RETENTION_PARAM, value=setting)) from None
    if days <= 0:
        return 0
    table = env.registry[JOURNAL_MODEL]._sa_table
    cutoff = now_utc() - dt.timedelta(days=days)
    return env.execute(table.delete().where(table.c.date < cutoff)).rowcount


def history(records: "BaseModel") -> list[dict[str, Any]]:
    """The entries of ``records``, newest first, with user names and field labels; fields
    the current user may not see are left out."""
    env = records.env
    table = env.registry[JOURNAL_MODEL]._sa_table
    users = env.registry["res.users"]._sa_table
    query = sa.select(table.c.id, table.c.res_id, table.c.date, table.c.operation,
                      table.c.user_id, users.c.name, table.c.changes,
                      table.c.record_name).outerjoin(
        users, users.c.id == table.c.user_id).where(
        table.c.model == records._name, records._ids_in(table.c.res_id, records._ids)
    ).order_by(table.c.date.desc(), table.c.id.desc())
    fields = records._fields
    labels: dict[str, str] = {}
    visible: dict[str, bool] = defaultdict(lambda: True)
    for name, field in fields.items():
        labels[name] = _(field.string, lang=env.lang) if field.string else name
        visible[name] = records._field_visible(field)
    entries = []
    for row in env.execute(query):
        changes = [{"field": name, "string": labels.get(name, name), "old": old, "new": new}
                   for name, (old, new) in (row.changes or {}).items() if visible[name]]
        order = list(fields)
        changes.sort(key=lambda c: (order.index(c["field"]) if c["field"] in fields
                                    else len(order), c["field"]))
        entries.append({"id": row.id, "res_id": row.res_id, "date": row.date,
                        "operation": row.operation, "user_id": row.user_id,
                        "user": row.name or "", "display_name": row.record_name or "",
                        "changes": changes})
    return entries
