"""The kernel addon ``base``: always installed first, shaped like any other addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl


@hookimpl
def comptoir_field_usages(env: Any, model: str, field: str) -> list[str]:
    """Workflows and automation rules that use the field block its removal."""
    from core.automation.usages import field_usages
    return field_usages(env, model, field)
