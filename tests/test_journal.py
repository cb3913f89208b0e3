"""The change journal on SQLite and PostgreSQL: what create, write and unlink record,
what is never recorded (unchanged values, opted-out models, secrets, recomputations),
append-only entries, retention, who may read them, and constant query counts."""
from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from core.exceptions import AccessError, ValidationError
from core.security import journal
from core.testing import count_queries

_names = count(1)


def make_order(env, **vals):
    """An order; with a note, so test_kernel_ext's create adds no write of its own."""
    vals.setdefault("name", f"J{next(_names)}")
    vals.setdefault("note", "n")
    return env["test.order"].create(vals)


def make_user(env, login, *groups):
    return env["res.users"].create({"name": login.title(), "login": login, "groups_id": [
        (6, 0, [env.ref(g).id for g in groups or ("base.group_user",)])]})


def entries(record, operation=None):
    """The record's journal entries as dicts, newest first."""
    domain = [("model", "=", record._name), ("res_id", "=", record.id)]
    if operation:
        domain.append(("operation", "=", operation))
    found = record.env["ir.journal"].sudo().search(domain)
    return found.read(["operation", "user_id", "date", "changes", "record_name"],
                      load="_classic_write")


def journal_count(env):
    return env["ir.journal"].sudo().search_count([])


# -- create / write / unlink --------------------------------------------------------------
def test_create_records_who_when_and_initial_values(env):
    user = make_user(env, "jcreate")
    tags = env["test.tag"].create([{"name": "b"}, {"name": "a"}])
    partner = env["res.partner"].create({"name": "Customer"})
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    order = make_order(env["test.order"].with_user(user).env, name="JC1", partner_id=partner.id,
                       tag_ids=[(6, 0, tags.ids[::-1])], date="2024-03-01",
                       deadline=dt.datetime(2024, 3, 2, 9, 30), quantity=3, data={"k": [1]})
    [entry] = entries(order)
    assert entry["operation"] == "create" and entry["user_id"] == user.id
    assert before - dt.timedelta(seconds=5) <= entry["date"] <= before + dt.timedelta(minutes=1)
    assert entry["record_name"] == "JC1"
    changes = entry["changes"]
    assert changes["name"] == [None, "JC1"]
    assert changes["partner_id"] == [None, partner.id]
    assert changes["tag_ids"] == [None, sorted(tags.ids)]
    assert changes["date"] == [None, "2024-03-01"]
    assert changes["deadline"] == [None, "2024-03-02T09:30:00"]
    assert changes["state"] == [None, "draft"]          # defaults are initial values too
    assert changes["data"] == [None, {"k": [1]}]
    assert changes["quantity"] == [None, 3]
    # empty values, magic fields, computed and related fields are left out
    for name in ("discount", "description", "stage_id", "line_ids", "id", "create_uid",
                 "write_date", "version", "display_name", "amount_total", "partner_city",
                 "partner_country_code", "upper_name", "line_count"):
        assert name not in changes, name


def test_write_records_only_changed_fields_with_old_and_new_values(env):
    tags = env["test.tag"].create([{"name": "t1"}, {"name": "t2"}])
    order = make_order(env, name="JW1", quantity=1, tag_ids=[(6, 0, [tags[0].id])],
                       date="2024-01-01")
    user = make_user(env, "jwrite")
    order.with_user(user).write({"name": "JW1", "quantity": 5, "date": "2024-02-01",
                                 "tag_ids": [(4, tags[1].id)], "state": "draft"})
    entry = entries(order, "write")[0]
    assert entry["user_id"] == user.id
    assert entry["changes"] == {"quantity": [1, 5], "date": ["2024-01-01", "2024-02-01"],
                                "tag_ids": [[tags[0].id], sorted(tags.ids)]}
    stage = env["test.stage"].create({"name": "S"})
    order.write({"stage_id": stage.id, "deadline": "2024-02-03 10:00:00"})
    order.write({"stage_id": False})
    newest, older = entries(order, "write")[:2]
    assert older["changes"] == {"stage_id": [None, stage.id],
                                "deadline": [None, "2024-02-03T10:00:00"]}
    assert newest["changes"] == {"stage_id": [stage.id, None]}


def test_write_changing_nothing_records_nothing(env):
    order = make_order(env, quantity=2, state="done")
    before = journal_count(env)
    order.write({"quantity": 2, "state": "done", "note": "n"})
    order.write({"version": order.version})   # no journaled field at all
    assert journal_count(env) == before
    orders = make_order(env, quantity=1) | make_order(env, quantity=4)
    orders.write({"quantity": 4})              # one of the two really changes
    assert len(entries(orders[0], "write")) == 1 and not entries(orders[1], "write")


def test_one2many_and_translated_and_binary_values(env):
    order = make_order(env)
    order.write({"line_ids": [(0, 0, {"product": "p1"}), (0, 0, {"product": "p2"})]})
    assert entries(order, "write")[0]["changes"] == {"line_ids": [[], sorted(order.line_ids.ids)]}
    stage = env["test.stage"].create({"name": "Open"})
    stage.with_context(lang="fr_FR").write({"name": "Ouvert"})
    assert entries(stage, "write")[0]["changes"] == {"name": ["Open", "Ouvert"]}
    order.write({"attachment": b"\x00blob"})
    order.write({"attachment": b"\x00blob"})
    writes = entries(order, "write")
    assert writes[0]["changes"] == {"attachment": [None, "<binary>"]} and len(writes) == 2
    with_file = make_order(env, attachment=b"data")
    assert entries(with_file)[0]["changes"]["attachment"] == [None, "<binary>"]


def test_recomputations_are_not_journaled(env):
    order = make_order(env)
    line = env["test.order.line"].create({"order_id": order.id, "product": "p", "price": 2})
    assert order.amount_total == 2
    line.write({"price": 5})
    assert order.amount_total == 5
    assert entries(line, "write")[0]["changes"] == {"price": [2.0, 5.0]}
    assert not entries(order, "write")


def test_unlinked_record_history_stays_readable(env):
    order = make_order(env, name="JU1", quantity=4)
    order.write({"quantity": 6})
    order_id = order.id
    order.unlink()
    gone = env["test.order"].browse(order_id)
    history = gone._journal_history()
    assert [h["operation"] for h in history] == ["unlink", "write", "create"]
    assert all(h["display_name"] == "JU1" for h in history)
    deleted = {c["field"]: c for c in history[0]["changes"]}
    assert deleted["name"]["old"] == "JU1" and deleted["quantity"]["old"] == 6
    assert deleted["quantity"]["new"] is None and "discount" not in deleted
    assert history[1]["changes"] == [{"field": "quantity", "string": "Quantity", "old": 4,
                                      "new": 6}]
    assert history[1]["user"] == env.user.name and history[1]["user_id"] == env.uid


def test_archiving_is_a_journaled_write_and_history_is_kept(env):
    order = make_order(env)
    order.write({"active": False})
    assert entries(order, "write")[0]["changes"] == {"active": [True, False]}
    assert [h["operation"] for h in order._journal_history()] == ["write", "create"]


# -- what is never journaled ------------------------------------------------------------------
def test_opted_out_models_are_not_journaled(env):
    for name in journal.UNJOURNALED_MODELS & set(env.registry.models):
        assert journal.plan_of(env.registry[name]) is None, name
    assert journal.plan_of(env.registry["test.order"]) is not None
    assert journal.plan_of(env.registry["ir.config_parameter"]) is not None
    before = journal_count(env)
    env["ir.model.data"].create({"module": "x", "name": "y", "model": "test.tag", "res_id": 1})
    assert journal_count(env) == before


def test_secrets_and_magic_fields_are_never_journaled(env, monkeypatch):
    model = env.registry["test.order"]
    note = model._fields["note"]
    assert journal.plan_of(model) is not None
    monkeypatch.setattr(note, "groups", "base.group_no_one")
    monkeypatch.setattr(model, "_journal_plan_cache", False)
    order = make_order(env, note="secret", quantity=1)
    order.write({"note": "other secret", "quantity": 2})
    assert all("note" not in e["changes"] for e in entries(order))
    assert entries(order, "write")[0]["changes"] == {"quantity": [1, 2]}
    for name in ("password", "api_key", "totp_secret", "signup_token"):
        field = type(note)()
        field.name = name
        assert journal.is_secret(field), name
    plan = journal.plan_of(env.registry["res.users"])
    assert not {"password", "password_hash"} & set(plan.fields)
    user = make_user(env, "jsecret")
    user.write({"password": "Correct-Horse-Battery-9", "email": "j@example.com"})
    logged = [e["changes"] for e in entries(user)]
    assert logged[0] == {"email": [None, "j@example.com"]}
    assert "Correct-Horse" not in repr(logged) and "argon2" not in repr(logged)


# -- append-only, retention -----------------------------------------------------------------------
def test_journal_entries_cannot_be_modified_or_deleted(env):
    order = make_order(env)
    entry = env["ir.journal"].search([("model", "=", "test.order"), ("res_id", "=", order.id)])
    admin = make_user(env, "jadmin", "base.group_system")
    for records in (entry, entry.sudo(), entry.with_user(admin), entry.with_user(admin).sudo()):
        with pytest.raises(AccessError, match="append-only"):
            records.write({"changes": {}})
        with pytest.raises(AccessError, match="append-only"):
            records.unlink()
    assert entry.exists() and entry.changes["name"][1] == order.name


def _old_entries(env, *ages):
    table = env.registry["ir.journal"]._sa_table
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    env.execute(table.delete())
    env.execute(table.insert(), [
        {"model": "test.tag", "res_id": i, "operation": "write", "user_id": env.uid,
         "date": now - dt.timedelta(days=age), "changes": {}, "version": 1}
        for i, age in enumerate(ages, start=1)])


def test_purge_honours_the_retention_setting(env):
    journals, params = env["ir.journal"], env["ir.config_parameter"]
    _old_entries(env, 400, 100, 10, 0)
    assert journals._purge() == 1                        # default: 365 days
    params.set_param(journal.RETENTION_PARAM, "30")
    assert journals._purge() == 1
    assert journals._purge(days=5) == 1
    params.set_param(journal.RETENTION_PARAM, "0")      # keep forever
    assert journals._purge() == 0
    assert journals.search([]).mapped("model") == ["ir.config_parameter"] * 2 + ["test.tag"]
    params.set_param(journal.RETENTION_PARAM, "a year")
    with pytest.raises(ValidationError, match="whole number"):
        journals._purge()
    admin = make_user(env, "jpurge", "base.group_system")
    with pytest.raises(AccessError, match="superuser"):
        journals.with_user(admin)._purge(days=1)


# -- access -------------------------------------------------------------------------------------
def test_only_administrators_read_and_search_the_journal(env):
    user = make_user(env, "juser")
    admin = make_user(env, "jadmin2", "base.group_system")
    order = make_order(env["test.order"].with_user(user).env, quantity=1)
    order.with_user(user).write({"quantity": 2})
    with pytest.raises(AccessError):
        env["ir.journal"].with_user(user).search([])
    journals = env["ir.journal"].with_user(admin)
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=1)
    found = journals.search([("model", "=", "test.order"), ("res_id", "=", order.id),
                             ("user_id", "=", user.id), ("date", ">=", since)])
    assert found.mapped("operation") == ["write", "create"]
    assert found.read(["changes"])[0]["changes"]
    assert not journals.search([("res_id", "=", order.id), ("user_id", "=", admin.id)])
    with pytest.raises(AccessError):
        journals.create({"model": "test.order", "res_id": 1, "operation": "write",
                         "date": since})


def test_history_follows_access_to_the_record(env):
    user = make_user(env, "jhist")
    order = make_order(env, quantity=1)
    history = order.with_user(user)._journal_history()
    assert history[0]["operation"] == "create" and history[0]["user"] == env.user.name
    assert {c["field"]: c["string"] for c in history[0]["changes"]}["name"] == "Reference"
    order_id = order.id
    order.unlink()
    with pytest.raises(AccessError, match="administrators"):
        env["test.order"].with_user(user).browse(order_id)._journal_history()
    admin = make_user(env, "jhist_admin", "base.group_system")
    assert env["test.order"].with_user(admin).browse(order_id)._journal_history()
    portal = make_user(env, "jportal", "base.group_portal")
    with pytest.raises(AccessError):
        env["test.tag"].with_user(portal).browse(1)._journal_history()


# -- cost ----------------------------------------------------------------------------------------
def _statements(env, operation, size):
    """Statements ``operation`` sends for a batch of ``size`` orders."""
    orders = env["test.order"]
    if operation == "create":
        vals = [{"name": f"Q{size}-{i}", "note": "n", "quantity": 1} for i in range(size)]
        with count_queries(env) as counter:
            created = orders.create(vals)
        assert len(entries(created[-1])) == 1
        return counter.count
    records = orders.create([{"name": f"Q{operation}{size}-{i}", "note": "n", "quantity": 1}
                             for i in range(size)])
    env.invalidate_all()
    with count_queries(env) as counter:
        if operation == "write":
            records.write({"quantity": 2, "state": "done"})
        else:
            records.unlink()
    assert entries(records[-1], operation)
    return counter.count


@pytest.mark.parametrize("operation", ["create", "write", "unlink"])
def test_query_count_does_not_grow_with_the_batch(env, operation):
    before = journal_count(env)
    one = _statements(env, operation, 1)
    many = _statements(env, operation, 1000)
    assert one == many
    # one entry per record: created, then written or deleted
    assert journal_count(env) - before == (1001 if operation == "create" else 2002)
