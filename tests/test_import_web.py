"""The import wizard over HTTP on both engines: the Import entry and the routes only for
users who may create, upload (file kept in the store under a token, never in the
session), mapping page with a converted preview and problem cells, test (dry run, nothing
written), import, result page and the rejected rows' file (CSV, or XLSX for a workbook),
per-row duplicate choices and the remembered mapping."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from core.imports import read_file
from core.modules.loading import Database
from core.testing.web import client_for

from .conftest import SHARED_TESTDATA

PEOPLE = ("badge;prénom;nom;mail;birthday;age\n"
          "B1;Ann;Lee;ann@example.com;29/02/1980;30\n"
          "B2;Bob;Ray;bob@example.com;;40\n"
          "B3;Bobby;Ray;BOB@example.com;;41\n"
          "B4;Eve;Kay;eve@example.com;31/02/1980;\n"
          "B5;Old;Zed;zed@example.com;;200\n")


@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("importweb"), "impweb")
    database = Database(url, available=comptoir_available)
    database.install(["test_import"])
    with database.environment() as env:
        user = env.ref("base.group_user").id
        clerk = env["res.users"].create({"name": "Clerk", "login": "clerk-import",
                                         "groups_id": [(6, 0, [user])]})
        other = env["res.users"].create({"name": "Other", "login": "other-import",
                                         "groups_id": [(6, 0, [user])]})
        actions = env["ir.actions.act_window"]
        database.test_ids = {
            "clerk": clerk.id, "other": other.id,
            "people": actions.create({"name": "People", "res_model": "test.import.person"}).id,
            "stages": actions.create({"name": "Stages", "res_model": "test.stage"}).id,
            "accounts": actions.create({"name": "Accounts", "res_model": "res.partner",
                                        "context": "{'default_is_company': True}"}).id}
    yield database
    database.engine.dispose()
    drop()


def upload(client, csrf, action: int, data: bytes, name: str):
    return client.post(f"/web/action/{action}/import", data={
        "csrf_token": csrf, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def token_of(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return re.search(r"/import/([\w-]+)\?", response.headers["Location"]).group(1)


def form_of(page: str) -> dict[str, str]:
    """The mapping form's current choices, as the browser would post them."""
    data = {}
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>',
                                 page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data["prefix"] = re.search(r'name="prefix" value="([^"]*)"', page).group(1)
    data["on_duplicate"] = re.search(r'name="on_duplicate" value="(\w+)" checked',
                                     page).group(1)
    return data


def test_only_creators_get_the_import_entry_and_routes(web_db) -> None:
    ids = web_db.test_ids
    clerk, csrf = client_for(web_db, ids["clerk"])
    people = clerk.get(f"/web/action/{ids['people']}").get_data(as_text=True)
    assert f'href="/web/action/{ids["people"]}/import?menu=' in people
    stages = clerk.get(f"/web/action/{ids['stages']}").get_data(as_text=True)
    assert "/import?" not in stages                       # test.stage: read only for users
    assert clerk.get(f"/web/action/{ids['stages']}/import").status_code == 403
    assert upload(clerk, csrf, ids["stages"], b"name\nX\n", "s.csv").status_code == 403
    token = token_of(upload(clerk, csrf, ids["people"], PEOPLE.encode(), "people.csv"))
    assert clerk.get(f"/web/action/{ids['stages']}/import/{token}").status_code == 403
    # a token is its uploader's: another user gets nothing
    other, _other_csrf = client_for(web_db, ids["other"])
    assert other.get(f"/web/action/{ids['people']}/import/{token}").status_code == 404
    assert other.get(f"/web/action/{ids['people']}/import/../../etc").status_code == 404


def test_upload_map_test_import_and_download_rejects(web_db) -> None:
    ids = web_db.test_ids
    base = f"/web/action/{ids['people']}/import"
    clerk, csrf = client_for(web_db, ids["clerk"])
    assert "File to import" in clerk.get(base).get_data(as_text=True)
    refused = upload(clerk, csrf, ids["people"], b"", "empty.csv")
    assert refused.status_code == 422 and "The file is empty." in refused.get_data(
        as_text=True)
    token = token_of(upload(clerk, csrf, ids["people"], PEOPLE.encode(), "people.csv"))
    page = clerk.get(f"{base}/{token}").get_data(as_text=True)
    assert "people.csv: 5 rows (CSV, utf-8" in page
    form = form_of(page)
    assert (form["column_1"], form["column_2"], form["column_3"]) == ("name", "name", "email")
    assert form["key_column"] == "badge" and form["on_duplicate"] == "skip"
    assert "29/02/1980" in page                               # converted, user's format
    assert "“31/02/1980” is not a valid date" in page         # the problem cell
    # test: what would happen, nothing written
    tested = clerk.post(f"{base}/{token}", data={**form, "csrf_token": csrf, "step": "test"})
    text = tested.get_data(as_text=True)
    assert tested.status_code == 200 and "Test result: nothing was changed" in text
    assert re.search(r"<strong>2</strong> created", text)
    assert re.search(r"<strong>2</strong> rejected", text)
    assert 'name="row_4"' in text                              # B3 is B2 (same e-mail)
    with web_db.environment() as env:
        assert not env["test.import.person"].search_count([])
    # per-row choice: line 4 is merged into line 3 instead of skipped
    done = clerk.post(f"{base}/{token}", data={**form, "csrf_token": csrf, "step": "import",
                                               "row_4": "update"})
    assert done.status_code == 303 and done.headers["Location"].startswith(
        f"{base}/{token}/done")
    result = clerk.get(f"{base}/{token}/done").get_data(as_text=True)
    assert re.search(r"<strong>2</strong> created", result)
    assert "Download the 2 rejected rows" in result
    with web_db.environment() as env:
        bob = env.ref("__import__.people_B2")
        assert (bob.name, bob.age, bob.create_uid.id) == ("Bobby Ray", 41, ids["clerk"])
    rejects = clerk.get(f"{base}/{token}/rejects")
    assert rejects.mimetype == "text/csv"
    assert "people_rejected.csv" in rejects.headers["Content-Disposition"]
    table = read_file(rejects.get_data(), "r.csv")
    assert table.headers == ["badge", "prénom", "nom", "mail", "birthday", "age", "line", "reason"]
    assert [row[0] for row in table.rows] == ["B4", "B5"]
    assert "birthday: “31/02/1980” is not a valid date" in table.rows[0][-1]
    assert "between 0 and 150" in table.rows[1][-1]
    # the mapping is remembered for the next file with these columns
    again = token_of(upload(clerk, csrf, ids["people"], PEOPLE.encode(), "people2.csv"))
    assert form_of(clerk.get(f"{base}/{again}").get_data(as_text=True))["prefix"] == "people"


def test_workbook_into_accounts_with_the_actions_defaults(web_db) -> None:
    ids = web_db.test_ids
    base = f"/web/action/{ids['accounts']}/import"
    clerk, csrf = client_for(web_db, ids["clerk"])
    data = (SHARED_TESTDATA / "import" / "comptes.xlsx").read_bytes()
    token = token_of(upload(clerk, csrf, ids["accounts"], data, "comptes.xlsx"))
    page = clerk.get(f"{base}/{token}").get_data(as_text=True)
    assert "comptes.xlsx: 517 rows (Excel, sheet “Comptes clients”)" in page
    form = {**form_of(page), "csrf_token": csrf, "step": "import"}
    assert clerk.post(f"{base}/{token}", data=form).status_code == 303
    with web_db.environment() as env:
        created = env["res.partner"].search([("is_company", "=", True),
                                             ("create_uid", "=", ids["clerk"])])
        assert len(created) == 516
    rejects = clerk.get(f"{base}/{token}/rejects")
    assert rejects.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(rejects.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("line", "reason") and rows[1][0] == "CLI999001"
    assert rows[1][-2:] == (198, "raison_sociale: a value is required (Name).")
    # a bad mapping is said on the page, nothing imported
    bad = clerk.post(f"{base}/{token}", data={**form, "column_1": "", "column_0": "",
                                              "column_2": "", **{f"column_{i}": "" for i in
                                                                 range(12)}})
    assert bad.status_code == 422 and "Map at least one column" in bad.get_data(as_text=True)
