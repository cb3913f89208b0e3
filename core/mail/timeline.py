"""The chatter's timeline: messages and tracked changes of one record, newest first.

Nothing is stored twice: messages come from ``mail.message``, tracked changes from the
change journal (``ir.journal``), merged by one UNION query that also pages them (the
record's rules are part of that query, so a record the user may not read shows
nothing), plus one query for the files of the messages shown. Journal entries kept are
the record's creation and the changes of its tracked fields (declared with
``tracking=True``, and fields a workflow drives); an entry a message announces (a
subtype's ``track_field``) is shown with that message, not twice. Portal users see
neither internal messages nor the journal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from core.orm.fields import translated_value

from .models.mail_message import TIMELINE_TYPES, is_internal_user


@dataclass
class Item:
    """One entry of the timeline."""

    kind: str  #: ``message`` or ``journal``
    id: int
    date: dt.datetime
    author: str = ""
    author_id: int | None = None
    message_type: str = ""
    subtype: str = ""
    internal: bool = False
    subject: str = ""
    body: str = ""
    email_from: str = ""
    activity_type: str = ""
    operation: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Timeline:
    items: list[Item]
    has_more: bool
    offset: int
    limit: int


def tracked_fields(model: Any) -> list[str]:
    """Fields whose changes the chatter shows: ``tracking`` ones and workflow-bound ones."""
    names = [name for name, f in model._fields.items() if f.tracking and f.store]
    try:
        from core.automation import plan_of
        plan = plan_of(model)
    except Exception:  # noqa: BLE001 - no automation tables yet (an install in progress)
        plan = None
    for name in getattr(plan, "workflows", None) or {}:
        if name not in names:
            names.append(name)
    return names


def _has_any_key(env: Any, column: Any, names: list[str]) -> sa.ColumnElement[bool]:
    if env.dialect == "postgresql":
        return sa.or_(*[sa.type_coerce(column, JSONB).has_key(name) for name in names])
    return sa.or_(*[sa.func.json_type(column, f'$."{name}"').is_not(None) for name in names])


def timeline(record: Any, limit: int = 20, offset: int = 0) -> Timeline:
    """A page of ``record``'s timeline (``limit`` items from ``offset``)."""
    record.ensure_one()
    env = record.env
    registry = env.registry
    messages = registry["mail.message"]._sa_table
    subtypes = registry["mail.message.subtype"]._sa_table
    kinds = registry["mail.activity.type"]._sa_table
    partners = registry["res.partner"]._sa_table
    users = registry["res.users"]._sa_table
    journal = registry["ir.journal"]._sa_table
    shown = journal.alias("shown")
    internal = is_internal_user(env)
    rules = None if env.su else record._rule_clause("read")
    readable = (sa.select(record._sa_table.c.id).where(rules) if rules is not None else None)
    if not env.su and not record._check_access("read", raise_exception=False):
        return Timeline([], False, offset, limit)

    msg_where = [messages.c.res_model == record._name, messages.c.res_id == record.id,
                 messages.c.message_type.in_(TIMELINE_TYPES)]
    if readable is not None:
        msg_where.append(messages.c.res_id.in_(readable))
    if not internal:
        msg_where.append(sa.or_(messages.c.is_internal.is_(None),
                                messages.c.is_internal.is_(False)))
    message_side = sa.select(
        sa.literal(1).label("rank"), messages.c.id, messages.c.date,
        messages.c.message_type, subtypes.c.name.label("subtype"),
        messages.c.is_internal, messages.c.author_id, partners.c.name.label("author"),
        messages.c.email_from, messages.c.subject, messages.c.body,
        kinds.c.name.label("activity_type"), subtypes.c.track_field, shown.c.changes,
        sa.cast(sa.null(), sa.String).label("operation"),
    ).select_from(messages.outerjoin(subtypes, subtypes.c.id == messages.c.subtype_id)
                  .outerjoin(partners, partners.c.id == messages.c.author_id)
                  .outerjoin(kinds, kinds.c.id == messages.c.mail_activity_type_id)
                  .outerjoin(shown, shown.c.id == messages.c.journal_id)).where(*msg_where)
    parts = [message_side]
    tracked = tracked_fields(record) if internal else []
    if internal:
        announced = sa.select(messages.c.id).where(messages.c.journal_id == journal.c.id)
        entry = journal.c.operation == "create"
        if tracked:
            entry = sa.or_(entry, sa.and_(journal.c.operation == "write",
                                          _has_any_key(env, journal.c.changes, tracked)))
        journal_where = [journal.c.model == record._name, journal.c.res_id == record.id,
                         entry, ~sa.exists(announced)]
        if readable is not None:
            journal_where.append(journal.c.res_id.in_(readable))
        parts.append(sa.select(
            sa.literal(0), journal.c.id, journal.c.date, sa.null(), sa.null(), sa.null(),
            sa.null(), users.c.name, sa.null(), sa.null(), sa.null(), sa.null(), sa.null(),
            journal.c.changes, journal.c.operation,
        ).select_from(journal.outerjoin(users, users.c.id == journal.c.user_id))
            .where(*journal_where))
    union = sa.union_all(*parts).subquery() if len(parts) > 1 else message_side.subquery()
    query = sa.select(union).order_by(union.c.date.desc(), union.c.rank.desc(),
                                      union.c.id.desc()).limit(limit + 1).offset(offset)
    rows = env.execute(query).all()
    has_more = len(rows) > limit
    lang = env.lang
    tracked_names = set(tracked)
    items = []
    for row in rows[:limit]:
        kind = "message" if row.rank == 1 else "journal"
        shown_fields = tracked_names | ({row.track_field} if row.track_field else set())
        changes = _changes(record, row.changes, shown_fields if internal else set())
        items.append(Item(
            kind=kind, id=row.id, date=row.date, author=row.author or "",
            author_id=row.author_id, message_type=row.message_type or "",
            subtype=str(translated_value(row.subtype, lang) or "") if row.subtype else "",
            internal=bool(row.is_internal), subject=row.subject or "", body=row.body or "",
            email_from=row.email_from or "", operation=row.operation or "",
            activity_type=str(translated_value(row.activity_type, lang) or "")
            if row.activity_type else "", changes=changes))
    _attach_files(env, [item for item in items if item.kind == "message"])
    return Timeline(items, has_more, offset, limit)


def _changes(record: Any, raw: Any, tracked: set[str]) -> list[dict[str, Any]]:
    """The tracked changes of a journal entry the user may see, in the model's order."""
    if not raw:
        return []
    fields = record._fields
    order = list(fields)
    result = []
    for name, values in raw.items():
        described = fields.get(name)
        if described is None or name not in tracked or not record._field_visible(described):
            continue
        old, new = (list(values) + [None, None])[:2]
        result.append({"field": name, "old": old, "new": new})
    result.sort(key=lambda change: order.index(change["field"]))
    return result


def _attach_files(env: Any, items: list[Item]) -> None:
    """The files of these messages, in one query."""
    if not items:
        return
    field = env.registry["mail.message"]._fields["attachment_ids"]
    rel = field.relation_table(env.registry.metadata)
    files = env.registry["ir.attachment"]._sa_table
    by_id = {item.id: item for item in items}
    rows = env.execute(sa.select(rel.c[field.column1], files.c.id, files.c.name,
                                 files.c.mimetype, files.c.file_size).join(
        files, files.c.id == rel.c[field.column2]).where(
        rel.c[field.column1].in_(list(by_id))).order_by(files.c.id))
    for message_id, att_id, name, mimetype, size in rows:
        by_id[message_id].attachments.append({"id": att_id, "name": name,
                                              "mimetype": mimetype or "", "size": size or 0})
