"""Odoo's x2many command tuples, applied in batch.

``(0, 0, vals)`` create and link, ``(1, id, vals)`` update, ``(2, id)`` delete,
``(3, id)`` unlink (keep the record), ``(4, id)`` link, ``(5,)`` unlink all,
``(6, 0, ids)`` replace. A plain list of ids (or a recordset) means ``(6, 0, ids)``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..exceptions import ValidationError
from ..i18n.translate import _

if TYPE_CHECKING:
    from .fields import Field
    from .models import BaseModel

CREATE, UPDATE, DELETE, UNLINK, LINK, CLEAR, SET = range(7)


def normalize_commands(value: Any) -> list[tuple]:
    from .models import BaseModel
    if value is None or value is False:
        return [(CLEAR,)]
    if isinstance(value, BaseModel):
        return [(SET, 0, list(value._ids))]
    if not isinstance(value, (list, tuple)):
        raise ValidationError(_("Invalid value for a list of records: %(value)r.", value=value))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return [(SET, 0, list(value))]
    commands = []
    for command in value:
        if not isinstance(command, (list, tuple)) or not command or command[0] not in range(7):
            raise ValidationError(_("Invalid x2many command %(command)r.", command=command))
        code = command[0]
        if code in (CREATE, UPDATE) and (len(command) < 3 or not isinstance(command[2], dict)):
            raise ValidationError(_("Command %(command)r needs a dict of values.",
                                    command=command))
        if code == SET and (len(command) < 3 or not isinstance(command[2], (list, tuple))):
            raise ValidationError(_("Command %(command)r needs a list of ids.", command=command))
        commands.append(tuple(command))
    return commands


def apply_commands(records: "BaseModel", field: "Field", value: Any,
                   created: bool = False) -> None:
    commands = normalize_commands(value)
    comodel = records.env[field.comodel_name]
    if field.type == "one2many":
        _apply_one2many(records, field, comodel, commands, created)
    else:
        _apply_many2many(records, field, comodel, commands, created)
    records.env.cache.invalidate([(records._name, field.name)], records._ids)


def apply_created(records: "BaseModel", field: "Field", values: list[Any]) -> None:
    """The x2many values given to ``create``, one per record of ``records``, in batch:
    one INSERT for every many2many link, one ``create`` for every new one2many line.
    Other commands (rare on new records) are applied record by record."""
    rows: list[dict[str, int]] = []
    lines: list[dict[str, Any]] = []
    for rec_id, value in zip(records._ids, values):
        commands = normalize_commands(value)
        codes = {command[0] for command in commands}
        if field.type == "many2many" and codes <= {LINK, CLEAR, SET}:
            targets: dict[int, None] = {}
            for command in commands:
                if command[0] == LINK:
                    targets[int(command[1])] = None
                else:
                    targets = dict.fromkeys(int(i) for i in command[2]) \
                        if command[0] == SET else {}
            rows.extend({field.column1: rec_id, field.column2: target} for target in targets)
        elif field.type == "one2many" and codes <= {CREATE, CLEAR}:
            lines.extend({**command[2], field.inverse_name: rec_id}
                         for command in commands if command[0] == CREATE)
        else:
            apply_commands(records._browse((rec_id,)), field, commands, created=True)
    if rows:
        with records._integrity_errors():
            records.env.execute(field.relation_table(records._registry.metadata).insert(), rows)
        _invalidate_other_side(records, field)
    if lines:
        records.env[field.comodel_name].create(lines)
    records.env.cache.invalidate([(records._name, field.name)], records._ids)


def _apply_one2many(records: "BaseModel", field: "Field", comodel: "BaseModel",
                    commands: list[tuple], created: bool) -> None:
    inverse = field.inverse_name
    inverse_field = comodel._fields[inverse]
    to_create: list[dict] = []
    for command in commands:
        code = command[0]
        if code == CREATE:
            for record_id in records._ids:
                to_create.append({**command[2], inverse: record_id})
        elif code == UPDATE:
            comodel.browse(command[1]).write(command[2])
        elif code == DELETE:
            comodel.browse(command[1]).unlink()
        elif code == UNLINK:
            _detach(comodel.browse(command[1]), inverse_field)
        elif code == LINK:
            records.ensure_one()
            comodel.browse(command[1]).write({inverse: records._ids[0]})
        elif code in (CLEAR, SET):
            if created and code == CLEAR:
                continue
            keep = set(command[2]) if code == SET else set()
            current = comodel.with_context(active_test=False).search(
                [(inverse, "in", list(records._ids))]) if not created else comodel.browse(())
            _detach(current.filtered(lambda r: r.id not in keep), inverse_field)
            if keep:
                records.ensure_one()
                comodel.browse(sorted(keep)).write({inverse: records._ids[0]})
    if to_create:
        comodel.create(to_create)


def _detach(lines: "BaseModel", inverse_field: "Field") -> None:
    """Remove lines from their parent: deleted when they cannot live alone."""
    if not lines:
        return
    if inverse_field.required or inverse_field.ondelete == "cascade":
        lines.unlink()
    else:
        lines.write({inverse_field.name: False})


def _apply_many2many(records: "BaseModel", field: "Field", comodel: "BaseModel",
                     commands: list[tuple], created: bool) -> None:
    env = records.env
    rel = field.relation_table(records._registry.metadata)
    col1, col2 = rel.c[field.column1], rel.c[field.column2]
    link: set[int] = set()
    unlink: set[int] = set()
    clear = False
    for command in commands:
        code = command[0]
        if code == CREATE:
            link.add(comodel.create(command[2]).id)
        elif code == UPDATE:
            comodel.browse(command[1]).write(command[2])
            link.add(command[1])
        elif code == DELETE:
            comodel.browse(command[1]).unlink()
            link.discard(command[1])
        elif code == UNLINK:
            unlink.add(command[1])
            link.discard(command[1])
        elif code == LINK:
            link.add(command[1])
            unlink.discard(command[1])
        elif code == CLEAR:
            clear, link, unlink = True, set(), set()
        elif code == SET:
            clear, link, unlink = True, {int(i) for i in command[2]}, set()
    owners = list(records._ids)
    if clear and not created:
        env.execute(rel.delete().where(records._ids_in(col1, owners)))
    elif unlink:
        env.execute(rel.delete().where(records._ids_in(col1, owners),
                                       col2.in_(sorted(unlink))))
    if link:
        existing: set[tuple[int, int]] = set()
        if not (clear or created):
            existing = {(a, b) for a, b in env.execute(sa.select(col1, col2).where(
                records._ids_in(col1, owners), col2.in_(sorted(link))))}
        rows = [{field.column1: owner, field.column2: target}
                for owner in owners for target in sorted(link)
                if (owner, target) not in existing]
        if rows:
            with records._integrity_errors():
                env.execute(rel.insert(), rows)
    _invalidate_other_side(records, field)


def _invalidate_other_side(records: "BaseModel", field: "Field") -> None:
    """The other side of the relation, if declared, is stale now."""
    for other in records._registry.triggers.relation_fields.get(field.relation, ()):
        if other is not field:
            records.env.cache.invalidate([(other.model_name, other.name)])
