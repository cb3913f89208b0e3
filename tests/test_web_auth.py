"""Login, logout, sessions and CSRF through the real WSGI application (Werkzeug client)."""
from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from core.modules.loading import Database
from core.web import Application
from core.web.app import CSRF_COOKIE, SESSION_COOKIE


@pytest.fixture(scope="module")
def web_db(engine_name: str, tmp_path_factory: pytest.TempPathFactory):
    """A committed database of its own (web requests commit), with demo logins."""
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("web"),
                                 "web")
    database = Database(url)
    database.install(["base"], demo=True)
    yield database
    database.engine.dispose()
    drop()


@pytest.fixture
def client(web_db: Database) -> Client:
    return Client(Application(web_db))


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: Client, login_name: str = "admin", password: str = "admin"):
    page = client.get("/web/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/web/login", data={"login": login_name, "password": password,
                                           "csrf_token": token})


def test_pages_need_a_session(client: Client) -> None:
    response = client.get("/web")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/web/login?redirect=/web")


def test_login_and_home(client: Client) -> None:
    response = login(client)
    assert response.status_code == 303 and response.headers["Location"] == "/web"
    assert client.get_cookie(SESSION_COOKIE) is not None
    home = client.get("/web")
    assert home.status_code == 200
    assert "Administrator" in home.get_data(as_text=True)


def test_wrong_credentials_get_one_message(client: Client) -> None:
    wrong_password = login(client, "admin", "nope")
    unknown_login = login(client, "nobody", "nope")
    assert wrong_password.status_code == unknown_login.status_code == 401
    message = re.search(r'role="alert">([^<]+)<', wrong_password.get_data(as_text=True))
    other = re.search(r'role="alert">([^<]+)<', unknown_login.get_data(as_text=True))
    assert message and other and message.group(1) == other.group(1)
    assert client.get_cookie(SESSION_COOKIE) is None


def test_login_needs_the_csrf_token(client: Client) -> None:
    client.get("/web/login")
    response = client.post("/web/login", data={"login": "admin", "password": "admin"})
    assert response.status_code == 403
    assert "security token" in response.get_data(as_text=True)
    forged = client.post("/web/login", data={"login": "admin", "password": "admin",
                                              "csrf_token": "forged"})
    assert forged.status_code == 403
    assert client.get_cookie(SESSION_COOKIE) is None


def test_session_fixation_is_impossible(client: Client, web_db: Database) -> None:
    # an attacker plants a session id, and even a valid one of his own
    attacker = Client(Application(web_db))
    login(attacker)
    planted = attacker.get_cookie(SESSION_COOKIE).value
    planted_token = csrf_from(attacker.get("/web").get_data(as_text=True))
    client.set_cookie(SESSION_COOKIE, planted)
    response = client.post("/web/login", data={"login": "admin", "password": "admin",
                                                "csrf_token": planted_token})
    assert response.status_code == 303
    mine = client.get_cookie(SESSION_COOKIE).value
    assert mine != planted
    # the planted session was revoked by the login that replaced it
    attacker_home = attacker.get("/web")
    assert attacker_home.status_code == 302


def test_state_changing_requests_need_the_session_token(client: Client) -> None:
    login(client)
    refused = client.post("/web/logout")
    assert refused.status_code == 403
    assert client.get("/web").status_code == 200          # still logged in
    token = csrf_from(client.get("/web").get_data(as_text=True))
    other_token = client.post("/web/logout", headers={"X-CSRF-Token": "x" + token})
    assert other_token.status_code == 403


def test_logout_revokes_the_session(client: Client) -> None:
    login(client)
    sid = client.get_cookie(SESSION_COOKIE).value
    token = csrf_from(client.get("/web").get_data(as_text=True))
    response = client.post("/web/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get_cookie(SESSION_COOKIE) is None
    client.set_cookie(SESSION_COOKIE, sid)               # replaying the old cookie
    assert client.get("/web").status_code == 302


def test_login_redirect_stays_on_site(client: Client) -> None:
    page = client.get("/web/login?redirect=https://evil.example/steal")
    assert 'value="/web"' in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/web/login", data={
        "login": "admin", "password": "admin", "csrf_token": token,
        "redirect": "//evil.example"})
    assert response.headers["Location"] == "/web"


def test_cookies_are_http_only_and_same_site(client: Client) -> None:
    page = client.get("/web/login")
    assert any(CSRF_COOKIE in h and "HttpOnly" in h for h in page.headers.getlist("Set-Cookie"))
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/web/login", data={"login": "admin", "password": "admin",
                                                "csrf_token": token})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if SESSION_COOKIE in h)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_pages_and_static_files(client: Client) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Traceback" not in missing.get_data(as_text=True)
    css = client.get("/web/static/css/comptoir.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert client.get("/web/static/../app.py").status_code == 404


def test_french_visitors_get_a_french_page(client: Client) -> None:
    page = client.get("/web/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
