"""Widgets for choices, usable in any addon's views:

* the status bar of a many2one (``<field name="stage_id" widget="statusbar"
  options="{'clickable': '1'}"/>`` in a form's header): the comodel's records in their
  order (folded ones only when current); with ``clickable``, each is a button that saves
  the form, then moves the record there (``POST /web/action/<action>/<id>/stage``);
* ``widget="priority"`` on a selection of ``'0'``...``'n'``: stars, typed with radio
  buttons in forms (no script needed: arrows move between them), shown in cards and
  read-only forms;
* ``widget="activity_state"`` on a selection (overdue, today, planned): a coloured
  badge in cards.

Templates reach them through :data:`core.web.templates.GLOBALS`.
"""
from __future__ import annotations

from typing import Any, Mapping

from markupsafe import Markup
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import ValidationError
from ...i18n.translate import _
from ...views import eval_literal
from ..http import Request, route
from ..templates import GLOBALS
from .controllers import _action

#: comodel records a status bar shows at most (beyond: only the current one)
MAX_STAGES = 20
FIELD_PREFIX = "statusbar__"


# -- the many2one status bar -------------------------------------------------------------------
def _options(node: Any) -> dict[str, Any]:
    value = eval_literal(node.get("options"), {}, default={}) if node.get("options") else {}
    return value if isinstance(value, dict) else {}


def statusbar_choices(record: Any, node: Any, description: Mapping[str, Any],
                      value: Any) -> dict[str, Any]:
    """``{"states": [{id, label, current}], "clickable": bool, "field": input name}``
    for a many2one status bar: the comodel's records the user may read (one search),
    folded ones (a ``fold`` field) only when current."""
    current = value[0] if isinstance(value, (list, tuple)) and value else (value or None)
    result: dict[str, Any] = {"states": [], "clickable": False,
                              "field": FIELD_PREFIX + node.get("name")}
    if record is None or description.get("type") != "many2one":
        return result
    comodel = record.env[description["relation"]]
    rows: list[dict[str, Any]] = []
    if comodel._check_access("read", raise_exception=False):
        fold = "fold" in comodel._fields and comodel._fields["fold"].type == "boolean"
        records = comodel.search(list(description.get("domain") or []), limit=MAX_STAGES)
        rows = records.read(["display_name"] + (["fold"] if fold else []))
    states = [{"id": row["id"], "label": row["display_name"], "current": row["id"] == current}
              for row in rows if row["id"] == current or not row.get("fold")]
    if current and not any(state["current"] for state in states):
        label = value[1] if isinstance(value, (list, tuple)) and len(value) > 1 else current
        states.append({"id": current, "label": label, "current": True})
    result["states"] = states
    options = _options(node)
    result["clickable"] = bool(record) and str(options.get("clickable", "")).lower() in (
        "1", "true")
    return result


def _stage_field(request: Request, record: Any) -> tuple[str, int | bool]:
    for key, raw in request.form.items():
        if key.startswith(FIELD_PREFIX):
            name = key[len(FIELD_PREFIX):]
            field = record._fields.get(name)
            if field is None or field.type != "many2one":
                break
            try:
                return name, int(raw) if raw else False
            except ValueError:
                break
    raise ValidationError(_("Choose the stage to move to.", lang=request.lang))


@route("/web/action/<int:action_id>/<int:rec_id>/stage", methods=("POST",), auth="user")
def move_to_stage(request: Request, action_id: int, rec_id: int) -> Response:
    """A clickable status bar's button: save what the form holds (as its Save button
    would), then write the chosen value; a refused change rolls both back."""
    from .form import form_view
    from .workflow import _has_form_values
    action = _action(request, action_id)
    record = request.env[action.res_model].browse(rec_id)
    if not record.exists():
        raise NotFound()
    name, value = _stage_field(request, record)
    view = request.env["ir.ui.view"].get_view(action.res_model, "form",
                                              action._view_id_for("form"))
    declared = {node.get("name") for node in view.arch.iter("field")
                if node.get("widget") == "statusbar"
                and str(_options(node).get("clickable", "")).lower() in ("1", "true")}
    if name not in declared:
        raise ValidationError(_("This status bar cannot be clicked.", lang=request.lang))
    vals: dict[str, Any] = {name: value}
    version = request.form.get("version", type=int)
    with request.env.savepoint():
        if _has_form_values(request, record):
            saved = form_view(request, action_id, rec_id)
            if saved.status_code != 303:
                return saved  # the form again, with its errors
        elif version is not None:
            vals["version"] = version
        record.write(vals)
    return redirect(f"/web/action/{action_id}/{rec_id}?menu={request.args.get('menu', '')}",
                    code=303)


# -- priority stars and activity badges ---------------------------------------------------------
def _levels(description: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(key), str(label)) for key, label in description.get("selection") or []]


def priority_display(value: Any, description: Mapping[str, Any]) -> Markup:
    """Stars for a priority (``'0'``: none lit), read by screen readers as its label."""
    levels = _levels(description)
    keys = [key for key, _label in levels]
    index = keys.index(str(value)) if value not in (None, False) and str(value) in keys else 0
    label = dict(levels).get(str(value), "") if value not in (None, False) else ""
    stars = Markup("").join(
        Markup('<span class="priority-star{}">★</span>').format(" lit" if n <= index else "")
        for n in range(1, len(levels)))
    text = f"{description.get('string') or ''}: {label}".strip(": ")
    return Markup('<span class="priority-stars" role="img" aria-label="{}" title="{}">'
                  '{}</span>').format(text, text, stars)


def priority_input(fid: str, name: str, value: Any, description: Mapping[str, Any],
                   label: str, disabled: bool = False) -> Markup:
    """Radio buttons drawn as stars: the first (no star) clears the priority."""
    levels = _levels(description)
    current = str(value) if value not in (None, False) else (levels[0][0] if levels else "")
    parts = []
    for index, (key, text) in enumerate(levels):
        input_id = fid if index == 0 else f"{fid}-{index}"
        checked = " checked" if key == current else ""
        off = " disabled" if disabled else ""
        face = Markup('<span aria-hidden="true">{}</span>').format("★" if index else "☆")
        parts.append(Markup(
            '<input type="radio" class="priority-radio" id="{id}" name="{name}" '
            'value="{key}"{checked}{off}><label for="{id}" class="priority-choice'
            '{zero}" title="{text}">{face}<span class="visually-hidden">{text}</span>'
            '</label>').format(id=input_id, name=name, key=key, checked=Markup(checked),
                                off=Markup(off), zero=" priority-zero" if index == 0 else "",
                                text=text, face=face))
    return Markup('<span class="priority-input" role="radiogroup" aria-label="{}">{}</span>'
                  ).format(label, Markup("").join(parts))


def activity_state_display(value: Any, description: Mapping[str, Any]) -> Markup:
    if value in (None, False, ""):
        return Markup("")
    label = dict(_levels(description)).get(str(value), str(value))
    return Markup('<span class="activity-badge activity-{}">{}</span>').format(
        str(value), label)


DISPLAYS = {"priority": priority_display, "activity_state": activity_state_display}


def widget_display(widget: str, value: Any, description: Mapping[str, Any]) -> Markup:
    """The read-only rendering of a value with one of :data:`DISPLAYS`' widgets."""
    return DISPLAYS[widget](value, description)


def is_choice_widget(widget: str | None) -> bool:
    """Whether :func:`widget_display` draws this widget."""
    return widget in DISPLAYS


#: template globals are functions (the web bench records each call)
GLOBALS.update({"statusbar_choices": statusbar_choices, "is_choice_widget": is_choice_widget,
                "widget_display": widget_display, "priority_input": priority_input})

