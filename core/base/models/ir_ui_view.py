"""``ir.ui.view``: view architectures (XML) per model and type, and their extensions.

A primary view is a complete arch; an extension (``inherit_id`` set) holds xpath specs
applied to its parent. Admin customisations are extensions without an external id, so
upgrading an addon never touches them. Every save validates the combined arch (schema
of its type, field names, modifiers) and clears the compiled-view cache.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError
from core.views import VIEW_TYPES, CompiledView, clear_cache, get_view, parse_arch
from core.views.compile import combined_arch, label, root_of, rows_of
from core.views.validate import validate_arch

#: a change of these fields may change a compiled view
_ARCH_FIELDS = {"arch", "inherit_id", "mode", "model", "type", "active", "priority",
                "groups_id"}


class IrUiView(Model):
    _name = "ir.ui.view"
    _description = "View"
    _order = "priority, name, id"

    name = fields.Char("View Name", required=True)
    model = fields.Char("Model", index=True)
    type = fields.Selection([(t, t.capitalize()) for t in VIEW_TYPES], "View Type")
    arch = fields.Text("Architecture")
    inherit_id = fields.Many2one("ir.ui.view", "Inherited View", ondelete="cascade",
                                 index=True)
    inherit_children_ids = fields.One2many("ir.ui.view", "inherit_id", "Extensions")
    mode = fields.Selection([("primary", "Primary"), ("extension", "Extension")],
                            "View Inheritance Mode",
                            help="Extension when it inherits a view, unless set: a primary "
                                 "view inheriting another is a new view built from it.")
    priority = fields.Integer("Sequence", default=16,
                              help="The lowest priority primary view is the default one.")
    groups_id = fields.Many2many("res.groups", "ir_ui_view_group_rel", "view_id", "group_id",
                                 "Groups", help="Empty: for everyone. Otherwise the view "
                                                "(or extension) applies to these groups only.")
    active = fields.Boolean("Active", default=True)
    key = fields.Char("Key")

    # -- the API the web client uses ---------------------------------------------------
    @api.model
    def get_view(self, model: str, view_type: str, view_id: int | None = None
                 ) -> CompiledView:
        """The view of ``model`` and ``view_type`` compiled for the current user and
        language (see :func:`core.views.get_view`)."""
        return get_view(self.env, model, view_type, view_id)

    # -- saving ---------------------------------------------------------------------------
    @api.model
    def create(self, vals_list):  # type: ignore[override]
        single = isinstance(vals_list, dict)
        vals_list = [self._complete_values(dict(vals)) for vals in
                     ([vals_list] if single else vals_list)]
        clear_cache(self.env)
        with self.env.savepoint():  # an invalid view leaves nothing behind
            records = super().create(vals_list)
            records._check_arch()
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        vals = dict(vals)
        if "inherit_id" in vals and "mode" not in vals:
            vals["mode"] = "extension" if vals["inherit_id"] else "primary"
        clear_cache(self.env)
        if not _ARCH_FIELDS & set(vals):
            return super().write(vals)
        with self.env.savepoint():
            result = super().write(vals)
            self._check_arch()
        return result

    def unlink(self) -> bool:
        result = super().unlink()
        clear_cache(self.env)
        return result

    def _complete_values(self, vals: dict[str, Any]) -> dict[str, Any]:
        """Mode from ``inherit_id``; an extension's model and type from its parent; the
        type of a primary view from its root element."""
        if not vals.get("mode"):
            vals["mode"] = "extension" if vals.get("inherit_id") else "primary"
        if vals.get("inherit_id"):
            parent = self.sudo().browse(_id(vals["inherit_id"])).exists()
            if parent:
                vals["model"] = vals.get("model") or parent.model
                vals["type"] = vals.get("type") or parent.type
        if not vals.get("type") and vals.get("arch"):
            root = parse_arch(vals["arch"], repr(vals.get("name") or ""))
            if root.tag in VIEW_TYPES:
                vals["type"] = root.tag
        if not vals.get("name"):
            vals["name"] = ".".join(str(vals.get(k) or "?") for k in ("model", "type", "mode"))
        return vals

    def _check_arch(self) -> None:
        """Validate the combined arch each of these views takes part in."""
        line_offset = int(self.env.context.get("arch_line_offset") or 0)
        for view in self.sudo():
            if not view.model or view.model not in self.env:
                raise ValidationError(_("View '%(view)s': unknown model '%(model)s'.",
                                      view=view.name, model=view.model), field="model")
            if not view.type:
                raise ValidationError(_("View '%(view)s' needs a type (%(types)s).",
                                        view=view.name, types=", ".join(VIEW_TYPES)),
                                      field="type")
            parent = view.inherit_id
            if parent and (parent.model != view.model or parent.type != view.type):
                raise ValidationError(_("View '%(view)s' must have the model and type of the "
                                        "view it inherits (%(model)s, %(type)s).",
                                        view=view.name, model=parent.model, type=parent.type),
                                      field="inherit_id")
            rows = rows_of(self.sudo().search([("model", "=", view.model)]) | view)
            root = root_of(rows, view.id)
            arch = combined_arch(rows, root)
            validate_arch(arch, root.type, root.model, self.env.registry.models,
                          label(rows[view.id]), line_offset)


def _id(value: Any) -> int:
    return value.id if hasattr(value, "_name") else int(value)
