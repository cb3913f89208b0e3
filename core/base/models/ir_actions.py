"""``ir.actions.act_window``: what opening a menu shows (a model, its views, a domain).

The domain and context are stored as text literals, evaluated by a safe literal
evaluator: literals, ``uid`` and ``context_today`` (today's date, ``YYYY-MM-DD``, in the
user's time zone) and nothing else, so a stored action can never run code.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError
from core.views import eval_literal, today


class IrActionsActWindow(Model):
    _name = "ir.actions.act_window"
    _description = "Window Action"
    _order = "name, id"

    name = fields.Char("Action Name", required=True, translate=True)
    res_model = fields.Char("Model", required=True)
    view_mode = fields.Char("View Modes", default="list,form", required=True,
                            help="Comma-separated view types, the first one shown first.")
    view_id = fields.Many2one("ir.ui.view", "View", ondelete="set null",
                              help="The view of the first mode (default: the model's).")
    search_view_id = fields.Many2one("ir.ui.view", "Search View", ondelete="set null")
    domain = fields.Text("Domain", help="A domain literal; may use uid and context_today.")
    context = fields.Text("Context", default="{}", help="A dict literal; may use uid.")
    limit = fields.Integer("Records per Page", default=80)
    help = fields.Html("Help", help="Shown when there is no record yet.")
    target = fields.Selection([("current", "Main Area"), ("new", "Dialog")], "Target",
                              default="current")
    groups_id = fields.Many2many("res.groups", "ir_act_window_group_rel", "act_id", "gid",
                                 "Groups", help="Empty: for everyone.")

    @api.constrains("res_model", "view_mode", "domain", "context")
    def _check_action(self) -> None:
        from core.views import VIEW_TYPES
        for action in self:
            if action.res_model not in self.env:
                raise ValidationError(_("Action '%(action)s': unknown model '%(model)s'.",
                                        action=action.name, model=action.res_model),
                                      field="res_model")
            unknown = [m for m in action._view_modes() if m not in VIEW_TYPES]
            if unknown:
                raise ValidationError(_("Action '%(action)s': unknown view mode(s) %(modes)s.",
                                        action=action.name, modes=", ".join(unknown)),
                                      field="view_mode")
            domain = action._eval_domain()
            if not isinstance(domain, list):
                raise ValidationError(_("Action '%(action)s': the domain must be a list.",
                                        action=action.name), field="domain")
            if not isinstance(action._eval_context(), dict):
                raise ValidationError(_("Action '%(action)s': the context must be a dict.",
                                        action=action.name), field="context")

    def _eval_names(self) -> dict[str, Any]:
        tz = self.env.context.get("tz") or None
        return {"uid": self.env.uid, "context_today": today(tz)}

    def _eval_domain(self) -> list:
        """The action's domain, evaluated (``[]`` when empty)."""
        self.ensure_one()
        return eval_literal(self.domain, self._eval_names(), default=[])

    def _eval_context(self) -> dict:
        """The action's context, evaluated (``{}`` when empty)."""
        self.ensure_one()
        return eval_literal(self.context, self._eval_names(), default={})

    def _view_modes(self) -> list[str]:
        return [m.strip() for m in (self.view_mode or "").split(",") if m.strip()]

    def _get_views(self) -> list[tuple[int | None, str]]:
        """``[(view id or None, view type)]`` in ``view_mode`` order (``view_id`` is the
        first mode's view), followed by ``(search_view_id, 'search')``."""
        self.ensure_one()
        views = [(self._view_id_for(mode), mode) for mode in self._view_modes()]
        views.append((self.search_view_id.id or None, "search"))
        return views

    def _view_id_for(self, view_type: str) -> int | None:
        """The action's own view when it is of this type; None: the model's default."""
        self.ensure_one()
        return self.view_id.id if self.view_id and self.view_id.type == view_type else None
