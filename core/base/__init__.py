"""The kernel addon ``base``: always installed first, shaped like any other addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl


@hookimpl
def comptoir_field_usages(env: Any, model: str, field: str) -> list[str]:
    """Workflows and automation rules that use the field block its removal."""
    from core.automation.usages import field_usages
    return field_usages(env, model, field)


@hookimpl
def comptoir_merge_records(env: Any, model: str, source_ids: list[int],
                           target_id: int) -> None:
    """Files attached to the duplicates move to the kept record."""
    from core.merge import move_attached
    move_attached(env, "ir.attachment", model, source_ids, target_id)
