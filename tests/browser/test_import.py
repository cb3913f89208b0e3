"""The import wizard in Chromium: the list's Import entry, upload, the mapping page with
its converted preview and the problem cell, a test run, the import and the rejected rows'
download, each page audited with axe (and on a phone's width)."""
from __future__ import annotations

import pytest

from core.imports import read_file
from core.testing.browser import ARTIFACTS, audit, login

ROWS = ("code;nom;ville;pays;e-mail\r\n"
        "QP1;Brasserie du Quai;Nantes;France;contact@brasserie-quai.example\r\n"
        "QP2;Cave du Quai;Saint-Nazaire;FR;cave@cave-quai.example\r\n"
        "QP3;Atelier du Quai;Vertou;Atlantis;atelier@atelier-quai.example\r\n"
        "QP4;Épicerie du Quai;Rezé;france;epicerie@epicerie-quai.example\r\n")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def quay_accounts(live_server, tmp_path_factory):
    """A list of the quay's companies, and their export from an old tool (windows-1252)."""
    with live_server.database.environment() as env:
        action = env["ir.actions.act_window"].create({
            "name": "Quay companies", "res_model": "res.partner", "view_mode": "list,form",
            "domain": "[('name', 'like', 'du Quai')]",
            "context": "{'default_is_company': True}"})
        url = f"{live_server.url}/web/action/{action.id}"
    path = tmp_path_factory.mktemp("import") / "quai.csv"
    path.write_bytes(ROWS.encode("windows-1252"))
    return url, path


def test_the_import_wizard(page, live_server, quay_accounts, tmp_path) -> None:
    url, path = quay_accounts
    login(page, live_server)
    page.goto(url)
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/import?*")
    assert audit(page) == []
    page.get_by_label("File to import").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("table.import-preview")
    # the mapping guessed from the French headers, the preview converted, one problem
    assert page.get_by_label("nom", exact=True).input_value() == "name"
    assert page.get_by_label("pays", exact=True).input_value() == "country_id"
    assert page.get_by_label("Key column").input_value() == "code"
    problem = page.locator("td.cell-error")
    assert problem.count() == 1 and "No Country named “Atlantis”" in problem.inner_text()
    assert "France" in page.locator("table.import-preview tbody tr").nth(1).inner_text()
    shot(page, "import-mapping")
    assert audit(page) == []
    # a test run: what would happen, nothing written
    page.get_by_role("button", name="Test").click()
    page.wait_for_selector("#test-result")
    counts = page.locator("#test-result .import-counts").inner_text()
    assert "3 created" in counts and "1 rejected" in counts
    assert "No Country named “Atlantis”" in page.locator(".import-rejected").inner_text()
    with live_server.database.environment() as env:
        assert not env["res.partner"].search_count([("name", "like", "du Quai")])
    shot(page, "import-test")
    assert audit(page) == []
    # the import, its result and the rejected row to correct
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("h1:has-text('done')")
    assert "3 created" in page.locator(".import-counts").inner_text()
    shot(page, "import-result")
    assert audit(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 1 rejected rows").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "quai_rejected.csv"
    rejects = read_file(saved.read_bytes(), saved.name)
    assert rejects.headers == ["code", "nom", "ville", "pays", "e-mail", "line", "reason"]
    assert rejects.rows[0][:4] == ["QP3", "Atelier du Quai", "Vertou", "Atlantis"]
    with live_server.database.environment() as env:
        imported = env["res.partner"].search([("name", "like", "du Quai")])
        assert sorted(imported.mapped("city")) == ["Nantes", "Rezé", "Saint-Nazaire"]
        assert all(imported.mapped("is_company"))
    # the list shows them; on a phone the wizard stays usable
    page.get_by_role("link", name="Back to the list").click()
    assert page.locator("table.data-table tbody tr[data-id]").count() == 3
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url + "/import")
    shot(page, "import-upload-phone")
    assert audit(page) == []
