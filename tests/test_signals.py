"""Several workers on one database: a change one makes reaches the others' caches and
registries through the database's counters, at the cost of one query per request."""
from __future__ import annotations

import pytest

from core.modules.loading import Database
from core.orm import signals
from core.testing import count_queries


@pytest.fixture(scope="module")
def workers(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("signals"), "signals")
    first = Database(url, available=comptoir_available)
    first.install(["test_kernel"])
    second = Database(url, available=comptoir_available)
    yield first, second
    first.engine.dispose()
    second.engine.dispose()
    drop()


def test_settings_views_and_rights_reach_the_other_worker(workers):
    one, two = workers
    with one.environment() as env:
        rep = env["res.users"].create({"name": "Signal rep", "login": "signal_rep",
                                       "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    with two.environment() as env:  # the second worker warms its caches
        assert env["ir.config_parameter"].get_param("signals.test") is None
        form = env["ir.ui.view"].get_view("test.order", "form")
        assert not any(n.get("string") == "Signalled" for n in form.arch.iter("field"))
        assert not env(uid=rep.id, su=False)["test.stage"]._check_access(
            "create", raise_exception=False)
    with one.environment() as env:
        env["ir.config_parameter"].set_param("signals.test", "on")
        env["ir.ui.view"].create({
            "name": "orders: signal marker", "model": "test.order",
            "inherit_id": env.ref("test_kernel.test_order_view_form").id,
            "arch": '<field name="name" position="attributes">'
                    '<attribute name="string">Signalled</attribute></field>'})
        env["ir.model.access"].create({
            "name": "stages for users", "model_id": env.ref("test_kernel.model_test_stage").id,
            "group_id": env.ref("base.group_user").id, "perm_read": True,
            "perm_create": True})
    with two.environment() as env:
        assert env["ir.config_parameter"].get_param("signals.test") == "on"
        form = env["ir.ui.view"].get_view("test.order", "form")
        assert any(n.get("string") == "Signalled" for n in form.arch.iter("field"))
        assert env(uid=rep.id, su=False)["test.stage"]._check_access(
            "create", raise_exception=False)


def test_a_rolled_back_change_signals_nothing(workers):
    one, _two = workers
    with one.engine.connect() as conn:
        start = signals.versions(conn)
    with pytest.raises(RuntimeError):
        with one.environment() as env:
            env["ir.config_parameter"].set_param("signals.rollback", "x")
            raise RuntimeError("rolled back")
    with one.engine.connect() as conn:
        assert signals.versions(conn) == start


def test_an_addon_installed_by_one_worker_is_seen_by_the_other(workers):
    one, two = workers
    with two.environment() as env:
        assert "test_kernel_ext" not in env.registry.manifests
    one.install(["test_kernel_ext"])
    with two.environment() as env:
        assert "test_kernel_ext" in env.registry.manifests
        assert env.registry is not one.registry  # its own, rebuilt


def test_checking_costs_one_query(workers):
    _one, two = workers
    two.registry  # built
    with two.engine.connect() as conn, conn.begin():
        with count_queries(conn) as counter:
            two.check_signals(conn)
    assert counter.count == 1
