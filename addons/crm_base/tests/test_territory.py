"""Territories: the hierarchy, the criteria, the territory of accounts (computed, the most
specific wins, pinned when set by hand, recomputed when territories change) and of leads."""
from __future__ import annotations

import pytest

from core.exceptions import ValidationError
from core.testing import count_queries

from .lead_factories import make_lead


@pytest.fixture
def tree(env):
    france = env.ref("base.fr")
    territories = env["crm.territory"]
    north = territories.create({"name": "France Nord", "kind": "region",
                                "country_ids": [(6, 0, [france.id])],
                                "zip_prefixes": "59,62,75,77,78"})
    paris = territories.create({"name": "Paris", "kind": "sector", "parent_id": north.id,
                                "zip_prefixes": "75"})
    lille = territories.create({"name": "Lille", "kind": "sector", "parent_id": north.id,
                                "zip_prefixes": "59"})
    return {"north": north, "paris": paris, "lille": lille, "fr": france}


def test_complete_names_follow_the_hierarchy(env, tree):
    assert tree["paris"].complete_name == "France Nord / Paris"
    assert tree["paris"].display_name == "France Nord / Paris"
    tree["north"].write({"name": "Nord"})
    assert tree["paris"].complete_name == "Nord / Paris"
    with pytest.raises(ValidationError):
        tree["north"].write({"parent_id": tree["paris"].id})
    with pytest.raises(ValidationError):
        tree["paris"].write({"zip_prefixes": "75, 9*"})
    assert tree["north"].child_ids == tree["paris"] | tree["lille"]


def test_the_most_specific_territory_wins(env, tree):
    partners = env["res.partner"].create([
        {"name": "Paris Co", "zip": "75008", "country_id": tree["fr"].id},
        {"name": "Meaux Co", "zip": "77100", "country_id": tree["fr"].id},
        {"name": "Lyon Co", "zip": "69002", "country_id": tree["fr"].id},
        {"name": "Paris, Texas", "zip": "75460", "country_id": env.ref("base.us").id}])
    assert [p.territory_id for p in partners] == [
        tree["paris"], tree["north"], env["crm.territory"], env["crm.territory"]]
    # a longer prefix is more specific than a shorter one at the same depth
    eighth = env["crm.territory"].create({"name": "Paris 8", "kind": "sector",
                                          "parent_id": tree["north"].id,
                                          "zip_prefixes": "75008"})
    assert partners[0].territory_id == eighth


def test_address_changes_move_the_account_unless_set_by_hand(env, tree):
    partner = env["res.partner"].create({"name": "Moving Co", "zip": "75001",
                                         "country_id": tree["fr"].id})
    assert partner.territory_id == tree["paris"] and not partner.territory_manual
    partner.write({"zip": "59000"})
    assert partner.territory_id == tree["lille"]
    partner.write({"territory_id": tree["north"].id})
    assert partner.territory_manual
    partner.write({"zip": "75002"})
    assert partner.territory_id == tree["north"], "set by hand: kept"
    partner.write({"territory_id": False})
    assert not partner.territory_manual and partner.territory_id == tree["paris"]
    pinned = env["res.partner"].create({"name": "Pinned", "zip": "75001",
                                        "territory_id": tree["lille"].id})
    assert pinned.territory_id == tree["lille"] and pinned.territory_manual


def test_editing_territories_recomputes_the_accounts(env, tree):
    partner = env["res.partner"].create({"name": "Lyon Co", "zip": "69002",
                                         "country_id": tree["fr"].id})
    assert not partner.territory_id
    south = env["crm.territory"].create({"name": "France Sud", "zip_prefixes": "69,13"})
    assert partner.territory_id == south
    south.write({"zip_prefixes": "13"})
    assert not partner.territory_id
    south.write({"zip_prefixes": "13,69"})
    south.write({"active": False})
    assert not partner.territory_id
    assert tree["paris"].partner_count == 0


def test_industries_narrow_a_territory(env, tree):
    industry = env["res.partner.industry"].create({"name": "Health"})
    health = env["crm.territory"].create({"name": "Health Paris", "kind": "sector",
                                          "parent_id": tree["north"].id,
                                          "zip_prefixes": "75",
                                          "industry_ids": [(6, 0, [industry.id])]})
    partner = env["res.partner"].create({"name": "Clinic", "zip": "75010",
                                         "country_id": tree["fr"].id})
    assert partner.territory_id == tree["paris"]
    if "industry_id" in partner._fields:
        partner.write({"industry_id": industry.id})
        assert partner.territory_id == health


def test_recomputing_accounts_costs_the_same_for_10_or_100(env, tree):
    counts = []
    for size in (10, 100):
        partners = env["res.partner"].create([
            {"name": f"Batch {size} {i}", "zip": f"75{i % 20:03d}",
             "country_id": tree["fr"].id} for i in range(size)])
        env.invalidate_all()
        with count_queries(env) as counter:
            partners._assign_territory()
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_leads_take_the_account_territory_or_their_own_address(env, tree):
    account = env["res.partner"].create({"name": "Lille Co", "zip": "59000",
                                         "country_id": tree["fr"].id, "is_company": True})
    contact = env["res.partner"].create({"name": "Jeanne", "parent_id": account.id})
    lead = make_lead(env, partner_id=contact.id)
    assert lead.territory_id == tree["lille"], "the company's territory"
    lead = make_lead(env, "No account", zip="75010", country_id=tree["fr"].id)
    assert lead.territory_id == tree["paris"]
    lead.write({"zip": "59100"})
    assert lead.territory_id == tree["lille"]
    lead.write({"territory_id": tree["north"].id})
    assert lead.territory_id == tree["north"]
