"""Sales teams: main team of their members, assignment of new leads by the team's
strategy (round robin, load, territory, field match), the "Assign" action, and the
team's e-mail alias creating leads."""
from __future__ import annotations

import pytest

from core.exceptions import UserError, ValidationError
from core.mail import gateway
from core.testing import count_queries

from .lead_factories import as_user, make_lead, make_team, make_user


@pytest.fixture
def people(env):
    return {login: make_user(env, f"tt_{login}", role) for login, role in (
        ("ann", "rep"), ("bob", "rep"), ("cid", "rep"), ("lea", "leader"),
        ("mia", "marketing"))}


@pytest.fixture
def team(env, people):
    members = people["ann"] | people["bob"] | people["cid"]
    return make_team(env, "North", people["lea"], members)


def test_members_get_their_first_team_as_main_team(env, people, team):
    assert people["ann"].sale_team_id == team and people["lea"].sale_team_id == team
    second = make_team(env, "South", members=people["ann"])
    assert people["ann"].sale_team_id == team, "the first team stays the main one"
    assert second in people["ann"].crm_team_ids


def test_new_unassigned_leads_are_shared_in_turn(env, people, team):
    leads = env["crm.lead"].create([{"name": f"RR {i}", "team_id": team.id}
                                    for i in range(4)])
    logins = [lead.user_id.login for lead in leads]
    assert logins == ["tt_ann", "tt_bob", "tt_cid", "tt_ann"]
    later = env["crm.lead"].create({"name": "RR later", "team_id": team.id})
    assert later.user_id == people["bob"], "the team remembers whose turn it is"
    assert all(lead.date_open for lead in leads)


def test_a_lead_created_by_marketing_is_assigned_within_its_team(env, people, team):
    lead = as_user(env, people["mia"])["crm.lead"].create(
        {"name": "From the trade show", "team_id": team.id, "type": "lead"})
    assert lead.sudo().user_id in team.member_ids


def test_load_strategy_gives_to_the_least_busy(env, people, team):
    team.write({"assignment_strategy": "load"})
    make_lead(env, "busy 1", user_id=people["ann"].id, team_id=team.id)
    make_lead(env, "busy 2", user_id=people["ann"].id, team_id=team.id)
    make_lead(env, "busy 3", user_id=people["bob"].id, team_id=team.id)
    won = make_lead(env, "closed", user_id=people["cid"].id, team_id=team.id)
    won.action_set_won()  # a won deal is no workload
    leads = env["crm.lead"].create([{"name": f"L{i}", "team_id": team.id}
                                    for i in range(3)])
    assert [lead.user_id for lead in leads] == [people["cid"], people["bob"], people["cid"]]


def test_territory_strategy_prefers_the_territory_salespeople(env, people, team):
    france = env.ref("base.fr")
    region = env["crm.territory"].create({"name": "Paris", "country_ids": [(6, 0, [france.id])],
                                          "zip_prefixes": "75", "team_id": team.id})
    sector = env["crm.territory"].create({"name": "Paris Ouest", "parent_id": region.id,
                                          "kind": "sector", "zip_prefixes": "75016,75116"})
    region.write({"user_ids": [(6, 0, [people["bob"].id])]})
    team.write({"assignment_strategy": "territory"})
    paris = env["crm.lead"].create({"name": "Paris 16", "team_id": team.id,
                                    "country_id": france.id, "zip": "75016"})
    assert paris.territory_id == sector
    assert paris.user_id == people["bob"], "the sector has no one: the region's salespeople"
    sector.write({"user_ids": [(6, 0, [people["cid"].id])]})
    again = env["crm.lead"].create({"name": "Paris 16 bis", "team_id": team.id,
                                    "country_id": france.id, "zip": "75016"})
    assert again.user_id == people["cid"]
    elsewhere = env["crm.lead"].create({"name": "Lille", "team_id": team.id,
                                        "country_id": france.id, "zip": "59000"})
    assert elsewhere.user_id in team.member_ids, "no territory: the least loaded member"


def test_field_match_strategy_uses_the_users_territories(env, people, team):
    territory = env["crm.territory"].create({"name": "Rhône", "zip_prefixes": "69"})
    people["cid"].write({"crm_territory_ids": [(6, 0, [territory.id])]})
    team.write({"assignment_strategy": "field_match"})
    lead = env["crm.lead"].create({"name": "Lyon", "team_id": team.id, "zip": "69002",
                                   "country_id": env.ref("base.fr").id})
    assert lead.territory_id == territory and lead.user_id == people["cid"]


def test_assign_action_on_selected_leads(env, people, team):
    leads = env["crm.lead"].with_context(crm_no_assign=True).create(
        [{"name": f"A{i}", "team_id": team.id, "type": "lead"} for i in range(3)])
    assert not leads.mapped("user_id")
    wizard = as_user(env, people["lea"])["crm.lead.assign"].with_context(
        active_model="crm.lead", active_ids=leads.ids).create({"mode": "user",
                                                              "user_id": people["bob"].id})
    assert wizard.lead_ids == leads.with_env(wizard.env)
    wizard.action_apply()
    assert set(leads.mapped("user_id").mapped("login")) == {"tt_bob"}
    assert not env["crm.lead.assign"].search([])
    # shared by the team with another strategy for this run
    leads.write({"user_id": False})
    chosen = leads.action_assign(team_id=team.id, strategy="load")
    assert set(chosen.values()) <= set(team.member_ids.ids) and all(leads.mapped("user_id"))
    with pytest.raises(ValidationError):
        env["crm.lead.assign"].with_context(active_ids=leads.ids).create(
            {"mode": "user"}).action_apply()
    orphan = env["crm.lead"].create({"name": "No team", "type": "lead"})
    with pytest.raises(UserError):
        orphan.action_assign()


def test_assigning_a_batch_costs_the_same_whatever_its_size(env, people, team):
    team.write({"assignment_strategy": "load"})
    counts = []
    for size in (3, 30):
        leads = env["crm.lead"].with_context(crm_no_assign=True).create(
            [{"name": f"Q{i}", "team_id": team.id} for i in range(size)])
        env.invalidate_all()
        with count_queries(env) as counter:
            leads.action_assign()
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_team_alias_turns_mails_into_leads(env, people, team):
    env["ir.config_parameter"].set_param("mail.catchall.domain", "example.org")
    team.write({"alias_name": "ventes-nord"})
    alias = team.alias_id
    assert alias.name == "ventes-nord" and alias.model == "crm.lead"
    mail = (b"Delivered-To: ventes-nord@example.org\r\n"
            b"From: Paul Leroux <paul@acme.example>\r\nTo: ventes-nord@example.org\r\n"
            b"Subject: Quote for 30 laptops\r\nMessage-ID: <q1@acme.example>\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nCould you send a quote?\r\n")
    outcome = gateway.process(env, mail)
    lead = env["crm.lead"].search([("name", "=", "Quote for 30 laptops")])
    assert outcome.status != "refused" and lead
    assert lead.type == "lead" and lead.team_id == team
    assert lead.email_from == "paul@acme.example"
    assert lead.user_id in team.member_ids, "assigned by the team's strategy"
    team.write({"alias_name": "ventes-nord-2"})
    assert alias.name == "ventes-nord-2"
    with pytest.raises(ValidationError):
        make_team(env, "Clash", alias_name="ventes-nord-2")
    with pytest.raises(ValidationError):
        team.write({"alias_name": "Not an alias!"})
    team.write({"alias_name": False})
    assert not team.alias_id and not alias.exists()


def test_team_counts_open_leads_and_opportunities(env, people, team):
    make_lead(env, "o1", team_id=team.id)
    make_lead(env, "l1", team_id=team.id, type="lead")
    make_lead(env, "w1", team_id=team.id).action_set_won()
    assert (team.lead_count, team.opportunity_count) == (1, 1)
