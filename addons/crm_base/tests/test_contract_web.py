"""Products and contracts in the web client (Werkzeug client, both engines): the pages a
rep and a manager open, a contract created from its form, moved from its status bar,
refused moves explained, and a won opportunity's "Create contract" opening the contract."""
from __future__ import annotations

import re

import pytest

from core.testing import installed_database, scratch_database
from core.testing.web import client_for

from .test_contract_helpers import png_b64


@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("contracts_web"),
                                 "contracts_web")
    database = installed_database(url, sorted(comptoir_available), available=comptoir_available)
    with database.environment() as env:
        def user(login, group):
            return env["res.users"].create({"name": login.title(), "login": f"web-{login}",
                                            "groups_id": [(6, 0, [env.ref(group).id])]})
        rep = user("rep", "crm_base.group_sale_salesman")
        manager = user("manager", "crm_base.group_sale_manager")
        account = env["res.partner"].create({"name": "Web Account", "is_company": True,
                                             "user_id": rep.id})
        category = env["product.category"].create({"name": "Hardware"})
        laptop = env["product.product"].create({
            "default_code": "LAP-14", "name": "Laptop 14", "categ_id": category.id,
            "list_price": 999, "image": png_b64(),
            "selling_arguments": "<p>Light <script>alert(1)</script>and fast</p>",
            "video_ids": [(0, 0, {"name": "Unboxing", "url": "https://videos.example/1"})]})
        contract = env["service.contract"].create({
            "partner_id": account.id, "type_id": env.ref("crm_base.contract_type_it").id,
            "date_start": "2026-01-01", "date_end": "2026-12-31",
            "product_ids": [(6, 0, [laptop.id])], "prepaid_hours": 10})
        ids = {"rep": rep.id, "manager": manager.id, "account": account.id,
               "laptop": laptop.id, "contract": contract.id,
               "products": env.ref("crm_base.product_product_action").id,
               "contracts": env.ref("crm_base.service_contract_action").id,
               "pipeline": env.ref("crm_base.crm_lead_action_pipeline").id}
    database.test_ids = ids
    yield database
    database.engine.dispose()
    drop()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_catalogue_pages(web_db) -> None:
    ids = web_db.test_ids
    client, _csrf = client_for(web_db, ids["rep"])
    base = f"/web/action/{ids['products']}"
    assert "[LAP-14] Laptop 14" in page(client, f"{base}/kanban")
    listing = page(client, base)
    assert "LAP-14" in listing
    form = page(client, f"{base}/{ids['laptop']}")
    assert f"/web/image/product.product/{ids['laptop']}/image" in form
    assert "Light and fast" in form
    assert "<script>alert(1)</script>" not in form
    assert "https://videos.example/1" in form
    assert 'class="smart-count">1<' in form           # covered by one contract
    assert "Withdraw from sale" in form
    picture = client.get(f"/web/image/product.product/{ids['laptop']}/image")
    assert picture.status_code == 200 and picture.mimetype == "image/png"


def test_a_manager_withdraws_a_product_from_its_form(web_db) -> None:
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["manager"])
    base = f"/web/action/{ids['products']}"
    with web_db.environment() as env:
        item = env["product.product"].create({"name": "Old modem", "default_code": "MDM"})
    done = client.post(f"{base}/{item.id}/call", data={"csrf_token": csrf,
                                                        "method": "action_withdraw"})
    assert done.status_code == 303
    with web_db.environment() as env:
        assert not env["product.product"].with_context(active_test=False).browse(
            item.id).active


def test_a_contract_from_its_form_to_its_status_bar(web_db) -> None:
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["rep"])
    base = f"/web/action/{ids['contracts']}"
    with web_db.environment() as env:
        it_type = env.ref("crm_base.contract_type_it").id
    created = client.post(f"{base}/new", data={
        "csrf_token": csrf, "partner_id": str(ids["account"]), "type_id": str(it_type),
        "date_start": "2026-03-01", "title": "Web support", "price": "1200",
        "notice_days": "", "tacit_renewal__present": "1", "tacit_renewal": "1"})
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    url = created.headers["Location"].split("?")[0]
    form = page(client, url)
    assert re.search(r"CT/\d{4}/\d{4}", form)
    assert re.findall(r'name="transition_id" value="\d+"[^>]*>([^<]+)<', form) == \
        ["Activate", "Cancel"]
    assert "Force cancel" not in form                 # managers only
    with web_db.environment() as env:
        contract = env["service.contract"].browse(int(url.rsplit("/", 1)[1]))
        assert (contract.user_id.id, contract.notice_days, str(contract.date_end)) == (
            ids["rep"], 60, "2027-02-28")
        activate = env.ref("crm_base.contract_transition_activate").id
        to_renew = env.ref("crm_base.contract_transition_to_renew").id
        version = contract.version
    moved = client.post(f"{url}/workflow", data={"csrf_token": csrf, "transition_id":
                                                 str(activate), "version": str(version)})
    assert moved.status_code == 303
    with web_db.environment() as env:
        contract = env["service.contract"].browse(contract.id)
        assert contract.state == "active"
        version = contract.version
    refused = client.post(f"{url}/workflow", data={"csrf_token": csrf, "transition_id":
                                                   str(to_renew), "version": str(version)})
    assert refused.status_code in (400, 422)
    assert "cannot move from Active to To Renew" in refused.get_data(as_text=True)
    manager, _csrf = client_for(web_db, ids["manager"])
    assert "Force cancel" in page(manager, url)


def test_a_won_opportunity_opens_its_new_contract(web_db) -> None:
    ids = web_db.test_ids
    with web_db.environment() as env:
        if not env["crm.stage"].search_count([("is_won", "=", True)]):
            env["crm.stage"].create({"name": "Won", "is_won": True, "sequence": 99})
        lead = env["crm.lead"].create({"name": "Web deal", "type": "opportunity",
                                       "partner_id": ids["account"], "user_id": ids["rep"],
                                       "expected_revenue": 5000})
        lead.action_set_won()
    client, csrf = client_for(web_db, ids["rep"])
    base = f"/web/action/{ids['pipeline']}"
    form = page(client, f"{base}/{lead.id}")
    assert "Create contract" in form
    opened = client.post(f"{base}/{lead.id}/call", data={
        "csrf_token": csrf, "method": "action_create_contract"})
    assert opened.status_code == 303
    location = opened.headers["Location"]
    assert re.search(rf"/web/action/{ids['contracts']}/\d+", location), location
    contract_page = page(client, location)
    assert "Web deal" in contract_page and "Created from the opportunity Web deal" in \
        contract_page
    assert 'class="smart-count">1<' in page(client, f"{base}/{lead.id}")
