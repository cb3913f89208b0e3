"""The back-office client in Chromium: lists, forms, search, group-by, archive, export,
French, with an axe audit of each page type and screenshots to look at."""
from __future__ import annotations

import openpyxl

from core.testing.browser import ARTIFACTS, audit, login


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_contacts(page, server) -> None:
    page.goto(f"{server.url}/web")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.wait_for_selector("table.data-table")


def test_contacts_create_edit_search_archive(page, live_server) -> None:
    login(page, live_server)
    assert audit(page) == []
    open_contacts(page, live_server)
    assert audit(page) == []
    shot(page, "client-list")
    page.get_by_role("link", name="New").click()
    page.get_by_label("Name").fill("Boulangerie Ménard")
    address_type = page.locator("#field-type")
    assert address_type.is_visible()                  # people have address types
    page.get_by_label("Is a Company").check()
    assert not address_type.is_visible()              # modifiers react at once
    page.get_by_label("City").fill("Nantes")
    page.get_by_label("Email").fill("contact@menard.example")
    assert audit(page) == []
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/web/action/*/*")
    assert page.get_by_label("City").input_value() == "Nantes"
    shot(page, "client-form")
    page.get_by_label("City").fill("Saint-Nazaire")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/web/action/*/*")
    assert page.get_by_label("City").input_value() == "Saint-Nazaire"
    history = page.get_by_role("region", name="History")
    assert "Nantes" in history.inner_text() and "Saint-Nazaire" in history.inner_text()
    assert audit(page) == []
    shot(page, "client-form-history")
    # search is accent-insensitive, like everywhere in Comptoir
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    page.get_by_label("Search", exact=True).fill("menard")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.data-table tbody tr")
    assert rows.count() == 1 and "Boulangerie Ménard" in rows.first.inner_text()
    # archive it: it leaves the list, and comes back under the Archived filter
    rows.first.get_by_role("checkbox").check()
    page.get_by_label("Action on the selected records").select_option("archive")
    page.get_by_role("button", name="Apply to selection").click()
    page.wait_for_load_state()
    assert page.locator("table.data-table tbody td.empty").count() == 1
    page.get_by_label("Archived").check()
    page.get_by_role("button", name="Search").click()
    assert "Boulangerie Ménard" in page.locator("table.data-table tbody").inner_text()


def test_group_by_and_export(page, live_server) -> None:
    login(page, live_server)
    open_contacts(page, live_server)
    page.get_by_label("Group by").select_option(label="Country")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("columnheader", name="Count", exact=True).count() == 1
    shot(page, "client-group-by")
    page.get_by_label("Group by").select_option("")
    page.get_by_role("button", name="Search").click()
    page.locator("table.data-table tbody input[type=checkbox]").first.check()
    page.get_by_label("Action on the selected records").select_option("export_xlsx")
    with page.expect_download() as download:
        page.get_by_role("button", name="Apply to selection").click()
    path = ARTIFACTS / "export.xlsx"
    download.value.save_as(str(path))
    sheet = openpyxl.load_workbook(path).active
    headers = [cell.value for cell in sheet[1]]
    assert "Name" in headers and sheet.max_row == 2


def test_switch_to_french(page, live_server) -> None:
    with live_server.database.environment() as env:
        if not env["res.users"].search([("login", "=", "claire")]):
            env["res.users"].create({"name": "Claire Dubois", "login": "claire",
                                     "password": "claire-2026",
                                     "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    login(page, live_server, "claire", "claire-2026")
    page.goto(f"{live_server.url}/web/preferences")
    assert audit(page) == []
    page.get_by_label("Language").select_option("fr_FR")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Préférences"
    shot(page, "client-preferences-fr")
    page.goto(f"{live_server.url}/web")
    assert "Bienvenue" in page.get_by_role("heading", level=1).inner_text()


def test_many2one_search_and_create_and_saved_searches(page, live_server) -> None:
    login(page, live_server)
    open_contacts(page, live_server)
    page.get_by_role("link", name="New").click()
    page.locator("#field-name").fill("Jeanne Petit")
    search = page.get_by_label("Search Related Company")
    search.fill("Atelier Neuf")
    related = page.get_by_label("Related Company", exact=True)
    page.wait_for_selector("#field-parent_id option[value='__create__']", state="attached")
    related.select_option("__create__")
    page.wait_for_function(
        "document.querySelector('#field-parent_id').selectedOptions[0].text === 'Atelier Neuf'")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/web/action/*/*")
    assert "Atelier Neuf" in page.get_by_label("Related Company", exact=True).inner_text()
    # save the current search, then find it again
    open_contacts(page, live_server)
    page.get_by_label("Search", exact=True).fill("Petit")
    page.get_by_role("button", name="Search").click()
    page.locator("summary", has_text="Saved searches").click()
    page.get_by_label("Save this search as").fill("The Petits")
    page.locator("details.tool[open]").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/web/menu/{page.url.split('menu=')[-1]}")
    page.locator("summary", has_text="Saved searches").click()
    page.get_by_role("link", name="The Petits").click()
    assert "Jeanne Petit" in page.locator("table.data-table tbody").inner_text()
    assert audit(page) == []
