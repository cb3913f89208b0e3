"""What a wizard opened on records reads from its context, on every model."""
from __future__ import annotations

from core import AbstractModel


class BaseContext(AbstractModel):
    _inherit = "base"

    def _context_active_ids(self, model: str) -> list[int]:
        """The ids of ``model`` the context's ``active_ids`` (or ``active_id``) name, as a
        list bulk action or a form button passes them; empty when the context is about
        another model."""
        context = self.env.context
        if context.get("active_model") not in (None, model):
            return []
        ids = context.get("active_ids") or ([context["active_id"]]
                                            if context.get("active_id") else [])
        return [int(i) for i in ids if i]
