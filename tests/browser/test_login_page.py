"""The login and home pages in a real Chromium: they work, look right, and pass axe."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.testing.browser import ARTIFACTS, audit, login


def test_login_page_works_and_is_accessible(page, live_server) -> None:
    page.goto(f"{live_server.url}/web")
    assert "/web/login" in page.url
    assert audit(page) == []
    page.get_by_label("Login").fill("admin")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong login or password."
    assert audit(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-error.png"))


def test_home_after_login_and_logout(page, live_server) -> None:
    login(page, live_server)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Administrator"
    assert audit(page) == []
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/web/login")


@pytest.mark.parametrize("width", [390, 820])
def test_login_page_on_phone_and_tablet(browser, live_server, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/web/login")
    box = page.locator(".login-card").bounding_box()
    assert box is not None and box["width"] <= width
    page.screenshot(path=str(Path(ARTIFACTS) / f"login-{width}.png"))
    context.close()
