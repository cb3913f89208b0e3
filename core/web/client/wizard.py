"""Wizards: small forms that ask a few values, then act (Odoo's ``target="new"`` actions).

A button method (``type="object"``) may return an action dict instead of nothing;
:func:`follow_action` turns it into where the browser goes next:

* ``{"type": "ir.actions.act_window", "target": "new", "xml_id": "addon.action" (or
  "id", or "res_model"), "context": {...}}`` opens the wizard page of that window action
  (its model's form view): ``GET /web/wizard/<action>`` shows the form, defaults from
  the context (``active_model``, ``active_id``, ``active_ids`` and ``default_*`` keys
  only, carried in the URL); ``POST`` creates the wizard record as the user and calls
  the footer button pressed (an ``object`` button of the form, like a form's buttons),
  whose own result is followed in turn, else the browser returns to ``back``;
* ``{"type": "ir.actions.act_window", "res_model": ..., "res_id": id}`` opens a record
  (through the given action, or the first window action of that model);
* ``{"type": "ir.actions.act_url", "url": "/path"}`` goes to a page of this site.

Everything runs as the logged-in user. Wizard models are ordinary models; their
methods usually delete the wizard row once done.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, UserError, ValidationError
from ...i18n.translate import _
from ..http import Request, route
from .controllers import _action

#: the context keys a wizard URL may carry (what a button means to pass, nothing more)
CONTEXT_KEYS = ("active_model", "active_id", "active_ids")


def safe_path(value: str | None, default: str = "/web") -> str:
    """A path of this site (never an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def clean_context(context: Any) -> dict[str, Any]:
    """The keys of ``context`` a wizard URL carries: the active records and defaults,
    with JSON scalar values (lists of ids for ``active_ids``)."""
    if not isinstance(context, dict):
        return {}
    result: dict[str, Any] = {}
    for key, value in context.items():
        if not isinstance(key, str) or not (key in CONTEXT_KEYS or key.startswith("default_")):
            continue
        if key == "active_ids":
            if isinstance(value, (list, tuple)) and all(isinstance(i, int) for i in value):
                result[key] = [int(i) for i in value]
        elif value is None or isinstance(value, (str, int, float, bool)):
            result[key] = value
    return result


def _window_action(request: Request, ref: Any, res_model: str | None = None) -> Any:
    """A window action by id, external id or (first one of) model; NotFound otherwise."""
    root = request.env(su=True)
    actions = root["ir.actions.act_window"]
    action = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        action = actions.browse(int(ref)).exists()
    elif isinstance(ref, str) and "." in ref:
        action = root.ref(ref, raise_if_not_found=False)
        if action is not None and action._name != "ir.actions.act_window":
            action = None
    elif res_model:
        action = actions.search([("res_model", "=", res_model)], order="id", limit=1)
    if not action:
        raise NotFound()
    return action


def follow_action(request: Request, result: Any, back: str) -> Response | None:
    """Where a button's result sends the browser; None: back where it came from."""
    if not isinstance(result, dict):
        return None
    kind = result.get("type")
    menu = request.args.get("menu", "")
    if kind == "ir.actions.act_url":
        url = safe_path(str(result.get("url") or ""), "")
        return redirect(url, code=303) if url else None
    if kind != "ir.actions.act_window":
        return None
    ref = result.get("xml_id") or result.get("id")
    if result.get("target") == "new":
        action = _window_action(request, ref, result.get("res_model"))
        query = {"back": back, "menu": menu}
        context = clean_context(result.get("context"))
        if context:
            query["ctx"] = json.dumps(context, separators=(",", ":"))
        return redirect(f"/web/wizard/{action.id}?{urlencode(query)}", code=303)
    if result.get("res_id"):
        action = _window_action(request, ref, result.get("res_model"))
        return redirect(f"/web/action/{action.id}/{int(result['res_id'])}?menu={menu}",
                        code=303)
    return None


def _context_of(request: Request) -> dict[str, Any]:
    try:
        return clean_context(json.loads(request.args.get("ctx") or "{}"))
    except ValueError:
        raise ValidationError(_("The wizard's context is not valid.",
                                lang=request.lang)) from None


def _buttons(form: Any) -> list[Any]:
    """The footer's buttons (object buttons act, ``special="cancel"`` goes back)."""
    footer = next((node for node in form.arch.iter("footer")), None)
    return [] if footer is None else [node for node in footer.iter("button")]


@route("/web/wizard/<int:action_id>", methods=("GET", "POST"), auth="user")
def wizard(request: Request, action_id: int) -> Response:
    from .form import _form_data, _parse_form, inline, layout_of
    action = _action(request, action_id)
    env = request.env
    context = _context_of(request)
    model = env[action.res_model].with_context(**context)
    form = env["ir.ui.view"].get_view(action.res_model, "form",
                                      action._view_id_for("form"))
    back = safe_path(request.values.get("back"))
    buttons = _buttons(form)
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        method = request.form.get("method") or ""
        allowed = {b.get("name") for b in buttons if b.get("type") == "object"}
        if method.startswith("_") or method not in allowed or not callable(
                getattr(model, method, None)):
            raise AccessError(_("This button is not available.", lang=request.lang))
        layout = layout_of(env, form)
        vals, errors, posted = _parse_form(request, form, layout, model.browse(()))
        if not errors:
            try:
                with env.savepoint():
                    record = model.create(vals)
                    result = getattr(record, method)()
                return follow_action(request, result, back) or redirect(back, code=303)
            except ValidationError as exc:
                errors[inline.error_key(exc.field, vals, form, layout)] = str(exc)
            except UserError as exc:
                errors["__all__"] = str(exc)
        status = 422
    page = _form_data(request, action, model.browse(()), form, errors, posted)
    page.update(conflicts=[], title=action.name, buttons=buttons, back=back,
                wizard_url=f"/web/wizard/{action.id}?{request.query_string.decode()}")
    return request.render("client/wizard.html", status=status, **page)
