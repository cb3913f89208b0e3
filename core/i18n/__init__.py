"""Translations: message lookup (``_``), catalogue loading, locale formatting."""
from .translate import _, current_lang, load_po_file, catalogs

__all__ = ["_", "current_lang", "load_po_file", "catalogs"]
