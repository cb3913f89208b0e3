"""The portal's home page sections: what addons contribute through
``comptoir_portal_sections`` (one card each on ``/my``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.exceptions import ConfigurationError

if TYPE_CHECKING:
    from core import Environment


@dataclass(frozen=True)
class PortalSection:
    """One card of the portal's home page.

    ``label`` and ``description`` are shown as given: translate them for the visitor
    (``_(..., lang=env.lang)``, or :meth:`core.portal.PortalPage.section` does it).
    ``count`` is how many records the visitor may see there (None: no figure)."""

    key: str
    label: str
    url: str
    count: int | None = None
    description: str = ""
    sequence: int = 10


def portal_sections(env: "Environment") -> list[PortalSection]:
    """Every installed addon's sections for this visitor, in display order (``None``
    items are skipped: :meth:`core.portal.PortalPage.section` gives None to a visitor
    who may not read the model)."""
    found: list[PortalSection] = []
    for result in env.registry.pm.hook.comptoir_portal_sections(env=env):
        found.extend(section for section in result or () if section is not None)
    keys: dict[str, int] = {}
    for section in found:
        keys[section.key] = keys.get(section.key, 0) + 1
    twice = sorted(key for key, count in keys.items() if count > 1)
    if twice:
        raise ConfigurationError(f"portal sections declared twice: {', '.join(twice)}")
    return sorted(found, key=lambda s: (s.sequence, s.label.lower(), s.key))
