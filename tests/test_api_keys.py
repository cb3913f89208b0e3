"""API keys in the preferences page (through the WSGI application): created with a
description and shown once, listed with their prefix, revoked by their owner only; the
model's own rules keep the APIs from minting keys."""
from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from core.testing.server import PASSWORDS, api_database  # noqa: F401
from core.web import Application
from core.web.api.methods import is_public


def logged_in(database: Any, login: str) -> tuple[Client, str]:
    client = Client(Application(database))
    page = client.get("/web/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/web/login", data={"login": login, "password": PASSWORDS[login],
                                    "csrf_token": token})
    page = client.get("/web/preferences").get_data(as_text=True)
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def shown_key(html: str) -> str | None:
    match = re.search(r'id="new-apikey" type="text" value="(cpt_[^"]+)"', html)
    return match.group(1) if match else None


def test_create_show_once_list_and_revoke(api_database: Any) -> None:
    client, csrf = logged_in(api_database, "alice")
    created = client.post("/web/preferences/apikeys",
                          data={"name": "Invoice sync", "csrf_token": csrf})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    key = shown_key(created.get_data(as_text=True))
    assert key
    me = client.get("/api/v1/session", headers={"Authorization": f"Bearer {key}"})
    assert me.json["login"] == "alice"
    page = client.get("/web/preferences").get_data(as_text=True)
    assert shown_key(page) is None and key not in page
    assert "Invoice sync" in page and f"cpt_{key[4:12]}" in page
    key_id = int(re.search(r"/web/preferences/apikeys/(\d+)/revoke", page).group(1))

    other, other_csrf = logged_in(api_database, "bob")
    refused = other.post(f"/web/preferences/apikeys/{key_id}/revoke",
                         data={"csrf_token": other_csrf})
    assert refused.status_code == 404
    assert client.post(f"/web/preferences/apikeys/{key_id}/revoke").status_code == 403  # CSRF
    revoked = client.post(f"/web/preferences/apikeys/{key_id}/revoke",
                          data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert "Invoice sync" not in client.get("/web/preferences").get_data(as_text=True)
    assert client.get("/api/v1/session",
                      headers={"Authorization": f"Bearer {key}"}).status_code == 401


@pytest.mark.parametrize("name, message", [("", "Describe what the API key is for."),
                                           ("x" * 121, "At most 120 characters.")])
def test_a_key_needs_a_short_description(api_database: Any, name: str, message: str) -> None:
    client, csrf = logged_in(api_database, "alice")
    response = client.post("/web/preferences/apikeys", data={"name": name, "csrf_token": csrf})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and shown_key(html) is None


def test_keys_are_never_made_through_the_apis(api_database: Any) -> None:
    with api_database.environment() as env:
        keys = type(env["res.users.apikey"])
        users = type(env["res.users"])
    assert not is_public(keys, "generate") and not is_public(keys, "authenticate_apikey")
    assert not is_public(users, "authenticate")
    assert is_public(keys, "action_revoke")
