"""Custom fields: rows of ``ir.model.fields`` (``state='manual'``) that become real fields.

An admin adds a field to any model at runtime (Settings > Technical > Custom Fields,
``comptoir fields add`` or ``env['ir.model.fields'].create``). The row is the truth:
whenever a registry is built for a database, :func:`load_custom_fields` (called by
``build_registry``) turns every manual row into a field of its model, with its label,
help, required flag, default, index, groups, selection options or relation. A row that
cannot become a field (its model or relation is gone) is skipped with a warning: the
database stays usable.

Creating one adds its column in the same transaction (``ALTER TABLE ... ADD COLUMN``,
nullable, so neither SQLite nor PostgreSQL rewrites the table; ``required`` is enforced
by the ORM) or, for a many2many, its relation table; then the database's registry
version is bumped, so every worker -- this one included -- rebuilds its registry before
its next request. The environment that made the change keeps its registry (it is shared
with requests running meanwhile): go on with :func:`reload_env` in the same transaction,
or in the next request/transaction, as the web client does by redirecting after a save.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Mapping

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ..exceptions import ValidationError
from ..i18n.translate import _, catalogs
from ..orm import fields as F
from ..orm import signals
from ..orm.schema import add_column, drop_columns, drop_tables

if TYPE_CHECKING:
    from ..orm import Environment, Registry

_logger = logging.getLogger(__name__)

#: the types a custom field may have, and their field classes
FIELD_CLASSES: dict[str, type[F.Field]] = {
    "char": F.Char, "text": F.Text, "integer": F.Integer, "float": F.Float,
    "monetary": F.Monetary, "boolean": F.Boolean, "date": F.Date, "datetime": F.Datetime,
    "selection": F.Selection, "many2one": F.Many2one, "many2many": F.Many2many,
}
RELATIONAL = ("many2one", "many2many")
TRANSLATABLE = ("char", "text")
NAME_PATTERN = re.compile(r"^x_[a-z][a-z0-9_]*$")
MAX_NAME = 50  # leaves room for index and relation table names (PostgreSQL: 63)
#: what a field row may not change once created (drop the field and add another)
FROZEN = ("name", "model", "model_id", "ttype", "relation", "translate", "state")
#: what changes the field a registry builds from the row
REGISTRY_KEYS = frozenset({"field_description", "help", "required", "index", "groups",
                           "default_value", "selection_ids"})
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
_CHANGED = "custom_fields_changed"

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_metadata = sa.MetaData()
FIELDS_TABLE = sa.Table(
    "ir_model_fields", _metadata, sa.Column("id", sa.Integer), sa.Column("name", sa.String),
    sa.Column("model", sa.String), sa.Column("ttype", sa.String),
    sa.Column("field_description", _JSON), sa.Column("help", _JSON),
    sa.Column("relation", sa.String), sa.Column("required", sa.Boolean),
    sa.Column("index", sa.Boolean), sa.Column("translate", sa.Boolean),
    sa.Column("groups", sa.String), sa.Column("default_value", sa.String),
    sa.Column("state", sa.String))
OPTIONS_TABLE = sa.Table(
    "ir_model_fields_selection", _metadata, sa.Column("id", sa.Integer),
    sa.Column("field_id", sa.Integer), sa.Column("value", sa.String),
    sa.Column("name", _JSON), sa.Column("sequence", sa.Integer))
#: messages this module put in the catalogues (it may replace them, never shipped ones)
_OWN_MESSAGES: set[tuple[str, str]] = set()


# -- rows to fields (when a registry is built) -----------------------------------------------
def load_custom_fields(registry: "Registry", conn: sa.Connection) -> int:
    """Add the database's custom fields to ``registry`` (before its ``setup()``); returns
    how many. Reads the rows with two queries, as ``conn``'s transaction sees them."""
    rows, options = _read_rows(conn)
    by_model: dict[str, dict[str, F.Field]] = defaultdict(dict)
    for row in rows:
        where = f"custom field {row['model']}.{row['name']}"
        if not registry.declares(row["model"]):
            _logger.warning("%s skipped: model %s is not installed", where, row["model"])
            continue
        if row["ttype"] in RELATIONAL and not registry.declares(row.get("relation") or ""):
            _logger.warning("%s skipped: related model %s is not installed", where,
                            row.get("relation"))
            continue
        try:
            by_model[row["model"]][row["name"]] = make_field(row, options.get(row["id"], []))
        except (ValidationError, KeyError, ValueError) as exc:
            _logger.warning("%s skipped: %s", where, exc)
    for model, fields in by_model.items():
        registry.add_fields(model, fields)
    return sum(len(fields) for fields in by_model.values())


def _read_rows(conn: sa.Connection) -> tuple[list[dict[str, Any]], dict[int, list]]:
    inspector = sa.inspect(conn)
    if not inspector.has_table(FIELDS_TABLE.name):
        return [], {}
    # columns added by later versions may not exist yet (an upgrade reads before syncing)
    live = {column["name"] for column in inspector.get_columns(FIELDS_TABLE.name)}
    columns = [c for c in FIELDS_TABLE.c if c.name in live]
    rows = [dict(r._mapping) for r in conn.execute(
        sa.select(*columns).where(FIELDS_TABLE.c.state == "manual")
        .order_by(FIELDS_TABLE.c.id))]
    options: dict[int, list] = defaultdict(list)
    if rows and inspector.has_table(OPTIONS_TABLE.name):
        table = OPTIONS_TABLE
        for option in conn.execute(sa.select(table).where(
                table.c.field_id.in_([r["id"] for r in rows]))
                .order_by(table.c.sequence, table.c.id)):
            options[option.field_id].append((option.value, texts(option.name)))
    return rows, options


def make_field(row: Mapping[str, Any], options: list[tuple[str, dict[str, str]]]) -> F.Field:
    """The field a manual ``ir.model.fields`` row describes (``options``: the selection's
    ``(value, {lang: label})``, in order). Labels in other languages join the catalogues."""
    ttype = row["ttype"]
    label = _english(row.get("field_description")) or row["name"]
    kwargs: dict[str, Any] = {"string": label, "required": bool(row.get("required")),
                              "index": bool(row.get("index")) or ttype == "many2one"}
    _learn(label, texts(row.get("field_description")))
    help_text = _english(row.get("help"))
    if help_text:
        kwargs["help"] = help_text
        _learn(help_text, texts(row.get("help")))
    if row.get("groups"):
        kwargs["groups"] = row["groups"]
    if ttype in TRANSLATABLE and row.get("translate"):
        kwargs["translate"] = True
    if ttype == "selection":
        kwargs["selection"] = []
        for value, names in options:
            english = _english(names) or value
            kwargs["selection"].append((value, english))
            _learn(english, names)
    if ttype == "many2one":
        kwargs.update(comodel_name=row["relation"], ondelete="set null")
    elif ttype == "many2many":
        kwargs.update(comodel_name=row["relation"],
                      relation=relation_table(row["model"], row["name"]))
    if row.get("default_value") not in (None, False, ""):
        try:
            kwargs["default"] = parse_default(ttype, row["default_value"],
                                              [v for v, _names in options])
        except ValidationError as exc:  # a bad default must not hide the field's data
            _logger.warning("custom field %s.%s: default ignored: %s", row["model"],
                            row["name"], exc)
    return FIELD_CLASSES[ttype](**kwargs)


def relation_table(model: str, name: str) -> str:
    """A custom many2many's own relation table (two of them never share one)."""
    return f"x_{model.replace('.', '_')}_{name[2:]}_rel"


def texts(value: Any) -> dict[str, str]:
    """A translated column's ``{lang: text}`` (a plain string is English)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {"en_US": value}
    return {k: v for k, v in value.items() if v} if isinstance(value, dict) else {}


def _english(value: Any) -> str:
    found = texts(value)
    return found.get("en_US") or next(iter(found.values()), "")


def _learn(english: str, texts: Mapping[str, str]) -> None:
    """Labels are translated like every label, through the catalogues: teach them the
    admin's translations (without overriding a translation an addon ships)."""
    for lang, text in texts.items():
        if lang == "en_US" or not text or text == english:
            continue
        shipped = catalogs._messages.get(lang, {}).get(english)
        if shipped is None or (lang, english) in _OWN_MESSAGES:
            catalogs.add(lang, {english: text})
            _OWN_MESSAGES.add((lang, english))


def parse_default(ttype: str, text: str, options: list[str] | None = None) -> Any:
    """A default written as text, as a value of ``ttype`` (ValidationError otherwise)."""
    raw = str(text).strip()
    try:
        if ttype in ("char", "text"):
            return str(text)
        if ttype == "integer":
            return int(raw)
        if ttype in ("float", "monetary"):
            return float(raw)
        if ttype == "boolean" and raw.lower() in TRUE_WORDS + FALSE_WORDS:
            return raw.lower() in TRUE_WORDS
        if ttype == "date":
            return dt.date.fromisoformat(raw)
        if ttype == "datetime":
            return dt.datetime.fromisoformat(raw).replace(microsecond=0)
        if ttype == "selection" and (options is None or raw in options):
            return raw
    except ValueError:
        pass
    if ttype in RELATIONAL:
        message = _("A %(type)s field cannot have a default value.", type=ttype)
    elif ttype == "selection":
        message = _("The default '%(value)s' is not one of the options (%(options)s).",
                    value=raw, options=", ".join(options or ()))
    else:
        examples = {"integer": "42", "float": "3.5", "monetary": "99.90",
                    "boolean": "true / false", "date": "2024-12-31",
                    "datetime": "2024-12-31 17:30:00"}
        message = _("The default '%(value)s' is not a valid %(type)s value (e.g. "
                    "%(example)s).", value=raw, type=ttype, example=examples.get(ttype, ""))
    raise ValidationError(message, field="default_value")


# -- checking what an admin asks for ----------------------------------------------------------
def check_new_field(env: "Environment", vals: Mapping[str, Any]) -> None:
    """Refuse, with the offending field named, a custom field that cannot be created."""
    name, model_name, ttype = vals.get("name") or "", vals.get("model") or "", vals.get("ttype")
    if not model_name or model_name not in env.registry:
        raise ValidationError(_("Choose the model the field is added to."), field="model_id")
    model = env.registry[model_name]
    if model._abstract or not model._auto:
        raise ValidationError(_("%(model)s has no table of its own: fields cannot be added "
                                "to it.", model=model_name), field="model_id")
    if not NAME_PATTERN.match(name) or len(name) > MAX_NAME:
        raise ValidationError(_("'%(name)s' is not a valid field name: lowercase letters, "
                                "digits and underscores, starting with a letter, at most "
                                "%(max)s characters.", name=name, max=MAX_NAME), field="name")
    if name in model._fields or _column_exists(env.conn, model._table, name):
        raise ValidationError(_("%(model)s already has a field '%(name)s'.", model=model_name,
                                name=name), field="name")
    if ttype not in FIELD_CLASSES:
        raise ValidationError(_("A custom field's type is one of: %(types)s.",
                                types=", ".join(FIELD_CLASSES)), field="ttype")
    relation = vals.get("relation") or ""
    if ttype in RELATIONAL:
        target = env.registry.models.get(relation)
        if target is None or target._abstract or not target._auto:
            raise ValidationError(_("Choose the model a %(type)s field links to.",
                                    type=ttype), field="relation_model_id")
        if ttype == "many2many" and sa.inspect(env.conn).has_table(
                relation_table(model_name, name)):
            raise ValidationError(_("The table %(table)s already exists: choose another "
                                    "name.", table=relation_table(model_name, name)),
                                  field="name")
    elif relation:
        raise ValidationError(_("Only many2one and many2many fields link to a model."),
                              field="relation_model_id")
    if vals.get("translate") and ttype not in TRANSLATABLE:
        raise ValidationError(_("Only char and text fields can be translatable."),
                              field="translate")


def check_groups(env: "Environment", groups: str | None) -> None:
    for xml_id in (g.strip().lstrip("!") for g in (groups or "").split(",")):
        if xml_id and not env(su=True).ref(xml_id, raise_if_not_found=False):
            raise ValidationError(_("Unknown group '%(group)s' (give external ids such as "
                                    "base.group_user).", group=xml_id), field="groups")


def _column_exists(conn: sa.Connection, table: str, column: str) -> bool:
    return any(c["name"] == column for c in sa.inspect(conn).get_columns(table))


# -- the schema and the registry ----------------------------------------------------------
def changed(env: "Environment") -> None:
    """Custom fields changed: once committed, every worker rebuilds its registry. (One
    UPDATE per change: a savepoint rolled back may have undone an earlier bump.)"""
    env.transaction.__dict__[_CHANGED] = True
    signals.bump_registry(env.conn)


def changed_in(env: "Environment") -> bool:
    """Whether custom fields changed in ``env``'s transaction (the installer then
    rebuilds the registry it had built before loading data)."""
    return bool(env.transaction.__dict__.get(_CHANGED))


def fresh_registry(env: "Environment") -> "Registry":
    """The registry of ``env``'s addons with the custom fields as its transaction sees
    them (``env.registry`` itself is never changed: other requests share it)."""
    from .loading import build_registry
    manifests = env.registry.manifests  # type: ignore[attr-defined]
    return build_registry(manifests, list(manifests), env.conn)


def reload_env(env: "Environment") -> "Environment":
    """An environment on a fresh registry and the same transaction: where a field just
    created (or changed) in this transaction can be used."""
    from ..orm import Environment
    env.flush()
    return Environment(fresh_registry(env), env.conn, uid=env.uid, context=env.context,
                       su=env.su)


def add_to_schema(env: "Environment", fields: list[tuple[str, str]]) -> None:
    """Columns (or relation tables) of the new ``(model, name)`` fields, at once."""
    registry = fresh_registry(env)
    conn = env.conn
    for model_name, name in fields:
        model = registry.models[model_name]
        field = model._fields.get(name)
        if field is None:  # make_field refused the row: tell why, do not half-create
            raise ValidationError(_("The field %(name)s could not be set up; see the "
                                    "server log.", name=name), field="name")
        if field.type == "many2many":
            registry.metadata.tables[field.relation].create(conn, checkfirst=True)
        else:
            add_column(conn, model._sa_table, model._sa_table.c[name])
    changed(env)


def sync_index(env: "Environment", model_name: str, name: str, wanted: bool) -> None:
    """Create or drop the single-column index of a custom field."""
    model = env.registry.models.get(model_name)
    if model is None or model._fields.get(name) is None or \
            model._fields[name].type == "many2many":
        return
    index_name = f"ix_{model._table}_{name}"
    live = {ix["name"] for ix in sa.inspect(env.conn).get_indexes(model._table)}
    column = sa.Table(model._table, sa.MetaData(), sa.Column(name)).c[name]
    if wanted and index_name not in live:
        sa.Index(index_name, column).create(env.conn)
    elif not wanted and index_name in live:
        sa.Index(index_name, column).drop(env.conn)


def value_count(env: "Environment", model_name: str, name: str, ttype: str) -> int:
    """How many records hold a value in the field (what removing it would delete)."""
    model = env.registry.models.get(model_name)
    if model is None:
        return 0
    conn = env.conn
    if ttype == "many2many":
        table = relation_table(model_name, name)
        if not sa.inspect(conn).has_table(table):
            return 0
        first = sa.inspect(conn).get_columns(table)[0]["name"]
        rel = sa.table(table, sa.column(first))
        return conn.execute(sa.select(sa.func.count(sa.distinct(rel.c[first])))).scalar_one()
    if not _column_exists(conn, model._table, name):
        return 0
    column = sa.column(name, sa.Boolean if ttype == "boolean" else None)
    table = sa.table(model._table, column)
    condition = column.is_(True) if ttype == "boolean" else column.is_not(None)
    return conn.execute(sa.select(sa.func.count()).select_from(table)
                        .where(condition)).scalar_one()


def drop_from_schema(env: "Environment", model_name: str, name: str, ttype: str) -> None:
    """Drop the column or relation table of a removed custom field (when still there)."""
    model = env.registry.models.get(model_name)
    if ttype == "many2many":
        drop_tables(env.conn, [relation_table(model_name, name)])
    elif model is not None and not model._abstract:
        drop_columns(env.conn, model._table, [name])
    changed(env)
