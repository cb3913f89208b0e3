"""The OpenAPI 3.1 document of the REST API, generated from the installed models.

One document per reader: it lists the models the user may read, the operations their
access rights allow (create, update, delete) and the fields their groups let them see —
custom ``x_`` fields included, since they are fields of the registry like any other.
Record schemas say what ``GET`` returns; ``-write`` schemas what ``POST``/``PATCH``
accept (writable fields only, with the bounds the columns can hold). The document is
cached per registry, groups and language, in the security cache (emptied whenever
access rights, rules or groups change).
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ... import __version__
from ...i18n.translate import _
from ...orm.model_write import MAGIC_FIELDS
from ...security import access
from .methods import is_model_level, public_methods
from .rest import DEFAULT_LIMIT, MAX_LIMIT, PREFIX
from .values import INT32, number_bounds

if TYPE_CHECKING:
    from ...orm import BaseModel, Environment
    from ...orm.fields import Field

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/"
ERRORS = {"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
          "409": "Conflict", "422": "Unprocessable"}
NUMERIC = ("integer", "float", "monetary")


def document(env: "Environment") -> dict[str, Any]:
    """The document for ``env``'s user (a fresh copy: callers may change it)."""
    key = ("openapi", access.user_group_ids(env, env.uid), env.lang)
    cache = access.cache_of(env)
    if key not in cache:
        cache[key] = _build(env)
    return copy.deepcopy(cache[key])


def _build(env: "Environment") -> dict[str, Any]:
    schemas: dict[str, Any] = dict(_common_schemas())
    paths: dict[str, Any] = {f"{PREFIX}/session": {"get": _session_operation()}}
    tags = []
    for name in sorted(env.registry.models):
        model = env[name]
        if model._abstract or not model._check_access("read", raise_exception=False):
            continue
        tags.append({"name": name, "description": _label(model._description or name)})
        schemas[name] = record_schema(model)
        schemas[f"{name}-write"] = write_schema(model)
        schemas[f"{name}-update"] = write_schema(model, update=True)
        schemas[f"{name}-page"] = {
            "type": "object", "required": ["items", "count", "offset", "limit"],
            "properties": {"items": {"type": "array", "items": {"$ref": REF + name}},
                           "count": {"type": "integer", "description": _(
                               "How many records match the domain.")},
                           "offset": {"type": "integer"}, "limit": {"type": "integer"}}}
        paths.update(_model_paths(model, PREFIX))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": _("Comptoir REST API"), "version": "1",
                 "x-comptoir-version": __version__,
                 "description": _("Records of every model you may read, as JSON. "
                                  "Authenticate with an API key (Preferences → API keys) "
                                  "sent as 'Authorization: Bearer <key>', or with your "
                                  "session cookie plus its CSRF token in the "
                                  "'X-CSRF-Token' header for calls that change data. "
                                  "Lists return at most %(max)s records (%(default)s by "
                                  "default).", max=MAX_LIMIT, default=DEFAULT_LIMIT)},
        "tags": tags,
        "paths": paths,
        "components": {"schemas": schemas, "parameters": _parameters(),
                       "responses": _error_responses(),
                       "securitySchemes": {
                           "apiKey": {"type": "http", "scheme": "bearer",
                                      "description": _("An API key of the user.")},
                           "session": {"type": "apiKey", "in": "cookie",
                                       "name": "comptoir_session",
                                       "description": _("The web client's session; calls "
                                                        "that change data also send the "
                                                        "'X-CSRF-Token' header.")}}},
        "security": [{"apiKey": []}, {"session": []}],
    }


def _error_responses() -> dict[str, Any]:
    descriptions = {
        "BadRequest": _("The request is malformed (invalid JSON, parameter or arguments)."),
        "Unauthorized": _("No valid credentials, or too many failed attempts."),
        "Forbidden": _("Access rights, record rules or the CSRF token refuse it."),
        "NotFound": _("No such model, record or method."),
        "Conflict": _("The record changed since the version the change is based on."),
        "Unprocessable": _("A value, domain or constraint is not valid."),
    }
    return {name: {"description": text, "content": {"application/json": {
        "schema": {"$ref": REF + "Error"}}}} for name, text in descriptions.items()}


def _label(text: str) -> str:
    return _(text) if text else text


# -- schemas ---------------------------------------------------------------------------
def _common_schemas() -> dict[str, Any]:
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message", "status"],
            "properties": {
                "code": {"type": "string", "description": _("A stable identifier of the "
                                                             "kind of error.")},
                "message": {"type": "string", "description": _("What went wrong, in the "
                                                                "user's language.")},
                "status": {"type": "integer"},
                "field": {"type": "string", "description": _("The field at fault.")},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "reference": {"type": "string"}}}}},
        "Many2one": {"type": "object", "required": ["id", "display_name"],
                     "properties": {"id": {"type": "integer"},
                                    "display_name": {"type": "string"}}},
        "Groups": {"type": "object", "required": ["groups"], "properties": {"groups": {
            "type": "array", "items": {
                "type": "object", "required": ["group", "count", "aggregates", "domain"],
                "properties": {"group": {"type": "object"}, "count": {"type": "integer"},
                               "aggregates": {"type": "object"},
                               "domain": {"type": "array"}, "range": {"type": "object"}}}}}},
        "CallRequest": {"type": "object", "additionalProperties": False, "properties": {
            "ids": {"type": "array", "items": {"type": "integer", "minimum": 1,
                                               "maximum": INT32[1]}},
            "args": {"type": "array"}, "kwargs": {"type": "object"},
            "context": {"type": "object"}}},
        "CallResult": {"type": "object", "required": ["result"],
                       "properties": {"result": {}}},
        "Session": {"type": "object", "required": ["uid", "name", "login", "database"],
                    "properties": {"uid": {"type": "integer"}, "name": {"type": "string"},
                                   "login": {"type": "string"},
                                   "lang": {"type": ["string", "null"]},
                                   "tz": {"type": ["string", "null"]},
                                   "database": {"type": "string"},
                                   "csrf_token": {"type": "string"}}},
    }


def visible_fields(model: "BaseModel") -> list["Field"]:
    return [field for field in model._fields.values() if model._field_visible(field)]


def writable(field: "Field") -> bool:
    return field.name not in MAGIC_FIELDS and not field.readonly


def record_schema(model: "BaseModel") -> dict[str, Any]:
    """What ``GET`` returns for a record of ``model`` (all fields optional: ``fields``
    chooses them; ``id`` always there)."""
    properties = {"id": {"type": "integer", "readOnly": True}}
    for field in visible_fields(model):
        if field.name != "id":
            properties[field.name] = field_schema(model, field, write=False)
    return {"type": "object", "title": _label(model._description or model._name),
            "required": ["id"], "properties": properties, "additionalProperties": False}


def write_schema(model: "BaseModel", update: bool = False) -> dict[str, Any]:
    """What ``POST`` (or, with ``update``, ``PATCH``) accepts: the writable fields; a
    creation needs the required ones, an update may send the ``version`` it is based
    on."""
    properties: dict[str, Any] = {}
    required = []
    for field in visible_fields(model):
        if not writable(field):
            continue
        properties[field.name] = field_schema(model, field, write=True)
        if field.required and field.default is None and field.type not in (
                "integer", "float", "monetary", "boolean"):
            required.append(field.name)
    if update:
        required = []
        properties["version"] = {"type": "integer", "minimum": 1, "maximum": INT32[1],
                                 "description": _("The version the change is based on.")}
    return {"type": "object", "title": _label(model._description or model._name),
            "properties": properties, "required": required, "additionalProperties": False}


def field_schema(model: "BaseModel", field: "Field", write: bool) -> dict[str, Any]:
    """The JSON Schema of one field's value, as read or as written."""
    kind = field.type
    schema: dict[str, Any]
    if kind in ("char", "text", "html"):
        schema = {"type": ["string", "null"]}
        if write and kind == "char" and field.size:
            schema["maxLength"] = field.size
    elif kind == "selection":
        schema = {"enum": [key for key, _label in field.get_values(model.env)] + [None]}
    elif kind in NUMERIC:
        schema = {"type": "integer" if kind == "integer" else "number"}
        bounds = number_bounds(field)
        if write and bounds:
            schema.update(minimum=bounds[0], maximum=bounds[1])
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind in ("date", "datetime"):
        schema = {"type": ["string", "null"], "format": "date" if kind == "date" else
                  "date-time"}
    elif kind == "many2one":
        schema = {"type": ["integer", "null"], "minimum": 1, "maximum": INT32[1]} if write \
            else {"oneOf": [{"$ref": REF + "Many2one"}, {"type": "null"}]}
    elif kind in ("one2many", "many2many"):
        item = {"type": "integer"}
        if write:
            item.update(minimum=1, maximum=INT32[1])
        schema = {"type": "array", "items": item}
    elif kind == "binary":
        schema = {"type": ["string", "null"], "contentEncoding": "base64"}
    elif kind == "reference":
        schema = {"type": ["string", "null"]}
        if write:
            schema["pattern"] = r"^[a-z_][a-z0-9_.]*,[0-9]{1,9}$"
    else:  # json, and types an addon adds
        schema = {}
    description = _label(field.string or field.name)
    if field.help:
        description += " — " + _label(field.help)
    if getattr(field, "comodel_name", None):
        description += f" ({field.comodel_name})"
    schema["description"] = description
    if not write and field.readonly:
        schema["readOnly"] = True
    return schema


# -- operations --------------------------------------------------------------------------------
def _parameters() -> dict[str, Any]:
    def query(name: str, description: str, **schema: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema or {"type": "string"}}

    return {
        "domain": query("domain", _("A search domain as JSON, such as "
                                    '[["name", "ilike", "acme"]].')),
        "fields": query("fields", _("Field names separated by commas (default: all).")),
        "order": query("order", _("Sort order, such as 'name desc, id'.")),
        "limit": query("limit", _("How many records at most."), type="integer", minimum=1,
                       maximum=MAX_LIMIT, default=DEFAULT_LIMIT),
        "offset": query("offset", _("How many records to skip."), type="integer", minimum=0,
                        maximum=INT32[1], default=0),
        "groupby": {**query("groupby", _("Fields to group by, separated by commas; dates "
                                         "take a granularity, such as 'date:month'.")),
                    "required": True},
        "aggregates": query("aggregates", _("Aggregates separated by commas, such as "
                                            "'amount:sum' (a bare field uses its default).")),
        "orderby": query("orderby", _("Order of the groups, such as '__count desc'.")),
        "id": {"name": "id", "in": "path", "required": True, "description": _("Record id."),
               "schema": {"type": "integer", "minimum": 1, "maximum": INT32[1]}},
        "If-Match": {"name": "If-Match", "in": "header", "required": False,
                     "description": _("The record version the change is based on (as "
                                      "its ETag gives it)."),
                     "schema": {"type": "string", "pattern": r'^"[1-9][0-9]{0,8}"$'}},
    }


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: {"$ref": f"#/components/responses/{ERRORS[code]}"}
            for code in (codes or ERRORS)}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": REF + schema}}}}


def _session_operation() -> dict[str, Any]:
    return {"operationId": "session", "summary": _("Who the credentials stand for"),
            "tags": [], "responses": {"200": _json("Session", _("The user.")),
                                      **_errors("401")}}


def _model_paths(model: "BaseModel", prefix: str) -> dict[str, Any]:
    name = model._name
    label = _label(model._description or name)

    def operation(verb: str, summary: str, **extra: Any) -> dict[str, Any]:
        return {"operationId": f"{name}.{verb}", "summary": summary, "tags": [name], **extra}

    def body(schema: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": REF + schema}}}}

    allowed = {op: model._check_access(op, raise_exception=False)
               for op in ("create", "write", "unlink")}
    base = f"{prefix}/models/{name}"
    collection: dict[str, Any] = {"get": operation(
        "list", _("List %(model)s records", model=label),
        parameters=[_param(p) for p in ("domain", "fields", "order", "limit", "offset")],
        responses={"200": _json(f"{name}-page", _("A page of records.")), **_errors()})}
    if allowed["create"]:
        collection["post"] = operation(
            "create", _("Create a %(model)s record", model=label),
            requestBody=body(f"{name}-write"),
            responses={"201": _json(name, _("The new record.")), **_errors()})
    record: dict[str, Any] = {"parameters": [_param("id")], "get": operation(
        "read", _("Read a %(model)s record", model=label), parameters=[_param("fields")],
        responses={"200": _json(name, _("The record.")), **_errors()})}
    if allowed["write"]:
        record["patch"] = operation(
            "update", _("Update a %(model)s record", model=label),
            description=_("Send 'version' (in the body or If-Match) to refuse the change "
                          "when someone else changed the record meanwhile (409)."),
            parameters=[_param("If-Match")], requestBody=body(f"{name}-update"),
            responses={"200": _json(name, _("The updated record.")), **_errors()})
    if allowed["unlink"]:
        record["delete"] = operation(
            "delete", _("Delete a %(model)s record", model=label),
            parameters=[_param("If-Match")],
            responses={"204": {"description": _("Deleted.")}, **_errors()})
    methods = public_methods(model)
    return {
        base: collection,
        f"{base}/{{id}}": record,
        f"{base}/groups": {"get": operation(
            "groups", _("Group %(model)s records", model=label),
            parameters=[_param(p) for p in ("groupby", "aggregates", "domain", "orderby",
                                            "limit", "offset")],
            responses={"200": _json("Groups", _("One entry per group.")), **_errors()})},
        f"{base}/call/{{method}}": {"post": operation(
            "call", _("Call a method of %(model)s", model=label),
            description=_("Model methods: %(model)s. Record methods (pass 'ids'): "
                          "%(records)s.",
                          model=", ".join(m for m in methods if is_model_level(model, m)),
                          records=", ".join(m for m in methods
                                            if not is_model_level(model, m)) or "-"),
            parameters=[{"name": "method", "in": "path", "required": True,
                         "schema": {"enum": methods}}],
            requestBody={"required": False, "content": {"application/json": {
                "schema": {"$ref": REF + "CallRequest"}}}},
            responses={"200": _json("CallResult", _("What the method returned.")),
                       **_errors()})},
    }

