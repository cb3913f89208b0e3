"""Workflow pages: moving a record from its form's status bar, and a workflow's diagram.

``POST /web/action/<action>/<id>/workflow`` (a status bar button): saves what the form
holds, exactly as its Save button would, then takes the transition ``transition_id``;
a refused move rolls both back and says why. ``GET /web/workflow/<id>/diagram``: the
states and transitions of a workflow drawn as SVG, with a table saying the same in
text (the diagram's accessible alternative), for those who may edit workflows. Both run
as the logged-in user.
"""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...automation.diagram import layout
from ...exceptions import ValidationError
from ...i18n.translate import _
from ..http import Request, route
from .controllers import _action, _context


@route("/web/action/<int:action_id>/<int:rec_id>/workflow", methods=("POST",), auth="user")
def transition(request: Request, action_id: int, rec_id: int) -> Response:
    action = _action(request, action_id)
    record = request.env[action.res_model].browse(rec_id)
    if not record.exists():
        raise NotFound()
    transition_id = request.form.get("transition_id", type=int)
    if not transition_id:
        raise ValidationError(_("Choose the move to make.", lang=request.lang))
    version = request.form.get("version", type=int)
    if _has_form_values(request, record):
        # the button belongs to the form: what the user typed is saved first
        from .form import form_view
        saved = form_view(request, action_id, rec_id)
        if saved.status_code != 303:
            return saved  # the form again, with its errors
        version = None  # the save checked it
    record.workflow_move(transition_id, version=version)
    menu = request.args.get("menu", "")
    return redirect(f"/web/action/{action_id}/{rec_id}?menu={menu}", code=303)


def _has_form_values(request: Request, record: Any) -> bool:
    """Whether the post carries the form's fields (not only the move to make)."""
    ignored = {"csrf_token", "transition_id", "version"}
    return any(key not in ignored and key.split("__")[0] in record._fields
               for key in request.form.keys())


@route("/web/workflow/<int:workflow_id>/diagram", auth="user")
def diagram(request: Request, workflow_id: int) -> Response:
    env = request.env
    env["ir.workflow"]._check_access("write")  # for those who edit workflows
    workflow = env["ir.workflow"].browse(workflow_id)
    if not workflow.exists():
        raise NotFound()
    action_id = request.args.get("action", type=int)
    action = _action(request, action_id) if action_id else env.ref("base.ir_workflow_action")
    lang = request.lang
    states = workflow.state_ids.sorted(lambda s: (s.sequence, s.id))
    transitions = workflow.with_context(active_test=False).transition_ids.sorted(
        lambda t: (t.sequence, t.id))
    active = [t for t in transitions if t.active]
    picture = layout(
        [{"id": s.id, "label": s.name, "kind": s.kind, "initial": s.is_initial,
          "fold": s.fold} for s in states],
        [{"id": t.id, "label": t.name or t.to_state_id.name, "from_id": t.from_state_id.id
          or None, "to_id": t.to_state_id.id} for t in active],
        any_label=_("any state", lang=lang))
    kinds = dict(env["ir.workflow.state"]._fields["kind"].get_values(env))
    page = {**_context(request, action),
            "title": _("Diagram of %(workflow)s", workflow=workflow.name, lang=lang)}
    return request.render("client/workflow_diagram.html", **page, workflow=workflow,
                          states=states, transitions=transitions, picture=picture,
                          kinds={k: _(v, lang=lang) for k, v in kinds.items()})
