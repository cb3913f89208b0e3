"""Field descriptors: what a model declares, how values are stored, cached and read.

A field lives in three representations:

* *column* — what the database stores (``convert_to_column``);
* *cache*  — what the transaction cache holds, the canonical Python value
  (``convert_to_cache``); for relational fields, ids;
* *record* — what ``record.field`` returns (``convert_to_record``): recordsets for
  relational fields, plain values otherwise.

Fields are declared on model classes; the registry builds fresh instances on the
composed class (merging the arguments of every class that declared the field), then
calls :meth:`Field.setup` once the whole registry is known.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ..exceptions import ConfigurationError, ValidationError
from ..i18n.translate import _

if TYPE_CHECKING:
    from .models import BaseModel

Default = Any  # a value or a callable taking a recordset

_COMMON_ARGS = {
    "string", "help", "required", "readonly", "default", "index", "unique", "copy",
    "groups", "translate", "compute", "depends", "store", "inverse", "related",
    "tracking", "states", "size", "digits", "currency_field", "selection", "comodel_name",
    "ondelete", "inverse_name", "relation", "column1", "column2", "domain", "context",
    "attachment", "prefetch", "sanitize", "search", "precompute", "group_operator",
}


class Field:
    """Base descriptor. Subclasses set ``type`` and the conversion methods."""

    type: str = ""
    column_type: Callable[[], sa.types.TypeEngine] | None = None
    relational = False
    #: fields that do not live in the model's own table (x2many)
    column_less = False
    _defaults: dict[str, Any] = {
        "string": None, "help": None, "required": False, "readonly": False,
        "default": None, "index": False, "unique": False, "copy": True, "groups": None,
        "translate": False, "compute": None, "depends": (), "store": True,
        "inverse": None, "related": None, "tracking": False, "prefetch": True,
        "search": None, "group_operator": None,
    }

    def __init__(self, string: str | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - _COMMON_ARGS
        if unknown:
            raise ConfigurationError(
                f"{type(self).__name__}: unknown field argument(s) {sorted(unknown)}")
        if string is not None:
            kwargs["string"] = string
        self._args = kwargs
        self.name: str = ""
        self.model_name: str = ""
        #: addons that declared (or extended) this field, in load order
        self.addons: tuple[str, ...] = ()
        for key, value in self._defaults.items():
            setattr(self, key, value)
        for key, value in kwargs.items():
            setattr(self, key, value)

    # -- class construction ---------------------------------------------------
    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def new_merged(self, previous: "Field | None") -> "Field":
        """A fresh field for the composed class: earlier definitions' args, then ours."""
        args = dict(previous._args) if previous is not None else {}
        args.update(self._args)
        field = type(self)(**args)
        field.name = self.name
        return field

    def setup(self, model: type["BaseModel"]) -> None:
        """Second phase, once every model exists: resolve names and flags."""
        self.model_name = model._name
        if self.string is None:
            label = self.name[:-3] if self.name.endswith("_id") else (
                self.name[:-4] if self.name.endswith("_ids") else self.name)
            self.string = label.replace("_", " ").strip().capitalize() or self.name
        if self.related:
            self.store = bool(self._args.get("store", False))
            self.readonly = self._args.get("readonly", True)
            self.copy = self._args.get("copy", False)
        elif self.compute:
            self.store = bool(self._args.get("store", False))
            self.copy = self._args.get("copy", False)
            if not self.inverse:
                self.readonly = self._args.get("readonly", True)
        if isinstance(self.depends, str):
            self.depends = (self.depends,)

    # -- storage ---------------------------------------------------------------
    @property
    def raw_from_db(self) -> bool:
        """True when database values are already in the cache format (no conversion)."""
        return type(self).convert_from_db is Field.convert_from_db and not self.translate

    @property
    def stored_column(self) -> bool:
        """True when the field has a column in its model's table."""
        return self.store and not self.column_less

    def sa_type(self) -> sa.types.TypeEngine:
        if self.translate:
            return sa.JSON().with_variant(JSONB(), "postgresql")
        assert self.column_type is not None, self
        return self.column_type()

    def sa_column(self) -> sa.Column:
        return sa.Column(self.name, self.sa_type(), nullable=True, index=bool(self.index))

    # -- conversions -------------------------------------------------------------
    def convert_to_column(self, value: Any, record: "BaseModel") -> Any:
        """Validate and convert a value given to create/write into a column value."""
        value = self.convert_to_cache(value, record)
        if self.translate and value is not None:
            return value  # the ORM wraps it in {lang: value}
        return value

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        return None if value is False else value

    def convert_from_db(self, value: Any, record: "BaseModel") -> Any:
        """Turn what the database returned into the cache format (translated fields
        keep every language: the cache is shared by environments of any language)."""
        if self.translate and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return {"en_US": value}
        return value

    def convert_to_record(self, value: Any, record: "BaseModel") -> Any:
        if self.translate and isinstance(value, dict):
            return translated_value(value, record.env.lang)
        return value

    def convert_to_read(self, value: Any, record: "BaseModel") -> Any:
        return self.convert_to_record(value, record)

    def empty_value(self) -> Any:
        return None

    # -- descriptor ----------------------------------------------------------------
    def __get__(self, record: "BaseModel | None", owner: type | None = None) -> Any:
        if record is None:
            return self
        if not record._ids:
            return self.convert_to_record(self.empty_value(), record)
        record.ensure_one()
        env = record.env
        if not env.su:
            if record._ids[0] not in env.transaction.readable[(env.uid, record._name)]:
                record._ensure_readable()
            if self.groups:
                record._check_field_access(self, "read")
        cache = env.cache
        key = (self.model_name, self.name)
        try:
            value = cache.get(key, record._ids[0])
        except KeyError:
            record._fetch(self)
            value = cache.get(key, record._ids[0])
        return self.convert_to_record(value, record)

    def __set__(self, record: "BaseModel", value: Any) -> None:
        protected = record.env.transaction.protected
        if self in protected.get_fields(record._ids):
            # assignment from a compute method: cache only, the ORM stores it
            for rec_id in record._ids:
                record.env.cache.set((self.model_name, self.name), rec_id,
                                     self.convert_to_cache(value, record))
            return
        record.write({self.name: value})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name}.{self.name})"

    def get_description(self, env: Any) -> dict[str, Any]:
        """The metadata a client needs (``fields_get``)."""
        desc = {
            "type": self.type, "string": _(self.string, lang=env.lang)
            if self.string else self.name,
            "help": _(self.help, lang=env.lang) if self.help else False,
            "required": bool(self.required), "readonly": bool(self.readonly),
            "store": bool(self.store), "sortable": bool(self.stored_column),
            "searchable": bool(self.stored_column or self.search or self.related),
            "translate": bool(self.translate), "groups": self.groups or False,
        }
        return desc


def resolve_selection(field: Field, env: Any) -> list[tuple[str, str]]:
    """``field.selection`` as a list of ``(value, label)``: a static list, the name of a
    model method, or a callable taking the model."""
    selection = field.selection
    if isinstance(selection, str):
        selection = getattr(env[field.model_name], selection)()
    elif callable(selection):
        selection = selection(env[field.model_name])
    return list(selection or ())


def translated_value(value: Any, lang: str) -> Any:
    """Pick a language out of a stored ``{lang: text}`` mapping, with fallback."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if not isinstance(value, dict):
        return value
    if lang in value and value[lang] is not None:
        return value[lang]
    if "en_US" in value and value["en_US"] is not None:
        return value["en_US"]
    return next((v for v in value.values() if v is not None), None)


# --------------------------------------------------------------------------- scalars
class Char(Field):
    type = "char"
    _defaults = {**Field._defaults, "size": None}

    def sa_type(self) -> sa.types.TypeEngine:
        if self.translate:
            return super().sa_type()
        return sa.String(self.size) if self.size else sa.String()

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False:
            return None
        value = str(value)
        if self.size and len(value) > self.size:
            raise ValidationError(
                _("The value of '%(field)s' is too long (%(size)s characters at most).",
                  field=self.string, size=self.size, lang=record.env.lang), field=self.name)
        return value

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env), "size": self.size or False}


class Text(Char):
    type = "text"

    def sa_type(self) -> sa.types.TypeEngine:
        return Field.sa_type(self) if self.translate else sa.Text()


class Html(Text):
    """HTML text, sanitised on write with nh3 (unless ``sanitize=False``)."""

    type = "html"
    _defaults = {**Text._defaults, "sanitize": True}

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        value = super().convert_to_cache(value, record)
        if value is not None and self.sanitize:
            import nh3
            value = nh3.clean(value)
        return value


class Integer(Field):
    type = "integer"
    column_type = sa.Integer
    _defaults = {**Field._defaults, "group_operator": "sum"}

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False or value == "":
            return 0
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                _("'%(value)s' is not a whole number (field '%(field)s').", value=value,
                  field=self.string, lang=record.env.lang), field=self.name) from None
        if not -2**31 <= number < 2**31:  # the column is a 32-bit INTEGER on PostgreSQL
            raise ValidationError(
                _("%(value)s is too large for '%(field)s'.", value=number, field=self.string,
                  lang=record.env.lang), field=self.name)
        return number

    def convert_from_db(self, value: Any, record: "BaseModel") -> Any:
        return 0 if value is None else value


class Float(Field):
    type = "float"
    _defaults = {**Field._defaults, "digits": None, "group_operator": "sum"}

    def sa_type(self) -> sa.types.TypeEngine:
        if self.digits:
            precision, scale = self.digits
            return sa.Numeric(precision, scale, asdecimal=False)
        return sa.Float()

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False or value == "":
            return 0.0
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValidationError(
                _("'%(value)s' is not a number (field '%(field)s').", value=value,
                  field=self.string, lang=record.env.lang), field=self.name) from None
        if self.digits:
            value = round(value, self.digits[1])
        return value

    def convert_from_db(self, value: Any, record: "BaseModel") -> Any:
        return 0.0 if value is None else float(value)

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env), "digits": list(self.digits) if self.digits else False}


class Monetary(Float):
    """An amount in the currency named by ``currency_field`` (default ``currency_id``)."""

    type = "monetary"
    _defaults = {**Float._defaults, "currency_field": "currency_id"}

    def sa_type(self) -> sa.types.TypeEngine:
        return sa.Numeric(16, 2, asdecimal=False)

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        # rounded like the column, so the cache, SQLite and PostgreSQL agree
        return round(super().convert_to_cache(value, record), 2)

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env), "currency_field": self.currency_field}


class Boolean(Field):
    type = "boolean"
    column_type = sa.Boolean

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        return bool(value)

    def convert_from_db(self, value: Any, record: "BaseModel") -> Any:
        return bool(value)

    def empty_value(self) -> Any:
        return False


class Date(Field):
    type = "date"
    column_type = sa.Date

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise ValidationError(
                _("'%(value)s' is not a valid date (field '%(field)s'); expected YYYY-MM-DD.",
                  value=value, field=self.string, lang=record.env.lang), field=self.name) from None

    def convert_from_db(self, value: Any, record: "BaseModel") -> Any:
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        return value


class Datetime(Field):
    """A moment, stored as naive UTC; aware values are converted to UTC."""

    type = "datetime"
    column_type = sa.DateTime

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False or value == "":
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value.replace(microsecond=0)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        try:
            return self.convert_to_cache(dt.datetime.fromisoformat(str(value)), record)
        except ValueError:
            raise ValidationError(
                _("'%(value)s' is not a valid date and time (field '%(field)s').",
                  value=value, field=self.string, lang=record.env.lang), field=self.name) from None

    def convert_from_db(self, value: Any, record: "BaseModel") -> Any:
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        return value


class Selection(Field):
    """A value out of a list of ``(value, label)``; the list may be a method name."""

    type = "selection"
    column_type = sa.String
    _defaults = {**Field._defaults, "selection": ()}

    def __init__(self, selection: Sequence | str | Callable | None = None,
                 string: str | None = None, **kwargs: Any) -> None:
        if selection is not None:
            kwargs["selection"] = selection
        super().__init__(string, **kwargs)

    def get_values(self, env: Any) -> list[tuple[str, str]]:
        return resolve_selection(self, env)

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False or value == "":
            return None
        keys = [key for key, _label in self.get_values(record.env)]
        if value not in keys:
            raise ValidationError(
                _("'%(value)s' is not a valid choice for '%(field)s' (valid: %(keys)s).",
                  value=value, field=self.string, keys=", ".join(map(str, keys)),
                  lang=record.env.lang), field=self.name)
        return value

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env),
                "selection": [[k, _(v, lang=env.lang)] for k, v in self.get_values(env)]}


class Binary(Field):
    type = "binary"
    column_type = sa.LargeBinary
    _defaults = {**Field._defaults, "prefetch": False, "attachment": False}

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, str):
            import base64
            try:
                return base64.b64decode(value, validate=True)
            except ValueError:
                raise ValidationError(
                    _("'%(field)s' expects base64-encoded data.", field=self.string,
                      lang=record.env.lang), field=self.name) from None
        return bytes(value)


def image_type(data: bytes | None) -> str | None:
    """The MIME type of a PNG, JPEG, GIF or WebP image whose structure holds (header,
    non-zero size, framing), else None: a renamed page or an SVG (scripts) is refused."""
    import struct
    import zlib
    if not data or len(data) < 26:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        size, kind, width, height = struct.unpack(">I4sII", data[8:24])
        crc_ok = zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
        ok = kind == b"IHDR" and size == 13 and crc_ok and data[-8:-4] == b"IEND"
        return "image/png" if ok and width and height else None
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif" if width and height and data.endswith(b";") else None
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = struct.unpack("<I", data[4:8])[0]
        ok = data[12:16] in (b"VP8 ", b"VP8L", b"VP8X") and size + 8 == len(data)
        return "image/webp" if ok else None
    if data[:3] == b"\xff\xd8\xff":
        index = 2
        while index + 9 < len(data) and data[index] == 0xFF:
            marker = data[index + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[index + 5:index + 9])
                return "image/jpeg" if width and height else None
            if marker == 0xDA:  # image data before any frame header
                return None
            index += 2 + struct.unpack(">H", data[index + 2:index + 4])[0]
    return None


class Image(Binary):
    """A picture (PNG, JPEG, GIF or WebP, checked by its content, at most ``max_bytes``);
    a binary field the web client shows with the image widget."""

    max_bytes = 5 * 1024 * 1024

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        value = super().convert_to_cache(value, record)
        if value is not None and len(value) > self.max_bytes:
            raise ValidationError(
                _("The image for '%(field)s' is too large (%(size)s MB at most).",
                  field=self.string, size=self.max_bytes // (1024 * 1024),
                  lang=record.env.lang), field=self.name)
        if value is not None and image_type(value) is None:
            raise ValidationError(
                _("'%(field)s' only accepts PNG, JPEG, GIF or WebP images.", field=self.string,
                  lang=record.env.lang), field=self.name)
        return value

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env), "image": True}


class Json(Field):
    type = "json"

    def sa_type(self) -> sa.types.TypeEngine:
        return sa.JSON().with_variant(JSONB(), "postgresql")

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        if value is False:
            return None
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValidationError(
                _("'%(field)s' only accepts JSON-serialisable values.", field=self.string,
                  lang=record.env.lang), field=self.name) from None
        return value


from .fields_relational import Many2many, Many2one, One2many, Reference  # noqa: E402

__all__ = [
    "Field", "Char", "Text", "Html", "Integer", "Float", "Monetary", "Boolean", "Date",
    "Datetime", "Selection", "Binary", "Image", "Json", "Many2one", "One2many", "Many2many",
    "Reference", "translated_value",
]
