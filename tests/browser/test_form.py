"""The form's widgets in Chromium: many2many tags by keyboard (add, create, remove), inline
lines (add, edit, remove), the HTML editor's toolbar, a picture with its preview,
amounts with their currency, modifiers reacting at once, the smart button, the warning
before leaving unsaved changes; an axe audit of each state, screenshots to look at."""
from __future__ import annotations

import re
import struct
import zlib

import pytest

from core.modules.loading import Database
from core.testing.browser import ARTIFACTS, LiveServer, audit, login


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    raw = b"".join(b"\0" + b"\x0b\x5e\x8e" * 48 for _ in range(32))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 48, 32, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def orders_server(tmp_path_factory, comptoir_available):
    """A live server whose database has the test addons (orders with every widget)."""
    path = tmp_path_factory.mktemp("form-live") / "live.db"
    database = Database(f"sqlite:///{path}", available=comptoir_available)
    database.install(["test_kernel_ext"], demo=True)
    with database.environment() as env:
        env.ref("base.user_admin").write({
            "groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
        database.action_id = env.ref("test_kernel.test_order_action").id
        database.menu_id = env.ref("test_kernel.menu_test_root").id
    server = LiveServer(database)
    yield server
    server.stop()
    database.engine.dispose()


def test_order_form_widgets_end_to_end(page, orders_server) -> None:
    server, database = orders_server, orders_server.database
    login(page, server)
    page.goto(f"{server.url}/web/action/{database.action_id}/new?menu={database.menu_id}")
    page.get_by_label("Reference").fill("SO-BROWSER")
    # tags: type, pick with the keyboard, create one, remove one
    tags = page.get_by_role("combobox", name="Tags")
    tags.fill("VI")
    page.get_by_role("option", name="VIP").wait_for()
    tags.press("ArrowDown")
    tags.press("Enter")
    chosen = page.get_by_role("list", name="Chosen Tags")
    assert chosen.get_by_role("listitem").count() == 1 and "VIP" in chosen.inner_text()
    tags.fill("Fragile")
    page.get_by_role("option", name="Create “Fragile”").wait_for()
    tags.press("Enter")
    page.get_by_role("button", name="Remove Fragile").wait_for()
    page.get_by_role("button", name="Remove VIP").click()
    assert chosen.get_by_role("listitem").count() == 1 and "VIP" not in chosen.inner_text()
    # modifiers: urgent makes the priority required and the date read-only, at once
    priority, date = page.get_by_label("Priority"), page.get_by_label("Date", exact=True)
    assert not priority.evaluate("e => e.required") and date.is_enabled()
    page.get_by_label("Is urgent").check()
    assert priority.evaluate("e => e.required") and date.is_disabled()
    priority.select_option("2")
    # lines: add two, fill them, remove the second
    add = page.get_by_role("button", name="Add a line").first
    add.click()
    page.get_by_label("Product, new line").first.fill("Widget")
    page.get_by_label("Quantity, new line").first.fill("3")
    page.get_by_label("Price, new line").first.fill("2.5")
    add.click()
    page.get_by_label("Product, new line").nth(1).fill("Gadget")
    page.get_by_role("button", name="Remove the new line").nth(1).click()
    assert page.get_by_label("Product, new line").count() == 1
    # the HTML editor: type, make bold with the toolbar
    editor = page.get_by_role("textbox", name="Description")
    editor.click()
    editor.type("Hello ")
    bold = page.get_by_role("button", name="Bold")
    bold.click()
    editor.type("world")
    assert bold.get_attribute("aria-pressed") == "true"
    # a picture, previewed before saving
    page.get_by_label("Picture").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png()}])
    assert page.locator(".image-preview").is_visible()
    page.get_by_label("Budget").fill("1,234.5")
    assert audit(page) == []
    shot(page, "form-widgets-new")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/web/action/\d+/\d+\?menu="))
    with database.environment() as env:
        order = env["test.order"].search([("name", "=", "SO-BROWSER")])
        assert order.tag_ids.mapped("name") == ["Fragile"]
        assert [(l.product, l.quantity, l.price) for l in order.line_ids] == [("Widget", 3, 2.5)]
        assert "Hello" in order.description and "<b>world</b>" in order.description
        assert order.picture == png() and order.budget == 1234.5 and order.priority == "2"
        line_id = order.line_ids.id
    assert page.locator(".image-preview").evaluate("img => img.complete && img.naturalWidth") == 48
    smart = page.locator("a.smart-button")
    assert " ".join(smart.inner_text().split()) == "1 Order lines"
    assert page.get_by_label("Budget").input_value() == "1,234.50"
    assert page.locator(".input-affix .affix").inner_text() == "€"   # the company's currency
    assert audit(page) == []
    shot(page, "form-widgets-saved")
    # edit the line in place, then leave without saving: the browser asks first
    page.get_by_label("Quantity, line 1").fill("5")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Back to the list").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"] and "/web/action/" in page.url
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with database.environment() as env:
        assert env["test.order.line"].browse(line_id).quantity == 5
    # remove the line and save: it is deleted
    page.get_by_role("button", name="Remove line 1").click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with database.environment() as env:
        assert not env["test.order.line"].browse(line_id).exists()
    assert page.locator("tr.lines-empty").first.is_visible()


def test_smart_button_opens_the_filtered_list(page, orders_server) -> None:
    server, database = orders_server, orders_server.database
    with database.environment() as env:
        order = env["test.order"].create({
            "name": "SO-SMART", "user_id": env.ref("base.user_admin").id,
            "line_ids": [(0, 0, {"product": p}) for p in ("Bolt", "Nut")]})
        env["test.order"].create({"name": "SO-OTHER", "line_ids": [(0, 0, {"product": "Cog"})]})
        url = f"{server.url}/web/action/{database.action_id}/{order.id}?menu={database.menu_id}"
    login(page, server)
    page.goto(url)
    page.get_by_role("link", name="2 Order lines").click()
    page.locator("table.data-table tbody tr").first.wait_for()
    listed = page.locator("table.data-table tbody").inner_text()
    assert "Bolt" in listed and "Nut" in listed and "Cog" not in listed
    assert audit(page) == []
