"""Custom fields in Chromium: an admin adds a selection field to contacts from Settings >
Technical > Custom Fields, fills it in a contact's form ("Custom fields" group), shows it
as a list column, then removes it (refused while a contact holds a value, until the
admin ticks the confirmation); axe audits and screenshots along the way."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from core.testing.browser import ARTIFACTS, LiveServer, audit, login


@pytest.fixture(scope="module")
def cf_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the test changes the schema of contacts."""
    from core.modules.loading import Database
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('cflive') / 'cf.db'}")
    database.install(sorted(database.available), demo=True)
    server = LiveServer(database)
    yield server
    server.stop()
    database.engine.dispose()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_menu(page: Any, server: LiveServer, *names: str) -> None:
    page.goto(f"{server.url}/web")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=names[0]).click()
    for name in names[1:]:
        page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_selector("table.data-table")


def choose(page: Any, name: str, label: str, text: str) -> None:
    """A many2one: type in its search box, pick the match."""
    page.get_by_label(f"Search {label}").fill(text)
    page.wait_for_function(
        "([id, text]) => [...document.getElementById(id).options]"
        ".some(o => o.text === text)", arg=[f"field-{name}", text])
    page.locator(f"#field-{name}").select_option(label=text)


def test_add_fill_show_and_remove_a_custom_field(page: Any, cf_server: LiveServer) -> None:
    login(page, cf_server)
    open_menu(page, cf_server, "Settings", "Technical / Custom Fields")
    page.get_by_role("link", name="New").click()
    choose(page, "model_id", "Model", "Contact")
    page.get_by_label("Field Label").fill("Customer Tier")
    page.get_by_label("Field Name").fill("tier")
    page.get_by_label("Field Type").select_option("selection")
    assert not page.get_by_label("Linked Model", exact=True).is_visible()
    lines = page.locator("[data-lines='selection_ids']")
    for value, label in (("gold", "Gold"), ("silver", "Silver")):
        page.get_by_role("button", name="Add a line").click()
        row = lines.locator("tbody tr:not([hidden])").last
        row.get_by_label("Value").fill(value)
        row.get_by_label("Label").fill(label)
    assert audit(page) == []
    shot(page, "custom-field-new")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/web/action/\d+/\d+.*"))
    assert page.get_by_label("Field Name").input_value() == "x_tier"

    # the contact form has it at once, in its "Custom fields" group
    open_menu(page, cf_server, "Contacts")
    page.locator("table.data-table tbody tr").first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/web/action/\d+/\d+.*"))
    group = page.get_by_role("group", name="Custom fields")
    assert group.is_visible()
    group.get_by_label("Customer Tier").select_option(label="Gold")
    assert audit(page) == []
    shot(page, "custom-field-in-contact-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/web/action/\d+/\d+.*"))
    assert page.get_by_label("Customer Tier").input_value() == "gold"
    contact = page.locator("#field-name").input_value()

    # the list offers it among the optional columns
    open_menu(page, cf_server, "Contacts")
    assert page.get_by_role("columnheader", name="Customer Tier").count() == 0
    page.locator("summary", has_text="Columns").click()
    page.get_by_label("Customer Tier").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("th:has-text('Customer Tier')")
    row = page.locator("table.data-table tbody tr", has_text=contact).first
    assert "Gold" in row.inner_text()
    assert audit(page) == []
    shot(page, "custom-field-list-column")

    # removing it: refused while a contact holds a value, then confirmed
    open_menu(page, cf_server, "Settings", "Technical / Custom Fields")
    remove = lambda: (  # noqa: E731
        page.locator("table.data-table tbody tr", has_text="x_tier").get_by_role(
            "checkbox").check(),
        page.get_by_label("Action on the selected records").select_option("delete"),
        page.get_by_role("button", name="Apply to selection").click(),
        page.wait_for_load_state())
    page.once("dialog", lambda dialog: dialog.accept())
    remove()
    assert "hold a value in x_tier" in page.content()
    shot(page, "custom-field-removal-refused")
    open_menu(page, cf_server, "Settings", "Technical / Custom Fields")
    page.locator("table.data-table tbody tr", has_text="x_tier").locator("a").first.click()
    page.wait_for_url(re.compile(r".*/web/action/\d+/\d+.*"))
    assert page.locator("#field-value_count").inner_text().strip() == "1"
    page.get_by_label("Delete the values when removing the field").check()
    assert audit(page) == []
    shot(page, "custom-field-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/web/action/\d+/\d+.*"))
    open_menu(page, cf_server, "Settings", "Technical / Custom Fields")
    page.once("dialog", lambda dialog: dialog.accept())
    remove()
    assert page.locator("table.data-table tbody tr", has_text="x_tier").count() == 0
    open_menu(page, cf_server, "Contacts")
    page.locator("table.data-table tbody tr").first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/web/action/\d+/\d+.*"))
    assert page.get_by_role("group", name="Custom fields").count() == 0
