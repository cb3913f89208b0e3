"""What an import did, item by item, for the CLI (text or ``--json``) and the pages."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportReport:
    """What an import did, event by event, in words a user understands."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated,
                "skipped": [{"item": i, "reason": r} for i, r in self.skipped],
                "warnings": [{"item": i, "note": n} for i, n in self.warnings]}
