"""``ir.ui.menu``: the menu tree; its roots are the apps of the home page.

A user sees a menu when in one of its groups (or it has none) and, for a menu opening an
action, when also allowed by the action's groups and allowed to read the action's model;
a menu without action shows only when one of its children does.
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError
from core.security import access


class IrUiMenu(Model):
    _name = "ir.ui.menu"
    _description = "Menu"
    _order = "sequence, id"

    name = fields.Char("Menu", required=True, translate=True)
    parent_id = fields.Many2one("ir.ui.menu", "Parent Menu", ondelete="cascade", index=True)
    child_ids = fields.One2many("ir.ui.menu", "parent_id", "Child Menus")
    sequence = fields.Integer("Sequence", default=10)
    action = fields.Many2one("ir.actions.act_window", "Action", ondelete="set null")
    groups_id = fields.Many2many("res.groups", "ir_ui_menu_group_rel", "menu_id", "gid",
                                 "Groups", help="Empty: for everyone.")
    web_icon = fields.Char("Icon", help="Icon of an app (a root menu) on the home page.")
    complete_name = fields.Char("Full Path", compute="_compute_complete_name")
    active = fields.Boolean("Active", default=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self) -> None:
        for menu in self:
            names, current, seen = [], menu, set()
            while current and current.id not in seen:
                seen.add(current.id)
                names.append(current.name or "")
                current = current.parent_id
            menu.complete_name = " / ".join(reversed(names))

    @api.constrains("parent_id")
    def _check_parent_id(self) -> None:
        for menu in self:
            seen, parent = {menu.id}, menu.parent_id
            while parent:
                if parent.id in seen:
                    raise ValidationError(_("A menu cannot be its own parent."),
                                          field="parent_id")
                seen.add(parent.id)
                parent = parent.parent_id

    @api.model
    def visible_tree(self) -> list[dict[str, Any]]:
        """The menus the current user may see, nested and sorted by sequence:
        ``[{id, name, action_id, web_icon, children: [...]}]``; the roots are the apps.

        Cached per group set and language with the security cache (cleared when menus,
        actions, access rows, rules or memberships change): every page shows it."""
        groups_key = None if self.env.su else access.user_group_ids(self.env, self.env.uid)
        cache = access.cache_of(self.env)
        key = ("menus", groups_key, self.env.lang)
        if key not in cache:
            cache[key] = self._visible_tree()
        return cache[key]

    def _visible_tree(self) -> list[dict[str, Any]]:
        menus = self.sudo().search([])
        rows = menus.read(["name", "parent_id", "sequence", "action", "groups_id",
                           "web_icon"], load="_classic_write")
        actions = {a["id"]: a for a in self.env["ir.actions.act_window"].sudo().browse(
            {r["action"] for r in rows if r["action"]}).read(
            ["res_model", "groups_id"], load="_classic_write")}
        children: dict[int | None, list[dict[str, Any]]] = {}
        for row in rows:
            children.setdefault(row["parent_id"] or None, []).append(row)
        groups = None if self.env.su else access.user_group_ids(self.env, self.env.uid)
        readable: dict[str, bool] = {}

        def allowed(group_ids: list[int]) -> bool:
            return groups is None or not group_ids or bool(groups.intersection(group_ids))

        def action_allowed(action_id: int) -> bool:
            action = actions.get(action_id)
            if action is None or not allowed(action["groups_id"]):
                return False
            model = action["res_model"]
            if model not in readable:
                readable[model] = model in self.env and self.env[model]._check_access(
                    "read", raise_exception=False)
            return readable[model]

        def build(parent: int | None, seen: frozenset[int]) -> list[dict[str, Any]]:
            result = []
            for row in sorted(children.get(parent, ()), key=lambda r: (r["sequence"], r["id"])):
                if row["id"] in seen or not allowed(row["groups_id"]):
                    continue
                action_id = row["action"] or None
                if action_id and not action_allowed(action_id):
                    action_id = None
                sub = build(row["id"], seen | {row["id"]})
                if not sub and not action_id:
                    continue
                result.append({"id": row["id"], "name": row["name"], "action_id": action_id,
                               "web_icon": row["web_icon"] or False, "children": sub})
            return result

        return build(None, frozenset())
