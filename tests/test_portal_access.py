"""Share users and the back office, the portal's home page and its sections hook, login
and logout of customers."""
from __future__ import annotations

import types

import pytest
from werkzeug.test import Client

from core.exceptions import ConfigurationError
from core.portal import PortalSection
from core.portal.sections import portal_sections
from core.testing import count_queries
from core.testing.web import client_for
from core.web import Application
from tests.test_addons.test_portal import TICKETS

from .test_portal_support import csrf_of, login, portal_db  # noqa: F401


def test_hook_comptoir_share_home(portal_db) -> None:
    ids = portal_db.test_ids
    with portal_db.environment() as env:
        homes = env.registry.pm.hook.comptoir_share_home(env=env(uid=ids["alice"], su=False))
    assert "/my" in homes
    client, csrf = client_for(portal_db, ids["alice"])
    for page in ("/web", "/web/preferences", "/mail/inbox", "/", "/web/action/1"):
        response = client.get(page, follow_redirects=True)
        assert response.request.path == "/my", page
        assert response.status_code == 200
    # the back office's JSON and forms answer 403, whatever the token
    mentions = client.get("/mail/mentions?q=a", headers={"Accept": "application/json"})
    assert mentions.status_code == 403 and "staff only" in mentions.get_json()["error"][
        "message"]
    post = client.post("/mail/thread/post", data={
        "csrf_token": csrf, "res_model": "test.portal.ticket", "res_id": ids["printer"],
        "body": "sneaky note", "kind": "note"})
    assert post.status_code == 403 and "staff only" in post.get_data(as_text=True)
    with portal_db.environment() as env:
        assert not env["mail.message"].search([("body", "ilike", "sneaky")])


def test_staff_keep_the_back_office_and_may_look_at_the_portal(portal_db) -> None:
    client, _csrf = client_for(portal_db, portal_db.test_ids["agent"])
    assert client.get("/web").status_code == 200
    page = client.get("/my").get_data(as_text=True)
    assert "Tickets" in page and 'href="/my/tickets"' in page


def test_anonymous_visitors_are_sent_to_the_login_page(portal_db) -> None:
    client = Client(Application(portal_db))
    response = client.get("/my/tickets?search=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/web/login?redirect=/my/tickets?search=x"
    token = csrf_of(client.get("/web/login").get_data(as_text=True))
    refused = client.post(f"/my/tickets/{portal_db.test_ids['printer']}/reply",
                          data={"csrf_token": token, "body": "hello"})
    assert refused.status_code == 401


def test_customer_logs_in_lands_on_my_and_logs_out(portal_db) -> None:
    client, response = login(portal_db, "alice@acme.example")
    assert response.status_code == 303
    home = client.get(response.headers["Location"], follow_redirects=True)
    assert home.request.path == "/my"
    page = home.get_data(as_text=True)
    assert "Welcome, Alice Martin" in page and "Acme" in page
    assert 'action="/web/logout"' in page and "/web/menu/" not in page
    out = client.post("/web/logout", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 303 and out.headers["Location"] == "/web/login"
    assert client.get("/my").status_code == 302


def test_hook_comptoir_portal_sections(portal_db) -> None:
    ids = portal_db.test_ids
    for uid, count in ((ids["alice"], 2), (ids["carol"], 1)):
        client, _csrf = client_for(portal_db, uid)
        page = client.get("/my").get_data(as_text=True)
        assert 'href="/my/tickets">Tickets</a>' in page
        assert f'<span class="portal-count-figure">{count}</span>' in page
        assert "Your requests and their answers." in page
    with portal_db.environment() as env:
        sections = portal_sections(env(uid=ids["carol"], su=False))
        assert sections == [PortalSection("tickets", "Tickets", "/my/tickets", 1,
                                          "Your requests and their answers.", 10)]
        # a visitor without access to the model gets no card at all
        public = env.ref("base.public_user").id
        assert TICKETS.section(env(uid=public, su=False)) is None


def test_sections_are_sorted_and_keys_unique() -> None:
    one = PortalSection("b", "Beta", "/my/b", sequence=5)
    two = PortalSection("a", "Alpha", "/my/a", sequence=5)
    three = PortalSection("c", "Gamma", "/my/c", sequence=1)

    def env_with(*results):
        hook = types.SimpleNamespace(comptoir_portal_sections=lambda env: list(results))
        return types.SimpleNamespace(registry=types.SimpleNamespace(
            pm=types.SimpleNamespace(hook=hook)))

    assert portal_sections(env_with([one, two], [three], None, [None])) == [three, two, one]
    with pytest.raises(ConfigurationError, match="declared twice: a"):
        portal_sections(env_with([two], [two]))


def test_home_page_queries_do_not_grow_with_the_records(portal_db) -> None:
    client, _csrf = client_for(portal_db, portal_db.test_ids["alice"])
    client.get("/my")  # warm the caches
    with count_queries(portal_db.engine) as counter:
        assert client.get("/my").status_code == 200
    assert counter.count <= 12, counter.count


def test_page_declarations_are_checked(portal_db) -> None:
    from core.portal import PortalPage
    with portal_db.environment() as env:
        assert TICKETS.check(env.registry) == []
        wrong = PortalPage("x", "test.portal.ticket", "X", columns=("nmae",))
        problems = wrong.check(env.registry)
        assert [m.id for m in problems] == ["portal.E002"]
        assert problems[0].hint == "did you mean 'name'?"
        unknown = PortalPage("y", "no.such.model", "Y")
        assert [m.id for m in unknown.check(env.registry)] == ["portal.E001"]
    with pytest.raises(ValueError, match="slug"):
        PortalPage("Bad Slug", "test.portal.ticket", "X")


def test_account_page_edits_the_customers_own_contact(portal_db) -> None:
    ids = portal_db.test_ids
    client, csrf = client_for(portal_db, ids["carol"])
    page = client.get("/my/account").get_data(as_text=True)
    assert 'value="Carol Smith"' in page and 'value="carol@globex.example"' in page
    with portal_db.environment() as env:
        france = env.ref("base.fr").id if env.ref("base.fr", raise_if_not_found=False) \
            else env["res.country"].create({"name": "France", "code": "FR"}).id
    data = {"csrf_token": csrf, "name": "Carol Smith-Jones", "email": "Carol@Globex.example",
            "phone": "+33 1 23 45 67 89", "street": "1 rue de la Paix", "zip": "75002",
            "city": "Paris", "country_id": str(france), "lang": "fr_FR"}
    response = client.post("/my/account", data=data)
    assert response.status_code == 303
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="fr">' in saved
    with portal_db.environment() as env:
        user = env["res.users"].browse(ids["carol"])
        partner = user.partner_id
        assert (partner.name, partner.email, partner.city, partner.country_id.id,
                partner.lang) == ("Carol Smith-Jones", "carol@globex.example", "Paris",
                                  france, "fr_FR")
        assert user.name == "Carol Smith-Jones" and user.lang == "fr_FR"
        assert user.login == "carol@globex.example"
        user.write({"lang": "en_US", "name": "Carol Smith"})
        partner.write({"name": "Carol Smith", "lang": False})
    wrong = client.post("/my/account", data={**data, "name": "", "email": "nope",
                                              "phone": "call me", "lang": "xx_XX",
                                              "country_id": "999999"})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    for text in ("Your name is required.", "Enter a valid e-mail address.",
                 "“call me” is not a phone number.", "Choose a language of the list.",
                 "Choose a country of the list."):
        assert text in body, text


def test_customer_changes_his_password(portal_db) -> None:
    client, response = login(portal_db, "carol@globex.example")
    assert response.status_code == 303
    token = csrf_of(client.get("/my/account").get_data(as_text=True))
    wrong = client.post("/my/account/password", data={
        "csrf_token": token, "old_password": "nope", "new_password": "carol-new-pass",
        "confirm_password": "carol-new-pass"})
    assert wrong.status_code == 422
    assert "Wrong login or password." in wrong.get_data(as_text=True)
    done = client.post("/my/account/password", data={
        "csrf_token": token, "old_password": "portal-2026!", "new_password": "carol-new-pass",
        "confirm_password": "carol-new-pass"})
    assert done.status_code == 303 and done.headers["Location"] == "/my/account?password=1"
    assert "Your password is changed" in client.get("/my/account?password=1").get_data(
        as_text=True)
    _other, again = login(portal_db, "carol@globex.example", "carol-new-pass")
    assert again.status_code == 303
    with portal_db.environment() as env:
        env["res.users"].browse(portal_db.test_ids["carol"]).write(
            {"password": "portal-2026!"})
