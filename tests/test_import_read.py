"""Reading import files and converting cells: real exports (windows-1252 with commas,
UTF-8 with semicolons and CRLF, XLSX), typed spreadsheet cells, line numbers, and every
cell format the converters accept or refuse with a clear reason."""
from __future__ import annotations

import codecs
import datetime as dt
import io

import openpyxl
import pytest

from core.exceptions import UserError
from core.imports import CellError, read_file
from core.imports.convert import (to_boolean, to_date, to_datetime, to_integer, to_number)
from core.imports.keys import default_prefix, looks_like_key, xmlid_name

from .conftest import SHARED_TESTDATA

IMPORT_DATA = SHARED_TESTDATA / "import"


def test_french_accounts_csv_utf8_semicolons_crlf() -> None:
    table = read_file((IMPORT_DATA / "comptes.csv").read_bytes(), "comptes.csv")
    assert (table.kind, table.encoding, table.delimiter) == ("csv", "utf-8", ";")
    assert table.headers[:3] == ["ancien_id", "raison_sociale", "siren"]
    assert len(table) == 517 and table.lines[:2] == [2, 3] and table.lines[-1] == 518
    assert table.rows[0][1] == "Logistique Lefèbvre" and table.rows[0][5] == "Besançon"
    assert not any(cell.endswith("\r") for row in table.rows for cell in row if cell)


def test_old_crm_contacts_windows_1252_commas() -> None:
    table = read_file((IMPORT_DATA / "contacts_export_ancien_crm.csv").read_bytes(),
                      "contacts_export_ancien_crm.csv")
    assert (table.encoding, table.delimiter) == ("windows-1252", ",")
    assert table.headers == ["id_contact", "civilite", "prenom", "nom", "fonction", "compte",
                             "email", "mobile", "commentaire"]
    assert len(table) == 1372
    assert table.rows[0][2] == "Maëlle"
    assert table.rows[2][8] == "Client fidèle – à relancer en septembre"   # 0x96: en dash


def test_the_xlsx_export_reads_like_the_csv() -> None:
    csv_table = read_file((IMPORT_DATA / "comptes.csv").read_bytes(), "comptes.csv")
    xlsx = read_file((IMPORT_DATA / "comptes.xlsx").read_bytes(), "comptes.xlsx")
    assert (xlsx.kind, xlsx.sheet) == ("xlsx", "Comptes clients")
    assert xlsx.headers == csv_table.headers and xlsx.lines == csv_table.lines
    assert [[c or "" for c in row] for row in xlsx.rows] == csv_table.rows


def test_xlsx_cells_keep_their_types() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Born", "Met", "Amount", "Count", "VIP"])
    sheet.append([])                                   # an empty row is skipped
    sheet.append(["Ann", dt.date(1980, 2, 29), dt.datetime(2024, 3, 1, 14, 30), 12.5, 3.0,
                  True])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_file(buffer.getvalue(), "people.bin")          # told by content
    assert table.kind == "xlsx" and table.lines == [3]
    assert table.rows == [["Ann", dt.date(1980, 2, 29), dt.datetime(2024, 3, 1, 14, 30),
                           12.5, 3, True]]
    assert isinstance(table.rows[0][4], int)


def test_bom_tabs_quoted_line_breaks_and_line_numbers() -> None:
    text = ("name\tnote\r\nA\t\"two\r\nlines\"\r\n\r\n\t\r\nB\t\"x\ty\"\r\n")
    table = read_file(codecs.BOM_UTF8 + text.encode(), "t.csv")
    assert (table.encoding, table.delimiter) == ("utf-8-sig", "\t")
    assert table.rows == [["A", "two\r\nlines"], ["B", "x\ty"]]
    assert table.lines == [2, 6]
    utf16 = read_file("a;b\n1;2\n".encode("utf-16"), "u.csv")
    assert utf16.headers == ["a", "b"] and utf16.rows == [["1", "2"]]


def test_headers_short_rows_and_repeated_names() -> None:
    table = read_file(b"a,,a,\n1,2\n3,4,5,6,7\n", "h.csv")
    assert table.headers == ["a", "Column 2", "a (3)"]
    assert table.rows == [["1", "2", None], ["3", "4", "5"]]


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "The file is empty."),
    (b"  \n", "blank.csv", "The file is empty."),
    (b"\xd0\xcf\x11\xe0rest", "old.xls", "Old Excel files (.xls)"),
    (b"PK\x03\x04broken", "bad.xlsx", "not a readable Excel workbook"),
])
def test_unreadable_files_are_refused_in_words(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_file(data, name)


@pytest.mark.parametrize("text, expected", [
    ("26/01/2007", dt.date(2007, 1, 26)), ("2007-01-26", dt.date(2007, 1, 26)),
    ("26-01-07", dt.date(2007, 1, 26)), ("26.01.2007", dt.date(2007, 1, 26)),
    ("1er mars 2024", dt.date(2024, 3, 1)), ("3 févr. 2024", dt.date(2024, 2, 3)),
    ("March 3, 2024", dt.date(2024, 3, 3)), ("12/31/2024", dt.date(2024, 12, 31)),
    (dt.datetime(2024, 5, 6, 0, 0), dt.date(2024, 5, 6)),
])
def test_dates_in_french_english_and_iso(text, expected) -> None:
    assert to_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2020", "2020-02-30", "32/01/2020", "demain",
                                  "26/01/207"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(CellError, match="is not a valid date"):
        to_date(text)


def test_datetimes_are_read_in_the_users_zone() -> None:
    from core.i18n.formatting import zone
    paris = zone("Europe/Paris")
    assert to_datetime("15/07/2024 14:30", paris) == dt.datetime(2024, 7, 15, 12, 30)
    assert to_datetime("2024-01-15T08h05", paris) == dt.datetime(2024, 1, 15, 7, 5)
    assert to_datetime(dt.date(2024, 1, 15), paris) == dt.datetime(2024, 1, 14, 23, 0)
    with pytest.raises(CellError, match="valid date and time"):
        to_datetime("15/07/2024 25:00", paris)


@pytest.mark.parametrize("text, expected", [
    ("1 234,56", 1234.56), ("1.234,56", 1234.56), ("1,234.56", 1234.56), ("12,5", 12.5),
    ("12.5", 12.5), ("1\u202f000", 1000.0), ("-3", -3.0), ("45 %", 45.0), ("9,99 €", 9.99),
    ("1'000'000", 1_000_000.0), (7, 7.0),
])
def test_numbers_with_comma_or_point(text, expected) -> None:
    assert to_number(text) == pytest.approx(expected)


def test_bad_numbers_and_booleans() -> None:
    with pytest.raises(CellError, match="is not a number"):
        to_number("douze")
    with pytest.raises(CellError, match="is not a whole number"):
        to_integer("2,5")
    assert [to_boolean(v) for v in ("Oui", "non", "YES", "no", "1", "0", "x", "Vrai")] == \
        [True, False, True, False, True, False, True, True]
    with pytest.raises(CellError, match="not yes or no"):
        to_boolean("peut-être")


def test_external_id_names() -> None:
    assert default_prefix("Comptes clients.csv") == "comptes_clients"
    assert xmlid_name("comptes", " CLI 002/592 ") == "comptes_CLI_002_592"
    assert [looks_like_key(h) for h in ("ancien_id", "id_contact", "ID", "External ID",
                                        "idée", "siren", "valid", "paid")] == \
        [True, True, True, True, False, False, False, False]


def test_rejected_workbook_cells_keep_their_types_through_json() -> None:
    from core.imports import ImportResult, RowOutcome
    result = ImportResult("res.partner", "people.xlsx", ["name", "born"], kind="xlsx")
    result.outcomes.append(RowOutcome(3, "rejected", reason="born: too old"))
    result.rejected_cells[3] = ["Ann", dt.date(1980, 2, 29)]
    again = ImportResult.from_dict(result.to_dict())
    assert again.rejected_cells == {3: ["Ann", dt.date(1980, 2, 29)]}
    content, extension = again.rejects_file()
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert extension == "xlsx" and rows[0] == ("name", "born", "line", "reason")
    assert rows[1] == ("Ann", dt.datetime(1980, 2, 29), 3, "born: too old")
    again.kind = "csv"
    assert again.rejects_file()[0].decode("utf-8-sig").splitlines()[1] == \
        "Ann,1980-02-29,3,born: too old"
