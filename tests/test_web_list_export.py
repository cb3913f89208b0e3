"""Exports from the list over HTTP on both engines: the field chooser, the remembered
choice, field access, related fields, scopes, formula-proof XLSX and a query count that
does not grow with the number of rows."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from core.modules.loading import Database
from core.testing import count_queries
from core.testing.web import client_for

TRICKY = ["=1+1", "+33 6 12 34 56 78", "-2+3", "@SUM(A1)"]


@pytest.fixture(scope="module")
def export_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("export"), "export")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel_ext"])
    with database.environment() as env:
        rep = env["res.users"].create({"name": "Exporter", "login": "exporter",
                                       "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        partners = env["res.partner"].create([
            {"name": f"Client {i}", "email": f"client{i}@example.com"} for i in range(3)])
        tags = env["test.tag"].create([{"name": "red"}, {"name": "blue"}])
        env["test.order"].create([{
            "name": TRICKY[i] if i < len(TRICKY) else f"SO{i:04d}", "quantity": i,
            "partner_id": partners.ids[i % 3], "internal_note": f"secret {i}",
            "tag_ids": [(6, 0, tags.ids)], "user_id": rep.id} for i in range(60)])
        action = env["ir.actions.act_window"].create({"name": "Orders",
                                                      "res_model": "test.order"}).id
        admin = env.ref("base.user_admin")
        admin.write({"groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        database.test_ids = {"action": action, "rep": rep.id, "admin": admin.id}
    yield database
    database.engine.dispose()
    drop()


def ids_of(database, names: list[str]) -> list[int]:
    with database.environment() as env:
        return env["test.order"].search([("name", "in", names)]).ids


def workbook(response, types: list | None = None):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    if types is not None:
        types.extend(cell.data_type for cell in next(sheet.iter_cols(min_row=2)))
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_dialog_offers_what_the_user_may_read(export_db) -> None:
    ids = export_db.test_ids
    base = f"/web/action/{ids['action']}"
    rep, csrf = client_for(export_db, ids["rep"])
    chosen = ids_of(export_db, ["SO0010", "SO0011"])
    page = rep.post(base + "/export", data={"csrf_token": csrf, "ids": chosen,
                                            "back": base + "?q=SO001"}).get_data(as_text=True)
    assert "The 2 selected records" in page and "All 10 records matching the search" in page
    ticked = re.findall(r'name="fields" value="([\w.]+)" checked', page)
    assert ticked == ["name", "partner_id", "state", "amount_total"]     # the list's columns
    offered = set(re.findall(r'name="fields" value="([\w.]+)"', page))
    assert {"partner_id.email", "partner_id.city", "tag_ids", "date", "id"} <= offered
    assert not offered & {"internal_note", "version", "attachment", "line_ids", "data"}
    admin, admin_csrf = client_for(export_db, ids["admin"])
    managed = admin.post(base + "/export", data={"csrf_token": admin_csrf}).get_data(
        as_text=True)
    assert 'value="internal_note"' in managed and "All 60 records" in managed


def test_chosen_fields_exported_remembered_and_formula_proof(export_db) -> None:
    ids = export_db.test_ids
    base = f"/web/action/{ids['action']}"
    rep, csrf = client_for(export_db, ids["rep"])
    chosen = ids_of(export_db, TRICKY)
    fields = ["name", "partner_id", "partner_id.email", "tag_ids", "quantity",
              "internal_note", "state"]
    types: list[str] = []
    rows = workbook(rep.post(base + "/export/download", data={
        "csrf_token": csrf, "ids": chosen, "scope": "selected", "format": "xlsx",
        "fields": fields, "back": base + "?o=quantity+asc"}), types)
    assert types == ["s"] * 4                              # strings, not formulas ("f")
    assert rows[0] == ["Reference", "Customer", "Customer / Email", "Tags", "Quantity",
                       "State"]                           # internal_note: not readable
    assert [row[0] for row in rows[1:]] == TRICKY          # text, never formulas
    assert rows[1][1:] == ["Client 0", "client0@example.com", "red, blue", 0, "Draft"]
    with export_db.environment() as env:
        choice = env["ir.exports"].search([("user_id", "=", ids["rep"])])
        assert choice.resource == "test.order"
        assert choice.field_names == [f for f in fields if f != "internal_note"]
    # the remembered choice: ticked first in the dialog, and used by one-click exports
    page = rep.post(base + "/export", data={"csrf_token": csrf}).get_data(as_text=True)
    assert re.findall(r'name="fields" value="([\w.]+)" checked', page)[:3] == [
        "name", "partner_id", "partner_id.email"]
    one_click = rep.post(base + "/bulk", data={"csrf_token": csrf, "operation": "export_csv",
                                               "ids": chosen[:1], "back": base})
    lines = list(csv.reader(io.StringIO(one_click.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["Reference", "Customer", "Customer / Email", "Tags", "Quantity",
                        "State"] and len(lines) == 2
    empty = rep.post(base + "/export/download", data={"csrf_token": csrf, "ids": chosen,
                                                      "scope": "selected", "back": base})
    assert empty.status_code == 422 and "Choose at least one field" in empty.get_data(
        as_text=True)


def test_every_record_matching_the_search_and_a_constant_query_count(export_db) -> None:
    ids = export_db.test_ids
    base = f"/web/action/{ids['action']}"
    admin, csrf = client_for(export_db, ids["admin"])
    fields = ["name", "partner_id", "partner_id.email", "tag_ids", "internal_note"]
    counts = {}
    for search, expected in (("SO004", 10), ("SO00", 56)):
        form = {"csrf_token": csrf, "scope": "all", "format": "xlsx", "fields": fields,
                "back": f"{base}?q={search}"}
        admin.post(base + "/export/download", data=form)        # warm caches
        with count_queries(export_db.engine) as counter:
            rows = workbook(admin.post(base + "/export/download", data=form))
        counts[expected] = counter.count
        assert len(rows) == expected + 1 and rows[0][-1] == "Internal Note"
        assert rows[1][-1].startswith("secret ")
    assert counts[10] == counts[56], counts


def test_export_choices_are_private(export_db) -> None:
    ids = export_db.test_ids
    with export_db.environment() as env:
        exports = env["ir.exports"]
        exports.with_user(ids["admin"]).remember("res.partner", ["name"])
        mine = exports.with_user(ids["rep"])
        mine.remember("res.partner", ["name", "email"])
        assert mine.remembered("res.partner") == ["name", "email"]
        assert exports.with_user(ids["admin"]).remembered("res.partner") == ["name"]
        assert mine.search([]).mapped("user_id").ids == [ids["rep"]]
        other = exports.search([("user_id", "=", ids["admin"])])
        with pytest.raises(Exception) as refused:
            other.with_user(ids["rep"]).write({"field_names": ["id"]})
        assert type(refused.value).__name__ in ("AccessError", "MissingError")
