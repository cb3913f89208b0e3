"""Recordsets on the test addons' models, on SQLite and PostgreSQL: x2many commands,
set operations and functional helpers, names, search order/limit/offset and ``read``.
"""
from __future__ import annotations

from itertools import count

import pytest

from core.exceptions import SingletonError, UserError, ValidationError

_names = count(1)


def make_order(env, **vals):
    vals.setdefault("name", f"R{next(_names)}")
    vals.setdefault("note", "n")
    return env["test.order"].create(vals)


def lines_of(env, order):
    """Lines of ``order`` according to the database, not the cache."""
    env.invalidate_all()
    return env["test.order.line"].search([("order_id", "=", order.id)])


# -- one2many commands ---------------------------------------------------------------------
def test_one2many_create_update_delete(env):
    order = make_order(env, line_ids=[(0, 0, {"product": "a"}), (0, 0, {"product": "b"})])
    a, b = lines_of(env, order)
    assert (a.product, b.product) == ("a", "b")
    order.write({"line_ids": [(1, a.id, {"product": "a2"}), (2, b.id),
                              (0, 0, {"product": "c"})]})
    lines = lines_of(env, order)
    assert lines.mapped("product") == ["a2", "c"]
    assert not b.exists()


def test_one2many_unlink_link_clear_set(env):
    order, other = make_order(env), make_order(env)
    order.write({"line_ids": [(0, 0, {"product": p}) for p in "abc"]})
    a, b, c = lines_of(env, order)
    foreign = env["test.order.line"].create({"order_id": other.id, "product": "f"})
    # (3): order_id is required, so an unlinked line cannot live alone
    order.write({"line_ids": [(3, a.id)]})
    assert not a.exists() and lines_of(env, order) == b | c
    order.write({"line_ids": [(4, foreign.id)]})  # moves the line
    assert lines_of(env, order) == b | c | foreign and not lines_of(env, other)
    order.write({"line_ids": [(6, 0, [c.id, foreign.id])]})
    assert lines_of(env, order) == c | foreign and not b.exists()
    order.write({"line_ids": [(5,)]})
    assert not lines_of(env, order) and not c.exists()


def test_one2many_plain_ids_and_recordsets(env):
    order = make_order(env, line_ids=[(0, 0, {"product": p}) for p in "abc"])
    a, b, c = lines_of(env, order)
    order.write({"line_ids": [a.id, c.id]})
    assert lines_of(env, order) == a | c and not b.exists()
    order.write({"line_ids": a})
    assert lines_of(env, order) == a


def test_one2many_unlink_without_required_inverse_keeps_record(env):
    company = env["res.partner"].create({"name": "Co", "is_company": True})
    people = env["res.partner"].create([{"name": "P1", "parent_id": company.id},
                                        {"name": "P2", "parent_id": company.id}])
    company.write({"child_ids": [(3, people[0].id)]})
    env.invalidate_all()
    assert people[0].exists() and not people[0].parent_id
    assert company.child_ids == people[1]
    company.write({"child_ids": [(5,)]})
    env.invalidate_all()
    assert people.exists() == people and not company.child_ids


def test_one2many_commands_in_create(env):
    donor = make_order(env, line_ids=[(0, 0, {"product": "keep"}), (0, 0, {"product": "go"})])
    keep, go = lines_of(env, donor)
    taker = make_order(env, line_ids=[(6, 0, [go.id])])
    assert lines_of(env, taker) == go and lines_of(env, donor) == keep
    both = env["test.order"].create([
        {"name": "cr1", "note": "n", "line_ids": [(0, 0, {"product": "x"})]},
        {"name": "cr2", "note": "n", "line_ids": [(4, keep.id), (0, 0, {"product": "y"})]}])
    assert lines_of(env, both[0]).mapped("product") == ["x"]
    assert sorted(lines_of(env, both[1]).mapped("product")) == ["keep", "y"]
    assert not lines_of(env, donor)


def test_one2many_create_on_several_records(env):
    orders = env["test.order"].create([{"name": "m1", "note": "n"}, {"name": "m2", "note": "n"}])
    orders.write({"line_ids": [(0, 0, {"product": "same"})]})
    env.invalidate_all()
    assert [len(o.line_ids) for o in orders] == [1, 1]


# -- many2many commands --------------------------------------------------------------------
def test_many2many_commands(env):
    t1, t2, t3 = env["test.tag"].create([{"name": "t1"}, {"name": "t2"}, {"name": "t3"}])
    order = make_order(env, tag_ids=[(6, 0, [t1.id, t2.id])])
    assert order.tag_ids == t1 | t2
    order.write({"tag_ids": [(0, 0, {"name": "new"})]})
    env.invalidate_all()
    new = order.tag_ids - (t1 | t2)
    assert new.name == "new" and len(order.tag_ids) == 3
    order.write({"tag_ids": [(1, t1.id, {"color": 5})]})
    assert t1.color == 5 and t1 in order.tag_ids
    order.write({"tag_ids": [(3, t2.id)]})
    env.invalidate_all()
    assert t2.exists() and t2 not in order.tag_ids
    order.write({"tag_ids": [(4, t3.id), (4, t3.id)]})
    env.invalidate_all()
    assert order.tag_ids == t1 | t3 | new
    order.write({"tag_ids": [(2, new.id)]})
    assert not new.exists()
    env.invalidate_all()
    assert order.tag_ids == t1 | t3
    order.write({"tag_ids": [(5,)]})
    env.invalidate_all()
    assert not order.tag_ids and (t1 | t3).exists() == t1 | t3


def test_many2many_commands_in_create(env):
    t1, t2 = env["test.tag"].create([{"name": "c1"}, {"name": "c2"}])
    orders = env["test.order"].create([
        {"name": "mc1", "note": "n", "tag_ids": [(0, 0, {"name": "made"}), (4, t1.id)]},
        {"name": "mc2", "note": "n", "tag_ids": [(6, 0, [t1.id, t2.id]), (3, t1.id)]},
        {"name": "mc3", "note": "n", "tag_ids": [(4, t2.id), (5,), (4, t1.id), (4, t1.id)]},
        {"name": "mc4", "note": "n", "tag_ids": []}])
    env.invalidate_all()
    made = env["test.tag"].search([("name", "=", "made")])
    assert orders[0].tag_ids == made | t1
    assert orders[1].tag_ids == t2
    assert orders[2].tag_ids == t1
    assert not orders[3].tag_ids
    assert env["test.order"].search([("tag_ids", "in", t1.ids)]) == orders[0] | orders[2]


def test_many2many_plain_ids_recordsets_and_several_owners(env):
    t1, t2, t3 = env["test.tag"].create([{"name": "p1"}, {"name": "p2"}, {"name": "p3"}])
    orders = env["test.order"].create([{"name": "o1", "note": "n", "tag_ids": [t1.id]},
                                       {"name": "o2", "note": "n", "tag_ids": t2 | t3}])
    env.invalidate_all()
    assert orders[0].tag_ids == t1 and orders[1].tag_ids == t2 | t3
    orders.write({"tag_ids": [(4, t3.id)]})
    env.invalidate_all()
    assert orders[0].tag_ids == t1 | t3 and orders[1].tag_ids == t2 | t3
    orders.write({"tag_ids": [t2.id]})
    env.invalidate_all()
    assert orders.mapped("tag_ids") == t2
    assert env["test.order"].search([("tag_ids", "in", t2.ids)]) == orders
    with pytest.raises(ValidationError):
        orders.write({"tag_ids": [(9, 1)]})
    with pytest.raises(ValidationError):
        orders.write({"tag_ids": "t1"})


# -- recordset operations ------------------------------------------------------------------
def test_set_operations(env):
    a, b, c = env["test.tag"].create([{"name": "a"}, {"name": "b"}, {"name": "c"}])
    tags = env["test.tag"]
    assert (a | b | a).ids == [a.id, b.id]
    assert ((a | b) & (b | c)).ids == [b.id]
    assert ((a | b | c) - b).ids == [a.id, c.id]
    assert (a + b + a).ids == [a.id, b.id, a.id]
    assert a in a | b and c not in a | b
    assert a | b == b | a and a != b
    assert bool(a) and not bool(tags) and not tags.browse([])
    assert len(a + b + a) == 3 and len(tags) == 0
    assert tags.browse([c.id, a.id]).ids == [c.id, a.id]
    with pytest.raises(TypeError):
        env["test.order"].browse(1) in a | b


def test_exists_and_ensure_one(env):
    a, b = env["test.tag"].create([{"name": "a"}, {"name": "b"}])
    ghost = env["test.tag"].browse(10**8)
    assert (a | ghost | b).exists() == a | b
    assert not ghost.exists()
    assert a.ensure_one() is a
    for bad in (a | b, env["test.tag"]):
        with pytest.raises(ValueError, match="Expected one"):   # a typed SingletonError
            bad.ensure_one()
    with pytest.raises(SingletonError) as raised:
        (a | b).ensure_one()
    assert raised.value.code == "expected_singleton" and isinstance(raised.value, UserError)


def test_filtered_mapped_sorted(env):
    taken = set(env["res.country"].with_context(active_test=False).search([]).mapped("code"))
    code = next(a + b for a in "QXZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                if a + b not in taken)
    country = env["res.country"].create({"name": "Mappedland", "code": code})
    partners = env["res.partner"].create([{"name": "Zed", "country_id": country.id},
                                          {"name": "Abe"}])
    o1 = make_order(env, name="b-order", quantity=5, partner_id=partners[0].id,
                    line_ids=[(0, 0, {"product": "x"}), (0, 0, {"product": "y"})])
    o2 = make_order(env, name="a-order", quantity=1, partner_id=partners[1].id, is_urgent=True,
                    line_ids=[(0, 0, {"product": "z"})])
    o3 = make_order(env, name="c-order", quantity=3)
    orders = o1 | o2 | o3
    assert orders.filtered(lambda o: o.quantity > 2) == o1 | o3
    assert orders.filtered("is_urgent") == o2
    assert orders.filtered("partner_id.country_id") == o1
    assert orders.filtered_domain([("quantity", ">=", 3)]).ids == [o1.id, o3.id]
    assert orders.filtered_domain([("partner_id.name", "=", "Abe")]) == o2
    assert orders.mapped("name") == ["b-order", "a-order", "c-order"]
    assert orders.mapped("partner_id") == partners
    assert orders.mapped("partner_id.name") == ["Zed", "Abe"]
    assert orders.mapped("partner_id.country_id.code") == [code]
    assert orders.mapped("line_ids.product") == ["x", "y", "z"]
    assert orders.mapped(lambda o: o.quantity * 2) == [10, 2, 6]
    assert orders.mapped(lambda o: o.line_ids) == o1.line_ids | o2.line_ids
    assert orders.sorted("name").ids == [o2.id, o1.id, o3.id]
    assert orders.sorted(key=lambda o: o.quantity, reverse=True).ids == [o1.id, o3.id, o2.id]
    o1.write({"date": "2024-01-01"})
    o3.write({"date": "2024-06-01"})
    # default order "date desc, id": descending puts NULLs first (as PostgreSQL does)
    assert orders.sorted().ids == [o2.id, o3.id, o1.id]
    assert orders.sorted(reverse=True).ids == [o1.id, o3.id, o2.id]


def test_names(env):
    order = make_order(env, name="Named order")
    assert order.display_name == "Named order"
    assert order.name_get() == [(order.id, "Named order")]
    vip = env.ref("test_kernel.tag_vip")
    found = env["test.tag"].name_search("vi")
    assert (vip.id, "VIP") in found
    assert env["test.tag"].name_search("VIP", operator="=") == [(vip.id, "VIP")]
    assert env["test.tag"].name_search("zzz-nothing") == []
    env["test.tag"].create([{"name": f"vi{i}"} for i in range(5)])
    assert len(env["test.tag"].name_search("vi", limit=3)) == 3
    assert env["test.tag"].name_search("vi", domain=[("id", "=", vip.id)]) == [(vip.id, "VIP")]
    order.write({"name": "Renamed"})
    assert order.display_name == "Renamed"


# -- search order, limit, offset, count ----------------------------------------------------
@pytest.fixture
def ranked(env):
    slow = env["test.stage"].create({"name": "Slow", "sequence": 50})
    fast = env["test.stage"].create({"name": "Fast", "sequence": 2})
    orders = env["test.order"].create([
        {"name": "rk-b", "note": "n", "quantity": 2, "stage_id": slow.id},
        {"name": "rk-a", "note": "n", "quantity": 3, "stage_id": fast.id},
        {"name": "rk-c", "note": "n", "quantity": 1},
        {"name": "rk-d", "note": "n", "quantity": 2, "stage_id": fast.id}])
    return orders


def test_search_order_directions(env, ranked):
    b, a, c, d = ranked
    search = env["test.order"].search
    dom = [("name", "like", "rk-")]
    assert search(dom, order="name").ids == [a.id, b.id, c.id, d.id]
    assert search(dom, order="name desc").ids == [d.id, c.id, b.id, a.id]
    assert search(dom, order="quantity desc, name").ids == [a.id, b.id, d.id, c.id]
    assert search(dom, order="quantity, name desc").ids == [c.id, d.id, b.id, a.id]
    assert search(dom, order="quantity asc, id desc").ids == [c.id, d.id, b.id, a.id]


def test_search_order_many2one_follows_comodel_order(env, ranked):
    b, a, c, d = ranked
    dom = [("name", "like", "rk-")]
    # test.stage is ordered by sequence: Fast (2) before Slow (50), whatever their names
    assert env["test.order"].search(dom, order="stage_id").ids == [a.id, d.id, b.id, c.id]
    assert env["test.order"].search(dom, order="stage_id desc").ids == [c.id, b.id, a.id, d.id]


def test_search_order_many2one_uses_every_term_of_comodel_order(env):
    # res.currency is ordered by "active desc, name": by name among active currencies
    taken = set(env["res.currency"].with_context(active_test=False).search([]).mapped("name"))
    low, high = [c for c in (f"Z{a}{b}" for a in "QXZ" for b in "ABCDEFGH")
                 if c not in taken][:2]
    high_cur, low_cur = env["res.currency"].create([{"name": high}, {"name": low}])
    first, second = env["test.order"].create([
        {"name": "cur-1", "note": "n", "currency_id": high_cur.id},
        {"name": "cur-2", "note": "n", "currency_id": low_cur.id}])
    dom = [("name", "like", "cur-")]
    assert env["test.order"].search(dom, order="currency_id").ids == [second.id, first.id]
    assert env["test.order"].search(dom, order="currency_id desc").ids == [first.id,
                                                                              second.id]
    low_cur.write({"active": False})
    assert env["test.order"].search(dom, order="currency_id").ids == [first.id, second.id]


def test_search_invalid_order(env, ranked):
    for bad in ("nmae", "name sideways", "name; DROP TABLE test_order", "line_count",
                "line_ids", "name desc desc"):
        with pytest.raises(ValidationError):
            env["test.order"].search([], order=bad)


def test_search_limit_offset_count(env, ranked):
    dom = [("name", "like", "rk-")]
    search = env["test.order"].search
    names = search(dom, order="name").mapped("name")
    assert search(dom, order="name", limit=2).mapped("name") == names[:2]
    assert search(dom, order="name", limit=2, offset=1).mapped("name") == names[1:3]
    assert search(dom, order="name", offset=3).mapped("name") == names[3:]
    assert env["test.order"].search_count(dom) == 4
    assert env["test.order"].search_count(dom + [("quantity", "=", 2)]) == 2
    assert env["test.order"].search_count(dom, limit=3) == 3


# -- read ----------------------------------------------------------------------------------
def test_read_many2one_and_x2many(env):
    partner = env["res.partner"].create({"name": "Reader"})
    tags = env["test.tag"].create([{"name": "r1"}, {"name": "r2"}])
    order = make_order(env, name="to read", partner_id=partner.id, tag_ids=tags.ids,
                       quantity=4, line_ids=[(0, 0, {"product": "l"})])
    bare = make_order(env, name="bare")
    env.invalidate_all()
    rows = (order | bare).read(["name", "partner_id", "tag_ids", "quantity", "line_ids",
                                "stage_id"])
    assert not rows[0].pop("stage_id")
    assert rows[0] == {"id": order.id, "name": "to read", "partner_id": (partner.id, "Reader"),
                       "tag_ids": tags.ids, "quantity": 4, "line_ids": order.line_ids.ids}
    assert not rows[1]["partner_id"] and rows[1]["tag_ids"] == []
    raw = order.read(["partner_id", "tag_ids"], load="_classic_write")
    assert raw == [{"id": order.id, "partner_id": partner.id, "tag_ids": tags.ids}]
    everything = order.read()[0]
    assert {"name", "state", "amount_total", "display_name", "version"} <= set(everything)
    assert env["test.order"].read(["name"]) == []
    rows = env["test.order"].search_read([("id", "=", order.id)], ["name", "partner_id"])
    assert rows == [{"id": order.id, "name": "to read", "partner_id": (partner.id, "Reader")}]
