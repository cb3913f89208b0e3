"""Computed fields on the test addons' models, on SQLite and PostgreSQL.

Stored computed values are checked in the database itself (``stored``), read behind the
ORM's back, right after the ORM call that changed a dependency: no manual flush.
"""
from __future__ import annotations

from itertools import count

import pytest
import sqlalchemy as sa

_names = count(1)


def make_order(env, **vals):
    vals.setdefault("name", f"K{next(_names)}")
    vals.setdefault("note", "n")
    return env["test.order"].create(vals)


def line(product="p", quantity=1.0, price=0.0):
    return (0, 0, {"product": product, "quantity": quantity, "price": price})


def stored(record, name):
    table = record._sa_table
    return record.env.execute(sa.select(table.c[name]).where(table.c.id == record.id)).scalar()


def totals(*orders):
    """``amount_total`` per order: (cache, database) pairs, which must agree."""
    return [(o.amount_total, pytest.approx(float(stored(o, "amount_total") or 0)))
            for o in orders]


# -- stored compute through a one2many -----------------------------------------------------
def test_amount_total_follows_lines(env):
    order = make_order(env, line_ids=[line("a", 2, 10.0), line("b", 1, 5.0)])
    assert order.amount_total == 25.0 and stored(order, "amount_total") == 25.0
    order.write({"line_ids": [line("c", 3, 1.0)]})  # add
    assert stored(order, "amount_total") == 28.0 and order.amount_total == 28.0
    a = order.line_ids.filtered(lambda l: l.product == "a")
    a.write({"price": 20.0})  # change a dependency of the dependency
    assert stored(order, "amount_total") == 48.0 and order.amount_total == 48.0
    a.unlink()  # remove
    assert stored(order, "amount_total") == 8.0 and order.amount_total == 8.0
    order.write({"discount": 50})
    assert stored(order, "amount_total") == 4.0 and order.amount_total == 4.0
    order.write({"line_ids": [(5,)]})
    assert stored(order, "amount_total") == 0.0 and order.amount_total == 0.0


def test_lines_created_directly_update_their_order(env):
    order = make_order(env)
    assert order.amount_total == 0.0
    env["test.order.line"].create([{"order_id": order.id, "product": "x", "price": 4.0,
                                    "quantity": 2}])
    assert stored(order, "amount_total") == 8.0 and order.amount_total == 8.0
    assert order.line_ids.subtotal == 8.0 and stored(order.line_ids, "subtotal") == 8.0


def test_moving_a_line_updates_both_orders(env):
    first = make_order(env, line_ids=[line("a", 1, 10.0), line("b", 1, 1.0)])
    second = make_order(env, line_ids=[line("c", 1, 100.0)])
    moving = first.line_ids.filtered(lambda l: l.product == "a")
    moving.write({"order_id": second.id})
    assert totals(first, second) == [(1.0, 1.0), (110.0, 110.0)]
    # and back through the other side's one2many command
    first.write({"line_ids": [(4, moving.id)]})
    assert totals(first, second) == [(11.0, 11.0), (100.0, 100.0)]
    first.write({"line_ids": [(6, 0, second.line_ids.ids)]})  # steal every line
    assert totals(first, second) == [(100.0, 100.0), (0.0, 0.0)]


def test_recompute_on_many_orders_at_once(env):
    orders = env["test.order"].create([
        {"name": f"many{i}", "note": "n", "line_ids": [line(str(i), 1, float(i))]}
        for i in range(6)])
    assert [o.amount_total for o in orders] == [float(i) for i in range(6)]
    orders.mapped("line_ids").write({"quantity": 3})
    env.invalidate_all()
    assert [o.amount_total for o in orders] == [3.0 * i for i in range(6)]


# -- stored related through two many2ones --------------------------------------------------
def free_country_codes(env, n):
    """Two-letter codes no country of the base data uses."""
    taken = set(env["res.country"].with_context(active_test=False).search([]).mapped("code"))
    free = [a + b for a in "QXZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if a + b not in taken]
    return free[:n]


@pytest.fixture
def geo(env):
    qa, qb = free_country_codes(env, 2)
    c1, c2 = env["res.country"].create([{"name": "Rel One", "code": qa},
                                        {"name": "Rel Two", "code": qb}])
    partner = env["res.partner"].create({"name": "Related", "country_id": c1.id,
                                         "city": "Lyon"})
    return c1, c2, partner


def test_stored_related_follows_partner_and_country(env, geo):
    c1, c2, partner = geo
    qa, qb, qc = c1.code, c2.code, free_country_codes(env, 1)[0]
    order = make_order(env, partner_id=partner.id)
    bystander = make_order(env)
    assert order.partner_country_code == qa and stored(order, "partner_country_code") == qa
    partner.write({"country_id": c2.id})
    assert stored(order, "partner_country_code") == qb
    assert order.partner_country_code == qb
    c2.write({"code": qc})
    assert stored(order, "partner_country_code") == qc
    assert order.partner_country_code == qc
    other = env["res.partner"].create({"name": "Other", "country_id": c1.id})
    order.write({"partner_id": other.id})
    assert stored(order, "partner_country_code") == qa
    order.write({"partner_id": False})
    assert stored(order, "partner_country_code") is None and not order.partner_country_code
    assert stored(bystander, "partner_country_code") is None


def test_stored_related_is_searchable(env, geo):
    c1, _c2, partner = geo
    before, after = c1.code, free_country_codes(env, 1)[0]
    order = make_order(env, partner_id=partner.id)
    assert env["test.order"].search([("partner_country_code", "=", before)]) == order
    c1.write({"code": after})
    assert env["test.order"].search([("partner_country_code", "=", after)]) == order
    assert not env["test.order"].search([("partner_country_code", "=", before)])


# -- non-stored computes -------------------------------------------------------------------
def test_non_stored_compute_refreshed(env, geo):
    _c1, _c2, partner = geo
    order = make_order(env, name="lower", partner_id=partner.id, line_ids=[line()])
    assert (order.line_count, order.upper_name, order.partner_city) == (1, "LOWER", "Lyon")
    env["test.order.line"].create({"order_id": order.id, "product": "more"})
    assert order.line_count == 2
    order.line_ids[0].unlink()
    assert order.line_count == 1
    order.write({"name": "renamed"})
    assert order.upper_name == "RENAMED"
    partner.write({"city": "Nantes"})
    assert order.partner_city == "Nantes"
    assert order.read(["line_count", "upper_name"])[0] == {
        "id": order.id, "line_count": 1, "upper_name": "RENAMED"}


def test_non_stored_compute_batch_on_read(env, monkeypatch):
    orders = env["test.order"].create([{"name": f"nb{i}", "note": "n"} for i in range(4)])
    env.invalidate_all()
    calls = []
    cls = type(env["test.order"])
    original = cls._compute_line_count

    def spy(self):
        calls.append(len(self))
        return original(self)

    monkeypatch.setattr(cls, "_compute_line_count", spy)
    orders = env["test.order"].browse(orders.ids)
    assert [o.line_count for o in orders] == [0, 0, 0, 0]
    assert calls == [4]


# -- inverse -------------------------------------------------------------------------------
def test_inverse_writes_the_source_field(env):
    order = make_order(env, name="before")
    order.upper_name = "AFTER"
    assert order.name == "after" and stored(order, "name") == "after"
    order.write({"upper_name": "AGAIN"})
    env.invalidate_all()
    assert (order.name, order.upper_name) == ("again", "AGAIN")


def test_related_non_stored_writes_through(env, geo):
    _c1, _c2, partner = geo
    order = make_order(env, partner_id=partner.id)
    order.write({"partner_city": "Brest"})
    assert stored(partner, "city") == "Brest"
    assert order.partner_city == "Brest"


def test_computed_without_inverse_is_read_only(env):
    order = make_order(env)
    with pytest.raises(Exception, match="computed"):
        order.write({"line_count": 3})


# -- new records in batch ------------------------------------------------------------------
def test_compute_on_new_records_in_one_batch(env, monkeypatch):
    calls = []
    cls = type(env["test.order"])
    original = cls._compute_amount_total

    def spy(self):
        calls.append(self.ids)
        return original(self)

    monkeypatch.setattr(cls, "_compute_amount_total", spy)
    orders = env["test.order"].create([
        {"name": f"new{i}", "note": "n", "discount": 10 * i} for i in range(5)])
    assert calls == [orders.ids]
    assert [stored(o, "amount_total") for o in orders] == [0.0] * 5
    assert env["test.order"].search([("id", "in", orders.ids),
                                     ("amount_total", "=", 0)]) == orders


def test_compute_on_new_records_with_lines(env):
    orders = env["test.order"].create([
        {"name": f"nl{i}", "note": "n", "discount": 10,
         "line_ids": [line("a", 1, 10.0 * (i + 1)), line("b", 2, 5.0)]} for i in range(5)])
    expected = [((10.0 * (i + 1)) + 10.0) * 0.9 for i in range(5)]
    assert [o.amount_total for o in orders] == pytest.approx(expected)
    assert [stored(o, "amount_total") for o in orders] == pytest.approx(expected)
    assert [stored(l, "subtotal") for l in orders.mapped("line_ids")] == \
        [10.0, 10.0, 20.0, 10.0, 30.0, 10.0, 40.0, 10.0, 50.0, 10.0]
