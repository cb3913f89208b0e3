"""Merging records of any model: the duplicates go, everything pointing at them stays.

:func:`merge_records` keeps one record (the *target*) and retires the others (the
*sources*) inside the caller's transaction:

1. access: the user must be allowed to modify the target and to delete records of the
   model (merging removes records, even when it only archives them), and the record
   rules must let him modify (or delete) each duplicate;
2. optionally, the target's empty fields take the first value found on the duplicates,
   oldest first (an ordinary ``write``, as the user: constraints and tracking apply);
3. every reference to a duplicate moves to the target, found through the registry's
   metadata, so every addon's fields and the database's custom (``x_``) fields are
   covered: one ``UPDATE`` per many2one and reference column, and per many2many
   relation column (after deleting the links the target already has, so no row is
   doubled), bumping the version of the rows changed; rows that would break a unique
   constraint because the target already has them are deleted (a follower twice on the
   same record...). A model whose rows are not plain links takes over the rewiring of its
   own columns by defining ``_merge_references(comodel, source_ids, target_id)``;
4. the ``comptoir_merge_records`` hook moves what the metadata cannot see (messages,
   followers and activities in ``mail``, attachments in ``base``, addons' own tables);
5. a note on the target's chatter (when it has one) says what was merged, then the
   duplicates are archived, or deleted when the model has no ``active`` field.

:func:`merge_preview` tells beforehand what a merge would keep and move (the merge
wizard of the web client shows it, see :mod:`core.web.client.merge`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import sqlalchemy as sa
from markupsafe import escape

from .exceptions import AccessError, UserError, ValidationError
from .i18n.translate import _
from .orm.db import ids_in

if TYPE_CHECKING:
    from .orm import Environment, Registry
    from .orm.models import BaseModel

__all__ = ["FieldPreview", "MergePreview", "Reference", "can_merge", "check_merge_access",
           "merge_preview", "merge_records", "move_attached", "reference_columns"]

#: field types never copied onto the target (links are moved instead; a boolean has no
#: "empty" value)
NOT_FILLED = ("one2many", "many2many", "boolean")
#: kernel bookkeeping kept with the duplicates: history and external ids
KEPT_ATTACHED = ("ir.journal", "ir.model.data")


@dataclass(frozen=True)
class Reference:
    """A column pointing at records of the merged model."""

    model: str          #: the model declaring the field ("" for an undeclared side)
    field: str
    kind: str           #: ``many2one``, ``many2many`` or ``reference``
    table: Any          #: the SQLAlchemy table holding the column
    column: str
    other: str = ""     #: many2many: the relation table's other column
    uniques: tuple[tuple[str, ...], ...] = ()  #: many2one: unique constraints using it
    computed: bool = False  #: a stored computed field (it follows its dependencies)
    self_relation: bool = False  #: many2many: both columns point at the merged model

    @property
    def key(self) -> tuple[str, str]:
        return (self.table.name, self.column)


@dataclass
class FieldPreview:
    """One field of the comparison: each record's value and the one the target keeps."""

    name: str
    label: str
    values: dict[int, Any]
    kept: Any
    kept_from: int | None   #: the record the kept value comes from


@dataclass
class MergePreview:
    target_id: int
    source_ids: list[int]
    fields: list[FieldPreview] = field(default_factory=list)
    #: ``[(model description, field label, count)]`` of references that will move
    references: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(count for _model, _field, count in self.references)


# -- metadata ---------------------------------------------------------------------------------
def reference_columns(registry: "Registry", model_name: str) -> list[Reference]:
    """Every stored column of every model that points at ``model_name`` records."""
    found: dict[tuple[str, str], Reference] = {}
    for model in registry.models.values():
        if model._abstract or not model._auto:
            continue
        table = model._sa_table
        for name, fld in model._fields.items():
            if fld.type == "many2one" and fld.comodel_name == model_name and \
                    fld.stored_column:
                uniques = tuple(tuple(c.name for c in constraint.columns)
                                for constraint in table.constraints
                                if isinstance(constraint, sa.UniqueConstraint)
                                and name in constraint.columns)
                ref = Reference(model._name, name, "many2one", table, name, uniques=uniques,
                                computed=bool(fld.compute or fld.related))
            elif fld.type == "reference" and fld.stored_column:
                ref = Reference(model._name, name, "reference", table, name)
            elif fld.type == "many2many" and fld.store:
                relation = fld.relation_table(registry.metadata)
                both = model._name == model_name and fld.comodel_name == model_name
                if fld.comodel_name == model_name:
                    ref = Reference(model._name, name, "many2many", relation, fld.column2,
                                    other=fld.column1, self_relation=both)
                    found.setdefault(ref.key, ref)
                if model._name != model_name:
                    continue
                ref = Reference(model._name, name, "many2many", relation, fld.column1,
                                other=fld.column2, self_relation=both)
            else:
                continue
            found.setdefault(ref.key, ref)
    return list(found.values())


def _attached_models(registry: "Registry") -> list[Any]:
    """Models pointing at records by ``res_model`` + ``res_id`` (messages, followers,
    activities, attachments...), kernel bookkeeping aside."""
    return [model for model in registry.models.values()
            if not model._abstract and model._auto and model._name not in KEPT_ATTACHED
            and getattr(model._fields.get("res_model"), "type", None) == "char"
            and getattr(model._fields.get("res_id"), "type", None) == "integer"]


# -- access -----------------------------------------------------------------------------------
def can_merge(model: "BaseModel") -> bool:
    """Whether the user may merge records of this model at all (model access only)."""
    return model.env.su or (model._check_access("write", raise_exception=False)
                            and model._check_access("unlink", raise_exception=False))


def check_merge_access(target: "BaseModel", sources: "BaseModel") -> None:
    """Refuse (``AccessError``) unless the user may modify the target, delete records of
    the model, and modify (archive) or delete each duplicate under his record rules."""
    if target.env.su:
        return
    if not can_merge(target):
        raise AccessError(_("You may not merge %(model)s records: merging removes records, "
                            "which needs the right to delete them.",
                            model=target._description or target._name))
    target._check_rules("write")
    sources._check_rules("write" if "active" in sources._fields else "unlink")


def _ordered(records: "BaseModel") -> "BaseModel":
    """Oldest first (creation date, then id)."""
    order = "create_date, id" if "create_date" in records._fields else "id"
    return records.with_context(active_test=False).search(
        [("id", "in", records.ids)], order=order)


def _checked(target: "BaseModel", sources: "BaseModel") -> tuple["BaseModel", "BaseModel"]:
    if target._name != sources._name:
        raise ValidationError(_("Only records of the same model can be merged."))
    target.ensure_one()
    sources = sources - target
    if not sources:
        raise ValidationError(_("Choose at least two different records to merge."))
    everything = (target | sources).with_context(active_test=False)
    missing = set(everything.ids) - set(everything.sudo().exists().ids)
    if missing:
        raise target._missing_error(missing)
    return target, sources


# -- preview ----------------------------------------------------------------------------------
def _fillable(model: "BaseModel", names: Iterable[str] | None = None) -> list[str]:
    fields = model._fields
    result = []
    for name in names if names is not None else fields:
        fld = fields.get(name)
        if fld is None or name in ("id", "active", "version", "display_name") or \
                not fld.stored_column or fld.compute or fld.related or fld.readonly or \
                fld.unique or fld.type in NOT_FILLED or name.startswith(("create_", "write_")):
            continue
        if model._field_visible(fld):
            result.append(name)
    return result


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == 0


def _fill_values(target: "BaseModel", sources: "BaseModel", names: list[str]
                 ) -> dict[str, tuple[Any, int]]:
    """``{field: (value, record id)}``: the target's empty fields and the first value
    the duplicates (oldest first) have, as ``read`` gives them."""
    records = target | sources
    rows = {row["id"]: row for row in records.read(names)}
    merged = set(records.ids)
    result: dict[str, tuple[Any, int]] = {}
    for name in names:
        if not _empty(rows[target.id].get(name)):
            continue
        fld = target._fields[name]
        for source in sources:
            value = rows[source.id].get(name)
            if fld.type == "many2one" and fld.comodel_name == target._name and value and \
                    value[0] in merged:
                continue        # a link between the merged records would loop
            if not _empty(value):
                result[name] = (value, source.id)
                break
    return result


def merge_preview(target: "BaseModel", sources: "BaseModel", fill_empty: bool = True,
                  field_names: Iterable[str] | None = None) -> MergePreview:
    """What merging ``sources`` into ``target`` would keep and move (nothing is written):
    the values of ``field_names`` (default: every fillable field) per record and on the
    target afterwards, and the references to the duplicates that would move."""
    target, sources = _checked(target, sources)
    sources = _ordered(sources)
    names = _fillable(target, field_names)
    preview = MergePreview(target.id, sources.ids)
    rows = {row["id"]: row for row in (target | sources).read(names)} if names else {}
    filled = _fill_values(target, sources, names) if fill_empty and names else {}
    for name in names:
        kept, origin = filled.get(name, (rows[target.id].get(name), target.id))
        preview.fields.append(FieldPreview(
            name, _(target._fields[name].string or name, lang=target.env.lang),
            {rec_id: row.get(name) for rec_id, row in rows.items()}, kept, origin))
    preview.references = count_references(target.env, target._name, sources.ids)
    return preview


def count_references(env: "Environment", model_name: str, source_ids: list[int]
                     ) -> list[tuple[str, str, int]]:
    """``[(model description, field label, count)]`` of what points at the duplicates,
    in ONE query (a UNION ALL of counts), zero counts left out. Computed fields (they
    follow the links they depend on), the duplicates' own links and the models that
    handle their links themselves are not counted."""
    registry, dialect, lang = env.registry, env.dialect, env.lang
    refs = [ref for ref in reference_columns(registry, model_name) if not ref.computed
            and not hasattr(registry.models.get(ref.model), "_merge_references")]
    attached = _attached_models(registry)
    selects = []
    for index, ref in enumerate(refs):
        column = ref.table.c[ref.column]
        if ref.kind == "reference":
            where = column.in_([f"{model_name},{i}" for i in source_ids])
        else:
            where = ids_in(column, source_ids, dialect)
        if ref.kind != "many2many" and ref.model == model_name:
            where = sa.and_(where, ~ids_in(ref.table.c.id, source_ids, dialect))
        selects.append(sa.select(sa.literal_column(str(index)).label("n"),
                                 sa.func.count().label("c")).select_from(ref.table).where(where))
    for offset, model in enumerate(attached, start=len(refs)):
        table = model._sa_table
        selects.append(sa.select(sa.literal_column(str(offset)).label("n"),
                                 sa.func.count().label("c")).select_from(table).where(
            table.c.res_model == model_name, ids_in(table.c.res_id, source_ids, dialect)))
    if not selects:
        return []
    counts = dict(env.execute(sa.union_all(*selects)).all())
    result = []
    for index, ref in enumerate(refs):
        if counts.get(index):
            model = registry.models.get(ref.model)
            label = model._fields[ref.field].string if model else ref.field
            result.append((_(model._description, lang=lang) if model else ref.table.name,
                           _(label or ref.field, lang=lang), counts[index]))
    for offset, model in enumerate(attached, start=len(refs)):
        if counts.get(offset):
            result.append((_(model._description or model._name, lang=lang),
                           _("attached", lang=lang), counts[offset]))
    return result


# -- merging ----------------------------------------------------------------------------------
def merge_records(target: "BaseModel", sources: "BaseModel", fill_empty: bool = False
                  ) -> "BaseModel":
    """Merge ``sources`` into ``target`` (records of one model) and return ``target``.

    Runs in the caller's transaction (an exception leaves nothing half done once the
    caller rolls back); see the module's documentation for the steps."""
    target, sources = _checked(target, sources)
    check_merge_access(target, sources)
    sources = _ordered(sources)
    env, model_name = target.env, target._name
    names = [s.display_name for s in sources.sudo()]
    if fill_empty:
        values = {}
        for name, (value, _origin) in _fill_values(target, sources,
                                                   _fillable(target)).items():
            if target._fields[name].type == "many2one" and isinstance(value, (list, tuple)):
                value = value[0]
            values[name] = value
        if values:
            target.write(values)
    su = env(su=True)
    moved = _rewire(su, model_name, sources.ids, target.id)
    env.cache.invalidate()
    registry = env.registry
    pm = getattr(registry, "pm", None)
    if pm is not None:
        pm.hook.comptoir_merge_records(env=su, model=model_name, source_ids=sources.ids,
                                       target_id=target.id)
    env.cache.invalidate()
    registry.triggers.recompute_pending(env)
    if hasattr(target, "message_post"):
        target.message_post(body=_note(names, sources.ids, moved), message_type="notification")
    if "active" in sources._fields:
        sources.write({"active": False})
    else:
        sources.unlink()
    return target


def _note(names: list[str], ids: list[int], moved: int) -> str:
    merged = ", ".join(f"{escape(name)} (#{rec_id})" for name, rec_id in zip(names, ids))
    return "<p>" + _("Merged with %(records)s: %(count)s reference(s) moved to this record.",
                     records=merged, count=moved) + "</p>"


def _rewire(env: "Environment", model_name: str, source_ids: list[int], target_id: int
            ) -> int:
    """Move every reference to ``source_ids`` onto ``target_id``; returns how many rows
    changed. Computed fields depending on the moved links are recomputed."""
    registry = env.registry
    changed: list[tuple[str, str, list[int]]] = []
    taken_over: set[str] = set()
    moved = 0
    for ref in reference_columns(registry, model_name):
        model = registry.models.get(ref.model)
        if ref.model != model_name and model is not None and \
                hasattr(model, "_merge_references"):
            if ref.model not in taken_over:
                taken_over.add(ref.model)
                env[ref.model]._merge_references(model_name, list(source_ids), target_id)
            continue
        if ref.kind == "many2one":
            ids = _rewire_many2one(env, ref, source_ids, target_id, model_name)
            changed.append((ref.model, ref.field, ids))
        elif ref.kind == "reference":
            ids = _rewire_reference(env, ref, source_ids, target_id, model_name)
            changed.append((ref.model, ref.field, ids))
        else:
            owners = _rewire_many2many(env, ref, source_ids, target_id, model_name)
            ids = owners
            for other in registry.triggers.relation_fields.get(ref.table.name, ()):
                side = owners if other.column1 == ref.other else [target_id]
                changed.append((other.model_name, other.name, side))
        moved += len(ids)
    env.cache.invalidate()
    triggers = registry.triggers
    for model, name, ids in changed:
        if ids and model in registry.models:
            triggers.modified(env[model].with_context(active_test=False).browse(ids), [name])
    parent = registry.models[model_name]._parent_name
    hierarchy = [ids for model, name, ids in changed if model == model_name and name == parent]
    if hierarchy and any(hierarchy):
        records = env[model_name].with_context(active_test=False).browse(
            sorted({i for ids in hierarchy for i in ids} | {target_id}))
        records._validate_constraints({parent})
    return moved


def _stamp(table: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "version" in table.c:
        values["version"] = table.c.version + 1
    if "write_date" in table.c:
        values["write_date"] = dt.datetime.now(dt.timezone.utc).replace(
            tzinfo=None, microsecond=0)
    return values


def _rewire_many2one(env: "Environment", ref: Reference, source_ids: list[int],
                     target_id: int, model_name: str) -> list[int]:
    table, dialect = ref.table, env.dialect
    column = table.c[ref.column]
    for unique in ref.uniques:
        others = [table.c[name] for name in unique if name != ref.column]
        if not others:
            taken = env.execute(sa.select(sa.func.count()).select_from(table).where(
                ids_in(column, [*source_ids, target_id], dialect))).scalar_one()
            if taken > 1:
                raise UserError(_("These records cannot be merged: several %(model)s "
                                  "records point at them through '%(field)s', which "
                                  "allows only one.", model=ref.model, field=ref.field))
            continue
        peer = table.alias("peer")
        clash = sa.select(peer.c[ref.column]).where(
            *[peer.c[c.name] == c for c in others],
            sa.or_(peer.c[ref.column] == target_id,
                   sa.and_(ids_in(peer.c[ref.column], source_ids, dialect),
                           peer.c[ref.column] < column))).exists()
        env.execute(table.delete().where(ids_in(column, source_ids, dialect), clash))
    rows = env.execute(table.update().where(ids_in(column, source_ids, dialect)).values(
        {ref.column: target_id, **_stamp(table)}).returning(table.c.id)).all()
    ids = [row[0] for row in rows]
    model = env.registry.models.get(ref.model)
    if ref.model == model_name and model is not None and ref.field == model._parent_name:
        env.execute(table.update().where(table.c.id == target_id, column == target_id)
                    .values({ref.column: None}))
    return ids


def _rewire_reference(env: "Environment", ref: Reference, source_ids: list[int],
                      target_id: int, model_name: str) -> list[int]:
    table = ref.table
    column = table.c[ref.column]
    rows = env.execute(table.update().where(
        column.in_([f"{model_name},{i}" for i in source_ids])).values(
        {ref.column: f"{model_name},{target_id}", **_stamp(table)}).returning(
        table.c.id)).all()
    return [row[0] for row in rows]


def _rewire_many2many(env: "Environment", ref: Reference, source_ids: list[int],
                      target_id: int, model_name: str) -> list[int]:
    """Links of the duplicates become links of the target (those it already has, and
    repeats among the duplicates, are dropped first); returns the other side's ids."""
    table, dialect = ref.table, env.dialect
    column, other = table.c[ref.column], table.c[ref.other]
    peer = table.alias("peer")
    clash = sa.select(peer.c[ref.column]).where(
        peer.c[ref.other] == other,
        sa.or_(peer.c[ref.column] == target_id,
               sa.and_(ids_in(peer.c[ref.column], source_ids, dialect),
                       peer.c[ref.column] < column))).exists()
    env.execute(table.delete().where(ids_in(column, source_ids, dialect), clash))
    rows = env.execute(table.update().where(ids_in(column, source_ids, dialect)).values(
        {ref.column: target_id}).returning(other)).all()
    if ref.self_relation:       # a relation of the model with itself: not its own peer
        env.execute(table.delete().where(column == target_id, other == target_id))
    return sorted({row[0] for row in rows} - {target_id})


def move_attached(env: "Environment", attached_model: str, model_name: str,
                  source_ids: list[int], target_id: int) -> int:
    """Rows of ``attached_model`` (``res_model`` + ``res_id``) on the duplicates now
    belong to the target (for ``comptoir_merge_records`` implementations); returns how
    many moved."""
    if attached_model not in env.registry.models:
        return 0
    table = env.registry.models[attached_model]._sa_table
    result = env.execute(table.update().where(
        table.c.res_model == model_name,
        ids_in(table.c.res_id, source_ids, env.dialect)).values(
        {"res_id": target_id, **_stamp(table)}))
    return result.rowcount or 0
