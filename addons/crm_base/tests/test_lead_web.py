"""The pipeline over HTTP (Werkzeug client): the board (every stage, folded won column,
totals, stars, activities), moving and quick-creating cards, the clickable status bar,
the lost / convert / assign wizards, the default "My Pipeline" filter, a colleague's
opportunity refused with a clean page, a board whose cost does not grow with its
cards; and ``comptoir leads assign`` on the same database."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from core.cli import main
from core.testing import count_queries, installed_database, scratch_database
from core.testing.web import client_for

from .lead_factories import make_team, make_user


@pytest.fixture(scope="module")
def crm_db(engine_name, tmp_path_factory, comptoir_available):
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("pipeline"), "pipeline")
    database = installed_database(url, ["crm_base"], available=comptoir_available)
    with database.environment() as env:
        ann = make_user(env, "web_ann", "rep")
        bob = make_user(env, "web_bob", "rep")
        meg = make_user(env, "web_meg", "manager")
        mia = make_user(env, "web_mia", "marketing")
        team = make_team(env, "Web Team", meg, ann | bob)
        account = env["res.partner"].create({"name": "Web Account", "is_company": True})
        leads = env["crm.lead"]
        ann_deal = leads.create({"name": "Ann web deal", "type": "opportunity",
                                 "user_id": ann.id, "team_id": team.id,
                                 "partner_id": account.id, "expected_revenue": 1000,
                                 "priority": "2"})
        ann_deal.activity_schedule("mail.activity_type_call", summary="Call the buyer",
                                   user_id=ann.id)
        bob_deal = leads.create({"name": "Bob web deal", "type": "opportunity",
                                 "user_id": bob.id, "team_id": team.id,
                                 "expected_revenue": 2500})
        inbound = leads.create({"name": "Web inbound", "type": "lead",
                                "contact_name": "Iris Web", "partner_name": "Iris Web SAS",
                                "email_from": "iris@web-sas.example", "user_id": ann.id,
                                "team_id": team.id})
        database.test_ids = {
            "ann": ann.id, "bob": bob.id, "meg": meg.id, "mia": mia.id, "team": team.id,
            "ann_deal": ann_deal.id, "bob_deal": bob_deal.id, "inbound": inbound.id,
            "pipeline": env.ref("crm_base.crm_lead_action_pipeline").id,
            "leads": env.ref("crm_base.crm_lead_action_leads").id,
            "menu": env.ref("crm_base.menu_crm_pipeline").id,
            **{f"stage{i}": env.ref(f"crm_base.stage_lead{i}").id for i in range(1, 6)}}
    yield database
    database.engine.dispose()
    drop()


def lead(database, lead_id):
    with database.environment() as env:
        record = env["crm.lead"].with_context(active_test=False).browse(lead_id)
        return record.read(["stage_id", "probability", "won_status", "active", "version",
                            "type", "partner_id", "user_id", "lost_reason_id"])[0]


def columns_of(body: str) -> list[str]:
    return re.findall(r'class="kanban-column-title" id="[^"]*">([^<]*)<', body)


def test_the_board_shows_every_stage_with_totals_and_card_widgets(crm_db):
    ids = crm_db.test_ids
    client, _csrf = client_for(crm_db, ids["meg"])
    body = client.get(f"/web/action/{ids['pipeline']}/kanban").get_data(as_text=True)
    assert columns_of(body)[:5] == ["New", "Qualified", "Proposition", "Negotiation", "Won"]
    assert re.search(r'<details class="kanban-column kanban-folded" data-group-value="'
                     rf'{ids["stage5"]}"', body), "the won stage is a folded column"
    assert "Expected Revenue" in body and "3,500.00" in body
    assert 'class="priority-stars"' in body and "Priority: High" in body
    assert 'class="activity-badge activity-' in body and "Call the buyer" in body
    assert "Web inbound" not in body, "the pipeline shows opportunities only"


def test_the_menu_opens_on_my_pipeline(crm_db):
    ids = crm_db.test_ids
    client, _csrf = client_for(crm_db, ids["ann"])
    opened = client.get(f"/web/menu/{ids['menu']}")
    location = opened.headers["Location"]
    assert "/kanban?" in location and "f=my_pipeline" in location
    body = client.get(location).get_data(as_text=True)
    assert "Ann web deal" in body and "Bob web deal" not in body


def test_dragging_a_card_moves_the_stage_and_its_probability(crm_db):
    ids = crm_db.test_ids
    client, csrf = client_for(crm_db, ids["ann"])
    before = lead(crm_db, ids["ann_deal"])
    url = f"/web/action/{ids['pipeline']}/kanban/move"
    moved = client.post(url, data=json.dumps({
        "record_id": ids["ann_deal"], "group_value": str(ids["stage3"]),
        "version": before["version"]}), content_type="application/json",
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert moved.status_code == 200 and moved.get_json()["ok"]
    after = lead(crm_db, ids["ann_deal"])
    assert after["stage_id"][0] == ids["stage3"] and after["probability"] == 50.0
    stale = client.post(url, data=json.dumps({
        "record_id": ids["ann_deal"], "group_value": str(ids["stage4"]),
        "version": before["version"]}), content_type="application/json",
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert stale.status_code == 409
    colleague = client.post(url, data=json.dumps({
        "record_id": ids["bob_deal"], "group_value": str(ids["stage4"])}),
        content_type="application/json",
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert colleague.status_code in (403, 404)
    assert lead(crm_db, ids["bob_deal"])["stage_id"][0] == ids["stage1"]


def test_quick_create_makes_an_opportunity_in_the_column(crm_db):
    ids = crm_db.test_ids
    client, csrf = client_for(crm_db, ids["ann"])
    created = client.post(f"/web/action/{ids['pipeline']}/kanban/quick_create",
                          data={"csrf_token": csrf, "name": "Quick web deal",
                                "group_value": str(ids["stage2"]), "g": "stage_id"})
    assert created.status_code == 303
    with crm_db.environment() as env:
        record = env["crm.lead"].search([("name", "=", "Quick web deal")])
        assert record.type == "opportunity" and record.stage_id.id == ids["stage2"]
        assert record.user_id.id == ids["ann"] and record.probability == 25.0


def test_a_colleagues_opportunity_is_a_clean_refusal(crm_db):
    ids = crm_db.test_ids
    client, _csrf = client_for(crm_db, ids["ann"])
    response = client.get(f"/web/action/{ids['pipeline']}/{ids['bob_deal']}")
    assert response.status_code in (403, 404)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "Bob web deal" not in body
    assert "record rules" in body or "not" in body
    marketing, _csrf = client_for(crm_db, ids["mia"])
    assert marketing.get(f"/web/action/{ids['pipeline']}/{ids['ann_deal']}").status_code \
        in (403, 404)


def test_the_status_bar_moves_the_opportunity(crm_db):
    ids = crm_db.test_ids
    client, csrf = client_for(crm_db, ids["bob"])
    form = client.get(f"/web/action/{ids['pipeline']}/{ids['bob_deal']}").get_data(
        as_text=True)
    assert 'name="statusbar__stage_id"' in form and 'aria-current="step"' in form
    assert 'class="priority-input"' in form
    version = lead(crm_db, ids["bob_deal"])["version"]
    moved = client.post(f"/web/action/{ids['pipeline']}/{ids['bob_deal']}/stage",
                        data={"csrf_token": csrf, "statusbar__stage_id": ids["stage4"],
                              "version": version})
    assert moved.status_code == 303
    assert lead(crm_db, ids["bob_deal"])["probability"] == 75.0
    # with the form's values: what was typed is saved too
    version = lead(crm_db, ids["bob_deal"])["version"]
    moved = client.post(f"/web/action/{ids['pipeline']}/{ids['bob_deal']}/stage",
                        data={"csrf_token": csrf, "statusbar__stage_id": ids["stage2"],
                              "version": version, "name": "Bob web deal",
                              "priority": "3"})
    assert moved.status_code == 303
    with crm_db.environment() as env:
        record = env["crm.lead"].browse(ids["bob_deal"])
        assert record.stage_id.id == ids["stage2"] and record.priority == "3"
    refused = client.post(f"/web/action/{ids['pipeline']}/{ids['bob_deal']}/stage",
                          data={"csrf_token": csrf, "statusbar__user_id": ids["ann"]})
    assert refused.status_code == 422


def test_lost_and_restore_from_the_form(crm_db):
    ids = crm_db.test_ids
    client, csrf = client_for(crm_db, ids["bob"])
    base = f"/web/action/{ids['pipeline']}/{ids['bob_deal']}"
    opened = client.post(f"{base}/call?menu=1", data={"csrf_token": csrf,
                                                       "method": "action_open_lost"})
    assert opened.status_code == 303 and "/web/wizard/" in opened.headers["Location"]
    wizard_url = opened.headers["Location"]
    page = client.get(wizard_url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mark as Lost" in body and "Closing Note" in body
    with crm_db.environment() as env:
        reason = env.ref("crm_base.lost_reason_too_expensive").id
    done = client.post(wizard_url, data={"csrf_token": csrf, "method": "action_lost_reason_apply",
                                         "lost_reason_id": reason,
                                         "lost_feedback": "Price above budget"})
    assert done.status_code == 303 and done.headers["Location"].startswith(base)
    state = lead(crm_db, ids["bob_deal"])
    assert state["won_status"] == "lost" and state["lost_reason_id"][0] == reason
    page = client.get(base).get_data(as_text=True)
    assert "Too expensive" in page and "Price above budget" in page
    restored = client.post(f"{base}/call", data={"csrf_token": csrf, "method": "action_restore"})
    assert restored.status_code == 303
    assert lead(crm_db, ids["bob_deal"])["won_status"] == "pending"
    forged = client.post(wizard_url, data={"csrf_token": csrf, "method": "unlink"})
    assert forged.status_code == 403


def test_convert_a_lead_through_the_wizard(crm_db):
    ids = crm_db.test_ids
    client, csrf = client_for(crm_db, ids["ann"])
    base = f"/web/action/{ids['leads']}/{ids['inbound']}"
    form = client.get(base).get_data(as_text=True)
    assert "Convert to Opportunity" in form
    opened = client.post(f"{base}/call", data={"csrf_token": csrf,
                                                "method": "action_open_convert"})
    wizard_url = opened.headers["Location"]
    body = client.get(wizard_url).get_data(as_text=True)
    assert "Similar Customers" in body and "Create a new customer" in body
    done = client.post(wizard_url, data={"csrf_token": csrf, "method": "action_apply",
                                         "action": "create", "user_id": ids["ann"],
                                         "team_id": ids["team"]})
    assert done.status_code == 303
    state = lead(crm_db, ids["inbound"])
    assert state["type"] == "opportunity" and state["partner_id"][1] == "Iris Web SAS"


def test_a_wizard_error_is_shown_on_the_wizard(crm_db):
    ids = crm_db.test_ids
    client, csrf = client_for(crm_db, ids["meg"])
    with crm_db.environment() as env:
        pending = env["crm.lead"].create({"name": "Wizard error lead", "type": "lead"})
        action = env.ref("crm_base.crm_lead_convert_action").id
    ctx = json.dumps({"active_model": "crm.lead", "active_ids": [pending.id]})
    url = f"/web/wizard/{action}?" + "&".join([f"ctx={ctx}", "back=/web"])
    page = client.post(url, data={"csrf_token": csrf, "method": "action_apply",
                                  "action": "exist"})
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and 'class="field-error"' in body, body


def test_assign_selected_leads_from_the_list(crm_db):
    ids = crm_db.test_ids
    with crm_db.environment() as env:
        fresh = env["crm.lead"].with_context(crm_no_assign=True).create(
            [{"name": f"To assign {i}", "type": "lead", "team_id": ids["team"]}
             for i in range(3)])
        fresh_ids = fresh.ids
    client, csrf = client_for(crm_db, ids["meg"])
    back = f"/web/action/{ids['leads']}"
    bulk = client.post(f"/web/action/{ids['leads']}/bulk",
                       data={"csrf_token": csrf, "operation": "crm_lead_assign",
                             "ids": [str(i) for i in fresh_ids], "back": back})
    assert bulk.status_code == 303 and "/crm/leads/assign?ids=" in bulk.headers["Location"]
    hop = client.get(bulk.headers["Location"], headers={"Referer": f"http://localhost{back}"})
    wizard_url = hop.headers["Location"]
    query = parse_qs(urlsplit(wizard_url).query)
    assert sorted(json.loads(query["ctx"][0])["active_ids"]) == sorted(fresh_ids)
    assert query["back"] == [back]
    done = client.post(wizard_url, data={"csrf_token": csrf, "method": "action_apply",
                                         "mode": "user", "user_id": ids["bob"]})
    assert done.status_code == 303 and done.headers["Location"] == back
    with crm_db.environment() as env:
        assert set(env["crm.lead"].browse(fresh_ids).mapped("user_id").ids) == {ids["bob"]}
    list_page = client.get(back).get_data(as_text=True)
    assert 'value="crm_lead_assign"' in list_page


def test_the_board_costs_the_same_for_few_or_many_cards(crm_db):
    ids = crm_db.test_ids
    client, _csrf = client_for(crm_db, ids["meg"])
    url = f"/web/action/{ids['pipeline']}/kanban"
    counts = {}
    for size, prefix in ((5, "CA"), (40, "CB")):
        with crm_db.environment() as env:
            made = env["crm.lead"].create([{
                "name": f"{prefix}{i}", "type": "opportunity", "user_id": ids["bob"],
                "team_id": ids["team"], "priority": str(i % 4),
                "stage_id": ids[f"stage{1 + i % 4}"]} for i in range(size)])
            made[::3].activity_schedule("mail.activity_type_todo", summary="Follow up",
                                        user_id=ids["bob"])
        client.get(url)
        with count_queries(crm_db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts[size] = counter.count
        with crm_db.environment() as env:
            env["crm.lead"].search([("name", "=like", f"{prefix}%")]).unlink()
    assert counts[5] == counts[40], counts


def test_the_cli_assigns_the_leads_left_without_salesperson(crm_db):
    ids = crm_db.test_ids
    with crm_db.environment() as env:
        made = env["crm.lead"].with_context(crm_no_assign=True).create(
            [{"name": f"CLI lead {i}", "type": "lead", "team_id": ids["team"]}
             for i in range(2)])
        made_ids = made.ids
    result = CliRunner().invoke(main, ["--db", crm_db.url, "leads", "assign", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert set(made_ids) <= set(rows)
    assert {rows[i]["user"] for i in made_ids} <= {"web_ann", "web_bob"}
    again = CliRunner().invoke(main, ["--db", crm_db.url, "leads", "assign"])
    assert again.exit_code == 0 and "0 of 0 leads assigned." in again.output
    unknown = CliRunner().invoke(main, ["--db", crm_db.url, "leads", "assign", "--team",
                                        "Nobody's team"])
    assert unknown.exit_code != 0 and "No sales team is named" in unknown.output
