"""The import wizard of the list views: upload a CSV or XLSX file, map its columns, test,
import, download the rejected rows.

URLs under a list's action (``/web/action/<action>/import``): the upload page, then
``/<token>`` the mapping page (each column's field or "do not import", a preview of the
first rows converted with the problems of each cell, the key column, the prefix and the
duplicate policy), whose buttons refresh the preview, *test* (a dry run: everything done,
then rolled back, showing what would happen, with a policy per duplicate row) and
*import*; ``/<token>/done`` is the result and ``/<token>/rejects`` the rejected rows'
file. The uploaded file waits in the file store under its token
(:class:`core.imports.uploads.UploadStore`), never in the session.

Only users who may create records of the action's model get the Import entry; the routes
answer 403 to the others. Records are created with the action's context defaults (the
"Accounts" list imports companies).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import UserError, ValidationError
from ...i18n.translate import _
from ...imports import (POLICIES, ImportOptions, ImportResult, importable_fields, prepare,
                        preview, read_file, run_import)
from ...imports.keys import check_prefix
from ...imports.uploads import UploadStore
from ..http import Request, route
from .controllers import _action, _context

MAX_UPLOAD_MB = 50
SHOWN_ROWS = 200


def _model(request: Request, action: Any) -> Any:
    """The action's model with its context defaults; refused (403) without create
    rights."""
    defaults = {k: v for k, v in action._eval_context().items() if k.startswith("default_")}
    model = request.env[action.res_model].with_context(**defaults)
    model._check_access("create")
    return model


def _page(request: Request, action: Any, template: str, status: int = 200,
          **values: Any) -> Response:
    page = {**_context(request, action),
            "title": _("Import %(name)s", name=action.name, lang=request.lang),
            "base": f"/web/action/{action.id}/import", "list_url": f"/web/action/{action.id}"}
    return request.render(template, status=status, **page, **values)


@route("/web/action/<int:action_id>/import", methods=("GET", "POST"), auth="user")
def upload(request: Request, action_id: int) -> Response:
    """The upload page; a posted file goes to the store and on to its mapping page."""
    action = _action(request, action_id)
    model = _model(request, action)
    if request.method == "GET":
        return _page(request, action, "client/import.html", max_mb=MAX_UPLOAD_MB, error="")
    storage = request.files.get("file")
    error = ""
    if storage is None or not storage.filename:
        error = _("Choose a CSV or Excel (XLSX) file first.", lang=request.lang)
    else:
        data = storage.read(MAX_UPLOAD_MB * 1024 * 1024 + 1)
        if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
            error = _("The file is larger than %(size)s MB: split it.", size=MAX_UPLOAD_MB,
                      lang=request.lang)
        else:
            try:
                read_file(data, storage.filename)
            except UserError as exc:
                error = str(exc)
    if error:
        return _page(request, action, "client/import.html", status=422, error=error,
                     max_mb=MAX_UPLOAD_MB)
    token = UploadStore.of(request.env).put(data, storage.filename, request.env.uid,
                                            model._name)
    return redirect(f"/web/action/{action.id}/import/{token}?menu="
                    f"{request.args.get('menu', '')}", code=303)


def _load(request: Request, action: Any, token: str) -> tuple[Any, Any, dict, Any]:
    model = _model(request, action)
    store = UploadStore.of(request.env)
    meta = store.meta(token, request.env.uid, model._name)
    table = read_file(store.data(token), meta["filename"])
    return model, store, meta, table


def _options(model: Any, table: Any, state: dict[str, Any], tz: str | None
             ) -> ImportOptions:
    """The wizard's choices so far, else the remembered or guessed ones."""
    options = prepare(model, table)
    if state:
        options.mapping = {h: state["mapping"].get(h, "") for h in table.headers}
        options.key_column = state.get("key_column") or None
        options.prefix = state.get("prefix") or options.prefix
        options.on_duplicate = state.get("on_duplicate") or options.on_duplicate
        options.overrides = {int(k): v for k, v in (state.get("overrides") or {}).items()}
    options.tz = tz
    return options


def _posted(request: Request, table: Any, options: ImportOptions) -> dict[str, Any]:
    """The choices posted by the mapping form."""
    form = request.form
    mapping = {header: form.get(f"column_{index}", options.mapping.get(header, ""))
               for index, header in enumerate(table.headers)}
    key = form.get("key_column", "")
    policy = form.get("on_duplicate", options.on_duplicate)
    overrides = {}
    for name, value in form.items():
        if name.startswith("row_") and name[4:].isdigit() and value in POLICIES:
            if value != policy:
                overrides[name[4:]] = value
    return {"mapping": mapping, "key_column": key if key in table.headers else "",
            "prefix": check_prefix(form.get("prefix") or options.prefix),
            "on_duplicate": policy if policy in POLICIES else "skip",
            "overrides": overrides}


@route("/web/action/<int:action_id>/import/<token>", methods=("GET", "POST"), auth="user")
def mapping(request: Request, action_id: int, token: str) -> Response:
    """The mapping page; posted, it refreshes the preview, tests or imports."""
    action = _action(request, action_id)
    model, store, meta, table = _load(request, action, token)
    tz = request.env.context.get("tz")
    options = _options(model, table, meta.get("state") or {}, tz)
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        state = _posted(request, table, options)
        store.save_state(token, meta, state)
        options = _options(model, table, state, tz)
        step = request.form.get("step", "preview")
        if step in ("test", "import"):
            options.dry_run = step == "test"
            try:
                with request.env.savepoint():
                    result = run_import(model, table, options)
            except ValidationError as exc:
                error, status, result = str(exc), 422, None
            else:
                store.save_result(token, result.to_dict())
                if not result.dry_run:
                    return redirect(f"/web/action/{action.id}/import/{token}/done?menu="
                                    f"{request.args.get('menu', '')}", code=303)
    return _mapping_page(request, action, token, model, table, options, result, error,
                         status)


def _mapping_page(request: Request, action: Any, token: str, model: Any, table: Any,
                  options: ImportOptions, result: ImportResult | None, error: str,
                  status: int) -> Response:
    fields = importable_fields(model)
    try:
        rows = preview(model, table, options.mapping, tz=options.tz)
    except UserError as exc:
        rows, error = [], error or str(exc)
    used = {name for name in options.mapping.values() if name}
    missing = [f.label for name, f in fields.items() if f.required and name not in used
               and f"default_{name}" not in model.env.context]
    return _page(request, action, "client/import_mapping.html", status=status,
                 token=token, table=table, fields=list(fields.values()), options=options,
                 rows=rows, result=result, error=error, missing=missing,
                 policies=_policies(request.lang), shown=SHOWN_ROWS,
                 outcome_labels=_outcome_labels(request.lang))


def _policies(lang: str) -> list[tuple[str, str]]:
    return [("skip", _("Skip: leave the existing record as it is", lang=lang)),
            ("update", _("Update: fill the existing record with the row's values", lang=lang)),
            ("create", _("Create anyway: a new record, flagged as a possible duplicate",
                         lang=lang))]


def _outcome_labels(lang: str) -> dict[str, str]:
    return {"created": _("Created", lang=lang), "updated": _("Updated", lang=lang),
            "unchanged": _("Unchanged", lang=lang), "skipped": _("Skipped", lang=lang),
            "rejected": _("Rejected", lang=lang)}


@route("/web/action/<int:action_id>/import/<token>/done", auth="user")
def done(request: Request, action_id: int, token: str) -> Response:
    """What the import did: counts, rejected rows, possible duplicates."""
    action = _action(request, action_id)
    model, store, _meta, _table = _load(request, action, token)
    data = store.result(token)
    if data is None:
        return redirect(f"/web/action/{action.id}/import/{token}", code=303)
    result = ImportResult.from_dict(data)
    return _page(request, action, "client/import_result.html", token=token, result=result,
                 model=model, shown=SHOWN_ROWS, outcome_labels=_outcome_labels(request.lang))


@route("/web/action/<int:action_id>/import/<token>/rejects", auth="user")
def rejects(request: Request, action_id: int, token: str) -> Response:
    """The rejected rows: the file's columns plus line and reason (CSV or XLSX, as the
    uploaded file was)."""
    action = _action(request, action_id)
    _model_, store, meta, _table = _load(request, action, token)
    data = store.result(token)
    if data is None:
        return redirect(f"/web/action/{action.id}/import/{token}", code=303)
    content, extension = ImportResult.from_dict(data).rejects_file(request.lang)
    stem = meta["filename"].rsplit(".", 1)[0] or "import"
    filename = f"{stem}_{_('rejected', lang=request.lang)}.{extension}"
    mimetype = "text/csv" if extension == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(content, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
