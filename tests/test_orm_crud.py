"""Create, write, unlink and copy on the test addons' models, on SQLite and PostgreSQL:
ondelete rules, SQL and Python constraints, archiving, optimistic versions, audit fields
and ``_inherit`` extensions.

Whatever the database refuses is tried inside ``env.savepoint()``: on PostgreSQL a failed
statement spoils the transaction, and the savepoint is how callers keep using it.
"""
from __future__ import annotations

import datetime as dt
from itertools import count

import pytest
import sqlalchemy as sa

from core.exceptions import ConflictError, MissingError, ValidationError

_names = count(1)


def make_order(env, **vals):
    """An order; with a note, so test_kernel_ext's create adds no write (and version)."""
    vals.setdefault("name", f"C{next(_names)}")
    vals.setdefault("note", "n")
    return env["test.order"].create(vals)


def db_value(record, name):
    """The column as stored, read behind the ORM's back."""
    table = record._sa_table
    return record.env.execute(sa.select(table.c[name]).where(table.c.id == record.id)).scalar()


# -- create / write / unlink ---------------------------------------------------------------
def test_create_dict_gives_one_record_list_gives_records_in_order(env):
    one = make_order(env, name="single")
    assert len(one) == 1 and one.name == "single"
    many = env["test.order"].create([{"name": f"batch{i}", "quantity": i} for i in range(5)])
    assert len(many) == 5
    assert many.mapped("name") == [f"batch{i}" for i in range(5)]
    assert many.mapped("quantity") == list(range(5))
    env.invalidate_all()
    assert [o.name for o in many] == [f"batch{i}" for i in range(5)]
    assert env["test.order"].create([]) == env["test.order"]


def test_write_on_many_records(env):
    orders = env["test.order"].create([{"name": f"w{i}"} for i in range(4)])
    other = make_order(env, name="untouched", quantity=1)
    orders[1:3].write({"quantity": 7, "state": "done"})
    env.invalidate_all()
    assert orders.mapped("quantity") == [0, 7, 7, 0]
    assert orders.mapped("state") == ["draft", "done", "done", "draft"]
    assert other.quantity == 1 and other.state == "draft"


def test_unlink(env):
    orders = env["test.order"].create([{"name": f"u{i}"} for i in range(3)])
    orders[:2].unlink()
    assert orders.exists() == orders[2]
    assert env["test.order"].search([("name", "like", "u")]) == orders[2]
    with pytest.raises(MissingError):
        orders[0].name


def test_ids_of_deleted_records_are_never_reused(env):
    # SQLite hands out max(rowid) + 1 unless tables are declared AUTOINCREMENT
    tag = env["test.tag"].create({"name": "newest"})
    tag.unlink()
    assert env["test.tag"].create({"name": "after"}).id > tag.id
    assert not env["test.tag"].browse(tag.id).exists()


# -- ondelete ------------------------------------------------------------------------------
def test_ondelete_cascade(env):
    parent = make_order(env, line_ids=[(0, 0, {"product": "a"})])
    child = make_order(env, parent_id=parent.id, line_ids=[(0, 0, {"product": "b"})])
    lines = (parent | child).mapped("line_ids")
    assert len(lines) == 2
    parent.unlink()
    assert not child.exists() and not lines.exists()


def test_ondelete_set_null(env):
    stage = env["test.stage"].create({"name": "Temporary"})
    order = make_order(env, stage_id=stage.id)
    stage.unlink()
    assert order.exists() and not order.stage_id
    assert db_value(order, "stage_id") is None


def test_ondelete_restrict_is_readable_and_transaction_stays_usable(env):
    partner = env["res.partner"].create({"name": "Restricted"})
    order = make_order(env, partner_id=partner.id)
    with pytest.raises(ValidationError) as info:
        with env.savepoint():
            partner.unlink()
    message = str(info.value)
    assert "Contact" in message and "cannot be deleted" in message
    assert "IntegrityError" not in message and "FOREIGN KEY" not in message.upper()
    assert partner.exists() and order.partner_id == partner
    assert make_order(env).exists()  # the transaction still works


# -- SQL constraints -----------------------------------------------------------------------
def test_unique_constraint_gives_declared_message(env):
    make_order(env, name="dup")
    with pytest.raises(ValidationError) as info:
        with env.savepoint():
            make_order(env, name="dup")
    assert str(info.value) == "The order reference must be unique."
    assert env["test.order"].search_count([("name", "=", "dup")]) == 1


def test_check_constraint_gives_declared_message(env):
    order = make_order(env, quantity=3)
    with pytest.raises(ValidationError) as info:
        with env.savepoint():
            order.write({"quantity": -1})
    assert str(info.value) == "The quantity cannot be negative."
    with pytest.raises(ValidationError, match="cannot be negative"):
        with env.savepoint():
            make_order(env, quantity=-5)
    assert order.quantity == 3 and db_value(order, "quantity") == 3


# -- Python constraints --------------------------------------------------------------------
def test_python_constraint_refuses_create_and_leaves_nothing(env):
    with pytest.raises(ValidationError) as info:
        with env.savepoint():
            make_order(env, name="bad dates", date="2024-05-10", deadline="2024-05-01 10:00")
    assert info.value.field == "deadline" and "deadline" in str(info.value)
    assert not env["test.order"].with_context(active_test=False).search(
        [("name", "=", "bad dates")])
    with pytest.raises(ValidationError):
        with env.savepoint():
            make_order(env, name="bad with lines", date="2024-05-10",
                       deadline="2024-05-01 10:00", line_ids=[(0, 0, {"product": "orphan"})])
    assert not env["test.order.line"].search([("product", "=", "orphan")])


def test_python_constraint_refuses_write_and_keeps_old_values(env):
    order = make_order(env, date="2024-05-10", deadline="2024-05-11 10:00", quantity=1)
    with pytest.raises(ValidationError):
        with env.savepoint():
            order.write({"deadline": "2024-05-01 10:00", "quantity": 2})
    assert order.deadline == dt.datetime(2024, 5, 11, 10, 0)
    assert order.quantity == 1 and db_value(order, "quantity") == 1
    order.write({"deadline": "2024-05-12 10:00"})  # a valid change still passes
    assert db_value(order, "deadline") is not None


# -- copy ----------------------------------------------------------------------------------
def test_copy(env):
    tags = env["test.tag"].create([{"name": "a"}, {"name": "b"}])
    order = make_order(env, name="orig", quantity=4, state="confirmed", tag_ids=tags.ids,
                       ref_code="KEEP-ME", line_ids=[(0, 0, {"product": "p", "price": 2})])
    order.write({"quantity": 5})
    copy = order.copy()
    assert copy != order
    assert copy.name == "orig (copy)"
    assert (copy.quantity, copy.state) == (5, "confirmed")
    assert copy.tag_ids == tags and order.tag_ids == tags
    assert not copy.line_ids and len(order.line_ids) == 1  # one2many: copy=False
    assert copy.ref_code == f"REF-{env.uid}"  # copy=False: default again
    assert copy.version == 1 and order.version == 2
    named = order.copy({"name": "explicit", "quantity": 9})
    assert (named.name, named.quantity, named.tag_ids) == ("explicit", 9, tags)


# -- archiving -----------------------------------------------------------------------------
def test_archived_records_are_skipped_by_search_but_readable(env):
    live, archived = env["test.order"].create([{"name": "live-a"}, {"name": "arch-a",
                                                                    "active": False}])
    orders = env["test.order"]
    assert orders.search([("name", "like", "-a")]) == live
    assert orders.search_count([("name", "like", "-a")]) == 1
    every = orders.with_context(active_test=False).search([("name", "like", "-a")])
    assert every == live | archived
    assert orders.search([("active", "=", False), ("name", "like", "-a")]) == archived
    env.invalidate_all()
    assert orders.browse(archived.id).name == "arch-a"
    live.write({"active": False})
    assert not orders.search([("name", "like", "-a")])


# -- versions ------------------------------------------------------------------------------
def test_every_write_increments_version(env):
    order, other = env["test.order"].create([{"name": "v1", "note": "n"},
                                              {"name": "v2", "note": "n"}])
    assert order.version == 1
    order.write({"quantity": 1})
    assert order.version == 2
    (order | other).write({"quantity": 2})
    assert (order.version, other.version) == (3, 2)
    assert db_value(order, "version") == 3


def test_stale_version_conflicts_and_changes_nothing(env):
    order = make_order(env, quantity=1)
    order.write({"quantity": 2})
    with pytest.raises(ConflictError) as info:
        order.write({"quantity": 99, "version": 1})
    assert info.value.ids == [order.id]
    env.invalidate_all()
    assert (order.quantity, order.version) == (2, 2)
    order.write({"quantity": 3, "version": 2})
    assert (order.quantity, order.version) == (3, 3)


def test_stale_version_on_one_of_many_records_changes_none(env):
    fresh, stale = env["test.order"].create([{"name": "fresh", "note": "n"},
                                               {"name": "stale", "note": "n"}])
    stale.write({"quantity": 1})
    with pytest.raises(ConflictError):
        (fresh | stale).write({"quantity": 5, "version": 1})
    env.invalidate_all()
    assert (fresh.quantity, stale.quantity) == (0, 1)
    assert (fresh.version, stale.version) == (1, 2)


# -- audit fields --------------------------------------------------------------------------
def test_create_and_write_audit_fields(env):
    user = env["res.users"].create({"name": "Auditor", "login": "auditor-crud",
                                    "groups_id": [(6, 0, env.ref("base.group_user").ids)]})
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    order = make_order(env)
    assert order.create_uid.id == env.uid and order.write_uid.id == env.uid
    assert before - dt.timedelta(seconds=5) <= order.create_date
    assert order.create_date <= before + dt.timedelta(minutes=1)
    assert order.write_date == order.create_date
    order.with_user(user).write({"quantity": 1})
    env.invalidate_all()
    assert order.create_uid.id == env.uid
    assert order.write_uid == user
    assert order.write_date >= order.create_date
    by_user = make_order(env["test.order"].with_user(user).env)
    assert by_user.create_uid == user


def test_audit_fields_cannot_be_forged(env):
    order = make_order(env, create_uid=999, version=42)
    assert order.create_uid.id == env.uid and order.version == 1


# -- environments --------------------------------------------------------------------------
def test_with_context_sudo_with_user_and_ref(env):
    user = env["res.users"].create({"name": "Ctx", "login": "ctx-crud"})
    orders = env["test.order"]
    assert orders.with_context(lang="fr_FR").env.lang == "fr_FR"
    assert orders.with_context({"a": 1}).env.context == {"a": 1}
    assert orders.with_context(a=1).with_context(b=2).env.context == {"a": 1, "b": 2}
    as_user = orders.with_user(user)
    assert as_user.env.uid == user.id and not as_user.env.su
    assert as_user.sudo().env.su and as_user.sudo().env.uid == user.id
    assert as_user.sudo().sudo(False).env.su is False
    assert env.ref("test_kernel.stage_new") == env["test.stage"].search([("name", "=", "New")])
    assert env.ref("test_kernel.no_such_thing", raise_if_not_found=False) is None
    with pytest.raises(MissingError, match="no_such_thing"):
        env.ref("test_kernel.no_such_thing")


# -- _inherit ------------------------------------------------------------------------------
def test_inherit_extension_field_and_super_chain(env):
    orders = env["test.order"]
    assert "origin" in orders._fields and orders._fields["origin"].string == "Origin"
    name = orders._fields["name"]
    assert name.help == "Extended help text"
    assert (name.string, name.size, name.required) == ("Reference", 32, True)
    order = env["test.order"].create({"name": "ext0"})
    assert order.origin == "ext"
    assert order.note == "created through test_kernel_ext"
    noted = make_order(env, note="mine")
    assert noted.note == "mine"
    batch = env["test.order"].create([{"name": "ext1"}, {"name": "ext2", "note": "n"}])
    assert batch.mapped("note") == ["created through test_kernel_ext", "n"]
    assert order.mixin_method() == "ext+mixin"
    assert {"test_kernel", "test_kernel_ext"} <= set(type(orders)._addons)


def test_mixin_fields_and_methods(env):
    assert "note" in env["test.order"]._fields
    assert env["test.order"]._fields["note"].type == "text"
    assert "note" in env["test.mixin"]._fields
    assert env["test.mixin"].mixin_method() == "mixin"
    assert not hasattr(env["test.tag"], "mixin_method")


def test_copy_leaves_out_fields_the_user_may_not_read(env):
    group_user = env.ref("base.group_user")
    user = env["res.users"].create({"name": "Copier", "login": "copier",
                                    "groups_id": [(6, 0, [group_user.id])]})
    order = make_order(env, name="with secret", internal_note="managers only",
                       user_id=user.id)
    copy = order.with_user(user).copy()
    assert copy.name == "with secret (copy)"
    assert copy.sudo().internal_note in (None, False, "")


def test_a_value_the_column_cannot_hold_is_a_validation_error(env):
    with pytest.raises(ValidationError, match="too large"):
        make_order(env, name="huge", quantity=10**30)
    # what only the database knows (a number past the column's precision) is typed too
    from core.orm.integrity import IntegrityGuard
    import sqlalchemy as sa
    order = make_order(env, name="guarded")
    with pytest.raises(ValidationError, match="does not fit"):
        with IntegrityGuard(order):
            raise sa.exc.DataError("INSERT", {}, Exception("numeric field overflow"))
