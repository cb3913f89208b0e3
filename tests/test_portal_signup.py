"""Portal users: granting access from the contact form and the contacts list (the plan,
then the invitation e-mail), the single-use expiring signup link, revoking, the CLI."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from core.cli import main
from core.exceptions import AccessError
from core.portal import invite
from core.testing.web import client_for
from core.web import Application

from .test_portal_support import csrf_of, login, portal_db, set_params  # noqa: F401


def new_contact(database, name: str, email: str | None, **values) -> int:
    with database.environment() as env:
        acme = env["res.partner"].search([("name", "=", "Acme")], limit=1)
        return env["res.partner"].create({"name": name, "email": email,
                                          "parent_id": acme.id, **values}).id


def invitation_link(database, partner_id: int) -> str:
    with database.environment() as env:
        mail = env["mail.mail"].search([("res_partner_id", "=", partner_id)], limit=1)
        match = re.search(r'href="([^"]+/my/signup/[^"]+)"', mail.body_html)
        assert match, mail.body_html
        return match.group(1)


def grant_with_the_page(database, partner_ids: list[int], uid: int) -> str:
    client, csrf = client_for(database, uid)
    ids = ",".join(str(i) for i in partner_ids)
    response = client.post("/portal/grant", data={"csrf_token": csrf, "ids": ids})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_grant_page_says_what_will_happen(portal_db) -> None:
    ids = portal_db.test_ids
    fresh = new_contact(portal_db, "Dan Fresh", "Dan@Acme.example")
    nomail = new_contact(portal_db, "Eve Nomail", None)
    clash = new_contact(portal_db, "Alice Twin", "ALICE@acme.example")
    client, _csrf = client_for(portal_db, ids["agent"])
    query = ",".join(str(i) for i in (fresh, nomail, clash, ids["acme"], ids["carol_partner"]))
    page = client.get(f"/portal/grant?ids={query}").get_data(as_text=True)
    assert "A portal user is created and invited by e-mail to dan@acme.example." in page
    assert "Eve Nomail has no valid e-mail address" in page
    assert "The login alice@acme.example belongs to another user already." in page
    assert "Acme is a company: grant access to one of its people." in page
    assert "Globex, Carol Smith uses the portal already." in page
    assert "The link leads to http://localhost." in page
    assert "Grant access and send the invitations" in page
    with portal_db.environment() as env:     # nothing was done yet
        assert not env["res.users"].search([("login", "=", "dan@acme.example")])


def test_grant_invites_and_the_link_works_once(portal_db) -> None:
    ids = portal_db.test_ids
    fresh = new_contact(portal_db, "Fay Fresh", "fay@acme.example", lang="fr_FR")
    page = grant_with_the_page(portal_db, [fresh], ids["agent"])
    assert "Done." in page
    with portal_db.environment() as env:
        user = env["res.users"].search([("login", "=", "fay@acme.example")])
        assert user.partner_id.id == fresh and user.lang == "fr_FR"
        assert user.has_group("base.group_portal") and not user.has_group("base.group_user")
        assert env["res.partner"].browse(fresh).portal_state == "invited"
        mail = env["mail.mail"].search([("res_partner_id", "=", fresh)])
        assert mail.state == "outgoing" and "Fay Fresh" in mail.email_to
        assert mail.subject == "Your access to the My Company portal"
        assert "fay@acme.example" in mail.body_html
    link = invitation_link(portal_db, fresh)
    assert link.startswith("http://localhost/my/signup/")
    path = link[len("http://localhost"):]
    client = Client(Application(portal_db))
    form = client.get(path)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    body = form.get_data(as_text=True)
    assert "Your login is fay@acme.example." in body
    token = csrf_of(body)
    differ = client.post(path, data={"csrf_token": token, "password": "one-pass-123",
                                     "confirm_password": "other-pass-123"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(
        as_text=True)
    short = client.post(path, data={"csrf_token": token, "password": "short",
                                    "confirm_password": "short"})
    assert short.status_code == 422
    assert "at least 8 characters" in short.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "password": "fay-chooses-1",
                                   "confirm_password": "fay-chooses-1"})
    assert done.status_code == 303 and done.headers["Location"] == "/my"
    home = client.get("/my").get_data(as_text=True)     # in her language
    assert '<html lang="fr">' in home and "Bienvenue, Fay Fresh" in home
    again = Client(Application(portal_db)).get(path)
    assert again.status_code == 404
    assert "This link does not work" in again.get_data(as_text=True)
    _client, logged = login(portal_db, "fay@acme.example", "fay-chooses-1")
    assert logged.status_code == 303
    with portal_db.environment() as env:
        assert env["res.partner"].browse(fresh).portal_state == "active"


def test_a_new_invitation_replaces_the_link_and_links_expire(portal_db) -> None:
    ids = portal_db.test_ids
    fresh = new_contact(portal_db, "Gus Late", "gus@acme.example")
    grant_with_the_page(portal_db, [fresh], ids["agent"])
    first = invitation_link(portal_db, fresh)
    page = grant_with_the_page(portal_db, [fresh], ids["agent"])
    assert "has not accepted the invitation yet: a new one is sent" in page
    second = invitation_link(portal_db, fresh)
    assert first != second
    client = Client(Application(portal_db))
    assert client.get(first[len("http://localhost"):]).status_code == 404
    with portal_db.environment() as env:
        user = env["res.users"].search([("partner_id", "=", fresh)])
        user.write({"signup_expiration": dt.datetime(2020, 1, 1)})
    expired = client.get(second[len("http://localhost"):])
    assert expired.status_code == 410
    assert "This invitation has expired" in expired.get_data(as_text=True)
    assert client.get("/my/signup/short").status_code == 404


def test_the_configured_address_is_used_in_links(portal_db) -> None:
    ids = portal_db.test_ids
    fresh = new_contact(portal_db, "Hal Proxy", "hal@acme.example")
    set_params(portal_db, {"web.base.url": "https://crm.example.com/"})
    try:
        grant_with_the_page(portal_db, [fresh], ids["agent"])
    finally:
        set_params(portal_db, {"web.base.url": None})
    assert invitation_link(portal_db, fresh).startswith(
        "https://crm.example.com/my/signup/")


def test_revoke_then_grant_again(portal_db) -> None:
    ids = portal_db.test_ids
    fresh = new_contact(portal_db, "Ivy Gone", "ivy@acme.example")
    grant_with_the_page(portal_db, [fresh], ids["agent"])
    link = invitation_link(portal_db, fresh)[len("http://localhost"):]
    customer = Client(Application(portal_db))
    token = csrf_of(customer.get(link).get_data(as_text=True))
    customer.post(link, data={"csrf_token": token, "password": "ivy-password",
                              "confirm_password": "ivy-password"})
    assert customer.get("/my").status_code == 200
    staff, csrf = client_for(portal_db, ids["agent"])
    plan = staff.get(f"/portal/revoke?ids={fresh}").get_data(as_text=True)
    assert "Ivy Gone can no longer log in" in plan and "Revoke access" in plan
    assert staff.post("/portal/revoke", data={"csrf_token": csrf, "ids": str(fresh)}
                      ).status_code == 200
    assert customer.get("/my").status_code == 302          # his session ended
    _client, refused = login(portal_db, "ivy@acme.example", "ivy-password")
    assert refused.status_code == 401
    with portal_db.environment() as env:
        assert env["res.partner"].browse(fresh).portal_state == "revoked"
    page = grant_with_the_page(portal_db, [fresh], ids["agent"])
    assert "Done." in page
    with portal_db.environment() as env:
        assert env["res.partner"].browse(fresh).portal_state == "active"
        user = env["res.users"].search([("partner_id", "=", fresh)])
        assert user.signup_expiration      # a new link was sent


def test_the_contact_form_and_list_lead_to_the_pages(portal_db) -> None:
    ids = portal_db.test_ids
    fresh = new_contact(portal_db, "Jo Button", "jo@acme.example")
    with portal_db.environment() as env:
        action = env.ref("base.res_partner_action").id
    client, csrf = client_for(portal_db, ids["agent"])
    form = client.get(f"/web/action/{action}/{fresh}").get_data(as_text=True)
    assert "Portal Access" in form and "No access" in form
    grant = re.search(r"<button [^>]*value=\"action_portal_grant\">", form).group(0)
    revoke = re.search(r"<button [^>]*value=\"action_portal_revoke\">", form).group(0)
    assert " hidden " not in grant and " hidden " in revoke
    response = client.post(f"/web/action/{action}/{fresh}/call",
                           data={"csrf_token": csrf, "method": "action_portal_grant"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/portal/grant?ids={fresh}"
    listing = client.get(f"/web/action/{action}").get_data(as_text=True)
    assert '<option value="portal_grant">Grant portal access</option>' in listing
    bulk = client.post(f"/web/action/{action}/bulk", data={
        "csrf_token": csrf, "operation": "portal_revoke", "ids": [str(fresh)],
        "back": f"/web/action/{action}"})
    assert bulk.status_code == 303
    assert bulk.headers["Location"] == f"/portal/revoke?ids={fresh}"
    company = client.get(f"/web/action/{action}/{ids['acme']}").get_data(as_text=True)
    button = re.search(r"<button [^>]*value=\"action_portal_grant\">", company).group(0)
    assert " hidden " in button                 # not for a company


def test_only_staff_manage_access(portal_db) -> None:
    ids = portal_db.test_ids
    customer, csrf = client_for(portal_db, ids["alice"])
    page = customer.get(f"/portal/grant?ids={ids['bob_partner']}", follow_redirects=True)
    assert page.request.path == "/my"
    assert customer.post("/portal/grant", data={"csrf_token": csrf, "ids": str(
        ids["bob_partner"])}).status_code == 403
    with portal_db.environment() as env:
        bob = env["res.partner"].browse(ids["bob_partner"])
        with pytest.raises(AccessError):
            invite.grant(bob.with_env(env(uid=ids["alice"], su=False)), "http://x")
        internal = env["res.users"].browse(ids["agent"]).partner_id
        plan = invite.plan_grant(internal)
        assert plan[0].action == "refuse" and "internal user" in plan[0].reason
        assert invite.plan_revoke(internal)[0].action == "refuse"


def test_cli_grant_and_revoke(portal_db) -> None:
    fresh = new_contact(portal_db, "Kim Shell", "kim@acme.example")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--db", portal_db.url, "portal", *args],
                             obj={"database": portal_db})

    refused = run("grant", "kim@acme.example")
    assert refused.exit_code == 1 and "web.base.url" in refused.output
    granted = run("grant", "KIM@acme.example", "--base-url", "https://portal.example.com",
                  "--json")
    assert granted.exit_code == 0, granted.output
    assert json.loads(granted.output)[0]["action"] == "invite"
    assert invitation_link(portal_db, fresh).startswith("https://portal.example.com/my/")
    revoked = run("revoke", str(fresh))
    assert revoked.exit_code == 0 and "[revoke]" in revoked.output
    unknown = run("revoke", "nobody@nowhere.example")
    assert unknown.exit_code == 1 and "No contact is" in unknown.output
