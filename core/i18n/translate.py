"""Message translation for code: ``_("Text %(name)s", name=..., lang=...)``.

Catalogues are gettext ``.po`` files (one per addon and language) parsed with babel and
merged into one in-process table per language. The language comes from the explicit
``lang`` argument, else from :data:`current_lang` (set by the web layer per request).
"""
from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

current_lang: ContextVar[str] = ContextVar("comptoir_lang", default="en_US")
#: the kernel's catalogues (``comptoir.pot``, ``fr.po``...) at the top of the project
KERNEL_I18N = Path(__file__).resolve().parents[2] / "i18n"


class Catalogs:
    """Translations per language, merged from every loaded ``.po`` file."""

    def __init__(self) -> None:
        self._messages: dict[str, dict[str, str]] = {}
        self._loaded: set[Path] = set()

    def add(self, lang: str, messages: dict[str, str]) -> None:
        self._messages.setdefault(lang, {}).update(messages)

    def lookup(self, lang: str, message: str) -> str:
        table = self._messages.get(lang)
        if table is None and "_" in lang:
            table = self._messages.get(lang.split("_")[0])
        if not table:
            return message
        return table.get(message) or message

    def languages(self) -> list[str]:
        return sorted(self._messages)


catalogs = Catalogs()


def load_po_file(path: Path, lang: str) -> int:
    """Load a ``.po`` file into the catalogues; returns the number of messages."""
    from babel.messages.pofile import read_po

    path = Path(path)
    if path in catalogs._loaded:
        return 0
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    messages = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy
                and isinstance(m.id, str)}
    catalogs.add(lang, messages)
    catalogs._loaded.add(path)
    return len(messages)


def po_language(path: Path) -> str:
    """The language of a ``.po`` file from its name: ``fr_FR.po`` and ``fr.po`` are both
    ``fr_FR`` (a bare language means its main territory, from CLDR's likely subtags)."""
    stem = Path(path).stem
    if "_" in stem:
        return stem
    from babel.core import get_global
    likely = get_global("likely_subtags").get(stem, "")
    territory = likely.split("_")[-1] if likely.count("_") else ""
    return f"{stem}_{territory}" if territory else stem


def load_po_folder(folder: Path) -> int:
    """Load every ``.po`` file of a folder (each once per process); returns the count of
    messages newly loaded."""
    return sum(load_po_file(path, po_language(path))
               for path in sorted(Path(folder).glob("*.po")))


def load_kernel_catalogs() -> int:
    """Load the kernel's catalogues (``i18n/*.po``); done before any addon's."""
    return load_po_folder(KERNEL_I18N)


def _(message: str, *, lang: str | None = None, **params: Any) -> str:
    """Translate ``message`` and interpolate ``%(name)s`` parameters."""
    text = catalogs.lookup(lang or current_lang.get(), message)
    if params:
        try:
            return text % params
        except (KeyError, ValueError, TypeError):
            return message % params
    return text


def _lt(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message
