"""The Odoo-compatible external API, driven by the clients integrations really use:
``xmlrpc.client`` as in Odoo's external API documentation, ``odoorpc`` and
``odoo-client-lib`` (XML-RPC and JSON-RPC), against a live server on 127.0.0.1."""
from __future__ import annotations

import json
import urllib.request
import xmlrpc.client
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import odoolib
import odoorpc
import pytest

from core.testing.engines import count_queries
from core.testing.server import PASSWORDS, api_database, api_server  # noqa: F401
from core.web.api import credentials


@pytest.fixture(scope="module")
def db(api_database: Any) -> str:
    return api_database.name


@pytest.fixture(autouse=True)
def _forget_failures(api_database: Any) -> Any:
    """Failed logins of one test must not throttle the next (they share 127.0.0.1)."""
    yield
    with api_database.environment() as env:
        env["res.users.login.attempt"].search([]).unlink()


@pytest.fixture
def common(api_server: Any) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{api_server.url}/xmlrpc/2/common")


@pytest.fixture
def models(api_server: Any) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{api_server.url}/xmlrpc/2/object")


def post_json(url: str, params: dict[str, Any], opener: Any = None,
              content_type: str = "application/json") -> dict[str, Any]:
    data = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 7}).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    with (opener or urllib.request.build_opener()).open(request) as response:
        return json.load(response)


def fault_of(call: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value


def test_xmlrpc_session_as_in_odoos_documentation(common: Any, models: Any, db: str) -> None:
    """The steps of Odoo's "External API" page, unchanged."""
    username, password = "admin", PASSWORDS["admin"]
    assert common.version()["server_version"] == "17.0"
    uid = common.authenticate(db, username, password, {})
    assert isinstance(uid, int) and uid > 1
    assert models.execute_kw(db, uid, password, "res.partner", "check_access_rights",
                             ["read"], {"raise_exception": False}) is True
    company_ids = models.execute_kw(db, uid, password, "res.partner", "search",
                                    [[["is_company", "=", True]]])
    assert company_ids
    assert models.execute_kw(db, uid, password, "res.partner", "search",
                             [[["is_company", "=", True]]], {"offset": 0, "limit": 1}) == \
        company_ids[:1]
    assert models.execute_kw(db, uid, password, "res.partner", "search_count",
                             [[["is_company", "=", True]]]) == len(company_ids)
    [record] = models.execute_kw(db, uid, password, "res.partner", "read", [company_ids[:1]],
                                 {"fields": ["name", "country_id", "comment", "create_date"]})
    assert record["comment"] is False  # None goes out as False
    assert record["country_id"][1] == "France" and len(record["create_date"]) == 19
    bare = models.execute_kw(db, uid, password, "res.partner", "read", [company_ids[:1]],
                             {"fields": ["country_id"], "load": "_classic_write"})
    assert bare[0]["country_id"] == record["country_id"][0]
    described = models.execute_kw(db, uid, password, "res.partner", "fields_get", [],
                                  {"attributes": ["string", "help", "type"]})
    assert described["name"] == {"string": "Name", "help": False, "type": "char"}
    found = models.execute_kw(db, uid, password, "res.partner", "search_read",
                              [[["is_company", "=", True]]],
                              {"fields": ["name", "country_id", "comment"], "limit": 5})
    assert found[0]["id"] == company_ids[0]
    new_id = models.execute_kw(db, uid, password, "res.partner", "create",
                               [{"name": "New Partner"}])
    assert models.execute_kw(db, uid, password, "res.partner", "write",
                             [[new_id], {"name": "Newer partner"}]) is True
    assert models.execute_kw(db, uid, password, "res.partner", "read", [[new_id]],
                             {"fields": ["display_name"]})[0]["display_name"] == "Newer partner"
    assert models.execute_kw(db, uid, password, "res.partner", "name_get", [[new_id]]) == \
        [[new_id, "Newer partner"]]
    assert models.execute_kw(db, uid, password, "res.partner", "unlink", [[new_id]]) is True
    assert models.execute_kw(db, uid, password, "res.partner", "search",
                             [[["id", "=", new_id]]]) == []
    model = models.execute_kw(db, uid, password, "ir.model", "search_read",
                              [[["model", "=", "res.partner"]]], {"fields": ["model", "name"]})
    assert model[0]["model"] == "res.partner"


def test_odoo_signatures(models: Any, db: str) -> None:
    uid, password = 2, PASSWORDS["admin"]

    def call(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return models.execute_kw(db, uid, password, model, method, list(args), kwargs)

    names = [f"RPC-S{i}" for i in range(4)]
    ids = call("test.order", "create", [{"name": name, "quantity": i}
                                        for i, name in enumerate(names)])
    assert len(ids) == 4
    domain = [["name", "=like", "RPC-S%"]]
    # positional offset, limit, order, each accepting False
    assert call("test.order", "search", domain, False, False, False) == \
        call("test.order", "search", domain)
    assert call("test.order", "search", domain, 1, 2, "quantity desc") == [ids[2], ids[1]]
    assert call("test.order", "search", domain, 0, False, "quantity", True) == 4  # count
    assert models.execute(db, uid, password, "test.order", "search_count", domain) == 4
    tag = call("test.tag", "create", {"name": "rpc tag"})
    assert call("test.order", "write", [ids[0]], {
        "tag_ids": [[6, 0, [tag]]], "line_ids": [[0, 0, {"product": "P", "price": 3.0}]]})
    [order] = call("test.order", "read", [ids[0]], ["tag_ids", "line_ids", "amount_total"])
    assert order["tag_ids"] == [tag] and len(order["line_ids"]) == 1
    assert order["amount_total"] == 3.0
    assert call("test.order", "write", [ids[0]], {"tag_ids": [[3, tag]]})
    assert call("test.order", "read", [ids[0]], ["tag_ids"])[0]["tag_ids"] == []
    groups = call("test.order", "read_group", domain, ["quantity:sum"], ["state"])
    assert groups[0]["quantity"] == 6 and groups[0]["state_count"] == 4
    assert call("test.order", "name_search", "RPC-S1", [], "=") == [[ids[1], "RPC-S1"]]
    assert call("test.order", "default_get", ["state", "priority"]) == {"state": "draft",
                                                                       "priority": "1"}
    assert call("ir.model.data", "check_object_reference", "test_kernel", "stage_new") == \
        ["test.stage", call("test.stage", "search", [["name", "=", "New"]])[0]]
    assert call("res.users", "context_get")["uid"] == uid
    assert call("test.order", "write", [ids[1]], {"active": False})
    assert len(call("test.order", "search", domain)) == 3
    assert len(call("test.order", "search", domain, context={"active_test": False})) == 4
    copied = call("test.tag", "copy", tag, {"name": "rpc tag copy"})
    assert call("test.tag", "read", [copied], ["name"])[0]["name"] == "rpc tag copy"
    assert call("test.tag", "unlink", [tag, copied]) is True


def test_faults_use_odoos_codes(common: Any, models: Any, db: str, api_server: Any) -> None:
    password = PASSWORDS["admin"]
    order = models.execute_kw(db, 2, password, "test.order", "create", [{"name": "RPC-F1"}])
    private = fault_of(lambda: models.execute_kw(db, 2, password, "test.order",
                                                 "_compute_line_count", [[order]]))
    assert private.faultCode == 4 and "cannot be called remotely" in private.faultString
    for method in ("sudo", "with_user", "browse", "authenticate", "generate"):
        model = "res.users.apikey" if method == "generate" else "res.users"
        assert fault_of(lambda: models.execute_kw(db, 2, password, model, method,
                                                  [[2]])).faultCode == 4, method
    assert fault_of(lambda: models.execute_kw(db, 2, "wrong", "test.order", "search",
                                              [[]])).faultCode == 3
    assert fault_of(lambda: models.execute_kw(db, 999, "wrong", "test.order", "search",
                                              [[]])).faultCode == 3
    other = fault_of(lambda: models.execute_kw("elsewhere", 2, password, "test.order",
                                               "search", [[]]))
    assert other.faultCode == 2 and f"serves the database '{db}'" in other.faultString
    invalid = fault_of(lambda: models.execute_kw(db, 2, password, "test.order", "create",
                                                 [{"name": False}]))
    assert invalid.faultCode == 2 and "required" in invalid.faultString
    missing = fault_of(lambda: models.execute_kw(db, 2, password, "test.order", "write",
                                                 [[2_000_000], {"name": "x"}]))
    assert missing.faultCode == 2
    assert fault_of(lambda: models.execute_kw(db, 2, password, "no.model", "search",
                                              [[]])).faultCode == 2
    legacy = xmlrpc.client.ServerProxy(f"{api_server.url}/xmlrpc/object")
    refused = fault_of(lambda: legacy.execute_kw(db, 2, password, "test.order", "sudo", []))
    assert refused.faultCode.startswith("warning -- AccessError")
    denied = fault_of(lambda: legacy.execute_kw(db, 2, "wrong", "test.order", "search", [[]]))
    assert denied.faultCode == "AccessDenied"
    bad_xml = urllib.request.Request(f"{api_server.url}/xmlrpc/2/object", data=b"<nope",
                                     headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(bad_xml) as response:
        body = response.read()
    assert b"<fault>" in body and b"Traceback" not in body


def test_login_answers_false_and_names_only_the_served_database(common: Any, db: str,
                                                                api_server: Any) -> None:
    assert common.login(db, "admin", "wrong") is False
    assert common.authenticate(db, "nobody", "wrong", {}) is False
    assert fault_of(lambda: common.login("elsewhere", "admin", "admin")).faultCode == 2
    dbs = xmlrpc.client.ServerProxy(f"{api_server.url}/xmlrpc/2/db")
    assert dbs.list() == [db]
    assert post_json(f"{api_server.url}/web/database/list", {})["result"] == [db]
    assert post_json(f"{api_server.url}/jsonrpc", {"service": "db", "method": "list",
                                                   "args": []})["result"] == [db]


def test_jsonrpc_errors_have_odoos_shape(api_server: Any, db: str) -> None:
    url = f"{api_server.url}/jsonrpc"
    answer = post_json(url, {"service": "object", "method": "execute_kw", "args": [
        db, 2, PASSWORDS["admin"], "test.order", "_compute_line_count", [[1]], {}]})
    assert answer["id"] == 7 and "result" not in answer
    error = answer["error"]
    assert (error["code"], error["message"]) == (200, "Odoo Server Error")
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert error["data"]["code"] == "private_method" and error["data"]["debug"] == ""
    expired = post_json(f"{api_server.url}/web/dataset/call_kw", {
        "model": "res.partner", "method": "search", "args": [[]], "kwargs": {}})
    assert expired["error"]["code"] == 100
    assert expired["error"]["data"]["name"] == "odoo.http.SessionExpiredException"


def test_web_session_then_call_kw(api_server: Any, db: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    base = api_server.url
    session = post_json(f"{base}/web/session/authenticate",
                        {"db": db, "login": "alice", "password": PASSWORDS["alice"]}, opener)
    info = session["result"]
    assert info["username"] == "alice" and info["user_context"]["uid"] == info["uid"]
    found = post_json(f"{base}/web/dataset/call_kw/res.users/read", {
        "model": "res.users", "method": "read", "args": [[info["uid"]], ["login"]],
        "kwargs": {"context": {"lang": "fr_FR"}}}, opener)
    assert found["result"] == [{"id": info["uid"], "login": "alice"}]
    # cross-site forms cannot send JSON: other content types are refused
    form = post_json(f"{base}/web/dataset/call_kw", {"model": "res.partner", "method":
                     "search", "args": [[]]}, opener, content_type="text/plain")
    assert form["error"]["data"]["code"] == "invalid_request"
    refused = post_json(f"{base}/web/session/authenticate",
                        {"db": db, "login": "alice", "password": "wrong"})
    assert refused["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    post_json(f"{base}/web/session/destroy", {}, opener)
    after = post_json(f"{base}/web/dataset/call_kw", {"model": "res.partner",
                      "method": "search", "args": [[]]}, opener)
    assert after["error"]["code"] == 100


def test_odoorpc(api_server: Any, db: str) -> None:
    odoo = odoorpc.ODOO("127.0.0.1", port=int(api_server.url.rsplit(":", 1)[1]))
    assert db in odoo.db.list()
    odoo.login(db, "bob", PASSWORDS["bob"])  # a manager of test orders
    assert odoo.env.user.name == "Bob"
    assert "test.order" in odoo.env and "no.such.model" not in odoo.env
    Order = odoo.env["test.order"]
    order_id = Order.create({"name": "ORPC-1", "quantity": 2})
    order = Order.browse(order_id)
    order.quantity = 5  # a write through the record
    order.stage_id = odoo.env.ref("test_kernel.stage_new")
    assert Order.search_read([("id", "=", order_id)], ["quantity"])[0]["quantity"] == 5
    assert Order.browse(order_id).stage_id.name == "New"  # browse follows the many2one
    groups = Order.read_group([("id", "=", order_id)], ["quantity"], ["stage_id"])
    assert groups[0]["stage_id"][1] == "New" and groups[0]["quantity"] == 5
    Order.browse(order_id).unlink()
    assert Order.search([("id", "=", order_id)]) == []
    odoo.logout()


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_odoo_client_lib(api_server: Any, db: str, protocol: str) -> None:
    connection = odoolib.get_connection(
        hostname="127.0.0.1", port=int(api_server.url.rsplit(":", 1)[1]), protocol=protocol,
        database=db, login="bob", password=PASSWORDS["bob"])
    connection.check_login()
    assert connection.get_user_context()["uid"] == connection.user_id
    orders = connection.get_model("test.order")
    order_id = orders.create({"name": f"OL-{protocol}", "quantity": 1})
    orders.write([order_id], {"quantity": 7})
    assert orders.read(order_id, ["quantity"])["quantity"] == 7
    assert orders.search_read([("id", "=", order_id)], ["name"]) == [
        {"id": order_id, "name": f"OL-{protocol}"}]
    groups = orders.read_group([("id", "=", order_id)], ["quantity"], ["state"])
    assert groups[0]["quantity"] == 7
    orders.unlink([order_id])
    assert orders.search_count([("id", "=", order_id)]) == 0


def test_api_key_in_place_of_the_password(api_database: Any, common: Any, models: Any,
                                          db: str) -> None:
    with api_database.environment() as env:
        alice = env["res.users"].search([("login", "=", "alice")])
        key = env["res.users.apikey"].with_user(alice).generate("rpc")
        alice_id = alice.id
    assert common.login(db, "alice", key) == alice_id
    assert common.login(db, "admin", key) is False  # a key stands for its user only
    assert models.execute_kw(db, alice_id, key, "res.users", "context_get", [])["uid"] == \
        alice_id
    assert fault_of(lambda: models.execute_kw(db, 2, key, "res.partner", "search",
                                              [[]])).faultCode == 3
    with api_database.environment() as env:
        env["res.users.apikey"].search([("name", "=", "rpc")]).action_revoke()
    assert fault_of(lambda: models.execute_kw(db, alice_id, key, "res.partner", "search",
                                              [[]])).faultCode == 3


def test_record_rules_and_field_groups_apply(models: Any, db: str, api_database: Any) -> None:
    with api_database.environment() as env:
        users = {u.login: u.id for u in env["res.users"].search([])}
    bob, alice = users["bob"], users["alice"]
    bobs = models.execute_kw(db, bob, PASSWORDS["bob"], "test.order", "create",
                             [{"name": "RPC-R1", "user_id": bob, "internal_note": "secret"}])
    alices = models.execute_kw(db, alice, PASSWORDS["alice"], "test.order", "create",
                               [{"name": "RPC-R2"}])
    seen = models.execute_kw(db, alice, PASSWORDS["alice"], "test.order", "search",
                             [[["name", "like", "RPC-R"]]])
    assert seen == [alices]
    assert fault_of(lambda: models.execute_kw(db, alice, PASSWORDS["alice"], "test.order",
                                              "read", [[bobs]], {"fields": ["name"]})
                    ).faultCode == 4
    assert fault_of(lambda: models.execute_kw(db, alice, PASSWORDS["alice"], "test.order",
                                              "action_confirm", [[bobs]])).faultCode == 4
    assert fault_of(lambda: models.execute_kw(db, alice, PASSWORDS["alice"], "test.order",
                                              "read", [[alices]],
                                              {"fields": ["internal_note"]})).faultCode == 4
    assert "internal_note" not in models.execute_kw(
        db, alice, PASSWORDS["alice"], "test.order", "fields_get", [], {})
    assert models.execute_kw(db, bob, PASSWORDS["bob"], "test.order", "read", [[bobs]],
                             {"fields": ["internal_note"]})[0]["internal_note"] == "secret"


def test_password_checks_are_remembered_but_follow_the_password(
        api_database: Any, models: Any, db: str) -> None:
    with api_database.environment() as env:
        carol = env["res.users"].create({"name": "Carol", "login": "carol",
                                         "password": "carol-password",
                                         "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        carol_id = carol.id
    credentials.forget_verified()

    def context() -> Any:
        return models.execute_kw(db, carol_id, "carol-password", "res.users", "context_get", [])

    first, second = 0, 0
    with count_queries(api_database.engine) as counter:
        context()
        first = counter.count
    with count_queries(api_database.engine) as counter:
        context()
        second = counter.count
    assert second < first  # no argon2 check, no rehash lookup
    with api_database.environment() as env:
        env["res.users"].browse(carol_id).write({"password": "carol-new-password"})
    assert fault_of(context).faultCode == 3


def test_authentication_is_throttled(api_database: Any, common: Any, models: Any,
                                     db: str) -> None:
    with api_database.environment() as env:
        dave = env["res.users"].create({"name": "Dave", "login": "dave",
                                        "password": "dave-password",
                                        "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        dave_id = dave.id
    for _attempt in range(5):
        assert common.login(db, "dave", "guess") is False
    throttled = fault_of(lambda: common.login(db, "dave", "dave-password"))
    assert throttled.faultCode == 3 and "Too many failed attempts" in throttled.faultString
    assert fault_of(lambda: models.execute_kw(db, dave_id, "dave-password", "res.partner",
                                              "search", [[]])).faultCode == 3
    with api_database.environment() as env:
        env["res.users.login.attempt"].search([("login", "=", "dave")]).unlink()
    assert common.login(db, "dave", "dave-password") == dave_id


def test_search_read_queries_do_not_grow_with_rows(api_database: Any, models: Any,
                                                   db: str) -> None:
    with api_database.environment() as env:
        stage = env.ref("test_kernel.stage_new").id
        env["test.order"].create([{"name": f"RPC-Q{i:02}", "stage_id": stage,
                                   "partner_id": env.ref("base.main_partner").id}
                                  for i in range(30)])

    def search_read(limit: int) -> int:
        with count_queries(api_database.engine) as counter:
            rows = models.execute_kw(db, 2, PASSWORDS["admin"], "test.order", "search_read",
                                     [[["name", "=like", "RPC-Q%"]]],
                                     {"fields": ["name", "stage_id", "partner_id"],
                                      "limit": limit})
        assert len(rows) == limit and rows[0]["stage_id"][1] == "New"
        return counter.count

    search_read(1)  # warm the password cache
    assert search_read(3) == search_read(30)


def test_the_documented_example_runs(api_server: Any, db: str, capsys: Any) -> None:
    """docs/api.md's complete xmlrpc.client example, pointed at the test server."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    example = doc.split("### A complete example")[1].split("```python\n")[1].split("```")[0]
    assert 'url = "http://localhost:8069"' in example and 'db = "comptoir"' in example
    code = example.replace('"http://localhost:8069"', repr(api_server.url)).replace(
        'db = "comptoir"', f"db = {db!r}")
    exec(compile(code, "docs/api.md", "exec"), {})
    output = capsys.readouterr().out.splitlines()
    assert output[0] == "17.0" and output[1] == "True"
    assert "'city': 'Lyon'" in output[-3] and output[-1].startswith("4 Private methods")
