"""The merge wizard: ``/web/merge?model=<model>&ids=<id,id...>`` for records of any model.

The page shows the records side by side, the oldest chosen as the one kept (the user may
choose another and update the preview), the values the kept record will have (its own,
its empty fields filled from the others when asked), and how many references will move
to it. Nothing is merged until the user confirms (the *Merge* button: a POST with the
CSRF token; the form's other button only updates the preview); the merge
itself is :func:`core.merge.merge_records`, in the request's transaction, and the user is
then taken to the kept record.

Reached from a list's bulk operations (an addon registers one for its model, as
``crm_base`` does for partners), from links such as the partners' duplicates banner,
or typed. Optional query arguments: ``target`` (the record to keep), ``fill=0`` (do not
fill the empty fields), ``action`` (the window action whose form shows the kept record
afterwards) and ``back`` (where *Cancel* goes).
"""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, UserError, ValidationError
from ...i18n.translate import _
from ...merge import can_merge, check_merge_access, merge_preview, merge_records
from ..http import Request, route
from . import values
from .controllers import _menus

#: records shown side by side at most
MAX_RECORDS = 10


def _parse(request: Request) -> tuple[Any, list[int]]:
    """The model (as the user) and the ids asked for, checked."""
    data = request.values
    name = data.get("model") or ""
    if name not in request.env.registry.models or \
            request.env.registry.models[name]._abstract:
        raise NotFound()
    raw = data.getlist("ids")
    try:
        ids = list(dict.fromkeys(int(part) for item in raw for part in item.split(",")
                                 if part.strip()))
    except ValueError:
        raise ValidationError(_("The records to merge are given as ids separated by "
                                "commas.", lang=request.lang), field="ids") from None
    if len(ids) < 2:
        raise ValidationError(_("Choose at least two records to merge.", lang=request.lang),
                              field="ids")
    if len(ids) > MAX_RECORDS:
        raise ValidationError(_("Merge at most %(count)s records at once.",
                                count=MAX_RECORDS, lang=request.lang), field="ids")
    model = request.env[name].with_context(active_test=False)
    if not can_merge(model):
        raise AccessError(_("You may not merge %(model)s records: merging removes records, "
                            "which needs the right to delete them.",
                            model=_(model._description or name, lang=request.lang),
                            lang=request.lang))
    return model, ids


def _records(model: Any, ids: list[int]) -> Any:
    """The records, oldest first, read as the user (a missing one: 404)."""
    order = "create_date, id" if "create_date" in model._fields else "id"
    records = model.search([("id", "in", ids)], order=order)
    if len(records) != len(ids):
        if len(model.sudo().browse(ids).exists()) != len(ids):
            raise NotFound()
        raise AccessError(_("You may not see all of these records.",
                            lang=model.env.lang))
    return records


def _safe(url: str | None) -> str:
    return url if url and url.startswith("/") and not url.startswith("//") and \
        "\\" not in url else ""


def _action_id(request: Request, model: Any) -> int | None:
    """The window action showing the kept record afterwards: the one given, when it is
    for this model, else the model's first one."""
    actions = request.env(su=True)["ir.actions.act_window"]
    wanted = request.values.get("action", type=int)
    if wanted:
        action = actions.browse(wanted).exists()
        if action and action.res_model == model._name:
            return action.id
    found = actions.search([("res_model", "=", model._name)], limit=1)
    return found.id or None


def _back(request: Request, action_id: int | None, target_id: int) -> str:
    back = _safe(request.values.get("back")) or _safe(
        (request.referrer or "").split(request.host_url.rstrip("/"), 1)[-1]
        if request.referrer and request.referrer.startswith(request.host_url) else "")
    if back.startswith("/web/merge"):
        back = ""
    return back or (f"/web/action/{action_id}/{target_id}" if action_id else "/web")


def _page(request: Request, model: Any, ids: list[int], status: int = 200,
          error: str = "") -> Response:
    records = _records(model, ids)
    target_id = request.values.get("target", type=int)
    if target_id not in records.ids:
        target_id = records.ids[0]
    target = records.browse(target_id)
    fill = request.values.get("fill", "1") != "0"
    form = request.env["ir.ui.view"].get_view(model._name, "form")
    preview = merge_preview(target, records - target, fill_empty=fill,
                            field_names=list(form.fields))
    rows = [f for f in preview.fields if any(not _blank(v) for v in f.values.values())]
    described = model.fields_get([f.name for f in rows],
                                 attributes=["type", "string", "selection", "relation",
                                             "digits"]) if rows else {}
    tz = request.env.context.get("tz") or "UTC"
    action_id = _action_id(request, model)
    lang = request.lang

    def show(name: str, value: Any) -> str:
        return values.display(value, described.get(name, {}), lang, tz) or ""

    comparison = [{"label": f.label, "kept": show(f.name, f.kept), "kept_from": f.kept_from,
                   "cells": [(rec_id, show(f.name, f.values.get(rec_id))) for rec_id in
                             records.ids],
                   "differs": len({show(f.name, v) for v in f.values.values()}) > 1}
                  for f in rows]
    created = {r["id"]: r.get("create_date") for r in records.read(["create_date"])} \
        if "create_date" in model._fields else {}
    title = _("Merge %(count)s %(model)s records", count=len(records),
              model=_(model._description or model._name, lang=lang), lang=lang)
    return request.render(
        "client/merge.html", status=status, **_menus(request), title=title, error=error,
        model=model, records=[(r.id, r.display_name, created.get(r.id)) for r in records],
        target_id=target_id, fill=fill, comparison=comparison, preview=preview,
        action_id=action_id or "", back=_back(request, action_id, target_id),
        ids=",".join(str(i) for i in records.ids),
        display=values.display, tz=tz, archives="active" in model._fields)


def _blank(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


@route("/web/merge", methods=("GET", "POST"), auth="user")
def merge_wizard(request: Request) -> Response:
    """GET, or POST without ``confirm``: the comparison (the kept record as chosen);
    POST with ``confirm``: the merge, then the kept record's form."""
    model, ids = _parse(request)
    records = _records(model, ids)
    target_id = request.values.get("target", type=int)
    target = records.browse(target_id if target_id in records.ids else records.ids[0])
    check_merge_access(target, records - target)
    if request.method != "POST" or not request.form.get("confirm"):
        return _page(request, model, ids)
    if target_id not in records.ids:
        raise ValidationError(_("Choose the record to keep among those merged.",
                                lang=request.lang), field="target")
    try:
        with request.env.savepoint():
            merge_records(target, records - target,
                          fill_empty=request.form.get("fill", "1") != "0")
    except AccessError:
        raise
    except UserError as exc:
        return _page(request, model, ids, status=422, error=str(exc))
    action_id = _action_id(request, model)
    url = f"/web/action/{action_id}/{target.id}" if action_id else "/web"
    return redirect(url, code=303)


ROUTES = [merge_wizard]
