"""The REST API under /api/v1: CRUD, read_group, method calls, authentication and CSRF,
errors with their status and stable code, values checked before the database sees them."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from werkzeug.test import Client

from core.testing.engines import count_queries
from core.testing.server import PASSWORDS, api_database  # noqa: F401
from core.web import Application
from core.web.app import SESSION_COOKIE

API = "/api/v1/models"


@pytest.fixture(scope="module")
def keys(api_database: Any) -> dict[str, str]:
    with api_database.environment() as env:
        return {login: env["res.users.apikey"].with_user(
            env["res.users"].search([("login", "=", login)])).generate(f"{login} tests")
            for login in PASSWORDS}


@pytest.fixture(scope="module")
def uids(api_database: Any) -> dict[str, int]:
    with api_database.environment() as env:
        return {user.login: user.id for user in env["res.users"].search([])}


@pytest.fixture
def client(api_database: Any) -> Any:
    yield Client(Application(api_database))
    with api_database.environment() as env:  # one test's failures must not throttle the next
        env["res.users.login.attempt"].search([]).unlink()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def error_of(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    return response.json["error"]


def make_order(client: Client, key: str, **values: Any) -> dict[str, Any]:
    response = client.post(f"{API}/test.order", json={"name": values.pop("name"), **values},
                           headers=bearer(key))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def test_list_with_domain_fields_order_limit_offset(client: Client, keys: dict) -> None:
    for name in ("REST-L1", "REST-L2", "REST-L3"):
        make_order(client, keys["admin"], name=name, quantity=int(name[-1]))
    domain = json.dumps([["name", "=like", "REST-L%"]])
    response = client.get(f"{API}/test.order", headers=bearer(keys["admin"]), query_string={
        "domain": domain, "fields": "name,quantity,stage_id", "order": "quantity desc",
        "limit": 2, "offset": 1})
    assert response.status_code == 200
    page = response.json
    assert (page["count"], page["offset"], page["limit"]) == (3, 1, 2)
    assert [row["name"] for row in page["items"]] == ["REST-L2", "REST-L1"]
    assert set(page["items"][0]) == {"id", "name", "quantity", "stage_id"}


def test_create_read_update_delete(client: Client, keys: dict, api_database: Any) -> None:
    with api_database.environment() as env:
        stage = env.ref("test_kernel.stage_new")
        tag = env.ref("test_kernel.tag_vip")
        stage_id, stage_name, tag_id = stage.id, stage.name, tag.id
    created = client.post(f"{API}/test.order", headers=bearer(keys["admin"]), json={
        "name": "REST-C1", "stage_id": stage_id, "tag_ids": [tag_id], "date": "2024-03-01",
        "deadline": "2024-03-02T10:30:00+01:00", "discount": 12.5, "data": {"a": [1, 2]},
        "line_ids": [[0, 0, {"product": "Widget", "quantity": 2, "price": 10}]]})
    assert created.status_code == 201, created.get_data(as_text=True)
    record = created.json
    assert created.headers["Location"] == f"{API}/test.order/{record['id']}"
    assert record["stage_id"] == {"id": stage_id, "display_name": stage_name}
    assert record["tag_ids"] == [tag_id] and len(record["line_ids"]) == 1
    assert record["deadline"] == "2024-03-02T09:30:00Z" and record["date"] == "2024-03-01"
    assert record["amount_total"] == 17.5 and record["data"] == {"a": [1, 2]}
    assert record["partner_id"] is None and record["version"] == 1

    url = f"{API}/test.order/{record['id']}"
    read = client.get(url, headers=bearer(keys["admin"]), query_string={"fields": "name"})
    assert read.json == {"id": record["id"], "name": "REST-C1", "version": 1}
    assert read.headers["ETag"] == '"1"'

    updated = client.patch(url, headers=bearer(keys["admin"]),
                           json={"quantity": 4, "version": 1, "stage_id": None})
    assert updated.status_code == 200
    assert (updated.json["quantity"], updated.json["version"]) == (4, 2)
    assert updated.json["stage_id"] is None
    # a many2one may come back as REST reads it
    again = client.patch(url, headers={**bearer(keys["admin"]), "If-Match": '"2"'},
                         json={"stage_id": {"id": stage_id, "display_name": "ignored"}})
    assert again.status_code == 200 and again.json["stage_id"]["id"] == stage_id

    stale = client.patch(url, headers=bearer(keys["admin"]), json={"quantity": 9, "version": 1})
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "conflict" and error_of(stale)["ids"] == [record["id"]]
    assert client.get(url, headers=bearer(keys["admin"])).json["quantity"] == 4

    # test orders are deleted by managers (bob) only
    assert client.delete(url, headers=bearer(keys["admin"])).status_code == 403
    refused = client.delete(url, headers={**bearer(keys["bob"]), "If-Match": '"1"'})
    assert refused.status_code == 409
    deleted = client.delete(url, headers=bearer(keys["bob"]))
    assert deleted.status_code == 204 and not deleted.data
    for response in (client.get(url, headers=bearer(keys["bob"])),
                     client.patch(url, headers=bearer(keys["bob"]), json={"quantity": 1}),
                     client.delete(url, headers=bearer(keys["bob"]))):
        assert response.status_code == 404 and error_of(response)["code"] == "missing_record"


def test_read_group(client: Client, keys: dict) -> None:
    for name, quantity, state in (("REST-G1", 2, "draft"), ("REST-G2", 3, "draft"),
                                  ("REST-G3", 5, "done")):
        make_order(client, keys["admin"], name=name, quantity=quantity, state=state)
    response = client.get(f"{API}/test.order/groups", headers=bearer(keys["admin"]),
                          query_string={"groupby": "state", "aggregates": "quantity:sum",
                                        "domain": json.dumps([["name", "=like", "REST-G%"]]),
                                        "orderby": "state"})
    assert response.status_code == 200, response.get_data(as_text=True)
    groups = {g["group"]["state"]: g for g in response.json["groups"]}
    assert groups["draft"]["count"] == 2 and groups["draft"]["aggregates"] == {"quantity": 5}
    assert groups["done"]["aggregates"] == {"quantity": 5}
    assert ["state", "=", "done"] in groups["done"]["domain"]
    missing = client.get(f"{API}/test.order/groups", headers=bearer(keys["admin"]))
    assert missing.status_code == 400 and error_of(missing)["code"] == "invalid_parameter"


def test_calling_public_methods_only(client: Client, keys: dict) -> None:
    order = make_order(client, keys["admin"], name="REST-M1")
    call = f"{API}/test.order/call"
    done = client.post(f"{call}/action_confirm", json={"ids": [order["id"]]},
                       headers=bearer(keys["admin"]))
    assert done.status_code == 200 and done.json == {"result": True}
    state = client.get(f"{API}/test.order/{order['id']}?fields=state",
                       headers=bearer(keys["admin"])).json["state"]
    assert state == "confirmed"
    found = client.post(f"{call}/search_read", headers=bearer(keys["admin"]), json={
        "args": [[["name", "=", "REST-M1"]]], "kwargs": {"fields": ["state"]}})
    assert found.json["result"] == [{"id": order["id"], "state": "confirmed"}]
    for method in ("_compute_line_count", "sudo", "with_user", "browse", "mapped"):
        refused = client.post(f"{call}/{method}", json={"ids": [order["id"]]},
                              headers=bearer(keys["admin"]))
        assert refused.status_code == 403, method
        assert error_of(refused)["code"] == "private_method"
    unknown = client.post(f"{call}/no_such_method", headers=bearer(keys["admin"]))
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "unknown_method"
    wrong = client.post(f"{call}/action_confirm", json={"ids": [order["id"]], "args": [1, 2]},
                        headers=bearer(keys["admin"]))
    assert wrong.status_code == 400 and error_of(wrong)["code"] == "invalid_arguments"
    gone = client.post(f"{call}/action_confirm", json={"ids": [2_000_000]},
                       headers=bearer(keys["admin"]))
    assert gone.status_code == 404


def test_authentication(client: Client, keys: dict, api_database: Any) -> None:
    url = f"{API}/res.partner"
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(anonymous)["code"] == "authentication_required"
    for header in ("Bearer cpt_wrongwrongwrongwrongwrong", "Basic YWRtaW46YWRtaW4=", "Bearer"):
        refused = client.get(url, headers={"Authorization": header})
        assert refused.status_code == 401, header
        assert error_of(refused)["code"] == "authentication_failed"
    with api_database.environment() as env:
        user = env["res.users"].search([("login", "=", "alice")])
        revoked = env["res.users.apikey"].with_user(user).generate("revoked")
        env["res.users.apikey"].search([("name", "=", "revoked")]).action_revoke()
    assert client.get(url, headers=bearer(revoked)).status_code == 401
    me = client.get("/api/v1/session", headers=bearer(keys["alice"]))
    assert me.json["login"] == "alice" and "csrf_token" not in me.json


def test_session_cookie_needs_the_csrf_header_to_change_data(client: Client) -> None:
    page = client.get("/web/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/web/login", data={"login": "alice", "password": PASSWORDS["alice"],
                                    "csrf_token": token})
    assert client.get_cookie(SESSION_COOKIE) is not None
    listed = client.get(f"{API}/test.order")
    assert listed.status_code == 200
    refused = client.post(f"{API}/test.order", json={"name": "REST-S1"})
    assert refused.status_code == 403 and error_of(refused)["code"] == "csrf_failed"
    forged = client.post(f"{API}/test.order", json={"name": "REST-S1"},
                         headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    token = client.get("/api/v1/session").json["csrf_token"]
    created = client.post(f"{API}/test.order", json={"name": "REST-S1"},
                          headers={"X-CSRF-Token": token})
    assert created.status_code == 201


def test_rights_rules_and_field_groups_apply(client: Client, keys: dict, uids: dict) -> None:
    theirs = make_order(client, keys["bob"], name="REST-R1", user_id=uids["bob"],
                        internal_note="managers only")
    url = f"{API}/test.order/{theirs['id']}"
    hidden = client.get(url, headers=bearer(keys["alice"]))
    assert hidden.status_code == 403 and error_of(hidden)["code"] == "access_denied"
    mine = make_order(client, keys["alice"], name="REST-R2")
    field = client.get(f"{API}/test.order/{mine['id']}?fields=internal_note",
                       headers=bearer(keys["alice"]))
    assert field.status_code == 403
    assert "internal_note" not in mine
    assert client.get(url, headers=bearer(keys["bob"])).json["internal_note"] == "managers only"
    no_unlink = client.delete(f"{API}/test.order/{mine['id']}", headers=bearer(keys["alice"]))
    assert no_unlink.status_code == 403
    listed = client.get(f"{API}/test.order", headers=bearer(keys["alice"]),
                        query_string={"domain": json.dumps([["name", "like", "REST-R"]])})
    assert [row["name"] for row in listed.json["items"]] == ["REST-R2"]


@pytest.mark.parametrize("body, field", [
    ({"name": "REST-V1", "quantity": 2**31}, "quantity"),
    ({"name": "REST-V2", "discount": 1000}, "discount"),
    ({"name": "REST-V3", "budget": 1e15}, "budget"),
    ({"name": "REST-V4\x00"}, None),
    ({"name": "REST-V5", "deadline": "0001-01-01T00:00:00+01:00"}, "deadline"),
    ({"name": "REST-V6", "stage_id": 2**40}, "stage_id"),
    ({"name": "REST-V7", "tag_ids": [[6, 0, ["x"]]]}, "tag_ids"),
    ({"name": "REST-V8", "line_ids": [[0, 0, {"product": "p", "sequence": 2**40}]]}, None),
    ({"name": "REST-V9", "state": "nonsense"}, "state"),
    ({"name": "REST-V10", "no_such_field": 1}, None),
    ({"name": "x" * 40}, "name"),
])
def test_bad_values_are_422_naming_the_field(client: Client, keys: dict, body: dict,
                                             field: str | None) -> None:
    response = client.post(f"{API}/test.order", json=body, headers=bearer(keys["admin"]))
    assert response.status_code == 422, response.get_data(as_text=True)
    error = error_of(response)
    assert error["code"] == "validation_error"
    if field:
        assert error["field"] == field


def test_malformed_requests_are_400_or_404_in_json(client: Client, keys: dict) -> None:
    headers = bearer(keys["admin"])
    invalid = client.post(f"{API}/test.order", data="{not json", headers=headers)
    assert invalid.status_code == 400 and error_of(invalid)["code"] == "invalid_json"
    deep = client.post(f"{API}/test.order", data="[" * 100_000, headers=headers)
    assert deep.status_code == 400
    limit = client.get(f"{API}/test.order?limit=100000", headers=headers)
    assert limit.status_code == 400 and error_of(limit)["code"] == "invalid_parameter"
    domain = client.get(f"{API}/test.order?domain=nope", headers=headers)
    assert domain.status_code == 422 and error_of(domain)["code"] == "invalid_domain"
    fields = client.get(f"{API}/test.order?fields=nope", headers=headers)
    assert fields.status_code == 422 and "nope" in error_of(fields)["message"]
    order = client.get(f"{API}/test.order?order=name;drop", headers=headers)
    assert order.status_code == 422
    model = client.get(f"{API}/no.such.model", headers=headers)
    assert model.status_code == 404 and error_of(model)["code"] == "unknown_model"
    abstract = client.get(f"{API}/test.mixin", headers=headers)
    assert abstract.status_code == 404
    nowhere = client.get("/api/v1/nowhere", headers=headers)
    assert nowhere.status_code == 404 and error_of(nowhere)["code"] == "not_found"
    method = client.put(f"{API}/test.order/1", headers=headers)
    assert method.status_code == 405
    assert method.headers["Allow"] == "GET, PATCH, DELETE"


def test_unexpected_errors_give_a_reference_not_a_traceback(client: Client, keys: dict,
                                                            monkeypatch: Any,
                                                            caplog: Any) -> None:
    from core.web.api import rest

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(rest, "rest_record", broken)
    response = client.get(f"{API}/res.partner", headers=bearer(keys["admin"]))
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error" and "secret" not in response.get_data(as_text=True)
    assert any(error["reference"] in record.getMessage() for record in caplog.records)


def test_bearer_failures_are_throttled_per_address(client: Client, keys: dict,
                                                   api_database: Any) -> None:
    address = {"REMOTE_ADDR": "10.7.7.7"}
    url = f"{API}/res.partner"
    for _attempt in range(20):
        client.get(url, headers=bearer("cpt_guessguessguessguessguess"), environ_base=address)
    blocked = client.get(url, headers=bearer(keys["admin"]), environ_base=address)
    assert blocked.status_code == 401
    assert "Too many failed attempts" in error_of(blocked)["message"]
    assert client.get(url, headers=bearer(keys["admin"])).status_code == 200


def test_queries_do_not_grow_with_the_records_listed(client: Client, keys: dict,
                                                     api_database: Any) -> None:
    with api_database.environment() as env:
        stage = env.ref("test_kernel.stage_new").id
        env["test.order"].create([{"name": f"REST-Q{i:02}", "stage_id": stage,
                                   "partner_id": env.ref("base.main_partner").id}
                                  for i in range(30)])

    def listing(limit: int) -> int:
        with count_queries(api_database.engine) as counter:
            response = client.get(f"{API}/test.order", headers=bearer(keys["admin"]),
                                  query_string={"domain": '[["name", "=like", "REST-Q%"]]',
                                                "limit": limit})
        assert response.status_code == 200 and len(response.json["items"]) == limit
        return counter.count

    listing(1)  # the key's last use is written, caches are warm
    assert listing(3) == listing(25)
