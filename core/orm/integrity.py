"""Database integrity errors turned into readable :class:`ValidationError` messages.

The database is the last guard (unique, foreign key, check constraints); when it refuses
a statement, the user must read what is wrong in words, never a driver traceback.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..exceptions import ValidationError
from ..i18n.translate import _

if TYPE_CHECKING:
    from .models import BaseModel


class IntegrityGuard:
    """``with IntegrityGuard(records):`` around DML; re-raises as ValidationError."""

    def __init__(self, records: "BaseModel", deleting: bool = False) -> None:
        self.records = records
        self.deleting = deleting

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is not None and isinstance(exc, sa.exc.DataError):
            # a value the column cannot hold (an overflowing number, a NUL character...)
            raise ValidationError(_("A value does not fit in %(model)s: %(reason)s",
                                    model=self.records._description or self.records._name,
                                    reason=str(exc.orig).splitlines()[0])) from exc
        if exc is None or not isinstance(exc, sa.exc.IntegrityError):
            return False
        raise ValidationError(self.message(exc)) from exc

    def message(self, exc: sa.exc.IntegrityError) -> str:
        model = self.records
        orig = exc.orig
        text = str(orig)
        diag = getattr(orig, "diag", None)
        constraint = getattr(diag, "constraint_name", None) or ""
        named = re.match(r"CHECK constraint failed: (\w+)$", text.splitlines()[0])
        if named and not constraint:  # SQLite names the failed CHECK constraint
            constraint = named.group(1)
        sqlstate = getattr(orig, "sqlstate", None) or ""
        for name, _definition, message in model._sql_constraints:
            full = f"{model._table}_{name}"
            if constraint in (name, full) or (constraint == "" and self._sqlite_matches(
                    text, _definition)):
                return _(message)
        if sqlstate == "23505" or "UNIQUE constraint failed" in text:
            fields = self._unique_fields(text, constraint)
            return _("Another %(model)s record already has this %(fields)s; it must be unique.",
                     model=model._description or model._name, fields=fields)
        if sqlstate == "23503" or "FOREIGN KEY constraint failed" in text:
            if self.deleting:
                return _("%(model)s records cannot be deleted while other records refer to "
                         "them; archive them instead, or remove the references first.",
                         model=model._description or model._name)
            return _("A linked record does not exist (any more).")
        if sqlstate == "23502" or "NOT NULL constraint failed" in text:
            return _("A required value is missing.")
        if sqlstate == "23514" or "CHECK constraint failed" in text:
            return _("The values break a rule of %(model)s.",
                     model=model._description or model._name)
        return _("The database refused the change: %(reason)s", reason=text.splitlines()[0])

    def _unique_fields(self, text: str, constraint: str) -> str:
        model = self.records
        match = re.search(r"UNIQUE constraint failed: (.+)$", text.splitlines()[0])
        names: list[str] = []
        if match:
            names = [part.split(".")[-1].strip() for part in match.group(1).split(",")]
        elif constraint.startswith(model._table + "_"):
            names = [constraint[len(model._table) + 1:].removesuffix("_unique")]
        labels = [model._fields[n].string if n in model._fields else n for n in names]
        return ", ".join(labels) or _("value")

    def _sqlite_matches(self, text: str, definition: str) -> bool:
        match = re.search(r"UNIQUE constraint failed: (.+)$", text.splitlines()[0])
        if not match or not definition.lower().startswith("unique"):
            return False
        failed = {p.split(".")[-1].strip() for p in match.group(1).split(",")}
        declared = {p.strip() for p in definition[definition.index("(") + 1:
                                                  definition.rindex(")")].split(",")}
        return failed == declared
