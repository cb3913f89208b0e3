"""``/api/v1/openapi.json`` and its browsable reference page ``/api/v1/docs``.

Both show what the caller may use (see :mod:`.schema`): the document answers REST
credentials (API key or session); the page is for logged-in users of the web client.
"""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ...i18n.translate import _
from ..http import Request, route
from .credentials import rest_env
from .rest import PREFIX, api_route, json_response
from .schema import document, visible_fields, writable

VERBS = ("get", "post", "patch", "delete")


@api_route("/openapi.json", ("GET",))
def openapi_json(request: Request) -> Response:
    """The document; ``?models=res.partner,crm.lead`` keeps only these models (a client
    generated for a few models needs no more)."""
    spec = document(rest_env(request))
    wanted = request.args.get("models")
    if wanted:
        spec = only_models(spec, {name.strip() for name in wanted.split(",")})
    return json_response(spec)


def only_models(spec: dict[str, Any], models: set[str]) -> dict[str, Any]:
    """``spec`` without the paths, tags and schemas of the models not in ``models``."""
    dropped = {tag["name"] for tag in spec["tags"]} - models
    models_path = f"{PREFIX}/models/"
    spec["tags"] = [tag for tag in spec["tags"] if tag["name"] not in dropped]
    spec["paths"] = {path: item for path, item in spec["paths"].items()
                     if not path.startswith(models_path) or
                     path[len(models_path):].split("/")[0] not in dropped}
    schemas = spec["components"]["schemas"]
    spec["components"]["schemas"] = {
        name: schema for name, schema in schemas.items()
        if name.removesuffix("-write").removesuffix("-update").removesuffix("-page")
        not in dropped}
    return spec


@route(PREFIX + "/docs", auth="user")
def reference(request: Request) -> Response:
    env = request.env
    spec = document(env)
    operations: dict[str, list[dict[str, str]]] = {}
    for path, item in spec["paths"].items():
        for verb in VERBS:
            operation = item.get(verb)
            if operation and operation.get("tags"):
                operations.setdefault(operation["tags"][0], []).append(
                    {"verb": verb.upper(), "path": path, "summary": operation["summary"],
                     "description": operation.get("description", "")})
    models = []
    for tag in spec["tags"]:
        model = env[tag["name"]]
        models.append({"name": tag["name"], "label": tag["description"],
                       "anchor": "model-" + tag["name"].replace(".", "-"),
                       "operations": operations.get(tag["name"], []),
                       "fields": [_field_row(model, field) for field in visible_fields(model)]})
    return request.render("api/reference.html", models=models, spec=spec, prefix=PREFIX,
                          database=request.database.name,
                          apps=env["ir.ui.menu"].visible_tree(), app=None,
                          title=_("REST API reference", lang=request.lang))


def _field_row(model: Any, field: Any) -> dict[str, Any]:
    kind = field.type
    if getattr(field, "comodel_name", None):
        kind = f"{kind} → {field.comodel_name}"
    return {"name": field.name, "type": kind, "label": _(field.string or field.name),
            "help": _(field.help) if field.help else "",
            "required": bool(field.required), "writable": writable(field),
            "custom": field.name.startswith("x_")}
