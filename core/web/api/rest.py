"""The REST API under ``/api/v1``: records of every model, as JSON.

``/api/v1/models/<model>``: ``GET`` lists (``domain``, ``fields``, ``order``, ``limit``,
``offset``), ``POST`` creates; ``/api/v1/models/<model>/<id>``: ``GET`` reads, ``PATCH``
updates (optimistic concurrency: the record's ``version`` in the body, or ``If-Match``),
``DELETE`` deletes; ``GET /api/v1/models/<model>/groups`` groups (``read_group``);
``POST /api/v1/models/<model>/call/<method>`` calls a public method (see
:mod:`.methods`). Callers authenticate with an API key or a session (see
:mod:`.credentials`). Errors are ``{"error": {"code", "message", ...}}`` with a stable
``code`` and the HTTP status of :data:`core.web.app.STATUS`; nothing else reaches the
client (an unexpected error gives a reference to quote, the traceback goes to the log).
"""
from __future__ import annotations

import functools
import json
from typing import Any, Callable

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ...exceptions import ConflictError, UserError, ValidationError
from ...i18n.translate import _
from ..http import Request, route
from .credentials import client_context, coded, rest_env
from .methods import call_rest, model_of
from .values import (INT32, check_input, database_refusals, many2one_value, rest_input,
                     rest_record, to_json)

PREFIX = "/api/v1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
RECORD = "/models/<model>/<int(min=1, max=2147483647):record_id>"
CATCH_ALL = PREFIX + "/<path:rest>"
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
              413: "payload_too_large", 415: "unsupported_media_type"}


# -- responses ---------------------------------------------------------------------------
def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json", headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_response(request: Request, exc: BaseException, status: int) -> Response:
    """The JSON error of every REST route (``on_error`` of :func:`api_route`)."""
    error: dict[str, Any] = {"status": status}
    if isinstance(exc, UserError):
        error.update(code=exc.code, message=str(exc))
        if isinstance(exc, ValidationError) and exc.field:
            error["field"] = exc.field
        if isinstance(exc, ConflictError):
            error["ids"] = list(exc.ids)
    elif isinstance(exc, HTTPException):
        error.update(code=HTTP_CODES.get(status, "http_error"),
                     message=exc.description or exc.name)
    else:
        error.update(code="internal_error", reference=request.reference,
                     message=_("An unexpected error happened; quote the reference "
                               "%(reference)s to your administrator.",
                               reference=request.reference, lang=request.lang))
    headers = {"WWW-Authenticate": 'Bearer realm="Comptoir"'} if status == 401 else None
    return json_response({"error": error}, status, headers)


def api_route(path: str, methods: tuple[str, ...]) -> Callable[[Callable], Callable]:
    """A REST endpoint: authenticated by :func:`~.credentials.rest_env` (API key, or
    session plus CSRF header), errors as JSON."""
    def decorate(func: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(func)
        def endpoint(request: Request, **arguments: Any) -> Response:
            with database_refusals():
                return func(request, **arguments)
        return route(PREFIX + path, methods=methods, auth="none", csrf=False,
                     on_error=error_response)(endpoint)
    return decorate


# -- request parameters --------------------------------------------------------------------
def body(request: Request) -> Any:
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    try:
        return check_input(json.loads(raw))
    except (ValueError, RecursionError):
        raise coded(UserError(_("The request body is not valid JSON.")), "invalid_json") \
            from None


def _param(request: Request, name: str) -> str | None:
    value = request.args.get(name)
    return check_input(value) if value not in (None, "") else None


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = _param(request, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise coded(UserError(_("'%(name)s' must be a whole number from %(low)s to %(high)s.",
                                name=name, low=low, high=high)), "invalid_parameter")
    return number


def domain_param(request: Request) -> list:
    value = _param(request, "domain")
    if value is None:
        return []
    try:
        domain = check_input(json.loads(value))
    except (ValueError, RecursionError):
        raise coded(ValidationError(_("'domain' must be a JSON list, such as "
                                      '[["name", "ilike", "acme"]].')), "invalid_domain") \
            from None
    if not isinstance(domain, list):
        raise coded(ValidationError(_("'domain' must be a JSON list.")), "invalid_domain")
    return domain


def names_param(request: Request, name: str) -> list[str]:
    value = _param(request, name)
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def fields_param(model: Any, request: Request) -> list[str] | None:
    names = names_param(request, "fields")
    for name in names:
        model._field_or_error(name, ValidationError)
    return list(dict.fromkeys(names)) or None


def _if_match(request: Request) -> str | None:
    header = request.headers.get("If-Match")
    if not header:
        return None
    return header.strip().removeprefix("W/").strip('"') or None


def _version(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or not 0 < number <= INT32[1]:
        raise ValidationError(_("'version' must be the record's version, a positive whole "
                                "number."), field="version")
    return number


def _record_response(model: Any, record_id: int, fields: list[str] | None = None,
                     status: int = 200) -> Response:
    if fields and "version" not in fields:
        fields = [*fields, "version"]
    row = rest_record(model, model.browse(record_id).read(fields)[0])
    headers = {"ETag": f'"{row["version"]}"'} if row.get("version") else {}
    if status == 201:
        headers["Location"] = f"{PREFIX}/models/{model._name}/{record_id}"
    return json_response(row, status, headers)


def _existing(model: Any, record_id: int) -> Any:
    records = model.browse(record_id)
    if not records.exists():
        raise records._missing_error([record_id])
    return records


# -- endpoints -------------------------------------------------------------------------------
@api_route("", ("GET",))
def index(request: Request) -> Response:
    return json_response({"openapi": f"{PREFIX}/openapi.json", "docs": f"{PREFIX}/docs",
                          "models": f"{PREFIX}/models/{{model}}"})


@api_route("/session", ("GET",))
def session(request: Request) -> Response:
    """Who the credentials stand for; with a session cookie, its CSRF token too (for the
    ``X-CSRF-Token`` header of later calls)."""
    env = rest_env(request)
    user = env.user
    data = {"uid": env.uid, "name": user.name, "login": user.login,
            "lang": env.context.get("lang"), "tz": env.context.get("tz"),
            "database": request.database.name}
    if not request.headers.get("Authorization") and request.session is not None:
        data["csrf_token"] = request.csrf
    return json_response(data)


@api_route("/models/<model>", ("GET",))
def list_records(request: Request, model: str) -> Response:
    env = rest_env(request)
    records_model = model_of(env, model)
    domain = domain_param(request)
    fields = fields_param(records_model, request)
    limit = int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = int_param(request, "offset", 0, 0, INT32[1])
    records = records_model.search(domain, order=_param(request, "order"), limit=limit,
                                   offset=offset)
    rows = records.read(fields) if records else []
    count = offset + len(records) if len(records) < limit and (records or not offset) \
        else records_model.search_count(domain)
    return json_response({"items": [rest_record(records_model, row) for row in rows],
                          "count": count, "offset": offset, "limit": limit})


@api_route("/models/<model>", ("POST",))
def create_record(request: Request, model: str) -> Response:
    env = rest_env(request)
    records_model = model_of(env, model)
    record = records_model.create(rest_input(records_model, body(request)))
    return _record_response(records_model, record.id, status=201)


@api_route(RECORD, ("GET",))
def read_record(request: Request, model: str, record_id: int) -> Response:
    records_model = model_of(rest_env(request), model)
    return _record_response(records_model, record_id, fields_param(records_model, request))


@api_route(RECORD, ("PATCH",))
def update_record(request: Request, model: str, record_id: int) -> Response:
    records_model = model_of(rest_env(request), model)
    vals = rest_input(records_model, body(request))
    version = vals.pop("version", None)
    if version is None:
        version = _if_match(request)
    if version is not None:
        vals["version"] = _version(version)
    _existing(records_model, record_id).write(vals)
    return _record_response(records_model, record_id)


@api_route(RECORD, ("DELETE",))
def delete_record(request: Request, model: str, record_id: int) -> Response:
    records_model = model_of(rest_env(request), model)
    records = _existing(records_model, record_id)
    version = _if_match(request)
    if version is not None and records.version != _version(version):
        raise records._conflict_error()
    records.unlink()
    return Response(status=204, headers={"Cache-Control": "no-store"})


@api_route("/models/<model>/groups", ("GET",))
def read_groups(request: Request, model: str) -> Response:
    records_model = model_of(rest_env(request), model)
    groupby = names_param(request, "groupby")
    if not groupby:
        raise coded(UserError(_("'groupby' names at least one field to group by.")),
                    "invalid_parameter")
    limit = int_param(request, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    offset = int_param(request, "offset", 0, 0, INT32[1])
    groups = records_model.read_group(domain_param(request), names_param(request, "aggregates"),
                                      groupby, offset=offset, limit=limit,
                                      orderby=_param(request, "orderby"), lazy=False)
    return json_response({"groups": [_group(records_model, groupby, group)
                                     for group in groups]})


def _group(model: Any, groupby: list[str], group: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in groupby:
        field = model._fields[spec.split(":")[0]]
        value = group[spec]
        if field.type == "many2one":
            values[spec] = many2one_value(value)
        else:
            values[spec] = None if value is False and field.type != "boolean" else to_json(value)
    result = {"group": values, "count": group["__count"],
              "aggregates": {key: to_json(value) for key, value in group.items()
                             if key not in groupby and not key.startswith("__")},
              "domain": to_json(group["__domain"])}
    if "__range" in group:
        result["range"] = to_json(group["__range"])
    return result


@api_route("/models/<model>/call/<method>", ("POST",))
def call(request: Request, model: str, method: str) -> Response:
    env = rest_env(request)
    data = body(request)
    if not isinstance(data, dict):
        raise coded(UserError(_("The request body must be a JSON object with 'ids', 'args' "
                                "and 'kwargs'.")), "invalid_arguments")
    context = client_context(request, data.get("context"))
    if context:
        env = env(context={**env.context, **context})
    result = call_rest(env, model, method, data.get("ids"), data.get("args"),
                       data.get("kwargs"))
    return json_response({"result": to_json(result)})


@route(CATCH_ALL, methods=("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
       auth="none", csrf=False, on_error=error_response)
def not_found(request: Request, rest: str) -> Response:
    """Unknown URLs under ``/api/v1`` answer in JSON too (404, or 405 with ``Allow``)."""
    adapter = request.app.url_map().bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PATCH", "DELETE"):
        try:
            rule, _args = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.rule != CATCH_ALL:
            allowed.append(method)
    if allowed:
        return json_response({"error": {"status": 405, "code": "method_not_allowed",
                                        "message": _("Use %(methods)s on this URL.",
                                                     methods=", ".join(allowed))}},
                             405, {"Allow": ", ".join(allowed)})
    return json_response({"error": {"status": 404, "code": "not_found",
                                    "message": _("There is no API endpoint at this URL.")}},
                         404)
