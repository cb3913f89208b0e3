"""Spreadsheet files written by the kernel (exports, pivot tables, rejected import rows):
one place that knows XlsxWriter's options and how each Python value becomes a cell."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any


def xlsx_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    """An .xlsx workbook of one sheet: bold frozen headers, typed cells (numbers, dates,
    booleans), text never turned into formulas, links or numbers; empty cells left out."""
    import xlsxwriter
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for column, header in enumerate(headers):
        sheet.write_string(0, column, str(header), bold)
        sheet.set_column(column, column, max(12, min(40, len(str(header)) + 4)))
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(index, column, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(index, column, value, datetime_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(index, column, dt.datetime.combine(value, dt.time()),
                                     date_format)
            elif isinstance(value, (int, float)):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read the accents), dates
    in ISO format."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for line in rows:
        writer.writerow([v.isoformat(sep=" ") if isinstance(v, dt.datetime) else
                         v.isoformat() if isinstance(v, dt.date) else v for v in line])
    return buffer.getvalue().encode("utf-8-sig")
