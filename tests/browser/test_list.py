"""The list view in Chromium: rows edited in place (mouse and keyboard, errors and
conflicts on the row, a new line), the export dialog, "Set a field" and the condition
builder, on a desktop and a phone, with an axe audit of each page and screenshots."""
from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect

from core.testing.browser import ARTIFACTS, audit, login

LOGIN, PASSWORD = "lise", "lise-2026"
EDITABLE = """<list editable="bottom">
    <field name="name"/>
    <field name="email"/>
    <field name="city"/>
    <field name="country_id"/>
    <field name="type"/>
    <field name="is_company"/>
    <field name="commercial_partner_id"/>
</list>"""


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def quick(live_server):
    """A user of her own (her export choices stay hers), partners named "Quai ..." and
    an action listing them in an editable list."""
    with live_server.database.environment() as env:
        if not env["res.users"].search([("login", "=", LOGIN)]):
            env["res.users"].create({"name": "Lise Martin", "login": LOGIN,
                                     "password": PASSWORD, "tz": "Europe/Paris",
                                     "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        france = env["res.country"].search([("code", "=", "FR")], limit=1) or \
            env["res.country"].create({"name": "France", "code": "FR"})
        env["res.partner"].create([{"name": f"Quai {i}", "city": "Nantes",
                                    "email": f"quai{i}@example.com", "country_id": france.id}
                                   for i in range(1, 6)])
        view = env["ir.ui.view"].create({"name": "quai: editable", "model": "res.partner",
                                         "type": "list", "priority": 90, "arch": EDITABLE})
        action = env["ir.actions.act_window"].create({
            "name": "Quays", "res_model": "res.partner", "view_id": view.id,
            "domain": "[('name', '=like', 'Quai %')]", "view_mode": "list,form"})
        return {"url": f"{live_server.url}/web/action/{action.id}",
                "contacts": f"{live_server.url}/web/action/"
                            f"{env.ref('base.res_partner_action').id}"}


def rows(page):
    return page.locator("table.data-table tbody tr[data-id]")


def test_rows_edited_in_place_with_mouse_and_keyboard(page, live_server, quick) -> None:
    login(page, live_server, LOGIN, PASSWORD)
    page.goto(quick["url"] + "?o=name+asc")
    assert rows(page).count() == 5
    assert audit(page) == []
    shot(page, "list-editable")
    # a click on a row edits it; Enter saves
    rows(page).nth(1).locator("td").nth(3).click()
    city = page.get_by_label("City", exact=True)
    city.wait_for()
    assert page.locator("tr.editing").count() == 1
    assert page.locator("tr.editing").get_by_label("Related Company", exact=True).count() == 0
    shot(page, "list-editing")
    assert audit(page) == []
    city.fill("Saint-Nazaire")
    city.press("Enter")
    page.wait_for_selector("tr.editing", state="detached")
    assert "Saint-Nazaire" in rows(page).nth(1).inner_text()
    expect(page.locator("#client-messages")).to_have_text("Saved.")
    # keyboard: Enter on a focused row edits it, Escape puts it back as it was
    rows(page).nth(2).focus()
    page.keyboard.press("Enter")
    page.get_by_label("City", exact=True).fill("Brest")
    page.keyboard.press("Escape")
    page.wait_for_selector("tr.editing", state="detached")
    assert "Nantes" in rows(page).nth(2).inner_text()
    assert page.evaluate("document.activeElement.dataset.id") == \
        rows(page).nth(2).get_attribute("data-id")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.id") == \
        rows(page).nth(3).get_attribute("data-id")
    # errors stay on the row, next to their cell
    rows(page).nth(3).locator("td").nth(2).click()
    name = page.locator("tr.editing").get_by_label("Name", exact=True)
    name.fill("")
    page.get_by_role("button", name="Save").click()
    assert name.evaluate("n => n.validity.valueMissing")     # the browser asks first
    name.evaluate("n => { n.required = false; }")             # the server says it too
    page.get_by_role("button", name="Save").click()
    error = page.locator("tr.editing .field-error")
    error.wait_for()
    assert "required" in error.inner_text()
    assert page.locator("tr.editing").get_by_label("Name", exact=True).get_attribute(
        "aria-invalid") == "true"
    expect(page.locator("#client-messages")).to_have_text(
        "Not saved: see the messages on the line.")
    assert audit(page) == []
    shot(page, "list-editing-error")
    page.locator("tr.editing").get_by_role("link", name="Cancel").click()
    page.wait_for_selector("tr.editing", state="detached")
    # a new line at the bottom
    page.get_by_role("link", name="Add a line").click()
    new = page.locator("tr.editing[data-key=new]")
    new.get_by_label("Name", exact=True).fill("Quai 6")
    new.get_by_label("Search Country").fill("Franc")            # beyond the first choices
    page.wait_for_function("[...document.querySelectorAll('tr.editing select[name=country_id]"
                           " option')].some(o => o.text === 'France')")
    new.get_by_label("Country", exact=True).select_option(label="France")
    new.get_by_role("button", name="Save").click()
    page.wait_for_selector("tr.editing", state="detached")
    assert rows(page).count() == 6 and "Quai 6" in rows(page).nth(5).inner_text()
    page.reload()
    assert "France" in rows(page).filter(has_text="Quai 6").inner_text()


def test_a_conflict_is_shown_on_the_row(page, live_server, quick) -> None:
    login(page, live_server, LOGIN, PASSWORD)
    page.goto(quick["url"] + "?o=name+asc")
    row = rows(page).first
    record_id = int(row.get_attribute("data-id"))
    row.locator("td").nth(3).click()
    page.get_by_label("City", exact=True).fill("Angers")
    with live_server.database.environment() as env:
        env["res.partner"].browse(record_id).write({"city": "Cholet"})
    page.get_by_role("button", name="Save").click()
    alert = page.locator("tr.row-alert [role=alert]")
    alert.wait_for()
    assert "changed by someone else" in alert.inner_text() and "Cholet" in alert.inner_text()
    assert audit(page) == []
    shot(page, "list-conflict")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("tr.editing", state="detached")
    assert "Angers" in rows(page).first.inner_text()


def test_on_a_phone(browser, live_server, quick) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        login(page, live_server, LOGIN, PASSWORD)
        page.goto(quick["url"] + "?o=name+asc")
        rows(page).nth(1).get_by_role("link", name="Edit").click()
        page.get_by_label("City", exact=True).wait_for()
        assert audit(page) == []
        shot(page, "list-editing-phone")
    finally:
        context.close()


def test_export_dialog_remembers_the_choice(page, live_server, quick) -> None:
    login(page, live_server, LOGIN, PASSWORD)
    page.goto(quick["url"] + "?o=name+asc")
    rows(page).nth(0).get_by_role("checkbox").check()
    rows(page).nth(1).get_by_role("checkbox").check()
    page.get_by_role("button", name="Export…").click()
    page.wait_for_url("**/export*")
    assert page.get_by_label("The 2 selected records").is_checked()
    assert audit(page) == []
    page.get_by_label("Find a field").fill("code")
    page.get_by_label("Country / Country Code").check()
    page.get_by_label("Email", exact=True).uncheck()
    shot(page, "list-export-dialog")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    path = ARTIFACTS / "list-export.xlsx"
    download.value.save_as(str(path))
    sheet = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    assert sheet[0][-1] == "Country / Country Code" and "Email" not in sheet[0]
    assert len(sheet) == 3 and sheet[1][-1] == "FR"
    # one click uses the same fields, for everything matching the search
    page.goto(quick["url"])
    page.get_by_label("All 6 records matching the search").check()
    page.get_by_label("Action on the selected records").select_option("export_xlsx")
    with page.expect_download() as download:
        page.get_by_role("button", name="Apply to selection").click()
    download.value.save_as(str(path))
    again = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    assert again[0] == sheet[0] and len(again) == 7


def test_set_a_field_and_conditions(page, live_server, quick) -> None:
    login(page, live_server, LOGIN, PASSWORD)
    page.goto(quick["url"] + "?o=name+asc")
    page.get_by_role("button", name="Apply to selection").click()     # nothing selected
    assert page.get_by_role("alert").inner_text().startswith("Select records first")
    page.get_by_label("Select all the records of this page").check()
    assert rows(page).locator("input[name=ids]:checked").count() == rows(page).count()
    page.get_by_label("Select all the records of this page").uncheck()
    rows(page).nth(3).get_by_role("checkbox").check()
    rows(page).nth(4).get_by_role("checkbox").check()
    page.get_by_role("button", name="Set a field…").click()
    page.get_by_label("Field", exact=True).select_option(label="Is a Company")
    assert page.get_by_label("New value of City").is_hidden()
    assert audit(page) == []
    shot(page, "list-set-field")
    page.get_by_label("New value of Is a Company").check()
    page.get_by_role("button", name="Apply to 2 records").click()
    page.wait_for_selector("table.data-table")
    # the condition builder: a boolean offers "is" Yes / No
    page.locator("summary", has_text="Add a condition").click()
    page.get_by_label("Field", exact=True).select_option(label="Is a Company")
    assert page.locator("#cond-op option:not([disabled])").all_inner_texts() == ["is"]
    page.get_by_label("Value").select_option(label="Yes")
    page.get_by_role("button", name="Add").click()
    assert rows(page).count() == 2
    assert "Is a Company is “Yes”" in page.locator("ul.conditions").inner_text()
    page.locator("summary", has_text="Add a condition").click()
    page.get_by_label("Field", exact=True).select_option(label="Email")
    page.get_by_label("Condition", exact=True).select_option(label="is not set")
    assert page.get_by_label("Value").is_hidden()
    assert audit(page) == []
    shot(page, "list-conditions")
