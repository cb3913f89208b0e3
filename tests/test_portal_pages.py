"""The generic portal pages of a model (core.portal.PortalPage) as the test addon declares
them: what a customer sees (his company's records only, public messages only), replies
with files, ratings, buttons, files of messages; French pages; constant query counts."""
from __future__ import annotations

import io
import re

from core.testing import count_queries
from core.testing.web import client_for

from .test_portal_support import portal_db, set_params  # noqa: F401


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_list_shows_only_the_companys_records(portal_db) -> None:
    ids = portal_db.test_ids
    alice, _csrf = client_for(portal_db, ids["alice"])
    page = page_of(alice, "/my/tickets")
    assert "Printer on fire" in page and "Wrong invoice" in page  # Bob's: same company
    assert "Globex" not in page and "2 records" in page
    assert f'href="/my/tickets/{ids["printer"]}"' in page and "New ticket" in page
    carol, _csrf = client_for(portal_db, ids["carol"])
    page = page_of(carol, "/my/tickets")
    assert "Globex server down" in page and "Printer" not in page


def test_search_sort_and_pages(portal_db) -> None:
    ids = portal_db.test_ids
    with portal_db.environment() as env:
        env["test.portal.ticket"].create([{"name": f"Paper jam {n:02}",
                                           "partner_id": ids["alice_partner"]}
                                          for n in range(6)])
    client, _csrf = client_for(portal_db, ids["alice"])
    found = page_of(client, "/my/tickets?search=jam")
    assert "6 records" in found and "Printer" not in found
    assert "Page 1 of 2" in found and 'rel="next"' in found
    second = page_of(client, "/my/tickets?search=jam&page=2")
    assert second.count("Paper jam") == 1 and 'rel="prev"' in second
    ordered = page_of(client, "/my/tickets?search=jam&sort=name")
    names = re.findall(r"Paper jam (\d\d)", ordered)
    assert names == ["00", "01", "02", "03", "04"]
    assert 'aria-sort="ascending"' in ordered
    backwards = page_of(client, "/my/tickets?search=jam&sort=name&desc=1")
    assert re.findall(r"Paper jam (\d\d)", backwards)[0] == "05"
    # an unknown or unsortable field is ignored, never an error
    assert "6 records" in page_of(client, "/my/tickets?search=jam&sort=description")
    assert "Nothing matches your search." in page_of(client, "/my/tickets?search=zzz")
    with portal_db.environment() as env:
        env["test.portal.ticket"].search([("name", "like", "Paper jam")]).unlink()


def test_list_queries_do_not_grow_with_the_rows(portal_db) -> None:
    ids = portal_db.test_ids
    client, _csrf = client_for(portal_db, ids["alice"])
    client.get("/my/tickets")  # warm the caches
    counts = {}
    for extra in (0, 4):
        with portal_db.environment() as env:
            env["test.portal.ticket"].create([{"name": f"Extra {n}", "partner_id":
                                               ids["alice_partner"]} for n in range(extra)])
        with count_queries(portal_db.engine) as counter:
            page = page_of(client, "/my/tickets")
        counts[extra] = counter.count
        assert page.count('<tr>') - 1 == min(2 + extra, 5)
    assert counts[0] == counts[4], counts
    with portal_db.environment() as env:
        env["test.portal.ticket"].search([("name", "like", "Extra")]).unlink()


def test_record_page_public_messages_only(portal_db) -> None:
    ids = portal_db.test_ids
    client, _csrf = client_for(portal_db, ids["alice"])
    page = page_of(client, f"/my/tickets/{ids['printer']}")
    assert "Printer on fire" in page and "Smoke everywhere" in page and "Acme, Alice" in page
    assert "We are on it." in page and "procedure.txt" in page
    assert "grumpy" not in page and "secret.txt" not in page
    assert "Internal Note" not in page
    assert 'name="body"' in page and 'type="file"' in page     # the reply box
    assert "Rate our service" not in page                       # not solved yet
    assert ">Reopen<" not in page


def test_other_companies_records_are_not_found(portal_db) -> None:
    ids = portal_db.test_ids
    client, csrf = client_for(portal_db, ids["alice"])
    foreign = f"/my/tickets/{ids['foreign']}"
    assert client.get(foreign).status_code == 404
    assert client.get("/my/tickets/999999").status_code == 404
    reply = client.post(f"{foreign}/reply", data={"csrf_token": csrf, "body": "hi"})
    assert reply.status_code == 404
    assert "Globex" not in client.get(foreign).get_data(as_text=True)


def test_files_of_public_messages_only(portal_db) -> None:
    ids = portal_db.test_ids
    client, _csrf = client_for(portal_db, ids["alice"])
    public = client.get(f"/my/attachment/{ids['public_file']}")
    assert public.status_code == 200 and public.get_data() == b"unplug it"
    assert public.headers["Content-Disposition"].startswith("attachment;")
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/my/attachment/{ids['secret_file']}").status_code == 404
    carol, _csrf = client_for(portal_db, ids["carol"])
    assert carol.get(f"/my/attachment/{ids['public_file']}").status_code == 404


def test_reply_with_a_file(portal_db) -> None:
    ids = portal_db.test_ids
    client, csrf = client_for(portal_db, ids["alice"])
    url = f"/my/tickets/{ids['printer']}"
    response = client.post(f"{url}/reply", data={
        "csrf_token": csrf, "body": "Still smoking <b>a lot</b>",
        "files": [(io.BytesIO(b"photo bytes"), "smoke.txt")]},
        content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"] == f"{url}#messages"
    with portal_db.environment() as env:
        message = env["mail.message"].search([("res_model", "=", "test.portal.ticket"),
                                              ("body", "ilike", "Still smoking")])
        assert message.author_id.id == ids["alice_partner"]
        assert not message.is_internal and message.subtype_id == env.ref("mail.mt_comment")
        assert "&lt;b&gt;" in message.body
        assert message.attachment_ids.mapped("name") == ["smoke.txt"]
        ticket = env["test.portal.ticket"].browse(ids["printer"])
        followers = ticket.message_follower_ids.mapped("partner_id").ids
        assert ids["alice_partner"] in followers
        agent = env["res.users"].browse(ids["agent"]).partner_id
        assert env["mail.notification"].search_count([("mail_message_id", "=", message.id),
                                                      ("res_partner_id", "=", agent.id)])
        file_id = message.attachment_ids.id
    page = page_of(client, url)
    assert "Still smoking" in page and "smoke.txt" in page
    assert "portal-message-mine" in page
    assert client.get(f"/my/attachment/{file_id}").get_data() == b"photo bytes"


def test_bad_replies_are_refused_in_words(portal_db) -> None:
    ids = portal_db.test_ids
    client, csrf = client_for(portal_db, ids["alice"])
    url = f"/my/tickets/{ids['printer']}/reply"
    empty = client.post(url, data={"csrf_token": csrf, "body": "  "})
    assert empty.status_code == 422
    assert "Write your message or attach a file first." in empty.get_data(as_text=True)
    many = client.post(url, data={"csrf_token": csrf, "body": "files", "files": [
        (io.BytesIO(b"x"), f"f{n}.txt") for n in range(6)]},
        content_type="multipart/form-data")
    assert many.status_code == 422 and "Attach at most 5 files." in many.get_data(as_text=True)
    set_params(portal_db, {"attachment.allowed_types": "image/*,application/pdf"})
    try:
        wrong = client.post(url, data={"csrf_token": csrf, "body": "my logs", "files": [
            (io.BytesIO(b"log"), "server.log")]}, content_type="multipart/form-data")
        page = wrong.get_data(as_text=True)
        assert wrong.status_code == 422 and "are not accepted here" in page
        assert "my logs</textarea>" in page      # what was typed is kept
    finally:
        set_params(portal_db, {"attachment.allowed_types": None})
    set_params(portal_db, {"attachment.max_size_mb": "0.001"})
    try:
        big = client.post(url, data={"csrf_token": csrf, "body": "big", "files": [
            (io.BytesIO(b"x" * 5000), "big.txt")]}, content_type="multipart/form-data")
        assert big.status_code == 422 and "is too large" in big.get_data(as_text=True)
    finally:
        set_params(portal_db, {"attachment.max_size_mb": None})
    with portal_db.environment() as env:
        assert not env["mail.message"].search([("body", "ilike", "my logs")])
    assert client.post(url, data={"body": "no token"}).status_code == 403


def test_rate_a_solved_record_and_rate_again(portal_db) -> None:
    ids = portal_db.test_ids
    client, csrf = client_for(portal_db, ids["alice"])
    url = f"/my/tickets/{ids['invoice']}"
    page = page_of(client, url)
    assert "Rate our service" in page and 'name="rating"' in page and ">Reopen<" in page
    not_done = client.post(f"/my/tickets/{ids['printer']}/rate",
                           data={"csrf_token": csrf, "rating": "5"})
    assert not_done.status_code == 400
    first = client.post(f"{url}/rate", data={"csrf_token": csrf, "rating": "4",
                                             "feedback": "Quick, thanks"})
    assert first.status_code == 303 and first.headers["Location"].endswith("?rated=1#rating")
    again = client.post(f"{url}/rate", data={"csrf_token": csrf, "rating": "2"})
    assert again.status_code == 303
    wrong = client.post(f"{url}/rate", data={"csrf_token": csrf, "rating": "7"})
    assert wrong.status_code == 422
    assert "Choose a rating from 1 to 5 stars." in wrong.get_data(as_text=True)
    with portal_db.environment() as env:
        ratings = env["rating.rating"].search([("res_model", "=", "test.portal.ticket"),
                                               ("res_id", "=", ids["invoice"])])
        assert len(ratings) == 1 and ratings.rating == 2 and not ratings.feedback
        assert ratings.partner_id.id == ids["alice_partner"]
        messages = env["mail.message"].search([("res_model", "=", "test.portal.ticket"),
                                               ("res_id", "=", ids["invoice"]),
                                               ("body", "ilike", "out of 5")])
        assert len(messages) == 2 and ratings.message_id == messages[0]
        assert "Quick, thanks" in messages[1].body
        assert env["rating.rating"].averages(env["test.portal.ticket"].browse(
            ids["invoice"])) == {ids["invoice"]: 2.0}
    page = page_of(client, f"{url}?rated=1")
    assert "Thank you for your rating." in page and "Your rating: 2 out of 5" in page
    assert 'value="2" checked' in page


def test_record_buttons(portal_db) -> None:
    ids = portal_db.test_ids
    client, csrf = client_for(portal_db, ids["alice"])
    url = f"/my/tickets/{ids['invoice']}"
    response = client.post(f"{url}/do/reopen", data={"csrf_token": csrf})
    assert response.status_code == 303
    with portal_db.environment() as env:
        ticket = env["test.portal.ticket"].browse(ids["invoice"])
        assert ticket.state == "open"
    refused = client.post(f"{url}/do/reopen", data={"csrf_token": csrf})
    assert refused.status_code == 400
    assert client.post(f"{url}/do/delete", data={"csrf_token": csrf}).status_code == 400
    with portal_db.environment() as env:
        env["test.portal.ticket"].browse(ids["invoice"]).write({"state": "done"})


def test_record_page_queries_do_not_grow_with_the_messages(portal_db) -> None:
    ids = portal_db.test_ids
    client, _csrf = client_for(portal_db, ids["carol"])
    url = f"/my/tickets/{ids['foreign']}"
    client.get(url)
    counts = []
    for _round in range(2):
        with portal_db.environment() as env:
            ticket = env["test.portal.ticket"].browse(ids["foreign"])
            for n in range(3):
                ticket.message_post(body=f"<p>Answer {n}</p>",
                                    subtype_xmlid="mail.mt_comment",
                                    attachments=[(f"a{n}.txt", b"x")])
        with count_queries(portal_db.engine) as counter:
            page_of(client, url)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_french_pages(portal_db) -> None:
    ids = portal_db.test_ids
    with portal_db.environment() as env:
        env["res.users"].browse(ids["carol"]).write({"lang": "fr_FR"})
    try:
        client, _csrf = client_for(portal_db, ids["carol"])
        page = page_of(client, "/my/tickets")
        assert '<html lang="fr">' in page and "Se déconnecter" in page
        record = page_of(client, f"/my/tickets/{ids['foreign']}")
        assert re.search(r'<time datetime="[^"]+" class="muted">\d\d/\d\d/\d{4} \d\d:\d\d',
                         record)
    finally:
        with portal_db.environment() as env:
            env["res.users"].browse(ids["carol"]).write({"lang": "en_US"})


def test_staff_see_the_portal_pages_with_their_own_rights(portal_db) -> None:
    ids = portal_db.test_ids
    client, _csrf = client_for(portal_db, ids["agent"])
    page = page_of(client, "/my/tickets")
    assert "Globex server down" in page and "Printer on fire" in page
