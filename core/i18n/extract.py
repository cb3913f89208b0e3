"""Message extraction and catalogue upkeep: ``.pot`` templates from sources, ``.po`` merge
and completeness checks.

One catalogue per addon. The kernel (``core/`` and ``views/``, the ``base`` addon included)
writes ``i18n/comptoir.pot`` at the top of the project; every other addon writes
``<addon>/i18n/<addon>.pot`` next to its ``fr.po``. What is read, importing nothing:

* Python: ``_("...")`` and ``_lt("...")`` calls (babel's extractor);
* field declarations: the label, ``help`` and selection labels of ``fields.*(...)`` calls
  and models' ``_description``, read from the syntax tree;
* jinja2 templates (``*.html``): ``_("...")`` calls;
* XML under ``views/`` and ``data/``: the view attributes a user reads (``string``,
  ``help``, ``placeholder``, ``confirm``, ``title``, ``aria-label``).
"""
from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from babel import Locale
from babel.core import get_global
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po
from lxml import etree

from ..exceptions import DataFileError, UserError
from .translate import KERNEL_I18N, _

PROJECT_ROOT = KERNEL_I18N.parent
KERNEL = "comptoir"
KEYWORDS = {"_": None, "_lt": None}
VIEW_ATTRIBUTES = ("string", "help", "placeholder", "confirm", "title", "aria-label")
XML_FOLDERS = frozenset({"views", "data"})
SKIPPED_FOLDERS = frozenset({"tests", "__pycache__", "static", "node_modules"})
#: where a field class takes its label positionally (``core.orm.fields`` signatures)
FIELD_STRING_POSITION = {
    "Char": 0, "Text": 0, "Html": 0, "Integer": 0, "Float": 0, "Monetary": 0, "Boolean": 0,
    "Date": 0, "Datetime": 0, "Binary": 0, "Image": 0, "Json": 0, "Selection": 1,
    "Reference": 1, "Many2one": 1, "One2many": 2, "Many2many": 4,
}
SELECTION_FIELDS = frozenset({"Selection", "Reference"})
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")

Found = tuple[str, int, str]  # (relative path, line, message)


# -- what a catalogue covers ------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The sources of one catalogue and where its files live."""

    name: str
    base: Path  #: locations are written relative to this folder
    sources: tuple[Path, ...]
    i18n_dir: Path

    @property
    def pot_path(self) -> Path:
        return self.i18n_dir / f"{self.name}.pot"

    def po_path(self, lang: str) -> Path:
        """``fr_FR.po`` when it exists, else ``fr.po`` (France is French's main territory,
        per CLDR); ``fr_CA`` always gets its own ``fr_CA.po``."""
        short, _sep, territory = lang.partition("_")
        main = not territory or get_global("likely_subtags").get(short, "").endswith(
            f"_{territory}")
        if main and not (self.i18n_dir / f"{lang}.po").is_file():
            return self.i18n_dir / f"{short}.po"
        return self.i18n_dir / f"{lang}.po"


def kernel_scope(root: Path = PROJECT_ROOT) -> Scope:
    return Scope(KERNEL, root, (root / "core", root / "views"), root / "i18n")


def addon_scope(name: str, path: Path) -> Scope:
    return Scope(name, path.parent, (path,), path / "i18n")


def resolve_scopes(names: Iterable[str] = (), available: Mapping | None = None
                   ) -> list[Scope]:
    """The kernel and every available addon, or the named ones (``base`` is the kernel)."""
    if available is None:
        from ..modules.discovery import discover_addons
        available = discover_addons()
    names = list(names)
    unknown = [n for n in names if n not in available and n != KERNEL]
    if unknown:
        raise UserError(_("Unknown addon(s): %(names)s. Available: %(available)s.",
                          names=", ".join(unknown), available=", ".join(sorted(available))))
    wanted = names or [KERNEL, *sorted(available)]
    scopes: list[Scope] = []
    if KERNEL in wanted or "base" in wanted:
        scopes.append(kernel_scope())
    scopes += [addon_scope(n, Path(available[n].path)) for n in wanted
               if n not in (KERNEL, "base")]
    return scopes


# -- extraction ---------------------------------------------------------------------------
def source_files(scope: Scope) -> list[Path]:
    """The scope's ``.py`` and ``.html`` files and its XML under ``views/`` or ``data/``,
    sorted, tests excluded."""
    found = []
    for folder in scope.sources:
        for path in sorted(folder.rglob("*")):
            folders = path.relative_to(folder).parts[:-1]
            if any(p in SKIPPED_FOLDERS or p.startswith(".") for p in folders):
                continue
            if path.suffix in (".py", ".html") or (
                    path.suffix == ".xml" and XML_FOLDERS & set(folders)):
                if path.is_file():
                    found.append(path)
    return found


def extract_python(path: Path) -> Iterator[tuple[int, str]]:
    """``_("...")`` and ``_lt("...")`` messages of a Python file."""
    for line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS):
        if isinstance(message, str) and message:
            yield line, message


def extract_template(path: Path) -> Iterator[tuple[int, str]]:
    """``_("...")`` messages of a jinja2 template."""
    for line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords={"_": None}):
        if isinstance(message, str) and message:
            yield line, message


def extract_xml(path: Path) -> Iterator[tuple[int, str]]:
    """View attributes a user reads (``string``, ``help``...) of an XML file."""
    try:
        tree = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        raise DataFileError(f"{path}:{exc.lineno}: invalid XML: {exc.msg}") from exc
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in VIEW_ATTRIBUTES:
            value = element.get(attribute)
            if value and value.strip():
                yield element.sourceline or 0, value


def _text(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def _fields_aliases(tree: ast.Module) -> set[str]:
    """Names the ``fields`` module goes by in a file (``fields``, ``F``...), so that
    ``sa.Integer()`` and friends are not taken for field declarations."""
    aliases = {"fields"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            aliases |= {a.asname for a in node.names if a.name == "fields" and a.asname}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names
                        if a.name.endswith(".fields") and a.asname}
    return aliases


def _field_class(call: ast.Call, aliases: set[str]) -> str | None:
    func = call.func
    if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id in aliases and func.attr in FIELD_STRING_POSITION):
        return func.attr
    return None


def default_label(name: str) -> str:
    """The label a field without ``string`` gets (as ``Field.setup`` computes it)."""
    label = name[:-3] if name.endswith("_id") else (name[:-4] if name.endswith("_ids")
                                                    else name)
    return label.replace("_", " ").strip().capitalize() or name


def _field_messages(call: ast.Call, kind: str, name: str | None
                    ) -> Iterator[tuple[int, str]]:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    position = FIELD_STRING_POSITION[kind]
    label = keywords.get("string") or (call.args[position] if len(call.args) > position
                                       else None)
    if _text(label):
        yield label.lineno, _text(label)  # type: ignore[union-attr]
    elif label is None and name:
        yield call.lineno, default_label(name)
    if _text(keywords.get("help")):
        yield keywords["help"].lineno, _text(keywords["help"])  # type: ignore[misc]
    if kind in SELECTION_FIELDS:
        for selection in (call.args[0] if call.args else keywords.get("selection"),
                          keywords.get("selection_add")):
            if isinstance(selection, (ast.List, ast.Tuple)):
                for pair in selection.elts:
                    if isinstance(pair, (ast.List, ast.Tuple)) and len(pair.elts) == 2 \
                            and _text(pair.elts[1]):
                        yield pair.elts[1].lineno, _text(pair.elts[1])  # type: ignore


def extract_fields(path: Path) -> Iterator[tuple[int, str]]:
    """Field labels, help texts, selection labels and ``_description`` of model classes."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except SyntaxError as exc:
        raise UserError(_("%(file)s:%(line)s: invalid Python: %(error)s", file=str(path),
                          line=exc.lineno, error=exc.msg)) from exc
    aliases = _fields_aliases(tree)
    named: dict[int, str] = {}  # id(call) -> field name, for class-level declarations
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for statement in cls.body:
            target = value = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign):
                target, value = statement.target, statement.value
            if not isinstance(target, ast.Name):
                continue
            if target.id == "_description" and _text(value):
                yield value.lineno, _text(value)  # type: ignore[union-attr]
            elif isinstance(value, ast.Call) and _field_class(value, aliases):
                named[id(value)] = target.id
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (kind := _field_class(node, aliases)):
            yield from _field_messages(node, kind, named.get(id(node)))


def extract_file(path: Path) -> Iterator[tuple[int, str]]:
    """Every message of one source file, whatever its kind."""
    if path.suffix == ".py":
        yield from extract_python(path)
        yield from extract_fields(path)
    elif path.suffix == ".html":
        yield from extract_template(path)
    elif path.suffix == ".xml":
        yield from extract_xml(path)


def extract(scope: Scope) -> Catalog:
    """The template catalogue of a scope, messages sorted, locations ``file:line``."""
    catalog = Catalog(project="Comptoir", version=_version(), charset="utf-8",
                      copyright_holder="Comptoir contributors", fuzzy=False)
    for path in source_files(scope):
        relative = path.relative_to(scope.base).as_posix()
        for line, message in extract_file(path):
            catalog.add(message, locations=[(relative, line)])
    return catalog


def _version() -> str:
    from .. import __version__
    return __version__


# -- files --------------------------------------------------------------------------------
def render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=96, sort_output=True, include_previous=True)
    return buffer.getvalue()


def _same(old: bytes, new: bytes) -> bool:
    """Equal but for the creation and revision dates babel stamps on every write."""
    def strip(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines()
                if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))]
    return strip(old) == strip(new)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file says the same already; True when written."""
    if path.is_file() and _same(path.read_bytes(), data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in catalog:
        # babel reads a fuzzy entry's "#| msgid" (its previous text) back as a translator
        # comment and would write it again as "# | msgid" forever: drop those
        message.user_comments = [c for c in message.user_comments if not c.startswith("| ")]
    return catalog


def write_template(scope: Scope) -> tuple[int, bool]:
    """Extract a scope into its ``.pot`` (none for a scope without messages); returns the
    number of messages and whether the file changed."""
    catalog = extract(scope)
    count = sum(1 for m in catalog if m.id)
    if not count and not scope.pot_path.is_file():
        return 0, False
    return count, write_if_changed(scope.pot_path, render(catalog))


def update(scope: Scope, lang: str) -> tuple[Path, dict[str, int]]:
    """Merge the scope's ``.pot`` into its ``.po`` for ``lang`` (created when missing):
    translations are kept, changed messages become fuzzy, removed ones obsolete."""
    if not scope.pot_path.is_file():
        raise UserError(_("%(file)s does not exist: run 'comptoir i18n extract' first.",
                          file=str(scope.pot_path)))
    template = read_catalog(scope.pot_path)
    path = scope.po_path(lang)
    if path.is_file():
        catalog = read_catalog(path, lang)
    else:
        catalog = Catalog(locale=Locale.parse(lang), project="Comptoir", version=_version(),
                          copyright_holder="Comptoir contributors", fuzzy=False)
    known = {m.id for m in catalog if m.id}
    catalog.update(template)
    write_if_changed(path, render(catalog))
    ids = [m for m in catalog if m.id]
    return path, {"new": sum(1 for m in ids if m.id not in known),
                  "fuzzy": sum(1 for m in ids if m.fuzzy),
                  "untranslated": sum(1 for m in ids if not m.string),
                  "obsolete": len(catalog.obsolete)}


# -- completeness -------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One message a language lacks, in one catalogue."""

    catalog: str  #: the ``.po`` file, relative to the project when it can be
    location: str  #: ``file:line`` of the message's first use
    kind: str  #: ``missing``, ``fuzzy`` or ``placeholders``
    msgid: str

    def __str__(self) -> str:
        what = {"missing": "missing translation", "fuzzy": "fuzzy translation",
                "placeholders": "translation changes the %(...)s placeholders"}[self.kind]
        return f"{self.catalog}: {self.location}: {what}: {self.msgid!r}"


def placeholders(text: str) -> set[str]:
    """The ``%(name)s`` names used in a message."""
    return set(PLACEHOLDER.findall(text))


def check(scope: Scope, lang: str) -> list[Problem]:
    """Every message found in the scope's sources now that ``lang`` lacks or garbles."""
    template = extract(scope)
    path = scope.po_path(lang)
    catalog = read_catalog(path, lang) if path.is_file() else Catalog(locale=lang)
    try:
        shown = path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        shown = str(path)
    problems = []
    for message in template:
        if not message.id:
            continue
        file, line = message.locations[0] if message.locations else ("?", 0)
        found = catalog.get(message.id)
        kind = ("missing" if found is None or not found.string else
                "fuzzy" if found.fuzzy else
                "placeholders" if placeholders(message.id) != placeholders(found.string)
                else None)
        if kind:
            problems.append(Problem(shown, f"{file}:{line}", kind, message.id))
    return problems
