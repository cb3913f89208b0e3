"""Where workflows and automation rules use a field: a custom field they use cannot be
removed (``comptoir_field_usages``, implemented by the base addon with this)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n.translate import _
from ..modules.custom_fields_usages import mentions

if TYPE_CHECKING:
    from ..orm import Environment


def _mentions(text: str | None, field: str) -> bool:
    """Whether ``text`` (a domain, a dict literal or a comma list) names ``field``."""
    return mentions(text, field, True)


def field_usages(env: "Environment", model: str, field: str) -> list[str]:
    env = env(su=True)
    found: list[str] = []
    workflows = env["ir.workflow"].with_context(active_test=False)
    for workflow in workflows.search([("model", "=", model)]):
        if workflow.field_name == field:
            found.append(_("Workflow '%(name)s' (its state field)", name=workflow.name))
        for transition in workflow.transition_ids:
            if _mentions(transition.condition, field):
                found.append(_("Workflow '%(name)s': condition of '%(transition)s'",
                               name=workflow.name, transition=transition.display_name))
    rules = env["ir.automation.rule"].with_context(active_test=False).search(
        [("model", "=", model)])
    for rule in rules:
        if any(_mentions(text, field) for text in (rule.trigger_fields, rule.filter_domain)) \
                or rule.date_field == field:
            found.append(_("Automation rule '%(name)s'", name=rule.name))
    actions = env["ir.automation.action"].search(["|", ("rule_id.model", "=", model),
                                                  ("transition_id.workflow_id.model", "=",
                                                   model)])
    for action in actions:
        texts = (action.values, action.load_domain, action.webhook_fields, action.params)
        if field in (action.assign_field, action.match_field) or any(
                _mentions(text, field) for text in texts):
            owner = action.rule_id.name or action.transition_id.display_name or ""
            found.append(_("Automation action '%(name)s' of '%(owner)s'",
                           name=action.name or action.kind, owner=owner))
    return found
