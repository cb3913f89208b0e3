"""The kernel's merge (``core.merge``) on the test addons' models: many2one, many2many
(links the kept record already has are not doubled), reference and custom ``x_`` columns
rewired, the version of changed rows bumped, computed fields following; the chatter
(messages, followers once each, activities) and the files moved by the
``comptoir_merge_records`` hook; the empty fields filled, a note posted, the duplicates
archived or deleted; access, bad input, the preview and constant query counts."""
from __future__ import annotations

import types

import pytest

from core import hookimpl
from core.exceptions import AccessError, MissingError, ValidationError
from core.merge import (can_merge, count_references, merge_preview, merge_records,
                        reference_columns)
from core.modules.custom_fields import reload_env
from core.testing import count_queries


def order(env, name, **values):
    return env["test.order"].create({"name": name, **values})


def user(env, login, *groups):
    return env["res.users"].create({
        "name": login.title(), "login": login,
        "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])]})


def test_many2many_and_reference_links_move_once_and_duplicates_are_deleted(env) -> None:
    tags = env["test.tag"]
    kept, dup1, dup2, other = tags.create([{"name": n} for n in ("red", "Red", "RED", "x")])
    both = order(env, "M-both", tag_ids=[(6, 0, [kept.id, dup1.id, dup2.id, other.id])])
    only = order(env, "M-only", tag_ids=[(6, 0, [dup2.id])], source=f"test.tag,{dup1.id}")
    untouched = order(env, "M-none", tag_ids=[(6, 0, [other.id])], source=f"test.tag,{other.id}")
    versions = {o.id: o.version for o in both | only | untouched}
    merge_records(kept, dup1 | dup2)
    env.cache.invalidate()
    assert both.tag_ids == kept | other                  # one link each, none doubled
    assert only.tag_ids == kept and only.source == kept
    assert untouched.tag_ids == other and untouched.source == other
    assert not (dup1 | dup2).exists()                   # no 'active': deleted
    assert only.version == versions[only.id] + 1        # a concurrent edit is detected
    assert untouched.version == versions[untouched.id]


def test_partner_references_custom_fields_and_hierarchy_move(env) -> None:
    env["ir.model.fields"].create({"model": "test.order", "name": "x_contact_id",
                                   "ttype": "many2one", "relation": "res.partner"})
    env["ir.model.fields"].create({"model": "test.order", "name": "x_watcher_ids",
                                   "ttype": "many2many", "relation": "res.partner"})
    env2 = reload_env(env)
    partners = env2["res.partner"]
    source = partners.create({"name": "Dupont SA", "is_company": True,
                              "email": "contact@dupont.fr", "city": "Lyon",
                              "country_id": env2.ref("base.fr").id})
    kept = partners.create({"name": "Dupont", "is_company": False, "parent_id": source.id,
                            "phone": "0478000000"})
    employee = partners.create({"name": "Jean", "parent_id": source.id})
    record = env2["test.order"].create({"name": "M-x", "partner_id": source.id,
                                        "x_contact_id": source.id,
                                        "x_watcher_ids": [(6, 0, [source.id, kept.id])]})
    merge_records(kept, source, fill_empty=True)
    env2.cache.invalidate()
    assert record.partner_id == kept and record.x_contact_id == kept
    assert record.x_watcher_ids == kept
    assert record.partner_country_code == "FR"          # a stored related field followed
    assert employee.parent_id == kept and employee.commercial_partner_id == kept
    assert not kept.parent_id                           # not its own parent
    assert (kept.email, kept.city, kept.phone) == ("contact@dupont.fr", "Lyon", "0478000000")
    assert not source.active and source.exists()        # 'active': archived


def test_threads_move_with_one_follower_row_each(env) -> None:
    records = env["test.mail.record"]
    kept, dup = records.create([{"name": "Kept"}, {"name": "Duplicate"}])
    alice, bob = env["res.partner"].create([{"name": "Alice"}, {"name": "Bob"}])
    kept.message_subscribe([alice.id])
    dup.message_subscribe([alice.id, bob.id])
    dup.message_post(body="<p>Older discussion</p>")
    dup.activity_schedule("mail.activity_type_call", summary="Call them")
    env["ir.attachment"].create({"name": "quote.txt", "datas": b"quote",
                                 "res_model": "test.mail.record", "res_id": dup.id})
    merge_records(kept, dup)
    env.cache.invalidate()
    assert not dup.exists()
    followers = env["mail.followers"].search([("res_model", "=", "test.mail.record"),
                                              ("res_id", "=", kept.id)])
    names = [f.partner_id.name for f in followers]
    assert names.count("Alice") == 1 and names.count("Bob") == 1
    assert not env["mail.followers"].search_count([("res_model", "=", "test.mail.record"),
                                                   ("res_id", "=", dup.id)])
    bodies = kept.message_ids.mapped("body")
    assert any("Older discussion" in b for b in bodies)
    assert any("Merged with Duplicate (#%d)" % dup.id in b for b in bodies)
    assert kept.activity_ids.summary == "Call them"
    assert env["ir.attachment"].of_records(kept).mapped("name") == ["quote.txt"]


def test_a_follower_twice_is_kept_once_when_partners_merge(env) -> None:
    record = env["test.mail.record"].create({"name": "Followed"})
    kept, dup = env["res.partner"].create([{"name": "Jean Dupont"}, {"name": "J. Dupont"}])
    record.message_subscribe([kept.id, dup.id])
    merge_records(kept, dup)
    followers = env["mail.followers"].search([("res_model", "=", "test.mail.record"),
                                              ("res_id", "=", record.id)])
    assert [f.partner_id for f in followers if f.partner_id in kept | dup] == [kept]


def test_hook_comptoir_merge_records(env) -> None:
    calls = []

    @hookimpl
    def comptoir_merge_records(env, model, source_ids, target_id):
        # called after the rewiring, before the duplicates go
        orders = env["test.order"].search([("partner_id", "in", [target_id, *source_ids])])
        calls.append((model, source_ids, target_id, orders.mapped("partner_id").ids,
                      env["res.partner"].browse(source_ids).exists().ids, env.su))

    plugin = types.ModuleType("test_merge_plugin")
    plugin.comptoir_merge_records = comptoir_merge_records
    pm = env.registry.pm
    pm.register(plugin, name="test_merge_plugin")
    try:
        kept, dup = env["res.partner"].create([{"name": "Hook A"}, {"name": "Hook B"}])
        order(env, "M-hook", partner_id=dup.id)
        merge_records(kept, dup)
    finally:
        pm.unregister(name="test_merge_plugin")
    assert calls == [("res.partner", [dup.id], kept.id, [kept.id], [dup.id], True)]


def test_access_merging_needs_the_right_to_delete(env) -> None:
    clerk = user(env, "merge_clerk")
    admin = user(env, "merge_admin", "base.group_system")
    kept, dup = env["res.partner"].create([{"name": "Access A"}, {"name": "Access B"}])
    partners = env(uid=clerk.id, su=False)["res.partner"]
    assert not can_merge(partners)
    with pytest.raises(AccessError, match="needs the right to delete"):
        merge_records(partners.browse(kept.id), partners.browse(dup.id))
    assert dup.active
    as_admin = env(uid=admin.id, su=False)["res.partner"]
    merge_records(as_admin.browse(kept.id), as_admin.browse(dup.id))
    assert not dup.active


def test_bad_input_is_refused_in_words(env) -> None:
    tag = env["test.tag"].create({"name": "alone"})
    with pytest.raises(ValidationError, match="at least two"):
        merge_records(tag, tag)
    with pytest.raises(ValidationError, match="same model"):
        merge_records(tag, env["test.stage"].create({"name": "S"}))
    with pytest.raises(MissingError):
        merge_records(tag, env["test.tag"].browse(999999))


def test_preview_tells_what_moves_without_writing(env) -> None:
    kept, dup = env["res.partner"].create([{"name": "Preview A"},
                                           {"name": "Preview B", "city": "Nice"}])
    order(env, "M-p1", partner_id=dup.id)
    order(env, "M-p2", partner_id=dup.id)
    env["ir.attachment"].create({"name": "a.txt", "datas": b"a", "res_model": "res.partner",
                                 "res_id": dup.id})
    with count_queries(env) as counter:
        counts = count_references(env, "res.partner", [dup.id])
    assert counter.count == 1
    assert ("Order", "Customer", 2) in counts and ("Attachment", "attached", 1) in counts
    preview = merge_preview(kept, dup, field_names=["name", "city"])
    assert [(f.name, f.kept, f.kept_from) for f in preview.fields] == [
        ("name", "Preview A", kept.id), ("city", "Nice", dup.id)]
    assert preview.moved == 3 and dup.active and not kept.city
    refs = {(r.model, r.field) for r in reference_columns(env.registry, "res.partner")}
    assert {("test.order", "partner_id"), ("test.mail.record", "partner_id"),
            ("mail.followers", "partner_id"), ("res.users", "partner_id")} <= refs


def test_rewiring_costs_the_same_whatever_the_number_of_rows(env) -> None:
    counts = []
    for orders in (2, 20):
        kept, dup = env["test.tag"].create([{"name": f"q kept {orders}"},
                                            {"name": f"q dup {orders}"}])
        for index in range(orders):
            order(env, f"Q{orders}-{index}", tag_ids=[(6, 0, [dup.id])],
                  source=f"test.tag,{dup.id}")
        env.cache.invalidate()
        with count_queries(env) as counter:
            merge_records(kept, dup)
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_ratings_follow_the_kept_record(env) -> None:
    kept, dup = env["res.partner"].create([{"name": "Rated A"}, {"name": "Rated B"}])
    customer = env["res.partner"].create({"name": "Rating customer"})
    rating = env["rating.rating"].rate(dup, 4, "Quick answer", partner=customer)
    merge_records(kept, dup)
    assert (rating.res_model, rating.res_id) == ("res.partner", kept.id)
