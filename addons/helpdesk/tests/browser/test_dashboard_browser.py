"""The helpdesk's back office in Chromium on the demo data (300 tickets): every page a
helpdesk manager reaches from the Helpdesk menu passes the axe audit (the dashboard's wide
tables scroll and must be reachable from the keyboard); a screenshot of the dashboard."""
from __future__ import annotations

from core.testing.browser import ARTIFACTS, audit, login


def test_every_helpdesk_menu_page_passes_the_audit(page, live_server) -> None:
    login(page, live_server, "support_manager", "support_manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Helpdesk").click()
    page.wait_for_load_state()
    links = {page.locator("a[href^='/web/menu/']").nth(i).get_attribute("href")
             for i in range(page.locator("a[href^='/web/menu/']").count())}
    assert len(links) > 10
    seen = 0
    for href in sorted(links):
        page.goto(f"{live_server.url}{href}")
        page.wait_for_load_state()
        assert audit(page) == [], (href, page.title())
        if page.title().startswith("Helpdesk Dashboard"):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "helpdesk-dashboard.png"), full_page=True)
            seen += 1
    assert seen == 1
