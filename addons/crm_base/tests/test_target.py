"""Sales targets: periods from any day, one target per salesperson and period, the
amount won in the period (one grouped query for a whole list), who sees and sets them."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, ValidationError
from core.testing import count_queries

from addons.crm_base.models.crm_target import period_bounds, period_label

from .lead_factories import as_user
from .reporting_factories import lost_deal, make_org, won_deal


@pytest.fixture
def org(env):
    return make_org(env)


@pytest.mark.parametrize("day, period, bounds", [
    (dt.date(2026, 2, 14), "month", (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
    (dt.date(2028, 2, 14), "month", (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
    (dt.date(2026, 5, 31), "quarter", (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
    (dt.date(2026, 12, 1), "quarter", (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
    (dt.date(2026, 7, 4), "year", (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
])
def test_period_bounds(day, period, bounds):
    assert period_bounds(day, period) == bounds


def test_labels():
    assert period_label(dt.date(2026, 3, 9), "month") == "March 2026"
    assert period_label(dt.date(2026, 3, 9), "month", "fr_FR") == "Mars 2026"
    assert period_label(dt.date(2026, 5, 9), "quarter") == "Q2 2026"
    assert period_label(dt.date(2026, 5, 9), "year") == "2026"


def test_a_target_covers_its_whole_period_and_its_team(env, org):
    target = env["crm.target"].create({"user_id": org.rep.id, "period": "quarter",
                                       "date_start": dt.date(2026, 5, 17),
                                       "target_amount": 30000})
    assert (target.date_from, target.date_to) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert target.team_id == org.north  # the salesperson's main team
    assert target.display_name == "Remy Rep · Q2 2026"
    assert target.currency_id == env.company.currency_id
    target.write({"period": "month"})
    assert (target.date_from, target.date_to) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


def test_one_target_per_salesperson_and_period(env, org):
    targets = env["crm.target"]
    targets.create({"user_id": org.rep.id, "period": "month",
                    "date_start": dt.date(2026, 3, 1), "target_amount": 1000})
    # a quarterly one overlapping it is fine, so is another salesperson's
    targets.create({"user_id": org.rep.id, "period": "quarter",
                    "date_start": dt.date(2026, 3, 1), "target_amount": 3000})
    targets.create({"user_id": org.other.id, "period": "month",
                    "date_start": dt.date(2026, 3, 1), "target_amount": 1000})
    with pytest.raises(ValidationError, match="one target per period"):
        with env.savepoint():
            targets.create({"user_id": org.rep.id, "period": "month",
                            "date_start": dt.date(2026, 3, 28), "target_amount": 2000})
    with pytest.raises(ValidationError, match="not a member of the team South"):
        with env.savepoint():
            targets.create({"user_id": org.rep.id, "team_id": org.south.id, "period": "year",
                            "date_start": dt.date(2026, 3, 28), "target_amount": 2000})
    with pytest.raises(ValidationError, match="not negative"):
        with env.savepoint():
            targets.create({"user_id": org.leader.id, "period": "month",
                            "date_start": dt.date(2026, 3, 28), "target_amount": -5})


def test_won_amount_counts_the_periods_won_deals(env, org):
    won_deal(env, org.rep, 1000, dt.datetime(2026, 3, 2, 9, 0))
    won_deal(env, org.rep, 2500, dt.datetime(2026, 3, 31, 15, 0))
    won_deal(env, org.rep, 700, dt.datetime(2026, 4, 1, 10, 0))      # next month
    won_deal(env, org.rep, 400, dt.datetime(2026, 2, 27, 10, 0))     # month before
    won_deal(env, org.other, 9000, dt.datetime(2026, 3, 10, 10, 0))  # someone else's
    lost_deal(env, org.rep, 5000, dt.datetime(2026, 3, 12, 10, 0))   # lost: not counted
    targets = env["crm.target"]
    month = targets.create({"user_id": org.rep.id, "period": "month",
                            "date_start": dt.date(2026, 3, 15), "target_amount": 5000})
    quarter = targets.create({"user_id": org.rep.id, "period": "quarter",
                              "date_start": dt.date(2026, 3, 15), "target_amount": 8000})
    assert (month.won_amount, month.won_count, month.achievement) == (3500, 2, 70.0)
    assert (quarter.won_amount, quarter.won_count) == (3900, 3)
    assert quarter.achievement == 48.8
    empty = targets.create({"user_id": org.leader.id, "period": "year",
                            "date_start": dt.date(2026, 1, 1), "target_amount": 0})
    assert (empty.won_amount, empty.achievement) == (0, 0)


def test_a_deal_closed_near_midnight_counts_in_the_local_month(env, org):
    # 23:30 UTC on 31 March is already April in Paris
    won_deal(env, org.rep, 100, dt.datetime(2026, 3, 31, 23, 30))
    targets = env["crm.target"]
    march = targets.create({"user_id": org.rep.id, "period": "month",
                            "date_start": dt.date(2026, 3, 1), "target_amount": 100})
    april = targets.create({"user_id": org.rep.id, "period": "month",
                            "date_start": dt.date(2026, 4, 1), "target_amount": 100})
    in_utc = targets.browse([march.id, april.id]).with_context(tz="UTC")
    assert in_utc.mapped("won_amount") == [100, 0]
    env.cache.invalidate()
    in_paris = targets.browse([march.id, april.id]).with_context(tz="Europe/Paris")
    assert in_paris.mapped("won_amount") == [0, 100]


def test_a_list_of_targets_costs_the_same_queries_whatever_its_length(env, org):
    targets = env["crm.target"]
    people = [org.rep, org.leader, org.other, org.manager]
    for month in range(1, 13):
        won_deal(env, people[month % 4], 100 * month, dt.datetime(2026, month, 10, 10))
    for person in people:
        for month in (1, 4, 7, 10):
            targets.create({"user_id": person.id, "period": "quarter",
                            "date_start": dt.date(2026, month, 1), "target_amount": 1000})

    def read(ids):
        fresh = targets.browse(ids)
        env.cache.invalidate()
        with count_queries(env) as counter:
            rows = fresh.read(["user_id", "won_amount", "achievement", "display_name"])
        return counter.count, rows

    all_ids = targets.search([("user_id", "in", [p.id for p in people])]).ids
    few, _rows = read(all_ids[:2])
    many, rows = read(all_ids)
    assert len(rows) == 16 and many == few
    assert sum(row["won_amount"] for row in rows) == sum(100 * m for m in range(1, 13))


def test_salespeople_read_their_own_targets_managers_set_them(env, org):
    targets = env["crm.target"]
    mine = targets.create({"user_id": org.rep.id, "period": "month",
                           "date_start": dt.date(2026, 3, 1), "target_amount": 1000})
    leaders = targets.create({"user_id": org.leader.id, "period": "month",
                              "date_start": dt.date(2026, 3, 1), "target_amount": 1000})
    south = targets.create({"user_id": org.other.id, "period": "month",
                            "date_start": dt.date(2026, 3, 1), "target_amount": 1000})
    all_ids = [mine.id, leaders.id, south.id]
    as_rep = as_user(env, org.rep)["crm.target"]
    assert as_rep.search([("id", "in", all_ids)]) == as_rep.browse(mine.id)
    with pytest.raises(AccessError):
        as_rep.browse(mine.id).write({"target_amount": 5})
    with pytest.raises(AccessError):
        as_rep.create({"user_id": org.rep.id, "period": "year",
                       "date_start": dt.date(2026, 3, 1), "target_amount": 1})
    as_leader = as_user(env, org.leader)["crm.target"]
    assert set(as_leader.search([("id", "in", all_ids)]).ids) == {mine.id, leaders.id}
    as_manager = as_user(env, org.manager)["crm.target"]
    assert set(as_manager.search([("id", "in", all_ids)]).ids) == set(all_ids)
    as_manager.browse(south.id).write({"target_amount": 2000})
    assert south.target_amount == 2000
    as_manager.browse(south.id).unlink()
