"""The documents panel in Chromium: upload with the file input and by dropping a file,
preview link, delete with confirmation, and an axe audit."""
from __future__ import annotations

from pathlib import Path

from core.testing.browser import ARTIFACTS, audit, login

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "da63fccf0c0f00040401808497b5a10000000049454e44ae426082")


def test_attach_drop_preview_delete(page, live_server, tmp_path) -> None:
    login(page, live_server)
    page.goto(f"{live_server.url}/web")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.locator("table.data-table tbody tr").first.locator("a").first.click()
    page.wait_for_url("**/web/action/*/*")
    panel = page.get_by_role("region", name="Documents")
    assert "No documents yet." in panel.inner_text() or panel.locator("li").count() >= 0
    before = panel.locator("li.attachment").count()
    # the file input
    vcards = sorted((TESTDATA / "vcf").glob("*.vcf")) if (TESTDATA / "vcf").is_dir() else []
    card = vcards[0] if vcards else tmp_path / "card.vcf"
    if not vcards:
        card.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Test\r\nEND:VCARD\r\n")
    page.get_by_label("Add files").set_input_files(str(card))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_function(
        f"document.querySelectorAll('#attachments li.attachment').length > {before}")
    panel = page.get_by_role("region", name="Documents")
    assert card.name in panel.inner_text()
    # dropping a file on the panel
    page.evaluate("""(bytes) => {
        const file = new File([new Uint8Array(bytes)], 'logo.png', {type: 'image/png'});
        const data = new DataTransfer(); data.items.add(file);
        const zone = document.querySelector('#attachments');
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true,
                                                  cancelable: true}));
    }""", list(PNG))
    page.wait_for_selector("#attachments img.attachment-thumb")
    panel = page.get_by_role("region", name="Documents")
    assert "logo.png" in panel.inner_text()
    assert panel.get_by_role("link", name="Preview logo.png").count() == 1
    assert audit(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "attachments-panel.png"))
    # delete, after confirming
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Delete logo.png").click()
    page.wait_for_load_state()
    assert "logo.png" not in page.get_by_role("region", name="Documents").inner_text()
