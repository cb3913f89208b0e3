"""Where a field is used: what refuses the removal of a custom field.

The kernel looks in its own configuration records -- views (their arch), record rules,
saved searches and window actions (their domains and contexts) -- and then asks every
addon (and the kernel parts shipped as addons: workflows, automation) through the
``comptoir_field_usages`` hook. A mention on the field's own model is the bare name
(``x_region``, also inside ``parent_id.x_region``); on another model it is a path
through a relation (``partner_id.x_region``).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..i18n.translate import _

if TYPE_CHECKING:
    from ..orm import Environment


def field_usages(env: "Environment", model: str, field: str) -> list[str]:
    """One line per record using ``model.field`` (empty: nothing uses it)."""
    env = env(su=True)  # what uses the field matters, whoever may read it
    found = [*_views(env, model, field), *_rules(env, model, field),
             *_filters(env, model, field), *_actions(env, model, field)]
    pm = getattr(env.registry, "pm", None)
    if pm is not None:
        for result in pm.hook.comptoir_field_usages(env=env, model=model, field=field):
            found.extend(str(line) for line in result or ())
    return found


def mentions(text: Any, field: str, same_model: bool) -> bool:
    """Whether a text (arch, domain, context, query string) refers to the field."""
    if not text:
        return False
    prefix = r"(?<!\w)" if same_model else r"\."
    return re.search(rf"{prefix}{re.escape(field)}(?!\w)", str(text)) is not None


def _views(env: "Environment", model: str, field: str) -> list[str]:
    views = env["ir.ui.view"].with_context(active_test=False).search(
        [("arch", "like", field)])
    return [_("View '%(name)s' (%(type)s of %(model)s)", name=view.name, type=view.type,
              model=view.model)
            for view in views if mentions(view.arch, field, view.model == model)]


def _rules(env: "Environment", model: str, field: str) -> list[str]:
    rules = env["ir.rule"].with_context(active_test=False).search(
        [("domain_force", "like", field)])
    return [_("Record rule '%(name)s'", name=rule.name) for rule in rules
            if mentions(rule.domain_force, field, rule.model_id.model == model)]


def _filters(env: "Environment", model: str, field: str) -> list[str]:
    saved = env["ir.filters"].with_context(active_test=False).search(
        [("query", "like", field)])
    return [_("Saved search '%(name)s'", name=item.name) for item in saved
            if mentions(item.query, field, item.action_id.res_model == model)]


def _actions(env: "Environment", model: str, field: str) -> list[str]:
    actions = env["ir.actions.act_window"].search(
        ["|", ("domain", "like", field), ("context", "like", field)])
    return [_("Action '%(name)s'", name=action.name) for action in actions
            if mentions(action.domain, field, action.res_model == model)
            or mentions(action.context, field, action.res_model == model)]
