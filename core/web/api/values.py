"""Values crossing the API boundary: checked on the way in, made portable on the way out.

In: whatever a client sends is checked before the database sees it — text without NUL or
lone surrogates, integers that fit 64 bits (and the column's 32 bits for integer fields
and ids), finite numbers within the column's precision, datetimes that exist in UTC,
well-formed x2many commands — so that a bad value is a 422 naming the field, never a
driver error. The ORM converts and validates the rest (types, selections, sizes).

Out: :func:`to_rpc` gives Odoo's wire values (``None`` is ``False``, dates as
``YYYY-MM-DD[ HH:MM:SS]`` strings, binaries in base64); :func:`to_json` gives REST's
(``null``, ISO 8601 / RFC 3339 dates, many2one as ``{"id", "display_name"}``).
"""
from __future__ import annotations

import base64
import datetime as dt
import math
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import sqlalchemy as sa

from ...exceptions import ValidationError
from ...i18n.translate import _
from ...orm.model_write import MAGIC_FIELDS

if TYPE_CHECKING:
    from ...orm import BaseModel
    from ...orm.fields import Field

INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)
#: nesting deeper than this is refused (recursion would fail further down)
MAX_DEPTH = 32
#: monetary columns are NUMERIC(16, 2)
MONETARY_DIGITS = (16, 2)


# -- in ---------------------------------------------------------------------------------
def check_input(value: Any, depth: int = 0) -> Any:
    """Refuse, anywhere in a decoded request, what no database can store or bind."""
    if depth > MAX_DEPTH:
        raise ValidationError(_("The request nests values too deeply."))
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise ValidationError(_("The number %(value)s is out of range.", value=value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(_("Numbers must be finite."))
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_input(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(_("Keys of a structure must be text."))
            _check_text(key)
            check_input(item, depth + 1)
    return value


def _check_text(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(_("Text may not contain a NUL character."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_("Text must be valid Unicode.")) from None


@contextmanager
def database_refusals() -> Iterator[None]:
    """A value the database refuses (a computed total beyond its column, say) is the
    caller's 422, not a server error: the checks above cannot foresee derived values."""
    try:
        yield
    except sa.exc.DataError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise ValidationError(_("The database refused a value: %(reason)s.",
                                reason=reason)) from exc


def number_bounds(field: "Field") -> tuple[float, float] | None:
    """The inclusive range a numeric field's column can hold (None: any finite)."""
    if field.type == "integer":
        return INT32
    digits = MONETARY_DIGITS if field.type == "monetary" else getattr(field, "digits", None)
    if not digits:
        return None
    precision, scale = digits
    top = 10 ** (precision - scale) - 10 ** -scale
    return (-top, top)


def check_values(model: "BaseModel", vals: Any, depth: int = 0) -> dict[str, Any]:
    """``vals`` for ``create``/``write`` of ``model``: a dict whose values fit their
    fields' columns (unknown names are left to the ORM, which names them)."""
    if not isinstance(vals, dict):
        raise ValidationError(_("Values must be given as a structure of field names."))
    check_input(vals, depth)
    for name, value in vals.items():
        field = model._fields.get(name)
        if field is None or name in MAGIC_FIELDS:
            continue
        _check_field_value(model, field, value, depth)
    return vals


def _check_field_value(model: "BaseModel", field: "Field", value: Any, depth: int) -> None:
    kind = field.type
    if value is None or value is False:
        return
    if kind in ("integer", "float", "monetary"):
        bounds = number_bounds(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and bounds:
            rounded = round(value, field.digits[1]) if kind == "float" and field.digits \
                else value
            if not bounds[0] <= rounded <= bounds[1]:
                raise ValidationError(_("'%(field)s' is out of range (%(min)s to %(max)s).",
                                        field=field.string, min=bounds[0], max=bounds[1]),
                                      field=field.name)
    elif kind == "many2one":
        _check_id(field, value[0] if isinstance(value, (list, tuple)) and value else value)
    elif kind in ("one2many", "many2many"):
        _check_commands(model, field, value, depth)
    elif kind == "datetime" and isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                parsed.astimezone(dt.timezone.utc)
        except (ValueError, OverflowError):
            raise ValidationError(_("'%(value)s' is not a valid date and time (field "
                                    "'%(field)s').", value=value, field=field.string),
                                  field=field.name) from None


def _check_id(field: "Field", value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        else:
            raise ValidationError(_("'%(field)s' expects a record id, got '%(value)s'.",
                                    field=field.string, value=value), field=field.name)
    if not 0 < value <= INT32[1]:
        raise ValidationError(_("'%(field)s' expects a record id, got '%(value)s'.",
                                field=field.string, value=value), field=field.name)


def _check_commands(model: "BaseModel", field: "Field", value: Any, depth: int) -> None:
    """A list of ids, or Odoo's command tuples, each of the right shape."""
    if not isinstance(value, (list, tuple)):
        raise ValidationError(_("'%(field)s' expects a list of record ids or commands.",
                                field=field.string), field=field.name)
    comodel = model.env[field.comodel_name]
    for command in value:
        if isinstance(command, int) and not isinstance(command, bool):
            _check_id(field, command)
            continue
        if not isinstance(command, (list, tuple)) or not command or \
                not isinstance(command[0], int) or not 0 <= command[0] <= 6:
            raise ValidationError(_("Invalid command %(command)s for '%(field)s'.",
                                    command=command, field=field.string), field=field.name)
        code, args = command[0], list(command[1:])
        if code in (1, 2, 3, 4):
            _check_id(field, args[0] if args else None)
        if code in (0, 1):
            if len(args) < 2:
                raise ValidationError(_("Command %(command)s needs values.", command=command),
                                      field=field.name)
            check_values(comodel, args[1], depth + 2)
        if code == 6:
            ids = args[1] if len(args) > 1 else None
            if not isinstance(ids, (list, tuple)):
                raise ValidationError(_("Command %(command)s needs a list of ids.",
                                        command=command), field=field.name)
            for rec_id in ids:
                _check_id(field, rec_id)


def check_ids(value: Any) -> list[int]:
    """Record ids as a remote caller gives them: one id or a list of ids."""
    ids = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i <= INT32[1] for i in ids):
        raise ValidationError(_("Record ids must be a list of positive whole numbers."))
    return list(ids)


# -- out --------------------------------------------------------------------------------
def to_rpc(value: Any) -> Any:
    """Odoo's wire values: ``None`` → ``False``, dates as strings, binaries in base64."""
    if value is None:
        return False
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dt.datetime):  # (strftime does not pad years before 1000)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): to_rpc(item) for key, item in value.items()}
    if hasattr(value, "_ids"):  # a recordset
        return list(value._ids)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_rpc(item) for item in value]
    return str(value)


def to_json(value: Any) -> Any:
    """REST's values: ``null``, ISO 8601 dates (datetimes in UTC, ``Z``), base64."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if hasattr(value, "_ids"):
        return list(value._ids)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(item) for item in value]
    return str(value)


def rest_record(model: "BaseModel", row: dict[str, Any]) -> dict[str, Any]:
    """One row of ``read()`` in REST's shape: many2one as ``{"id", "display_name"}``."""
    result: dict[str, Any] = {}
    for name, value in row.items():
        field = model._fields.get(name)
        if field is not None and field.type == "many2one":
            result[name] = many2one_value(value)
        else:
            result[name] = to_json(value)
    return result


def many2one_value(value: Any) -> dict[str, Any] | None:
    if isinstance(value, (list, tuple)) and value:
        return {"id": value[0], "display_name": value[1] if len(value) > 1 else ""}
    if isinstance(value, int) and not isinstance(value, bool) and value:
        return {"id": value, "display_name": ""}
    return None


def rest_input(model: "BaseModel", vals: Any) -> dict[str, Any]:
    """A REST body for ``create``/``write``: many2one may be given as ``{"id": n}`` (as
    REST reads them), the rest as the ORM takes it; checked by :func:`check_values`."""
    if not isinstance(vals, dict):
        raise ValidationError(_("The request body must be a JSON object of field values."))
    converted = {}
    for name, value in vals.items():
        field = model._fields.get(name) if isinstance(name, str) else None
        if field is not None and field.type == "many2one" and isinstance(value, dict):
            value = value.get("id")
        converted[name] = value
    return check_values(model, converted)
