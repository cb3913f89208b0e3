"""Security: groups, model access, record rules, field access (and, next, authentication).

The ORM only calls hook methods (``_check_access``, ``_rule_domain``,
``_check_field_access``, ``_field_visible``); the kernel addon's ``base`` extension
implements them with the functions of :mod:`core.security.access`.
"""
from .access import (access_error, clear_cache, eval_rule_domain, field_allowed, has_group,
                     model_permissions, rule_domain, user_group_ids)

__all__ = ["access_error", "clear_cache", "eval_rule_domain", "field_allowed", "has_group",
           "model_permissions", "rule_domain", "user_group_ids"]
