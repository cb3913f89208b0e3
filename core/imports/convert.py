"""Cells turned into field values, the way a French or English spreadsheet writes them.

* text: trimmed; numbers from a spreadsheet written without a trailing ``.0``;
* integers and decimals: ``1 234,56``, ``1.234,56``, ``1,234.56``, ``12,5``, ``12.5``
  (the last of ``,`` and ``.`` is the decimal mark; spaces, non-breaking spaces and
  apostrophes group thousands; a currency sign or ``%`` around is ignored);
* booleans: ``oui``/``non``, ``yes``/``no``, ``vrai``/``faux``, ``true``/``false``,
  ``1``/``0``, ``x`` (ticked);
* dates: ISO (``2024-03-31``), day first (``31/03/2024``, ``31-03-24``, ``31.03.2024``),
  month names in French or English (``31 mars 2024``, ``March 31, 2024``) and typed
  spreadsheet dates; an impossible date (``31/02/2020``) is refused, never shifted;
* datetimes: the same followed by ``hh:mm[:ss]``, in the importing user's time zone;
* selections: by value, or by label in English, French or the user's language, ignoring
  case and accents;
* many2one: by external id (``addon.name``, or a key of an earlier import of the target
  model, see :class:`Resolver`), else by name (and by ``code`` where the target has one),
  ignoring case and accents, else by the target's own aliases (``_import_resolve``);
  an unknown or ambiguous name is refused;
* many2many: names (or external ids) separated by ``,`` ``;`` or ``|``.

Every problem is a :class:`CellError` whose message says what was expected, translated.
Relational names are resolved per column in batch (:meth:`Converter.prepare`): a constant
number of queries whatever the number of rows.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from ..i18n.translate import _
from ..orm.db import fold

#: field types an import can fill
IMPORTABLE_TYPES = frozenset({"char", "text", "html", "integer", "float", "monetary",
                              "boolean", "date", "datetime", "selection", "many2one",
                              "many2many"})
TRUE_WORDS = frozenset({"1", "yes", "y", "oui", "o", "true", "vrai", "x", "on", "ok"})
FALSE_WORDS = frozenset({"0", "no", "n", "non", "false", "faux", "off", ""})
MONTHS = {
    **{name: index for index, name in enumerate(
        ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
         "septembre", "octobre", "novembre", "decembre"], start=1)},
    **{name: index for index, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], start=1)},
    **{name: index for index, name in enumerate(
        ["janv", "fevr", "mars", "avr", "mai", "juin", "juil", "aout", "sept", "oct", "nov",
         "dec"], start=1)},
    **{name: index for index, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1)},
    "fev": 2, "sept": 9,
}
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_WORD_DATE = re.compile(r"^(?:(\d{1,2})(?:er)?\s+([^\W\d]+)\.?,?\s+(\d{4})|"
                        r"([^\W\d]+)\.?\s+(\d{1,2}),?\s+(\d{4}))$")
_TIME = re.compile(r"^(.*?)[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_SEPARATORS = re.compile(r"\s*[,;|]\s*")


class CellError(ValueError):
    """A cell that cannot become a value of its field: the message says why."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text: ``12`` not ``12.0``, dates in ISO, the rest as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).strip()


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    text = _SPACES.sub("", str(value)).strip("€$£%")
    text = text.replace("\u2212", "-")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.", value=as_text(value))) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.", value=as_text(value)))
    return float(number)


def to_integer(value: Any) -> int:
    try:
        number = to_number(value)
    except CellError:
        number = 0.5
    if not number.is_integer():
        raise CellError(_("“%(value)s” is not a whole number.", value=as_text(value)))
    if not -2**31 <= number < 2**31:
        raise CellError(_("%(value)s is too large.", value=as_text(value)))
    return int(number)


def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    word = fold(str(value).strip()) or ""
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not yes or no (oui/non, yes/no, 1/0).",
                      value=as_text(value)))


def to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return _parse_date(text)
    except ValueError:
        raise CellError(_("“%(value)s” is not a valid date (expected 31/12/2024 or "
                          "2024-12-31).", value=text)) from None


def _parse_date(text: str) -> dt.date:
    match = _NUMERIC_DATE.match(text)
    if match:
        first, second, third = match.groups()
        if len(first) == 4:                      # ISO order: year first
            return dt.date(int(first), int(second), int(third))
        year = int(third)
        if len(third) == 2:
            year += 2000 if year < 70 else 1900
        elif len(third) != 4:
            raise ValueError(text)
        day, month = int(first), int(second)
        if month > 12 and day <= 12:             # written month first (US)
            day, month = month, day
        return dt.date(year, month, day)
    match = _WORD_DATE.match(fold(text) or "")
    if match:
        day, month_name, year = (match.group(1), match.group(2), match.group(3)) \
            if match.group(1) else (match.group(5), match.group(4), match.group(6))
        month = MONTHS.get(month_name.rstrip("."))
        if month is None:
            raise ValueError(text)
        return dt.date(int(year), month, int(day))
    return dt.date.fromisoformat(text)


def to_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime:
    """A naive UTC datetime from a cell written in the zone ``tz``."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        match = _TIME.match(text)
        try:
            if match:
                day = _parse_date(match.group(1).strip())
                moment = dt.datetime(day.year, day.month, day.day, int(match.group(2)),
                                     int(match.group(3)), int(match.group(4) or 0))
            else:
                try:
                    moment = dt.datetime.fromisoformat(text)
                except ValueError:
                    day = _parse_date(text)
                    moment = dt.datetime(day.year, day.month, day.day)
        except ValueError:
            raise CellError(_("“%(value)s” is not a valid date and time (expected "
                              "31/12/2024 14:30 or 2024-12-31 14:30).", value=text)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def label_key(text: Any) -> str:
    """Case-, accent- and punctuation-blind form of a label or header."""
    text = unicodedata.normalize("NFKC", as_text(text))
    return re.sub(r"[^0-9a-z]+", "", fold(text) or "")


def split_names(value: Any) -> list[str]:
    return [part for part in _SEPARATORS.split(as_text(value)) if part]


class Resolver:
    """Names and external ids of a relational column's target records, resolved in
    batch. A value names a record by, in order:

    1. an external id ``addon.name``;
    2. ``__import__.<value>`` or ``__import__.<prefix>_<value>`` for each prefix of an
       earlier import into the target model (remembered in ``ir.import.mapping``): the
       accounts' ``ancien_id`` named by a contact's ``compte`` column, say;
    3. its name (the target's ``_import_name_fields()``: the record name, and ``code``
       where the model has one), ignoring case and accents;
    4. what the target model says it means (``_import_resolve``: ``BTP`` is the
       construction sector).
    """

    def __init__(self, comodel: Any) -> None:
        self.comodel = comodel
        self.found: dict[str, int] = {}
        self.errors: dict[str, str] = {}

    def resolve(self, values: Iterable[str]) -> None:
        wanted = [v for v in dict.fromkeys(values) if v and v not in self.found
                  and v not in self.errors]
        if not wanted:
            return
        self._by_xmlid(wanted)
        rest = [v for v in wanted if v not in self.found]
        if rest:
            self._by_name(rest)
        rest = [v for v in rest if v not in self.found and v not in self.errors]
        if rest:
            for value, record_id in (self.comodel._import_resolve(rest) or {}).items():
                if value in rest and record_id:
                    self.found[value] = record_id
        for value in rest:
            if value not in self.found and value not in self.errors:
                self.errors[value] = _("No %(model)s named “%(value)s”.",
                                       model=self._label(), value=value)

    def _label(self) -> str:
        return _(self.comodel._description or self.comodel._name)

    def _by_xmlid(self, values: list[str]) -> None:
        from .keys import IMPORT_MODULE, xmlid_name
        model = self.comodel._name
        prefixes = self.comodel.env["ir.import.mapping"].sudo().prefixes_for(model) \
            if "ir.import.mapping" in self.comodel.env else []
        candidates: dict[tuple[str, str], str] = {}
        for value in values:
            module, dot, name = value.partition(".")
            if dot and module and name and " " not in value:
                candidates.setdefault((module, name), value)
            candidates.setdefault((IMPORT_MODULE, value), value)
            for prefix in prefixes:
                candidates.setdefault((IMPORT_MODULE, xmlid_name(prefix, value)), value)
        data = self.comodel.env["ir.model.data"].sudo().search_read(
            [("model", "=", model), ("module", "in", sorted({m for m, _n in candidates})),
             ("name", "in", sorted({n for _m, n in candidates}))],
            ["module", "name", "res_id"])
        for row in data:
            value = candidates.get((row["module"], row["name"]))
            if value is not None and value not in self.found:
                self.found[value] = row["res_id"]
        # the records must still exist and be visible to the importing user
        ids = set(self.found[v] for v in values if v in self.found)
        if ids:
            visible = set(self.comodel.search([("id", "in", sorted(ids))]).ids)
            for value in values:
                if value in self.found and self.found[value] not in visible:
                    del self.found[value]

    def _by_name(self, values: list[str]) -> None:
        self._search_names(self.comodel, values)
        translated = any(self.comodel._fields[n].translate
                         for n in self.comodel._import_name_fields())
        for lang in ("en_US", "fr_FR"):
            rest = [v for v in values if v not in self.found and v not in self.errors]
            if not rest or not translated or lang == self.comodel.env.lang:
                continue
            self._search_names(self.comodel.with_context(lang=lang), rest)

    def _search_names(self, comodel: Any, values: list[str]) -> None:
        names = comodel._import_name_fields()
        by_key: dict[str, list[str]] = {}
        for value in values:
            by_key.setdefault(fold(value) or "", []).append(value)
        for start in range(0, len(values), 200):
            chunk = values[start:start + 200]
            domain: list[Any] = []
            leaves = [(name, "=ilike", value.replace("\\", "\\\\").replace("%", "\\%")
                       .replace("_", "\\_")) for value in chunk for name in names]
            domain = ["|"] * (len(leaves) - 1) + leaves
            rows = comodel.search_read(domain, names)
            matches: dict[str, set[int]] = {}
            for row in rows:
                for name in names:
                    key = fold(row[name]) if isinstance(row[name], str) else None
                    if key in by_key:
                        matches.setdefault(key, set()).add(row["id"])
            for value in chunk:
                ids = matches.get(fold(value) or "", set())
                if len(ids) == 1:
                    self.found[value] = next(iter(ids))
                elif len(ids) > 1:
                    self.errors[value] = _(
                        "Several %(model)s records are named “%(value)s”: use an external "
                        "id to say which.", model=self._label(), value=value)


class Converter:
    """Converts the cells of one import to values of ``model``'s fields."""

    def __init__(self, model: Any, tz: str | None = None) -> None:
        from ..i18n.formatting import zone
        self.model = model
        self.lang = model.env.lang
        self.tz = zone(tz or model.env.context.get("tz") or "UTC")
        self.resolvers: dict[str, Resolver] = {}
        self._selections: dict[str, dict[str, str]] = {}

    def prepare(self, name: str, cells: Iterable[Any]) -> None:
        """Resolve at once every name a relational column holds."""
        field = self.model._fields[name]
        if field.type not in ("many2one", "many2many"):
            return
        resolver = self.resolvers.setdefault(
            field.comodel_name, Resolver(self.model.env[field.comodel_name]))
        values: list[str] = []
        for cell in cells:
            if is_empty(cell):
                continue
            values.extend(split_names(cell) if field.type == "many2many" else [as_text(cell)])
        resolver.resolve(values)

    def convert(self, name: str, value: Any) -> Any:
        """The value to give ``create``/``write`` for a cell; raises :class:`CellError`."""
        field = self.model._fields[name]
        kind = field.type
        if is_empty(value):
            return [(6, 0, [])] if kind == "many2many" else (
                False if kind != "boolean" else False)
        if kind in ("char", "text", "html"):
            text = as_text(value)
            if field.size and len(text) > field.size:
                raise CellError(_("“%(value)s” is too long (%(size)s characters at most).",
                                  value=text, size=field.size))
            return text
        if kind == "integer":
            return to_integer(value)
        if kind in ("float", "monetary"):
            number = to_number(value)
            return round(number, field.digits[1]) if getattr(field, "digits", None) \
                else number
        if kind == "boolean":
            return to_boolean(value)
        if kind == "date":
            return to_date(value)
        if kind == "datetime":
            return to_datetime(value, self.tz)
        if kind == "selection":
            return self._selection(field, value)
        if kind == "many2one":
            return self._record(field, as_text(value))
        if kind == "many2many":
            return [(6, 0, sorted({self._record(field, part)
                                   for part in split_names(value)}))]
        raise CellError(_("Fields of type %(type)s cannot be imported.", type=kind))

    def _record(self, field: Any, value: str) -> int:
        resolver = self.resolvers.get(field.comodel_name)
        if resolver is None or (value not in resolver.found and value not in resolver.errors):
            self.prepare(field.name, [value])
            resolver = self.resolvers[field.comodel_name]
        if value in resolver.found:
            return resolver.found[value]
        raise CellError(resolver.errors.get(value) or value)

    def _selection(self, field: Any, value: Any) -> str:
        choices = self._selections.get(field.name)
        if choices is None:
            choices = {}
            values = field.get_values(self.model.env)
            for key, label in values:      # labels first: a value written as is wins
                for lang in ("en_US", "fr_FR", self.lang):
                    choices.setdefault(label_key(_(label, lang=lang)), key)
            for key, _label in values:
                choices[label_key(key)] = key
            self._selections[field.name] = choices
        text = as_text(value)
        for key, _label in field.get_values(self.model.env):
            if str(key) == text:
                return key
        found = choices.get(label_key(text))
        if found is None:
            labels = ", ".join(_(label, lang=self.lang)
                               for _key, label in field.get_values(self.model.env))
            raise CellError(_("“%(value)s” is not one of: %(choices)s.", value=text,
                              choices=labels))
        return found
