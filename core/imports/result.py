"""What an import did, row by row, and the file of the rows it rejected.

The result is plain data (JSON round-trip with :meth:`ImportResult.to_dict`), so the web
client can keep it beside the uploaded file and show it again, and the CLI can print it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field
from typing import Any

from ..i18n.translate import _
from ..spreadsheet import xlsx_bytes

ACTIONS = ("created", "updated", "unchanged", "skipped", "rejected")


@dataclass
class RowOutcome:
    """What happened to one row: ``action`` is one of :data:`ACTIONS`."""

    line: int
    action: str
    record_id: int | None = None
    reason: str = ""
    #: the row was recognised as the same record as another: ``line 12`` or ``#42 Name``
    same_as: str = ""


@dataclass
class PossibleDuplicate:
    """A row whose record looks like other records (flagged for review, never merged)."""

    line: int
    record_id: int
    name: str
    others: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    model: str
    filename: str
    headers: list[str]
    dry_run: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    #: the input cells of each rejected row, by line (for the rejects file)
    rejected_cells: dict[int, list[Any]] = field(default_factory=dict)
    kind: str = "csv"
    delimiter: str = ","

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for outcome in self.outcomes:
            counts[outcome.action] += 1
        return counts

    @property
    def rejected(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == "rejected"]

    @property
    def same_record(self) -> list[RowOutcome]:
        """Rows recognised as a record another row or an existing record already is."""
        return [o for o in self.outcomes if o.same_as and o.action != "rejected"]

    def summary(self, lang: str | None = None) -> str:
        counts = self.counts
        text = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(skipped)s skipped, %(rejected)s rejected", lang=lang, **counts)
        if self.duplicates:
            text += _("; %(count)s possible duplicates to review", lang=lang,
                      count=len(self.duplicates))
        return text

    # -- persistence ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected_cells"] = {str(line): [_json_cell(c) for c in cells]
                                  for line, cells in self.rejected_cells.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImportResult":
        data = dict(data)
        data["outcomes"] = [RowOutcome(**o) for o in data.get("outcomes", ())]
        data["duplicates"] = [PossibleDuplicate(**{**d, "others": [tuple(o) for o in d[
            "others"]]}) for d in data.get("duplicates", ())]
        data["rejected_cells"] = {int(k): [_typed_cell(c) for c in v]
                                  for k, v in data.get("rejected_cells", {}).items()}
        return cls(**data)

    # -- the rejects file ------------------------------------------------------------------
    def rejects_table(self, lang: str | None = None) -> tuple[list[str], list[list[Any]]]:
        """Headers and rows of the rejects file: the input's columns, then line and
        reason."""
        headers = [*self.headers, _("line", lang=lang), _("reason", lang=lang)]
        rows = [[*self.rejected_cells.get(o.line, [None] * len(self.headers)), o.line,
                 o.reason] for o in self.rejected]
        return headers, rows

    def rejects_file(self, lang: str | None = None) -> tuple[bytes, str]:
        """``(content, extension)``: XLSX when the input was XLSX, else CSV (UTF-8 with a
        byte-order mark so that spreadsheets read the accents, the input's delimiter)."""
        headers, rows = self.rejects_table(lang)
        if self.kind == "xlsx":
            return xlsx_bytes(headers, rows), "xlsx"
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=self.delimiter or ",", lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v.isoformat() if isinstance(
                v, (dt.date, dt.datetime)) else v for v in row])
        return buffer.getvalue().encode("utf-8-sig"), "csv"


def _json_cell(value: Any) -> Any:
    """A cell as JSON; spreadsheet dates keep their type (``{"date": "2024-12-31"}``)."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _typed_cell(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "datetime" in value:
            return dt.datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
    return value


