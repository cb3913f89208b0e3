"""The search panel: free text over the search view's fields, predefined filters,
group-by choices and custom conditions, all carried in the URL so that a search can be
bookmarked, shared and reloaded.

URL parameters: ``q`` (text), ``f`` (filter names, repeated), ``g`` (group-by field),
``o`` (order, e.g. ``name desc``), ``p`` (page, from 1), ``c`` (custom conditions
``field|operator|value``, repeated). Every domain built here goes through the ORM's
validating compiler, so a crafted URL gives an error message, never SQL.

Custom conditions (the domain editor) offer the operators that make sense for each
field type (:data:`OPERATORS_BY_TYPE`); ``set`` and ``not set`` test for a value; a
date typed for a datetime field means midnight in the user's time zone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from lxml import etree

from ...exceptions import ValidationError
from ...i18n import formatting
from ...i18n.translate import _
from ...orm.domain import domain_and, domain_or
from ...views import eval_literal, today

CUSTOM_OPERATORS = ("ilike", "not ilike", "=", "!=", ">", ">=", "<", "<=", "set", "not set")
_TEXT_OPS = ("ilike", "not ilike", "=", "!=", "set", "not set")
_ORDER_OPS = ("=", "!=", ">", ">=", "<", "<=", "set", "not set")
#: what the condition builder offers per field type (any other type: text operators)
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "char": _TEXT_OPS, "text": _TEXT_OPS, "html": _TEXT_OPS,
    "integer": _ORDER_OPS, "float": _ORDER_OPS, "monetary": _ORDER_OPS, "date": _ORDER_OPS,
    "datetime": (">", ">=", "<", "<=", "set", "not set"),
    "boolean": ("=",), "selection": ("=", "!=", "set", "not set"),
    "many2one": ("ilike", "not ilike", "set", "not set"),
}
#: values the operators ``set`` / ``not set`` stand for
_SET_OPS = {"set": "!=", "not set": "="}


def operator_labels(lang: str) -> dict[str, str]:
    """The words a user reads for each condition operator."""
    return {"ilike": _("contains", lang=lang), "not ilike": _("does not contain", lang=lang),
            "=": _("is", lang=lang), "!=": _("is not", lang=lang),
            ">": _("greater than", lang=lang), ">=": _("at least", lang=lang),
            "<": _("less than", lang=lang), "<=": _("at most", lang=lang),
            "set": _("is set", lang=lang), "not set": _("is not set", lang=lang)}


@dataclass
class SearchFilter:
    name: str
    label: str
    domain: list
    group_by: str | None = None


@dataclass
class SearchState:
    """What the user searches for, read from and written back to the URL."""

    text: str = ""
    filters: list[str] = field(default_factory=list)
    group_by: str = ""
    order: str = ""
    page: int = 1
    custom: list[tuple[str, str, str]] = field(default_factory=list)
    #: optional columns the user chose (None: the view's defaults)
    columns: list[str] | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "SearchState":
        getlist = getattr(args, "getlist", lambda k: [args[k]] if k in args else [])
        custom = []
        for item in getlist("c"):
            parts = str(item).split("|", 2)
            if len(parts) == 3 and parts[1] in CUSTOM_OPERATORS:
                custom.append((parts[0], parts[1], parts[2]))
        try:
            page = max(1, int(args.get("p") or 1))
        except ValueError:
            page = 1
        columns = list(getlist("col")) if args.get("cols") else None
        field_name, op = args.get("cond_field"), args.get("cond_op")
        if field_name and op in CUSTOM_OPERATORS:
            custom.append((field_name, op, args.get("cond_value") or ""))
        return cls(text=(args.get("q") or "").strip(), filters=list(getlist("f")),
                   group_by=args.get("g") or "", order=args.get("o") or "", page=page,
                   custom=custom, columns=columns)

    def query(self, **changes: Any) -> str:
        """The URL query string of this state with some values changed."""
        values = {"q": self.text, "f": self.filters, "g": self.group_by, "o": self.order,
                  "p": self.page if self.page > 1 else "",
                  "c": ["|".join(c) for c in self.custom],
                  "cols": "1" if self.columns is not None else "",
                  "col": self.columns or []}
        values.update(changes)
        pairs = []
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in ("", None):
                    pairs.append((key, item))
        return urlencode(pairs)


class SearchView:
    """What a compiled search arch offers: text fields, filters, group-by choices."""

    def __init__(self, arch: etree._Element, fields: Mapping[str, dict], uid: int,
                 tz: str | None, model_fields: Mapping[str, dict] | None = None,
                 lang: str = "en_US") -> None:
        self.model_fields = model_fields or {}
        self.tz, self.lang = tz, lang
        self.text_fields = [n.get("name") for n in arch.iter("field")
                            if n.get("name") in fields and n.get("invisible") not in ("1",)]
        self.filters: list[SearchFilter] = []
        names = {"uid": uid, "context_today": today(tz)}
        for node in arch.iter("filter"):
            context = eval_literal(node.get("context"), names) if node.get("context") else {}
            self.filters.append(SearchFilter(
                name=node.get("name") or "", label=node.get("string") or node.get("name"),
                domain=eval_literal(node.get("domain"), names) if node.get("domain") else [],
                group_by=(context or {}).get("group_by")))
        self.fields = fields

    def domain(self, state: SearchState) -> list:
        parts: list = []
        if state.text and self.text_fields:
            parts.append(domain_or(*[[(name, "ilike", state.text)]
                                     for name in self.text_fields]))
        chosen = [f for f in self.filters if f.name in state.filters and f.domain]
        if chosen:
            parts.append(domain_or(*[f.domain for f in chosen]))
        for name, operator, value in state.custom:
            if operator in _SET_OPS:
                parts.append([(name, _SET_OPS[operator], False)])
            else:
                parts.append([(name, operator, self.typed(name, value))])
        return domain_and(*parts) if parts else []

    def typed(self, name: str, value: str) -> Any:
        """A condition's value from the URL, converted for its field (ids stay ids,
        numbers may be typed the user's way, a datetime's date is local midnight)."""
        kind = (self.model_fields.get(name) or {}).get("type")
        if value == "" and kind not in ("char", "text", "html"):
            return False
        if kind in ("many2one", "integer") and value.lstrip("-").isdigit():
            return int(value)
        if kind == "boolean":
            return value.lower() in ("1", "true", "yes")
        if kind in ("float", "monetary", "integer"):
            try:
                return float(value)
            except ValueError:
                pass
            try:
                return formatting.parse_number(value, self.lang)
            except ValidationError:
                return value          # the ORM names the field in its message
        if kind == "datetime":
            return self._utc(value)
        return value

    def _utc(self, value: str) -> Any:
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=formatting.zone(self.tz))
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)

    @property
    def group_choices(self) -> list[SearchFilter]:
        return [f for f in self.filters if f.group_by]

    @property
    def domain_filters(self) -> list[SearchFilter]:
        return [f for f in self.filters if not f.group_by]
