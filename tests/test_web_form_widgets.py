"""The form's widgets over HTTP on both engines: inline one2many lines (x2many commands,
all or nothing, comodel rights), many2many tags, HTML sanitised, pictures (checked by
content, served with access checks and caching), amounts with their currency, datetimes
in the user's time zone, smart buttons, modifiers on save, and a query count that does
not grow with lines, tags or the number of records a many2one could point to."""
from __future__ import annotations

import base64
import re
import struct
import zlib
from html import unescape
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import Client

from core.modules.checks import run_checks
from core.modules.loading import Database
from core.orm.fields import image_type
from core.testing import count_queries
from core.web import Application
from core.web.app import SESSION_COOKIE
from core.web.client import values
from core.testing.web import client_for

from .test_loading import AddonFactory


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    raw = b"".join(b"\0" + b"\x0b\x5e\x8e" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                              8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
JPEG = (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\1\1\0\0\1\0\1\0\0"
        + b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, 2, 2, 3) + b"\1\x22\0\2\x11\1\3\x11\1"
        + b"\xff\xd9")
WEBP_BODY = b"VP8L" + struct.pack("<I", 5) + b"\x2f\1\0\0\0" + b"\0"
WEBP = b"RIFF" + struct.pack("<I", 4 + len(WEBP_BODY)) + b"WEBP" + WEBP_BODY


def test_image_type_checks_the_structure_not_the_name() -> None:
    assert image_type(png()) == "image/png"
    assert image_type(GIF) == "image/gif"
    assert image_type(JPEG) == "image/jpeg"
    assert image_type(WEBP) == "image/webp"
    broken_crc = bytearray(png())
    broken_crc[20] ^= 0xFF                                   # width changed, CRC not
    assert image_type(bytes(broken_crc)) is None
    assert image_type(png()[:-12]) is None                   # truncated: no IEND
    assert image_type(GIF[:-1]) is None
    assert image_type(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>") is None
    assert image_type(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>') is None
    assert image_type(WEBP + b"junk") is None                # RIFF size disagrees


def test_amounts_and_datetimes_round_trip_in_the_users_locale() -> None:
    amount = {"type": "monetary", "string": "Budget"}
    assert values.display(1234.5, amount, "en_US", currency="EUR") == "€1,234.50"
    assert values.display(1234.5, amount, "fr_FR", currency="EUR") == "1\u202f234,50\xa0€"
    assert values.currency_affix("EUR", "fr_FR") == ("€", False)
    assert values.currency_affix("USD", "en_US") == ("$", True)
    for typed in ("€1,300.25", "1,300.25 EUR", "1300.25"):
        assert values.parse("budget", typed, amount, "en_US") == 1300.25
    assert values.parse("budget", "1 300,25 €", amount, "fr_FR") == 1300.25
    with pytest.raises(Exception, match="not a valid value"):
        values.parse("budget", "€", amount, "en_US")
    moment = {"type": "datetime", "string": "Deadline"}
    import datetime as dt
    stored = dt.datetime(2026, 1, 15, 9, 0)                  # UTC, winter: Paris is +1
    assert values.input_value(stored, moment, "fr_FR", "Europe/Paris") == "2026-01-15T10:00"
    assert values.parse("deadline", "2026-07-01T12:00", moment, "fr_FR", "Europe/Paris") == \
        dt.datetime(2026, 7, 1, 10, 0)                       # summer: +2


@pytest.fixture(scope="module")
def form_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("form"), "form")
    database = Database(url, available=comptoir_available)
    database.install(["test_kernel_ext"])
    with database.environment() as env:
        group_user = env.ref("base.group_user")
        rep = env["res.users"].create({"name": "Rep", "login": "rep", "tz": "Europe/Paris",
                                       "groups_id": [(6, 0, [group_user.id])]})
        admin = env.ref("base.user_admin")
        admin.write({"groups_id": [(4, env.ref("test_kernel.group_manager").id)],
                     "tz": "Europe/Paris"})
        env["res.partner"].create([{"name": f"Customer {i}"} for i in range(3)])
        action = env["ir.actions.act_window"].create({"name": "All orders",
                                                      "res_model": "test.order"}).id
        database.test_ids = {"action": action, "rep": rep.id, "admin": admin.id,
                             "eur": env["res.currency"].search([("name", "=", "EUR")]).id,
                             "lines_action": env.ref("test_kernel.test_order_line_action").id}
    yield database
    database.engine.dispose()
    drop()


def make_order(database, name: str, lines: int = 0, tags: int = 0, **vals) -> int:
    with database.environment() as env:
        tag_ids = env["test.tag"].create([{"name": f"{name} tag {i}"} for i in range(tags)]).ids
        order = env["test.order"].create({
            "name": name, "tag_ids": [(6, 0, tag_ids)],
            "line_ids": [(0, 0, {"product": f"P{i}", "quantity": i + 1, "price": 2.5})
                         for i in range(lines)], **vals})
        return order.id


def form_url(database, order_id: int | str) -> str:
    return f"/web/action/{database.test_ids['action']}/{order_id}"


def page_of(client: Client, url: str) -> tuple[str, str]:
    body = client.get(url).get_data(as_text=True)
    return body, re.search(r'name="version" value="(\d+)"', body).group(1)


# -- speed ---------------------------------------------------------------------------------
def test_form_queries_do_not_grow_with_lines_tags_or_choices(form_db) -> None:
    client, _csrf = client_for(form_db, form_db.test_ids["admin"])
    small = make_order(form_db, "Q-SMALL", lines=1, tags=1)
    large = make_order(form_db, "Q-LARGE", lines=25, tags=6)
    client.get(form_url(form_db, small))                      # warm caches
    counts = {}
    for order in (small, large):
        with count_queries(form_db.engine) as counter:
            body = client.get(form_url(form_db, order)).get_data(as_text=True)
        counts[order] = counter.count
    assert counts[small] == counts[large], counts
    with form_db.environment() as env:                       # many more possible choices
        env["res.partner"].create([{"name": f"Extra {i}"} for i in range(40)])
        env["test.tag"].create([{"name": f"Extra tag {i}"} for i in range(40)])
    with count_queries(form_db.engine) as counter:
        body = client.get(form_url(form_db, large)).get_data(as_text=True)
    assert counter.count == counts[large]
    assert "Extra" not in body                               # choices come on demand
    assert body.count('data-key="') == 25 + 2               # 25 lines + two new-line templates
    assert body.count('class="tag"') == 6


# -- one2many lines ---------------------------------------------------------------------------
def test_lines_are_added_edited_and_removed_in_the_same_save(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "L-EDIT", lines=3)
    body, version = page_of(client, form_url(form_db, order))
    keys = re.findall(r'name="line_ids" value="(\d+)"', body)
    assert len(keys) == 3 and 'data-line-template="line_ids"' in body
    assert 'aria-label="Product, line 1"' in body
    response = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "name": "L-EDIT2", "line_ids__present": "1",
        "line_ids": [keys[0], keys[1], "new1", "new2"], "line_ids__delete": [keys[2]],
        f"line_ids.{keys[0]}.product": "P0 renamed", f"line_ids.{keys[0]}.quantity": "1",
        f"line_ids.{keys[0]}.price": "2.5",
        f"line_ids.{keys[1]}.product": "P1", f"line_ids.{keys[1]}.quantity": "2",
        f"line_ids.{keys[1]}.price": "2.5",
        "line_ids.new1.product": "Added", "line_ids.new1.quantity": "4",
        "line_ids.new1.price": "1,000.5",
        "line_ids.new2.product": "", "line_ids.new2.quantity": "1",   # left empty: ignored
        "line_ids.new2.price": "0"})
    assert response.status_code == 303, response.get_data(as_text=True)
    with form_db.environment() as env:
        saved = env["test.order"].browse(order)
        assert saved.name == "L-EDIT2"
        assert sorted(saved.line_ids.mapped("product")) == ["Added", "P0 renamed", "P1"]
        added = saved.line_ids.filtered(lambda line: line.product == "Added")
        assert added.price == 1000.5 and added.subtotal == 4002.0
        untouched = saved.line_ids.filtered(lambda line: line.product == "P1")
        assert untouched.version == 1                         # unchanged lines not written


def test_a_bad_line_saves_nothing_and_shows_the_error_in_its_cell(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "L-BAD", lines=1)
    body, version = page_of(client, form_url(form_db, order))
    key = re.search(r'name="line_ids" value="(\d+)"', body).group(1)
    response = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "name": "L-BAD-RENAMED",
        "line_ids__present": "1", "line_ids": [key, "new1"],
        f"line_ids.{key}.product": "", f"line_ids.{key}.quantity": "lots",
        "line_ids.new1.product": "New one", "line_ids.new1.quantity": "2"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    cells = re.findall(r'<td class="[^"]*has-error">', page)
    assert len(cells) == 2                                   # product required, bad number
    assert "&#39;Product&#39; is required." in page and "lots" in page
    assert 'value="New one"' in page                         # what the user typed stays
    with form_db.environment() as env:
        saved = env["test.order"].browse(order)
        assert saved.name == "L-BAD" and saved.line_ids.mapped("product") == ["P0"]


def test_a_conflict_keeps_the_users_lines_for_the_next_save(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "L-STALE", lines=2)
    body, version = page_of(client, form_url(form_db, order))
    first, second = re.findall(r'name="line_ids" value="(\d+)"', body)
    with form_db.environment() as env:                      # someone else saves meanwhile
        env["test.order"].browse(order).write({"note": "theirs"})
    stale = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "line_ids__present": "1",
        "line_ids": [first, "new1"], "line_ids__delete": [second],
        "line_ids.new1.product": "Mine", "line_ids.new1.quantity": "1"})
    assert stale.status_code == 422
    page = stale.get_data(as_text=True)
    assert f'name="line_ids__delete" value="{second}"' in page     # still to delete
    assert 'value="Mine"' in page and f'name="line_ids" value="{second}"' not in page
    latest = re.search(r'name="version" value="(\d+)"', page).group(1)
    again = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": latest, "line_ids__present": "1",
        "line_ids": [first, "new1"], "line_ids__delete": [second],
        "line_ids.new1.product": "Mine", "line_ids.new1.quantity": "1"})
    assert again.status_code == 303
    with form_db.environment() as env:
        assert sorted(env["test.order"].browse(order).line_ids.mapped("product")) == [
            "Mine", "P0"]


def test_lines_follow_the_comodels_rights_and_list_view(form_db) -> None:
    rep, csrf = client_for(form_db, form_db.test_ids["rep"])
    parent = make_order(form_db, "L-PARENT", user_id=form_db.test_ids["rep"])
    with form_db.environment() as env:
        child = env["test.order"].create({"name": "L-CHILD", "parent_id": parent,
                                          "user_id": form_db.test_ids["rep"]}).id
    body, version = page_of(rep, form_url(form_db, parent))
    table = body.split('data-lines="child_ids"', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
    assert headers == ["Reference", "Customer", "State", "Amount total"]   # list view, no parent
    assert "lines-remove" not in table                       # reps may not delete orders
    assert 'data-line-template="child_ids"' in body          # but may create them
    response = rep.post(form_url(form_db, parent), data={
        "csrf_token": csrf, "version": version, "child_ids__present": "1",
        "child_ids__delete": str(child)})
    assert response.status_code == 422
    assert "You may not delete" in response.get_data(as_text=True)
    with form_db.environment() as env:
        assert env["test.order"].browse(child).exists()
        assert env["test.order"].browse(parent).version == int(version)   # nothing saved


# -- tags, HTML, picture ----------------------------------------------------------------------
def test_tags_are_chips_and_save_as_ids(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "T-TAGS", tags=2)
    body, version = page_of(client, form_url(form_db, order))
    chosen = re.findall(r'<li class="tag"><input type="hidden" name="tag_ids" value="(\d+)">'
                        r'<span>([^<]+)</span>', body)
    assert [name for _id, name in chosen] == ["T-TAGS tag 0", "T-TAGS tag 1"]
    assert 'role="combobox"' in body and 'aria-label="Remove T-TAGS tag 0"' in body
    with form_db.environment() as env:
        vip = env.ref("test_kernel.tag_vip").id
    response = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "tag_ids__present": "1",
        "tag_ids": [chosen[1][0], str(vip)]})
    assert response.status_code == 303
    with form_db.environment() as env:
        assert sorted(env["test.order"].browse(order).tag_ids.mapped("name")) == [
            "T-TAGS tag 1", "VIP"]


def test_html_is_sanitised_on_save_and_shown_safely(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "H-HTML")
    _body, version = page_of(client, form_url(form_db, order))
    response = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version,
        "description": '<h3>Terms</h3><p onclick="steal()">Pay <b>now</b></p>'
                       '<script>alert(1)</script><a href="javascript:alert(2)">x</a>'})
    assert response.status_code == 303
    with form_db.environment() as env:
        stored = env["test.order"].browse(order).description
    assert "<b>now</b>" in stored and "<h3>" in stored
    assert "script" not in stored and "onclick" not in stored and "javascript" not in stored
    body = client.get(form_url(form_db, order)).get_data(as_text=True)
    editor = re.search(r'<textarea id="field-description"[^>]*data-html-editor[^>]*>([^<]*)'
                       r'</textarea>', body)
    assert editor and unescape(editor.group(1)) == stored    # escaped in the textarea
    history = body.split('id="history-title"', 1)[1]
    assert "Terms Pay now" in history and "&lt;h3&gt;" not in history   # text, no markup
    with form_db.environment() as env:                        # read-only: shown as HTML
        env["test.order"].browse(order).write({"state": "done"})
    rep, _csrf = client_for(form_db, form_db.test_ids["rep"])
    with form_db.environment() as env:
        env["test.order"].browse(order).write({"user_id": form_db.test_ids["rep"]})
        env.ref("test_kernel.access_test_order_user").write({"perm_write": False})
    try:
        page = rep.get(form_url(form_db, order)).get_data(as_text=True)
        assert '<div id="field-description" class="readonly-value html-value"><h3>Terms' in page
    finally:
        with form_db.environment() as env:
            env.ref("test_kernel.access_test_order_user").write({"perm_write": True})


def test_pictures_are_checked_stored_and_served_with_access_and_caching(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "I-PIC")
    body, version = page_of(client, form_url(form_db, order))
    assert 'enctype="multipart/form-data"' in body and 'accept="image/png' in body
    fake = FileStorage(stream=__import__("io").BytesIO(b"<html><script></script></html>"),
                       filename="cat.png", content_type="image/png")
    bad = client.post(form_url(form_db, order), data={"csrf_token": csrf, "version": version,
                                                      "picture": fake})
    assert bad.status_code == 422
    assert re.search(r'has-error">\s*<label for="field-picture"', bad.get_data(as_text=True))
    picture = png(3, 2)
    good = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version,
        "picture": FileStorage(stream=__import__("io").BytesIO(picture), filename="p.png")})
    assert good.status_code == 303
    body, version = page_of(client, form_url(form_db, order))
    src = re.search(r'<img class="image-preview" src="([^"]+)"', body).group(1)
    assert src == f"/web/image/test.order/{order}/picture?v={version}"
    served = client.get(src)
    assert served.status_code == 200 and served.data == picture
    assert served.mimetype == "image/png"
    assert "immutable" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    unversioned = client.get(src.split("?")[0])
    assert "no-cache" in unversioned.headers["Cache-Control"]
    again = client.get(src.split("?")[0], headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    # record rules apply: the rep may not read an order of someone else
    with form_db.environment() as env:
        env["test.order"].browse(order).write({"user_id": form_db.test_ids["admin"]})
    rep, _csrf = client_for(form_db, form_db.test_ids["rep"])
    assert rep.get(src).status_code == 403
    assert client.get(f"/web/image/test.order/{order}/name").status_code == 404
    assert client.get(f"/web/image/no.model/{order}/picture").status_code == 404
    _body, version = page_of(client, form_url(form_db, order))
    removed = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "picture__remove": "1"})
    assert removed.status_code == 303
    with form_db.environment() as env:
        assert not env["test.order"].browse(order).picture


# -- amounts, dates, smart buttons, modifiers --------------------------------------------------
def test_amounts_show_their_currency_and_datetimes_the_users_zone(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    import datetime as dt
    order = make_order(form_db, "M-EUR", budget=1234.5, currency_id=form_db.test_ids["eur"],
                       deadline=dt.datetime(2026, 1, 15, 9, 0))
    body, version = page_of(client, form_url(form_db, order))
    assert re.search(r'<span class="affix" aria-hidden="true">€</span>\s*<input id="field-budget"'
                     r'[^>]*value="1,234.50"', body)
    assert 'id="field-deadline" type="datetime-local" name="deadline" ' \
           'value="2026-01-15T10:00"' in body                 # Paris, not UTC
    response = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "budget": "€2,000.75",
        "deadline": "2026-07-01T12:00"})
    assert response.status_code == 303
    with form_db.environment() as env:
        saved = env["test.order"].browse(order)
        assert saved.budget == 2000.75 and saved.deadline == dt.datetime(2026, 7, 1, 10, 0)
        env.ref("base.user_admin").write({"lang": "fr_FR"})
    try:
        french = client.get(form_url(form_db, order)).get_data(as_text=True)
        assert re.search(r'value="2\u202f000,75"[^>]*>\s*<span class="affix" '
                         r'aria-hidden="true">€</span>', french)
    finally:
        with form_db.environment() as env:
            env.ref("base.user_admin").write({"lang": "en_US"})


def test_smart_button_counts_related_records_and_opens_them(form_db) -> None:
    client, _csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "S-SMART", lines=3)
    make_order(form_db, "S-OTHER", lines=2)
    body = client.get(form_url(form_db, order) + "?menu=").get_data(as_text=True)
    link = re.search(r'<a class="smart-button" href="([^"]+)"><span class="smart-count">(\d+)'
                     r'</span> <span class="smart-label">Order lines</span>', body)
    assert link and link.group(2) == "3"
    url = unescape(link.group(1))
    assert url.startswith(f"/web/action/{form_db.test_ids['lines_action']}?")
    listed = client.get(url).get_data(as_text=True)
    assert listed.count('name="ids"') == 3
    new_form = client.get(f"/web/action/{form_db.test_ids['action']}/new").get_data(
        as_text=True)
    assert "smart-button" not in new_form                     # nothing to count yet


def test_readonly_and_required_modifiers_apply_on_save(form_db) -> None:
    client, csrf = client_for(form_db, form_db.test_ids["admin"])
    order = make_order(form_db, "R-MODS", priority="1")
    body, version = page_of(client, form_url(form_db, order))
    assert 'data-required="[[&#34;is_urgent&#34;, &#34;=&#34;, true]]"' in body
    missing = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "is_urgent__present": "1", "is_urgent": "1",
        "priority": ""})
    assert missing.status_code == 422
    assert re.search(r'has-error"[^>]*>\s*<label for="field-priority"',
                     missing.get_data(as_text=True))
    with form_db.environment() as env:
        env["test.order"].browse(order).write({"state": "done"})
        version = str(env["test.order"].browse(order).version)
    ignored = client.post(form_url(form_db, order), data={
        "csrf_token": csrf, "version": version, "priority": "3", "name": "R-MODS2"})
    assert ignored.status_code == 303
    with form_db.environment() as env:
        saved = env["test.order"].browse(order)
        assert saved.name == "R-MODS2" and saved.priority == "1"   # readonly when done


# -- checks --------------------------------------------------------------------------------------
def test_check_reports_smart_buttons_naming_no_action_or_field(tmp_path: Path) -> None:
    factory = AddonFactory(tmp_path / "site")
    try:
        factory.write("smarty", {
            "addon.toml": 'name = "smarty"\nversion = "1.0"\ndepends = ["base"]\n'
                          'data = ["views/smarty.xml"]\n',
            "views/smarty.xml": """
                <comptoir>
                  <record id="partner_form" model="ir.ui.view">
                    <field name="model">res.partner</field>
                    <field name="arch" type="xml">
                      <form>
                        <div class="button_box">
                          <button type="action" name="smarty.children_action"
                                  string="Contacts" count_field="parent_id"/>
                          <button type="action" name="smarty.children_action"
                                  string="Wrong" count_field="parnet_id"/>
                          <button type="action" name="no_such_action" string="Nope"/>
                        </div>
                        <field name="name"/>
                      </form>
                    </field>
                  </record>
                  <record id="children_action" model="ir.actions.act_window">
                    <field name="name">Contacts</field>
                    <field name="res_model">res.partner</field>
                  </record>
                </comptoir>
            """,
        })
        messages = run_checks(factory.available("smarty"), ["base", "smarty"])
    finally:
        factory.close()
    found = sorted((m.id, m.line) for m in messages if m.id.startswith("views."))
    assert found == [("views.E007", 10), ("views.E007", 11)], messages


# -- the benchmark's baseline stays a faithful copy of the form page -----------------------------
def test_web_bench_baseline_serves_the_same_form_page(tmp_path: Path) -> None:
    """``bench/web.py`` compares the form page with a hand-written handler replaying
    its SQL and template: both must give the same HTML, or the ratio means nothing."""
    from bench import web
    setup = web.build(str(tmp_path), 30)
    try:
        app = Application(setup.database)
        page = web.capture(app, setup.sid, setup.urls["form"])
        baseline = Client(web.Baseline(setup.database.engine, setup.sid, {"form": page},
                                       {"form": setup.urls["form"]}))
        comptoir = Client(app)
        for client in (baseline, comptoir):
            client.set_cookie(SESSION_COOKIE, setup.sid, domain="localhost")
        served = baseline.get(setup.urls["form"])
        assert served.status_code == 200
        assert served.data == comptoir.get(setup.urls["form"]).data
        assert 'data-lines="child_ids"' in served.get_data(as_text=True)
    finally:
        setup.database.engine.dispose()


def test_a_many2one_default_shows_its_name_not_its_id(form_db):
    ids = form_db.test_ids
    with form_db.environment() as env:
        action = env["ir.actions.act_window"].create({
            "name": "My orders", "res_model": "test.order",
            "context": "{'default_user_id': uid}"}).id
    client, _csrf = client_for(form_db, ids["rep"])
    page = client.get(f"/web/action/{action}/new").get_data(as_text=True)
    select = page.split('id="field-user_id"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{ids["rep"]}" selected>Rep</option>' in select
