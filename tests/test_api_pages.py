"""The API's pages in a real browser: API keys in the preferences (create, shown once,
revoke) and the browsable REST reference; both accessible (axe-core)."""
from __future__ import annotations

from typing import Any

from core.testing.browser import ARTIFACTS, audit, login


def test_api_keys_in_preferences(page: Any, live_server: Any) -> None:
    login(page, live_server)
    page.goto(f"{live_server.url}/web/preferences")
    page.get_by_label("What is the new key for?").fill("Nightly export")
    page.get_by_role("button", name="Create an API key").click()
    key = page.get_by_label("API key “Nightly export”", exact=True).input_value()
    assert key.startswith("cpt_")
    assert page.get_by_text("Copy the key now: it will not be shown again.").is_visible()
    assert audit(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-preferences-new-key.png"), full_page=True)

    answer = page.request.get(f"{live_server.url}/api/v1/session",
                              headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 200 and answer.json()["login"] == "admin"

    page.get_by_role("link", name="Done").click()  # the key is never shown again
    page.wait_for_url(f"{live_server.url}/web/preferences#api-keys")
    assert key not in page.content()
    row = page.get_by_role("row").filter(has_text="Nightly export")
    assert key[4:12] in row.inner_text()
    row.get_by_role("button", name="Revoke the API key “Nightly export”").click()
    assert page.get_by_text("The API key is revoked.").is_visible()
    assert page.get_by_role("row").filter(has_text="Nightly export").count() == 0
    answer = page.request.get(f"{live_server.url}/api/v1/session",
                              headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 401
    assert audit(page) == []


def test_api_key_needs_a_description(page: Any, live_server: Any) -> None:
    login(page, live_server)
    page.goto(f"{live_server.url}/web/preferences")
    field = page.get_by_label("What is the new key for?")
    field.fill("   ")
    field.evaluate("node => node.removeAttribute('required')")
    page.get_by_role("button", name="Create an API key").click()
    assert page.get_by_role("alert").filter(
        has_text="Describe what the API key is for.").is_visible()
    assert audit(page) == []


def test_rest_reference_page(page: Any, live_server: Any) -> None:
    login(page, live_server)
    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.get_by_role("heading", name="REST API reference").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-reference-top.png"))
    page.get_by_role("link", name="res.partner", exact=False).first.click()
    details = page.locator("#model-res-partner")
    details.locator("summary").click()
    assert details.get_by_role("cell", name="/api/v1/models/res.partner/{id}").first.is_visible()
    assert details.get_by_role("cell", name="country_id").is_visible()
    assert audit(page) == []
    page.screenshot(path=str(ARTIFACTS / "api-reference.png"))
    document = page.request.get(f"{live_server.url}/api/v1/openapi.json")
    assert document.status == 200 and document.json()["openapi"] == "3.1.0"
