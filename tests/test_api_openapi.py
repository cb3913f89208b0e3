"""The OpenAPI document: generated from the installed models (custom ``x_`` fields too),
per user (rights and field groups), browsable at /api/v1/docs, and held to by the server:
schemathesis finds no server error and no response that breaks it."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)
from werkzeug.test import Client

from core.testing.server import PASSWORDS, make_api_database
from core.web import Application

@pytest.fixture(scope="module")
def database(engine_name: str, tmp_path_factory: pytest.TempPathFactory,
             comptoir_available: dict[str, Any]) -> Iterator[Any]:
    """The API test database plus custom fields an admin added to res.partner."""
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("openapi"), "openapi")
    database = make_api_database(url, comptoir_available)
    with database.environment() as env:
        env["ir.model.fields"].create([
            {"name": "x_loyalty", "model": "res.partner", "ttype": "selection",
             "field_description": "Loyalty",
             "selection_ids": [(0, 0, {"value": "bronze", "name": "Bronze"}),
                               (0, 0, {"value": "gold", "name": "Gold"})]},
            {"name": "x_customer_since", "model": "res.partner", "ttype": "date",
             "field_description": "Customer Since"},
            {"name": "x_visits", "model": "res.partner", "ttype": "integer",
             "field_description": "Visits"},
        ])
    yield database
    database.engine.dispose()
    drop()


@pytest.fixture(scope="module")
def keys(database: Any) -> dict[str, str]:
    with database.environment() as env:
        return {login: env["res.users.apikey"].with_user(
            env["res.users"].search([("login", "=", login)])).generate("openapi tests")
            for login in PASSWORDS}


@pytest.fixture
def client(database: Any) -> Client:
    return Client(Application(database))


def document(client: Client, key: str) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    return response.json


def test_document_needs_credentials(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401 and response.json["error"]["code"] == \
        "authentication_required"


def test_document_shows_what_each_user_may_do(client: Client, keys: dict) -> None:
    admin, alice, bob = (document(client, keys[login]) for login in ("admin", "alice", "bob"))
    assert admin["openapi"] == "3.1.0"
    orders = "/api/v1/models/test.order"
    assert set(alice["paths"][orders]) == {"get", "post"}
    assert set(alice["paths"][orders + "/{id}"]) == {"parameters", "get", "patch"}
    assert set(bob["paths"][orders + "/{id}"]) == {"parameters", "get", "patch", "delete"}
    assert set(alice["paths"]["/api/v1/models/test.stage/{id}"]) == {"parameters", "get"}
    assert "/api/v1/models/ir.model.data" in admin["paths"]
    assert "/api/v1/models/ir.model.data" not in alice["paths"]
    assert "internal_note" not in alice["components"]["schemas"]["test.order"]["properties"]
    assert "internal_note" in bob["components"]["schemas"]["test.order-write"]["properties"]
    methods = alice["paths"][orders + "/call/{method}"]["post"]["parameters"][0]["schema"]
    assert "action_confirm" in methods["enum"] and "search_read" in methods["enum"]
    assert not any(name.startswith("_") or name in ("sudo", "browse", "with_user")
                   for name in methods["enum"])


def test_document_describes_fields_custom_ones_included(client: Client, keys: dict) -> None:
    schemas = document(client, keys["admin"])["components"]["schemas"]
    partner, partner_write = schemas["res.partner"], schemas["res.partner-write"]
    assert partner["properties"]["x_loyalty"]["enum"] == ["bronze", "gold", None]
    assert partner_write["properties"]["x_customer_since"]["format"] == "date"
    assert partner_write["properties"]["x_visits"]["maximum"] == 2**31 - 1
    assert partner["properties"]["country_id"]["oneOf"][0]["$ref"].endswith("/Many2one")
    assert "commercial_partner_id" not in partner_write["properties"]  # computed
    order_write = schemas["test.order-write"]
    assert order_write["required"] == ["name"]
    assert order_write["properties"]["name"]["maxLength"] == 32
    assert order_write["properties"]["discount"]["maximum"] == 999.99
    assert order_write["properties"]["state"]["enum"] == ["draft", "confirmed", "done", None]
    assert "version" in schemas["test.order-update"]["properties"]
    created = client.post("/api/v1/models/res.partner", json={
        "name": "Custom", "x_loyalty": "gold", "x_customer_since": "2020-05-01",
        "x_visits": 3}, headers={"Authorization": f"Bearer {keys['admin']}"})
    assert created.status_code == 201
    assert (created.json["x_loyalty"], created.json["x_customer_since"]) == ("gold",
                                                                             "2020-05-01")


def test_reference_page(client: Client) -> None:
    assert client.get("/api/v1/docs").status_code == 302  # to the login page
    page = client.get("/web/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/web/login", data={"login": "alice", "password": PASSWORDS["alice"],
                                    "csrf_token": token})
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "REST API reference" in html and "/api/v1/models/test.order/{id}" in html
    assert "x_loyalty" in html and "ir.model.data" not in html
    assert "internal_note" not in html


#: operations schemathesis exercises (method, path), each with a bounded number of cases
OPERATIONS = [
    ("GET", "/api/v1/models/res.partner"),
    ("POST", "/api/v1/models/res.partner"),
    ("GET", "/api/v1/models/res.partner/{id}"),
    ("PATCH", "/api/v1/models/res.partner/{id}"),
    ("DELETE", "/api/v1/models/res.partner/{id}"),
    ("GET", "/api/v1/models/res.partner/groups"),
    ("GET", "/api/v1/models/test.order"),
    ("POST", "/api/v1/models/test.order"),
    ("PATCH", "/api/v1/models/test.order/{id}"),
    ("POST", "/api/v1/models/res.partner/call/{method}"),
]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def test_schemathesis_finds_no_server_error_and_no_schema_break(database: Any,
                                                                keys: dict) -> None:
    app = Application(database)
    auth = {"Authorization": f"Bearer {keys['admin']}"}
    full = Client(app).get("/api/v1/openapi.json", headers=auth).json
    for result in schemathesis.openapi.from_dict(full).get_all_operations():
        result.ok()  # every operation of the whole document is well-formed
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json?models=res.partner,test.order", app, headers=auth)
    assert {tag["name"] for tag in schema.raw_schema["tags"]} == {"res.partner", "test.order"}
    with database.environment() as env:  # records for the cases to find by id
        existing = {"res.partner": env["res.partner"].create(
                        [{"name": f"Fuzz {i}"} for i in range(10)]).ids,
                    "test.order": env["test.order"].create(
                        [{"name": f"FUZZ-{i}"} for i in range(10)]).ids}

    for method, path in OPERATIONS:
        operation = schema[path][method]
        ids = existing[path.split("/")[4]]

        @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), known=st.sampled_from([None, *ids]))
        def exercise(case: Any, known: int | None) -> None:
            if known and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = known  # half the cases hit a real record
            response = case.call(headers=auth)
            case.validate_response(response, checks=CHECKS)

        exercise()
