"""Form modifiers: the server's first evaluation (client.js mirrors these rules)."""
from __future__ import annotations

from lxml import etree

from core.web.client import modifiers


def node(**attrs: str) -> etree._Element:
    return etree.Element("field", name="x", **attrs)


def test_booleans_and_domains() -> None:
    data = {"is_company": True, "state": "draft", "partner_id": (7, "Acme"), "qty": 3,
            "note": ""}
    assert modifiers.state(node(invisible="1"), data)["invisible"] is True
    assert modifiers.state(node(), data)["invisible"] is False
    hidden = modifiers.state(node(invisible="[('is_company', '=', True)]"), data)
    assert hidden["invisible"] is True and hidden["invisible_json"] == \
        '[["is_company", "=", true]]'
    assert modifiers.evaluate([("partner_id", "=", 7)], data)
    assert modifiers.evaluate([("note", "=", False)], data)
    assert modifiers.evaluate(["|", ("state", "=", "done"), ("qty", ">", 2)], data)
    assert not modifiers.evaluate(["!", ("state", "in", ["draft", "sent"])], data)
    assert modifiers.evaluate([("state", "not in", ["done"]), ("qty", "<=", 3)], data)
    assert not modifiers.evaluate([("missing", ">", 1)], data)
    required = modifiers.state(node(required="[('state', '=', 'draft')]"), data)
    assert required["required"] is True


def test_readonly_domains_and_uid_are_evaluated_per_user() -> None:
    data = {"state": "done", "user_id": (7, "Rep")}
    readonly = modifiers.state(node(readonly="[('state', '=', 'done')]"), data)
    assert readonly["readonly"] is True
    assert readonly["readonly_json"] == '[["state", "=", "done"]]'
    mine = "[('user_id', '=', uid)]"
    assert modifiers.state(node(invisible=mine), data, uid=7)["invisible"] is True
    assert modifiers.state(node(invisible=mine), data, uid=8)["invisible"] is False
    assert modifiers.as_json(mine, uid=8) == '[["user_id", "=", 8]]'
    # parsed once per text: the same (read-only) domain object comes back
    assert modifiers.parse("[('state', '=', 'done')]") is \
        modifiers.parse("[('state', '=', 'done')]")
    assert modifiers.parse("0") is False and modifiers.parse(None) is False
