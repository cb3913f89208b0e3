"""The duplicates banner and the merge wizard in Chromium, with axe audits: a sales
manager opens an account that looks like another one, follows the banner to the wizard,
keeps the other record, updates the preview, confirms, and lands on the kept account
whose chatter tells what was merged."""
from __future__ import annotations

import pytest

from core.testing import installed_database
from core.testing.browser import LiveServer, audit, login

PASSWORD = "merge-2026"


@pytest.fixture(scope="module")
def merge_server(tmp_path_factory, comptoir_available):
    url = f"sqlite:///{tmp_path_factory.mktemp('merge-live') / 'merge.db'}"
    database = installed_database(url, sorted(comptoir_available),
                                  available=comptoir_available)
    with database.environment() as env:
        manager = env["res.users"].create({
            "name": "Marc Leroy", "login": "marc", "password": PASSWORD,
            "email": "marc@example.com", "tz": "Europe/Paris",
            "groups_id": [(6, 0, [env.ref("crm_base.group_sale_manager").id])]})
        partners = env(uid=manager.id, su=False)["res.partner"]
        first = partners.create({"name": "Boulangerie Dupont SARL", "is_company": True,
                                 "phone": "04 78 42 15 36", "city": "Lyon"})
        second = partners.create({"name": "boulangerie dupont", "is_company": True,
                                  "phone": "+33 4.78.42.15.36",
                                  "email": "contact@boulangerie-dupont.fr"})
        partners.create({"name": "Pierre Dupont", "parent_id": second.id,
                         "function": "Managing Director", "role": "decision_maker"})
        database.test_ids = {"first": first.id, "second": second.id,
                             "accounts": env.ref("crm_base.res_partner_action_accounts").id}
    server = LiveServer(database)
    yield server
    server.stop()
    database.engine.dispose()


def test_banner_to_wizard_to_merged_account(page, merge_server) -> None:
    server, ids = merge_server, merge_server.database.test_ids
    login(page, server, "marc", PASSWORD)
    page.goto(f"{server.url}/web/action/{ids['accounts']}/{ids['second']}")
    banner = page.locator(".duplicates-banner")
    assert banner.is_visible()
    assert "This record may be a duplicate of another record." in banner.inner_text()
    assert "same phone, similar name (100%)" in banner.inner_text()
    assert audit(page) == []
    banner.get_by_role("link", name="Compare and merge…").click()
    page.wait_for_url("**/web/merge?**")
    assert page.get_by_role("heading", name="Merge 2 Contact records").is_visible()
    # the oldest is kept by default; keep the other one and see the preview change
    page.get_by_label("Keep boulangerie dupont", exact=True).check()
    page.get_by_role("button", name="Update the preview").click()
    page.get_by_role("heading", name="What moves to “boulangerie dupont”").wait_for()
    table = page.locator(".merge-table")
    assert "Lyon" in table.locator("tr", has_text="City").locator(".merge-result").inner_text()
    assert audit(page) == []
    page.get_by_role("button", name="Merge the 2 records").click()
    page.wait_for_url(f"**/web/action/{ids['accounts']}/{ids['second']}")
    assert not page.locator(".duplicates-banner").is_visible()
    chatter = page.locator("#chatter")
    assert "Merged with Boulangerie Dupont SARL" in chatter.inner_text()
    assert audit(page) == []
    with server.database.environment() as env:
        partners = env["res.partner"].with_context(active_test=False)
        assert not partners.browse(ids["first"]).active
        assert partners.browse(ids["second"]).city == "Lyon"
