"""Addon routes, and errors: a page in words (or JSON), never a traceback."""
from __future__ import annotations

from werkzeug.test import Client

from core.web import Application


def test_hook_comptoir_routes(comptoir_db) -> None:
    client = Client(Application(comptoir_db))
    response = client.get("/test/ping")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "pong 2"


def test_unexpected_errors_show_a_reference_not_a_traceback(comptoir_db, caplog) -> None:
    client = Client(Application(comptoir_db))
    response = client.get("/test/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Reference for your administrator" in body
    reference = body.split("Reference for your administrator: ")[1].split("<")[0].strip()
    assert any(reference in record.getMessage() for record in caplog.records)


def test_access_errors_become_403_pages_and_json(comptoir_db) -> None:
    client = Client(Application(comptoir_db))
    page = client.get("/test/forbidden")
    assert page.status_code == 403
    assert "test.order" in page.get_data(as_text=True)
    api = client.get("/test/forbidden", headers={"Accept": "application/json"})
    assert api.status_code == 403
    assert api.json["error"]["code"] == "access_denied"
