"""The documents panel over HTTP: upload, list, download, preview headers, access, delete."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from core.modules.loading import Database
from core.testing.web import client_for

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "da63fccf0c0f00040401808497b5a10000000049454e44ae426082")
TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"


@pytest.fixture(scope="module")
def files_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("files"), "files")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        alice, bob = env["res.users"].create([
            {"name": "Alice", "login": "f_alice", "groups_id": [(6, 0, [group_user.id])]},
            {"name": "Bob", "login": "f_bob", "groups_id": [(6, 0, [group_user.id])]}])
        mine = env["test.order"].create({"name": "Alice's order", "user_id": alice.id})
        theirs = env["test.order"].create({"name": "Bob's order", "user_id": bob.id})
        action = env["ir.actions.act_window"].create({"name": "Orders",
                                                      "res_model": "test.order"}).id
    database.test_ids = {"alice": alice.id, "bob": bob.id, "mine": mine.id,
                         "theirs": theirs.id, "action": action}
    yield database
    database.engine.dispose()
    drop()


def upload(client, csrf, res_id, *files, json=False):
    data = {"csrf_token": csrf, "res_model": "test.order", "res_id": str(res_id),
            "next": "/web", "files": [(io.BytesIO(content), name) for name, content in files]}
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/web/attachment/upload", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_upload_list_download_delete(files_db):
    ids = files_db.test_ids
    client, csrf = client_for(files_db, ids["alice"])
    sample = TESTDATA / "vcf"
    vcard = next(iter(sorted(sample.glob("*.vcf"))), None) if sample.is_dir() else None
    card = (vcard.name, vcard.read_bytes()) if vcard else ("card.vcf", b"BEGIN:VCARD\r\n")
    response = upload(client, csrf, ids["mine"], ("logo.png", PNG), card)
    assert response.status_code == 303
    form = client.get(f"/web/action/{ids['action']}/{ids['mine']}").get_data(as_text=True)
    assert "logo.png" in form and card[0] in form and "Documents" in form
    links = re.findall(r'href="(/web/attachment/\d+)" download>([^<]+)<', form)
    by_name = {name: url for url, name in links}
    download = client.get(by_name["logo.png"])
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    preview = client.get(by_name["logo.png"] + "?inline=1")
    assert preview.mimetype == "image/png" and "sandbox" in preview.headers[
        "Content-Security-Policy"]
    assert client.get(by_name["logo.png"], headers={
        "If-None-Match": download.headers["ETag"]}).status_code == 304
    deleted = client.post(by_name[card[0]] + "/delete", data={"csrf_token": csrf,
                                                              "next": "/web"})
    assert deleted.status_code == 303
    assert client.get(by_name[card[0]]).status_code == 404


def test_files_of_hidden_records_are_out_of_reach(files_db):
    ids = files_db.test_ids
    bob, bob_csrf = client_for(files_db, ids["bob"])
    assert upload(bob, bob_csrf, ids["theirs"], ("secret.txt", b"bob only")).status_code == 303
    with files_db.environment() as env:
        secret = env["ir.attachment"].search([("name", "=", "secret.txt")]).id
    alice, csrf = client_for(files_db, ids["alice"])
    assert alice.get(f"/web/attachment/{secret}").status_code == 403
    refused = upload(alice, csrf, ids["theirs"], ("intrusion.txt", b"x"), json=True)
    assert refused.status_code == 403
    assert alice.post(f"/web/attachment/{secret}/delete",
                      data={"csrf_token": csrf}).status_code == 403


def test_refused_type_is_a_clear_error_in_json(files_db):
    ids = files_db.test_ids
    client, csrf = client_for(files_db, ids["alice"])
    response = upload(client, csrf, ids["mine"], ("run.sh", b"#!/bin/sh"), json=True)
    assert response.status_code == 422
    assert "not accepted" in response.json["error"]["message"]


def test_upload_needs_the_security_token(files_db):
    ids = files_db.test_ids
    client, _csrf = client_for(files_db, ids["alice"])
    response = upload(client, "forged", ids["mine"], ("a.txt", b"a"))
    assert response.status_code == 403
