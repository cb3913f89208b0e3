"""Export of records to XLSX (XlsxWriter) and CSV, with the list view's columns.

Values come from ``read()``, so field access applies: a field the user may not see is
not exported. Text is always written as text: a cell starting with ``=`` stays a string
(no formula injection).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from werkzeug.wrappers import Response

from . import values


def columns_of(view: Any, model: Any) -> list[tuple[str, dict[str, Any]]]:
    result = []
    for node in view.arch.iter("field"):
        name = node.get("name")
        description = view.fields.get(name)
        if description and node.get("invisible") not in ("1", "True") and \
                node.get("column_invisible") not in ("1", "True") and \
                model._field_visible(model._fields[name]):
            # the list's own column label, as the user saw it
            result.append((name, {**description,
                                  "string": node.get("string") or description.get("string")}))
    return result


def rows(records: Any, columns: list[tuple[str, dict[str, Any]]], lang: str) -> list[list[Any]]:
    data = records.read([name for name, _d in columns]) if records else []
    table = []
    for row in data:
        line = []
        for name, description in columns:
            value = row[name]
            if description["type"] in ("integer", "float", "monetary"):
                line.append(value or 0)
            elif description["type"] in ("date", "datetime") and value:
                line.append(value)
            else:
                line.append(values.display(value, description, lang))
        table.append(line)
    return table


def xlsx_bytes(headers: list[str], table: list[list[Any]]) -> bytes:
    import xlsxwriter
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
        sheet.set_column(column, column, max(12, min(40, len(header) + 4)))
    for row_index, line in enumerate(table, start=1):
        for column, value in enumerate(line):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(row_index, column, value, datetime_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row_index, column, dt.datetime.combine(value, dt.time()),
                                     date_format)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(row_index, column, value)
            else:
                sheet.write_string(row_index, column, str(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def csv_bytes(headers: list[str], table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for line in table:
        writer.writerow([v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
                         for v in line])
    return buffer.getvalue().encode("utf-8-sig")


def response(records: Any, view: Any, kind: str, lang: str) -> Response:
    columns = columns_of(view, records)
    headers = [description.get("string") or name for name, description in columns]
    table = rows(records, columns, lang)
    filename = f"{records._name.replace('.', '_')}.{kind}"
    if kind == "xlsx":
        body = xlsx_bytes(headers, table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = csv_bytes(headers, table)
        mimetype = "text/csv"
    result = Response(body, mimetype=mimetype)
    result.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result
