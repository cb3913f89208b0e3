"""Query counts: the ORM's cost must not grow with the number of records.

Each test runs the same operation on a small and a large batch and asserts the same
number of SQL statements (plus an upper bound, so a constant but silly cost fails too).
Exact numbers are avoided on purpose: they change with legitimate refactorings.
"""
from __future__ import annotations

from itertools import count
from typing import Any, Callable

import pytest

from core.testing import count_queries

_batches = count(1)


def make_orders(env, n: int, **extra: Any):
    """``n`` orders (with a note, so test_kernel_ext's create adds no write)."""
    batch = next(_batches)
    values = []
    for i in range(n):
        vals = {"name": f"Q{batch}-{i}", "note": "n"}
        vals.update({k: (v(i) if callable(v) else v) for k, v in extra.items()})
        values.append(vals)
    return env["test.order"].create(values)


def cost(env, action: Callable[[], Any]) -> int:
    """Statements sent by ``action``, starting from an empty cache."""
    env.invalidate_all()
    with count_queries(env) as counter:
        action()
    return counter.count


def test_reading_a_field_over_a_search_is_one_query(env):
    make_orders(env, 500)
    env.invalidate_all()
    orders = env["test.order"].search([])
    assert len(orders) >= 500
    with count_queries(env) as counter:
        names = [order.name for order in orders]
        states = [order.state for order in orders]  # same prefetch batch: no query
    assert counter.count == 1, counter.statements
    assert len(names) == len(states) == len(orders)


def test_walking_many2one_costs_one_query_per_model(env):
    def walk(size: int) -> int:
        partners = env["res.partner"].create([{"name": f"W{size}-{i}"} for i in range(size)])
        orders = make_orders(env, size, partner_id=lambda i: partners[i].id)
        env.invalidate_all()
        orders = env["test.order"].browse(orders.ids)
        with count_queries(env) as counter:
            names = [order.partner_id.name for order in orders]
        assert names == partners.mapped("name")
        return counter.count

    small, large = walk(30), walk(300)
    assert small == large == 2  # the orders, then their partners


def test_read_many2one_columns_is_independent_of_rows(env):
    stages = env["test.stage"].create([{"name": f"S{i}"} for i in range(3)])
    currency = env["res.currency"].search([], limit=1)

    def read(size: int) -> int:
        partners = env["res.partner"].create([{"name": f"R{size}-{i}"} for i in range(size)])
        parent = make_orders(env, 1)
        orders = make_orders(env, size, partner_id=lambda i: partners[i].id,
                             stage_id=lambda i: stages[i % 3].id, currency_id=currency.id,
                             parent_id=parent.id)
        fields = ["partner_id", "stage_id", "currency_id", "parent_id"]
        env.invalidate_all()
        with count_queries(env) as counter:
            rows = orders.read(fields)
        assert rows[-1]["partner_id"] == (partners[-1].id, partners[-1].name)
        assert rows[0]["stage_id"][0] == stages[0].id
        assert rows[0]["parent_id"] == (parent.id, parent.name)
        return counter.count

    small, large = read(80), read(800)
    assert small == large <= 6


@pytest.mark.parametrize("with_tags", [False, True], ids=["plain", "many2many"])
def test_create_is_independent_of_rows(env, with_tags):
    tags = env["test.tag"].create([{"name": f"ct{i}"} for i in range(3)])
    extra: dict[str, Any] = {"quantity": lambda i: i, "date": "2024-01-01"}
    if with_tags:
        extra["tag_ids"] = lambda i: [(6, 0, tags[: 1 + i % 3].ids)]
    counts = [cost(env, lambda: make_orders(env, size, **extra)) for size in (10, 1000)]
    assert counts[0] == counts[1] <= 15
    last = env["test.order"].search([], order="id desc", limit=1)
    if with_tags:
        assert last.tag_ids == tags[: 1 + 999 % 3]


def test_write_is_independent_of_rows(env):
    def write(size: int) -> int:
        orders = make_orders(env, size)
        count_ = cost(env, lambda: orders.write({"quantity": 3, "state": "done",
                                                 "date": "2024-02-02"}))
        assert set(orders.mapped("quantity")) == {3}
        return count_

    small, large = write(10), write(1000)
    assert small == large <= 10


def test_unlink_is_independent_of_rows(env):
    def unlink(size: int) -> int:
        orders = make_orders(env, size)
        env["test.order.line"].create([{"order_id": o.id, "product": "u"} for o in orders])
        count_ = cost(env, orders.unlink)
        assert not orders.exists()
        return count_

    small, large = unlink(10), unlink(1000)
    assert small == large <= 10


def test_recompute_is_independent_of_rows(env):
    def recompute(size: int) -> int:
        orders = make_orders(env, size)
        lines = env["test.order.line"].create(
            [{"order_id": o.id, "product": f"p{k}", "price": 1.0}
             for o in orders for k in range(2)])
        count_ = cost(env, lambda: lines.write({"price": 5.0}))
        env.invalidate_all()
        assert set(orders.mapped("amount_total")) == {10.0}
        return count_

    small, large = recompute(10), recompute(500)
    assert small == large <= 20
