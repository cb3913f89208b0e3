"""Reading the files people import: CSV in whatever encoding and delimiter an export tool
chose, and XLSX workbooks with their typed cells.

CSV: the encoding is taken from a byte-order mark (UTF-8, UTF-16), else UTF-8 when the
bytes decode as such, else windows-1252 (what Excel and older French tools write), else
Latin-1 (which decodes anything). The delimiter is sniffed among ``;`` ``,`` tab and ``|``
from the first lines; quoted cells may hold delimiters and line breaks; CRLF, LF and CR
line ends are all read. XLSX: the first sheet (or the one named), dates and numbers come as
Python values (``datetime.date``, ``datetime.datetime``, ``int``, ``float``), never as
their display text.

Every data row keeps its line number in the file (the header is line 1 of an XLSX sheet;
for a CSV, the physical line where the row starts), so a rejected row can be found again.
Wholly empty rows are skipped, trailing empty columns dropped.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import UserError
from ..i18n.translate import _

#: the delimiters tried, in order of preference when counts tie
DELIMITERS = (";", ",", "\t", "|")
#: how many lines the delimiter sniffing reads
SNIFF_LINES = 20
XLSX_MAGIC = b"PK\x03\x04"
MAX_COLUMNS = 500


@dataclass
class Table:
    """A file read as a header and rows of cells (``str`` for CSV; typed for XLSX)."""

    headers: list[str]
    rows: list[list[Any]]
    #: the line of each row in the file (1-based, the header being line 1 or more)
    lines: list[int]
    kind: str                       #: ``csv`` or ``xlsx``
    filename: str = ""
    encoding: str = ""              #: CSV only: the encoding used to decode it
    delimiter: str = ""             #: CSV only
    sheet: str = ""                 #: XLSX only: the sheet read
    sheets: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def stem(self) -> str:
        return Path(self.filename).stem if self.filename else ""


def read_file(data: bytes, filename: str = "", *, encoding: str | None = None,
              delimiter: str | None = None, sheet: str | None = None) -> Table:
    """``data`` read as a CSV or XLSX table (told apart by content, not by name)."""
    if not data or not data.strip():
        raise UserError(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data, filename, sheet)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise UserError(_("“%(name)s” is not a readable Excel workbook (XLSX).",
                          name=filename))
    if filename.lower().endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(_("Old Excel files (.xls) cannot be read: save the sheet as XLSX "
                          "or CSV first."))
    return read_csv(data, filename, encoding=encoding, delimiter=delimiter)


# -- CSV --------------------------------------------------------------------------------------
def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """``(text, encoding)``: the given encoding, a BOM's, UTF-8, windows-1252, Latin-1."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise UserError(_("Unknown encoding “%(encoding)s”.", encoding=encoding)) from None
        except UnicodeDecodeError as exc:
            raise UserError(_("The file is not valid %(encoding)s (byte %(position)s).",
                              encoding=encoding, position=exc.start)) from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    for name in ("utf-8", "windows-1252"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of cells."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = ",", (-1, -1)
    for index, candidate in enumerate(DELIMITERS):
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=candidate)
                      if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        score = (consistent * 1000 + counts[0], -index)
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_csv(data: bytes, filename: str = "", *, encoding: str | None = None,
             delimiter: str | None = None) -> Table:
    text, used = decode(data, encoding)
    text = text.lstrip("\ufeff")
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[list[Any]] = []
    lines: list[int] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if headers is None:
                headers = _headers(row)
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise UserError(_("The file could not be read as CSV near line %(line)s: %(error)s",
                          line=reader.line_num, error=str(exc))) from None
    if headers is None:
        raise UserError(_("The file is empty."))
    return Table(headers, [_fit(row, len(headers)) for row in rows], lines, "csv",
                 filename, encoding=used, delimiter=delimiter)


# -- XLSX -------------------------------------------------------------------------------------
def read_xlsx(data: bytes, filename: str = "", sheet: str | None = None) -> Table:
    import zipfile

    import openpyxl
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UserError(_("“%(name)s” is not a readable Excel workbook (XLSX): %(error)s",
                          name=filename or "file", error=str(exc))) from None
    try:
        names = list(workbook.sheetnames)
        if sheet and sheet not in names:
            raise UserError(_("The workbook has no sheet “%(sheet)s” (sheets: %(names)s).",
                              sheet=sheet, names=", ".join(names)))
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        headers: list[str] | None = None
        rows: list[list[Any]] = []
        lines: list[int] = []
        for number, raw in enumerate(worksheet.iter_rows(values_only=True), start=1):
            row = [_cell(value) for value in raw[:MAX_COLUMNS]]
            if not any(v not in (None, "") and not (isinstance(v, str) and not v.strip())
                       for v in row):
                continue
            if headers is None:
                headers = _headers(["" if v is None else str(v) for v in row])
                continue
            rows.append(row)
            lines.append(number)
        title = worksheet.title
    finally:
        workbook.close()
    if headers is None:
        raise UserError(_("The sheet “%(sheet)s” is empty.", sheet=title))
    return Table(headers, [_fit(row, len(headers)) for row in rows], lines, "xlsx", filename,
                 sheet=title, sheets=names)


def _cell(value: Any) -> Any:
    """An XLSX value as the import reads it: whole floats as ints, midnight datetimes as
    dates (a date cell), text as is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


# -- shared -----------------------------------------------------------------------------------
def _headers(row: list[str]) -> list[str]:
    """Header cells stripped, trailing empty ones dropped; an empty or repeated header
    gets a position-based name so that every column can be told apart."""
    cells = [str(c).strip() for c in row]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise UserError(_("The file has %(count)s columns; at most %(max)s can be imported.",
                          count=len(cells), max=MAX_COLUMNS))
    result: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        name = cell or _("Column %(number)s", number=index)
        while name in seen:
            name = f"{name} ({index})"
        seen.add(name)
        result.append(name)
    return result


def _fit(row: list[Any], width: int) -> list[Any]:
    """A row cut or padded to the header's width."""
    if len(row) >= width:
        return list(row[:width])
    return list(row) + [None] * (width - len(row))
