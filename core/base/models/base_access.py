"""Every model checks access: the ORM's hooks implemented with :mod:`core.security`.

Model access (``ir.model.access``), record rules (``ir.rule``, compiled into SQL by the
ORM) and field groups apply to every call not made with ``sudo()``; create rules are
checked once the records exist, inside the same transaction.
"""
from __future__ import annotations

from typing import Any

from core import AbstractModel, _
from core.exceptions import AccessError
from core.security import access


class Base(AbstractModel):
    _inherit = "base"

    def _check_access(self, operation: str, raise_exception: bool = True) -> bool:
        if self.env.su:
            return True
        allowed = operation in access.model_permissions(self.env, self.env.uid).get(
            self._name, ())
        if not allowed and raise_exception:
            raise access.access_error(self.env, self, operation)
        return allowed

    def _rule_domain(self, operation: str) -> list:
        if self.env.su:
            return []
        return access.rule_domain(self.env, self.env.uid, self._name, operation)

    def _field_visible(self, field: Any) -> bool:
        return (self.env.su or not field.groups
                or access.field_allowed(self.env, self.env.uid, field.groups))

    def _check_field_access(self, field: Any, operation: str) -> None:
        if not self._field_visible(field):
            verb = _("read") if operation == "read" else _("modify")
            raise AccessError(_("You may not %(verb)s the field '%(field)s' of %(model)s: it "
                                "is restricted to other groups.", verb=verb,
                                field=field.string, model=self._description or self._name))

    def has_group(self, xml_id: str) -> bool:
        """Whether the current user (or, on res.users records, that user) is in a group."""
        uid = self.id if self._name == "res.users" and len(self) == 1 else self.env.uid
        return access.has_group(self.env, uid, xml_id)

    # -- create rules and cache invalidation ------------------------------------------
    def create(self, vals_list: Any) -> Any:
        records = super().create(vals_list)
        if not self.env.su:
            records._check_rules("create")
        if self._name in access.SECURITY_MODELS:
            access.clear_cache(self.env)
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if self._name in access.SECURITY_MODELS:
            access.clear_cache(self.env)
        return result

    def unlink(self) -> bool:
        result = super().unlink()
        if self._name in access.SECURITY_MODELS:
            access.clear_cache(self.env)
        return result
