"""Attachments: content-addressed storage, limits, and access that follows the record."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from core.exceptions import AccessError, ValidationError
from core.filestore import FileStore, root_for, store_of
from core.testing import count_queries

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"


@pytest.fixture
def users(env):
    group_user = env.ref("base.group_user")
    make = env["res.users"].create
    return (make({"name": "Alice", "login": "att_alice", "groups_id": [(6, 0, [group_user.id])]}),
            make({"name": "Bob", "login": "att_bob", "groups_id": [(6, 0, [group_user.id])]}))


def test_same_content_is_stored_once(env):
    order = env["test.order"].create({"name": "Stored once"})
    first = env["ir.attachment"].attach(order, "a.txt", b"hello world")
    second = env["ir.attachment"].attach(order, "copy.txt", b"hello world")
    assert first.checksum == second.checksum == FileStore.checksum(b"hello world")
    store = store_of(env.conn)
    assert store.path(first.checksum).read_bytes() == b"hello world"
    assert first._content() == b"hello world"
    assert first.file_size == 11 and first.mimetype == "text/plain"


def test_type_comes_from_the_content_not_the_name(env):
    order = env["test.order"].create({"name": "Types"})
    image = env["ir.attachment"].attach(order, "photo.bin", PNG)
    assert image.mimetype == "image/png" and image.is_previewable()
    fake = env["ir.attachment"].attach(order, "evil.png", b"<script>alert(1)</script>")
    assert fake.mimetype == "application/octet-stream" and not fake.is_previewable()
    with pytest.raises(ValidationError, match="not accepted"):
        env["ir.attachment"].attach(order, "install.sh", b"rm -rf /")
    # the allow-list is a setting
    env["ir.config_parameter"].set_param("attachment.allowed_types", "image/*")
    with pytest.raises(ValidationError, match="text/plain"):
        env["ir.attachment"].attach(order, "notes.txt", b"notes")


def test_size_limit(env):
    order = env["test.order"].create({"name": "Big"})
    env["ir.config_parameter"].set_param("attachment.max_size_mb", "0.001")
    with pytest.raises(ValidationError, match="too large"):
        env["ir.attachment"].attach(order, "big.txt", b"x" * 2000)
    assert not env["ir.attachment"].of_records(order)


def test_real_email_kept_as_attachment(env):
    sample = next(iter(sorted((TESTDATA / "eml").glob("*.eml"))), None) \
        if (TESTDATA / "eml").is_dir() else None
    if sample is None:
        pytest.skip("no sample e-mail in shared/testdata")
    order = env["test.order"].create({"name": "Mail"})
    attachment = env["ir.attachment"].attach(order, sample.name, sample.read_bytes())
    assert attachment.mimetype == "message/rfc822"
    assert attachment._content() == sample.read_bytes()


def test_access_follows_the_record(env, users):
    alice, bob = users
    mine = env["test.order"].create({"name": "Alice's", "user_id": alice.id})
    theirs = env["test.order"].create({"name": "Bob's", "user_id": bob.id})
    env["ir.attachment"].attach(mine, "mine.txt", b"alice")
    env["ir.attachment"].attach(theirs, "theirs.txt", b"bob")
    as_alice = env(uid=alice.id, su=False)["ir.attachment"]
    names = as_alice.search([("res_model", "=", "test.order")]).mapped("name")
    assert names == ["mine.txt"]
    assert as_alice.search_count([("res_model", "=", "test.order")]) == 1
    hidden = env["ir.attachment"].search([("name", "=", "theirs.txt")])
    with pytest.raises(AccessError):
        as_alice.browse(hidden.id).read(["name"])
    with pytest.raises(AccessError):
        as_alice.create({"name": "sneaky.txt", "datas": b"x", "res_model": "test.order",
                         "res_id": theirs.id})
    # deleting needs the right to modify the record
    own = as_alice.search([("name", "=", "mine.txt")])
    own.unlink()
    assert not env["ir.attachment"].search([("name", "=", "mine.txt")])


def test_models_without_read_access_hide_their_files(env, users):
    alice, _bob = users
    partner = env["res.partner"].create({"name": "Visible"})
    env["ir.attachment"].attach(partner, "p.txt", b"p")
    groups = env["res.groups"].create({"name": "Nobody"})
    env["ir.attachment"].create({"name": "orphan.txt", "datas": b"o"})
    as_alice = env(uid=alice.id, su=False)["ir.attachment"]
    assert "p.txt" in as_alice.search([]).mapped("name")
    assert "orphan.txt" not in as_alice.search([]).mapped("name")  # someone else's upload
    env["ir.attachment"].create({"name": "g.txt", "datas": b"g", "res_model": "res.groups",
                                 "res_id": groups.id})
    assert "g.txt" in as_alice.search([]).mapped("name")  # users may read groups


def test_counts_in_one_query(env):
    orders = env["test.order"].create([{"name": f"C{i}"} for i in range(5)])
    for order in orders[:3]:
        env["ir.attachment"].attach(order, "x.txt", order.name.encode())
    with count_queries(env) as queries:
        counts = env["ir.attachment"].counts(orders)
    assert counts == {orders[0].id: 1, orders[1].id: 1, orders[2].id: 1}
    assert queries.count == 1


def test_garbage_collection_keeps_referenced_files(env):
    order = env["test.order"].create({"name": "GC"})
    kept = env["ir.attachment"].attach(order, "kept.txt", b"kept")
    store = store_of(env.conn)
    orphan = store.put(b"nobody points at me")
    removed = env["ir.attachment"].collect_garbage()
    assert removed >= 1 and not store.exists(orphan) and store.exists(kept.checksum)


def test_store_location(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPTOIR_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert root_for(f"sqlite:///{tmp_path}/shop.db") == tmp_path / "shop.filestore"
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path / "data"))
    assert root_for("postgresql+psycopg://u@h/prod") == tmp_path / "data" / "filestore" / "prod"
    with pytest.raises(ValueError):
        FileStore(tmp_path).path("../../etc/passwd")
