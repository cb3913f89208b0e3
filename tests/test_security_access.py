"""Model access, record rules, field groups and implied groups, enforced in SQL."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError
from core.security import access
from core.testing import count_queries


@pytest.fixture
def people(env):
    """Two sales users in one team, a lone user, a manager, a portal customer."""
    users = env["res.users"]
    group_user = env.ref("base.group_user")
    manager_group = env.ref("test_kernel.group_manager")
    ann = users.create({"name": "Ann", "login": "ann", "groups_id": [(6, 0, [group_user.id])]})
    bob = users.create({"name": "Bob", "login": "bob", "groups_id": [(6, 0, [group_user.id])]})
    cid = users.create({"name": "Cid", "login": "cid", "groups_id": [(6, 0, [group_user.id])]})
    max_ = users.create({"name": "Max", "login": "max",
                         "groups_id": [(6, 0, [manager_group.id])]})
    team = env["test.team"].create({"name": "North", "member_ids": [(6, 0, [ann.id, bob.id])]})
    orders = env["test.order"].create([
        {"name": "ann-1", "user_id": ann.id},
        {"name": "bob-1", "user_id": bob.id},
        {"name": "bob-team", "user_id": bob.id, "team_id": team.id},
        {"name": "cid-1", "user_id": cid.id},
        {"name": "free", "user_id": False},
    ])
    return {"ann": ann, "bob": bob, "cid": cid, "max": max_, "team": team,
            "orders": {o.name: o for o in orders}}


def as_user(env, user):
    return env(uid=user.id, su=False)


def test_sales_user_sees_own_team_and_unassigned_orders_only(env, people) -> None:
    orders = as_user(env, people["cid"])["test.order"]
    assert sorted(orders.search([]).mapped("name")) == ["cid-1", "free"]
    ann_orders = as_user(env, people["ann"])["test.order"]
    assert sorted(ann_orders.search([]).mapped("name")) == ["ann-1", "bob-team", "free"]
    assert ann_orders.search_count([]) == 3
    # group rules unite: the manager's [(1,'=',1)] opens everything
    manager = as_user(env, people["max"])["test.order"]
    assert manager.search_count([]) == 5


def test_hidden_records_cannot_be_read_written_or_deleted(env, people) -> None:
    cid_env = as_user(env, people["cid"])
    foreign = cid_env["test.order"].browse(people["orders"]["ann-1"].id)
    with pytest.raises(AccessError, match="record rules"):
        foreign.name  # noqa: B018
    with pytest.raises(AccessError, match="access rules"):
        foreign.write({"name": "stolen"})
    assert people["orders"]["ann-1"].name == "ann-1"


def test_users_create_and_edit_but_never_delete(env, people) -> None:
    orders = as_user(env, people["ann"])["test.order"]
    mine = orders.create({"name": "ann-2", "user_id": people["ann"].id})
    mine.write({"quantity": 3})
    assert mine.quantity == 3
    with pytest.raises(AccessError) as caught:
        mine.unlink()
    message = str(caught.value)
    assert "delete" in message and "test.order" in message and "Test Manager" in message
    assert mine.sudo().exists()
    manager_orders = as_user(env, people["max"])["test.order"]
    manager_orders.browse(mine.id).unlink()
    assert not mine.sudo().exists()


def test_create_rules_are_checked(env, people) -> None:
    orders = as_user(env, people["cid"])["test.order"]
    with pytest.raises(AccessError):
        with env.savepoint():
            orders.create({"name": "for-ann", "user_id": people["ann"].id})
    assert not env["test.order"].search([("name", "=", "for-ann")])


def test_no_access_row_means_no_access(env, people) -> None:
    stages = as_user(env, people["ann"])["test.stage"]
    assert stages.search_count([]) >= 2                      # read granted
    with pytest.raises(AccessError, match="create"):
        stages.create({"name": "Mine"})
    portal = env["res.users"].create({"name": "P", "login": "p",
                                      "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})
    with pytest.raises(AccessError, match="No group|Allowed for"):
        as_user(env, portal)["test.order"].search([])


def test_field_groups_hide_and_protect_fields(env, people) -> None:
    order = people["orders"]["ann-1"]
    order.write({"internal_note": "margin 40%"})
    ann_order = as_user(env, people["ann"])["test.order"].browse(order.id)
    assert "internal_note" not in ann_order.fields_get()
    assert "internal_note" not in ann_order.read()[0]
    with pytest.raises(AccessError, match="Internal Note"):
        ann_order.read(["internal_note"])
    with pytest.raises(AccessError, match="Internal Note"):
        ann_order.write({"internal_note": "x"})
    manager_order = as_user(env, people["max"])["test.order"].browse(order.id)
    assert manager_order.read(["internal_note"])[0]["internal_note"] == "margin 40%"


def test_implied_groups_and_membership_changes_apply_at_once(env, people) -> None:
    max_ = people["max"]
    assert max_.has_group("base.group_user")                 # implied by the manager group
    assert not people["ann"].has_group("test_kernel.group_manager")
    ann_orders = as_user(env, people["ann"])["test.order"]
    assert ann_orders.search_count([]) == 3
    people["ann"].write({"groups_id": [(4, env.ref("test_kernel.group_manager").id)]})
    assert ann_orders.search_count([]) == 5


def test_global_rules_intersect_with_group_rules(env, people) -> None:
    env["ir.rule"].create({
        "name": "No confirmed orders for anyone", "domain_force": "[('state', '=', 'draft')]",
        "model_id": env.ref("test_kernel.model_test_order").id})
    people["orders"]["free"].write({"state": "confirmed"})
    names = as_user(env, people["ann"])["test.order"].search([]).mapped("name")
    assert sorted(names) == ["ann-1", "bob-team"]
    assert as_user(env, people["max"])["test.order"].search_count([]) == 4


def test_portal_users_see_only_their_company(env) -> None:
    acme = env["res.partner"].create({"name": "Acme", "is_company": True})
    beta = env["res.partner"].create({"name": "Beta", "is_company": True})
    contact = env["res.partner"].create({"name": "Alice", "parent_id": acme.id})
    env["res.partner"].create({"name": "Bruno", "parent_id": beta.id})
    portal = env["res.users"].create({
        "name": "Alice", "login": "alice", "partner_id": contact.id,
        "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})
    visible = as_user(env, portal)["res.partner"].search([])
    assert sorted(visible.mapped("name")) == ["Acme", "Alice"]


def test_rules_are_sql_and_cached(env, people) -> None:
    orders = as_user(env, people["ann"])["test.order"]
    orders.search([])                                        # warm the per-user cache
    with count_queries(env) as counter:
        found = orders.search([("name", "!=", "zzz")])
    assert counter.count == 1
    assert "member" in counter.statements[0] or "test_order" in counter.statements[0]
    assert len(found) == 3
    assert ("rules", people["ann"].id, "test.order", "read") in access.cache_of(env)


def test_invalid_rule_domains_are_refused(env) -> None:
    from core.exceptions import ValidationError
    model = env.ref("test_kernel.model_test_order")
    for text in ["[('nmae', '=', 1)]", "[('user_id', '=', user.password_hash)]",
                 "__import__('os').system('true')", "[('name', '=', open('/etc/passwd'))]"]:
        with pytest.raises(ValidationError):
            with env.savepoint():
                env["ir.rule"].create({"name": "bad", "model_id": model.id,
                                       "domain_force": text})


def test_sudo_is_explicit(env, people) -> None:
    orders = as_user(env, people["cid"])["test.order"]
    assert orders.search_count([]) == 2
    assert orders.sudo().search_count([]) == 5
    assert orders.sudo().sudo(False).search_count([]) == 2
