"""Merging accounts and contacts: the review pairs follow (merged, moved to the kept
record), contacts, chatter and activities move, only sales managers and admins merge;
and the wizard over HTTP on both engines: reached from the banner, the review list and
the list's bulk operation, the comparison, the preview, the confirmation, refusals."""
from __future__ import annotations

import re
from html import unescape

import pytest

from core.exceptions import AccessError
from core.merge import merge_records
from core.testing import installed_database, scratch_database
from core.testing.web import client_for


def company(env, name, **values):
    return env["res.partner"].create({"name": name, "is_company": True, **values})


def user(env, login, group):
    return env["res.users"].create({"name": login.replace("_", " ").title(), "login": login,
                                    "email": f"{login}@example.com",
                                    "groups_id": [(6, 0, [env.ref(group).id])]})


def test_merging_partners_resolves_their_review_pairs(env) -> None:
    kept = company(env, "Boulangerie Dupont SARL", phone="04 78 42 15 36")
    dup = company(env, "boulangerie dupont", email="contact@dupont.fr")
    third = company(env, "Boulangerie Dupond", email="contact@dupont.fr")
    reviews = env["res.partner.duplicate"]
    pairs = reviews.search(["|", ("partner_id", "in", (kept | dup | third).ids),
                            ("duplicate_id", "in", (kept | dup | third).ids)])
    assert len(pairs) == 3
    contact = env["res.partner"].create({"name": "Pierre Dupont", "parent_id": dup.id})
    dup.message_post(body="<p>Ordered 200 croissants.</p>")
    dup.activity_schedule("mail.activity_type_call", summary="Call about the order")
    merge_records(kept, dup, fill_empty=True)
    env.cache.invalidate()
    pairs = reviews.search(["|", ("partner_id", "in", (kept | dup | third).ids),
                            ("duplicate_id", "in", (kept | dup | third).ids)])
    by_ids = {(p.partner_id.id, p.duplicate_id.id): p.state for p in pairs}
    assert by_ids[(kept.id, dup.id)] == "merged"
    assert by_ids[(kept.id, third.id)] == "to_review"    # kept once, not doubled
    assert len(pairs) == 2
    assert contact.parent_id == kept and kept.email == "contact@dupont.fr"
    assert not dup.active and kept.duplicate_count == 1
    bodies = " ".join(kept.message_ids.mapped("body"))
    assert "Ordered 200 croissants." in bodies and "Merged with boulangerie dupont" in bodies
    assert kept.activity_ids.summary == "Call about the order"


def test_only_sales_managers_and_admins_merge_partners(env) -> None:
    rep = user(env, "merge_rep", "crm_base.group_sale_salesman")
    manager = user(env, "merge_manager", "crm_base.group_sale_manager")
    kept, dup = company(env, "Garage Michel SARL"), company(env, "Garage Michel")
    as_rep = env(uid=rep.id, su=False)["res.partner"]
    with pytest.raises(AccessError):
        merge_records(as_rep.browse(kept.id), as_rep.browse(dup.id))
    with pytest.raises(AccessError):
        as_rep.browse(dup.id).unlink()
    as_manager = env(uid=manager.id, su=False)["res.partner"]
    merge_records(as_manager.browse(kept.id), as_manager.browse(dup.id))
    assert not dup.active


# -- the wizard over HTTP ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def web_db(engine_name, tmp_path_factory, comptoir_available):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("merge_web"),
                                 "merge_web")
    database = installed_database(url, sorted(comptoir_available),
                                  available=comptoir_available)
    with database.environment() as env:
        rep = user(env, "web_rep", "crm_base.group_sale_salesman")
        manager = user(env, "web_manager", "crm_base.group_sale_manager")
        database.test_ids = {
            "rep": rep.id, "manager": manager.id,
            "accounts": env.ref("crm_base.res_partner_action_accounts").id,
            "contacts": env.ref("crm_base.res_partner_action_contacts").id,
            "review": env.ref("crm_base.res_partner_duplicate_action").id}
    yield database
    database.engine.dispose()
    drop()


FAMILIES = iter(["Dupont", "Garnier", "Lemoine", "Fabre", "Marchal", "Roussel", "Carpentier",
                  "Boyer", "Guillot", "Perrot", "Vasseur", "Lacroix"])


@pytest.fixture
def twins(web_db):
    """Two accounts that are one bakery (a new family each time: the database is shared
    by the module's tests), created (and flagged) as the rep would."""
    ids = web_db.test_ids
    family = next(FAMILIES)
    phone = f"04 78 42 {len(family):02d} {ord(family[0]):02d}"
    with web_db.environment(uid=ids["rep"]) as env:
        partners = env["res.partner"]
        first = partners.create({"name": f"Boulangerie {family} SARL", "is_company": True,
                                 "phone": phone, "city": "Lyon"})
        second = partners.create({"name": f"boulangerie {family.lower()}",
                                  "is_company": True, "phone": "+33 (0)" + phone[1:],
                                  "email": f"contact@{family.lower()}.fr"})
        contact = partners.create({"name": f"Pierre {family}", "parent_id": second.id})
        pair = env["res.partner.duplicate"].search([("partner_id", "=", first.id),
                                                    ("duplicate_id", "=", second.id)])
        return first.id, second.id, contact.id, pair.id, family


def body(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return unescape(response.get_data(as_text=True))


def test_the_form_shows_the_banner_and_the_review_list_the_pair(web_db, twins) -> None:
    first, second, _contact, pair, family = twins
    ids = web_db.test_ids
    client, _csrf = client_for(web_db, ids["rep"])
    form = body(client.get(f"/web/action/{ids['accounts']}/{second}"))
    assert "This record may be a duplicate of another record." in form
    assert f'href="/web/action/{ids["accounts"]}/{first}"' in form
    assert "same phone, similar name (100%)" in form
    assert f"/web/merge?model=res.partner&ids={second},{first}" in form
    review = body(client.get(f"/web/action/{ids['review']}"))
    assert f"Boulangerie {family} SARL / boulangerie {family.lower()}" in review
    pair_form = body(client.get(f"/web/action/{ids['review']}/{pair}"))
    assert f"/web/merge?model=res.partner&ids={first},{second}" in pair_form
    assert "Not a duplicate" in pair_form


def test_a_sales_rep_cannot_open_the_wizard_nor_merge(web_db, twins) -> None:
    first, second, _contact, _pair, _family = twins
    client, csrf = client_for(web_db, web_db.test_ids["rep"])
    page = body(client.get(f"/web/merge?model=res.partner&ids={first},{second}"), 403)
    assert "needs the right to delete" in page
    body(client.post("/web/merge", data={"csrf_token": csrf, "model": "res.partner",
                                         "ids": f"{first},{second}", "target": first,
                                         "confirm": "1"}), 403)
    with web_db.environment() as env:
        assert env["res.partner"].browse(second).active


def test_the_wizard_compares_previews_and_merges_on_confirmation(web_db, twins) -> None:
    first, second, contact, pair, family = twins
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["manager"])
    url = f"/web/merge?model=res.partner&ids={second},{first}&action={ids['accounts']}"
    page = body(client.get(url))
    assert "Merge 2 Contact records" in page
    # the oldest is chosen; its empty e-mail is filled from the other
    assert re.search(rf'name="target" value="{first}" checked', page)
    assert re.search(rf"contact@{family.lower()}\.fr <span[^>]*>\(from #{second}\)", page)
    assert f"What moves to “Boulangerie {family} SARL”" in page
    assert "1 × Contact (Related Company)" in page
    # choosing the other one and updating the preview changes nothing in the database
    data = {"csrf_token": csrf, "model": "res.partner", "ids": f"{first},{second}",
            "target": second, "fill": ["1", "0"], "action": ids["accounts"]}
    page = body(client.post("/web/merge", data={**data, "preview": "1"}))
    assert re.search(rf'name="target" value="{second}" checked', page)
    assert f"What moves to “boulangerie {family.lower()}”" in page
    with web_db.environment() as env:
        assert env["res.partner"].browse(first).active
    # confirming merges, then shows the kept record
    response = client.post("/web/merge", data={**data, "confirm": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/web/action/{ids['accounts']}/{second}")
    with web_db.environment() as env:
        partners = env["res.partner"].with_context(active_test=False)
        kept, gone = partners.browse(second), partners.browse(first)
        assert not gone.active and kept.active
        assert kept.city == "Lyon"                      # filled from the other
        assert partners.browse(contact).parent_id == kept
        assert env["res.partner.duplicate"].browse(pair).state == "merged"


def test_the_lists_offer_merge_and_bad_requests_are_explained(web_db, twins) -> None:
    first, second, _contact, _pair, _family = twins
    ids = web_db.test_ids
    client, csrf = client_for(web_db, ids["manager"])
    listing = body(client.get(f"/web/action/{ids['contacts']}"))
    assert '<option value="crm_base_merge">Merge…</option>' in listing
    response = client.post(f"/web/action/{ids['contacts']}/bulk",
                           data={"csrf_token": csrf, "operation": "crm_base_merge",
                                 "ids": [str(first), str(second)]})
    assert response.status_code == 303
    assert f"/web/merge?model=res.partner&ids={first},{second}" in response.headers["Location"]
    assert "at least two" in body(client.get(f"/web/merge?model=res.partner&ids={first}"), 422)
    assert "separated by commas" in body(
        client.get("/web/merge?model=res.partner&ids=a,b"), 422)
    body(client.get(f"/web/merge?model=no.such.model&ids={first},{second}"), 404)
    body(client.get(f"/web/merge?model=res.partner&ids={first},99999999"), 404)
