"""``read_group`` and ``_read_group_raw`` against Python computations, on both engines.

The data set mixes NULLs (also NULL booleans and ``''`` texts written behind the ORM's
back), archived rows, dates across year ends and ISO weeks 52/53/1, and datetimes near
midnight and daylight-saving changes so that time zones move rows between periods.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.exceptions import ValidationError
from core.orm import Model, fields
from core.testing import count_queries


class Stage(Model):
    _name = "test.rg.stage"
    _order = "sequence, id"
    name = fields.Char()
    sequence = fields.Integer()


class Partner(Model):
    _name = "test.rg.partner"
    name = fields.Char()
    active = fields.Boolean(default=True)


class Order(Model):
    _name = "test.rg.order"
    name = fields.Char()
    partner_id = fields.Many2one("test.rg.partner")
    stage_id = fields.Many2one("test.rg.stage")
    state = fields.Selection([("draft", "Draft"), ("sent", "Sent"), ("done", "Done")])
    is_urgent = fields.Boolean()
    amount = fields.Float()
    qty = fields.Integer()
    date = fields.Date()
    moment = fields.Datetime()
    note = fields.Text()
    active = fields.Boolean(default=True)


DATES = [None, "2020-12-28", "2020-12-31", "2021-01-01", "2021-01-03", "2021-01-04",
         "2024-12-29", "2025-12-29", "2025-12-31", "2026-01-01", "2026-01-12", "2026-02-15",
         "2026-03-31", "2026-04-01", "2026-12-28", "2027-01-03"]
MOMENTS = [None, "2025-12-31 23:30:00", "2026-01-01 00:30:00", "2026-03-29 00:30:00",
           "2026-03-29 01:30:00", "2026-06-30 22:30:00", "2026-10-25 00:30:00",
           "2026-10-25 23:30:00", "2020-12-31 23:59:59", "2027-01-03 23:00:00",
           "2026-01-04 23:30:00"]
GRANULARITIES = ["day", "week", "month", "quarter", "year"]


@pytest.fixture
def data(make_orm_env: Callable[..., Any]) -> dict[str, Any]:
    env = make_orm_env(Stage, Partner, Order)
    # created out of sequence order, so that ordering by sequence differs from ids
    won, new, lost = env["test.rg.stage"].create(
        [{"name": "Won", "sequence": 30}, {"name": "New", "sequence": 10},
         {"name": "Lost", "sequence": 20}])
    partners = env["test.rg.partner"].create(
        [{"name": "Zeta"}, {"name": "Acme"}, {"name": "Gone", "active": False}])
    stages, states = [won.id, new.id, lost.id, None], ["draft", "sent", "done", None]
    rows = []
    for i in range(48):
        rows.append({
            "name": ["Alpha", "", None, "beta", "Alpha"][i % 5],
            "partner_id": [*partners.ids, None][i % 4], "stage_id": stages[i * 7 % 4],
            "state": states[i % 4 if i % 5 else 3], "is_urgent": [True, False, None][i % 3],
            "amount": None if i % 11 == 0 else (i % 7) * 12.5,
            "qty": None if i % 6 == 0 else i % 5, "date": DATES[i % len(DATES)],
            "moment": MOMENTS[i % len(MOMENTS)], "active": i % 9 != 4})
    orders = env["test.rg.order"].create([{k: v for k, v in row.items() if v is not None}
                                          for row in rows])
    for row, rec_id in zip(rows, orders.ids):
        row["id"] = rec_id
        row["date"] = row["date"] and dt.date.fromisoformat(row["date"])
        row["moment"] = row["moment"] and dt.datetime.fromisoformat(row["moment"])
    table = env["test.rg.order"]._sa_table
    for column in ("amount", "is_urgent", "qty"):  # real NULLs, as older data may hold
        ids = [r["id"] for r in rows if r[column] is None]
        env.execute(sa.update(table).where(table.c.id.in_(ids)).values({column: None}))
    env.invalidate_all()
    return {"env": env, "rows": rows, "stages": (new, lost, won), "partners": partners,
            "model": env["test.rg.order"]}


def active(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["active"]]


def period(day: dt.date | None, granularity: str) -> dt.date | None:
    if day is None:
        return None
    return {"day": day, "week": day - dt.timedelta(days=day.weekday()),
            "month": day.replace(day=1),
            "quarter": dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
            "year": dt.date(day.year, 1, 1)}[granularity]


def local_day(moment: dt.datetime | None, tz: str | None) -> dt.date | None:
    if moment is None or tz is None:
        return moment and moment.date()
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(tz)).date()


def assert_round_trip(model: Any, groups: list[dict], count_key: str = "__count") -> None:
    """Each ``__domain`` finds exactly the group's records; together, all of them once."""
    seen: list[int] = []
    for group in groups:
        found = model.search(group["__domain"])
        assert len(found) == group[count_key], group
        seen += found.ids
    assert len(seen) == len(set(seen))


def test_many2one_lazy_aggregates(data: dict) -> None:
    model, rows = data["model"], active(data["rows"])
    new, lost, won = data["stages"]
    groups = model.read_group(
        [], ["amount:sum", "qty", "id:count", "partner_id:count_distinct",
             "total:sum(amount)", "name", "stage_id"], ["stage_id", "state"])
    assert [g["stage_id"] for g in groups] == [(new.id, "New"), (lost.id, "Lost"),
                                              (won.id, "Won"), False]
    by_stage: dict[Any, list[dict]] = defaultdict(list)
    for row in rows:
        by_stage[row["stage_id"]].append(row)
    for group in groups:
        members = by_stage[(group["stage_id"] or [None])[0]]
        amounts = [r["amount"] for r in members if r["amount"] is not None]
        assert group["stage_id_count"] == group["id"] == len(members)
        assert group["amount"] == group["total"] == sum(amounts)
        assert group["qty"] == sum(r["qty"] or 0 for r in members)
        assert group["partner_id"] == len({r["partner_id"] for r in members} - {None})
        assert group["__context"] == {"group_by": ["state"]}
        assert "name" not in group
    assert groups[0]["__domain"] == [("stage_id", "=", new.id)]
    assert groups[-1]["__domain"] == [("stage_id", "=", False)]
    assert_round_trip(model, groups, "stage_id_count")


def test_aggregate_functions(data: dict) -> None:
    model, rows = data["model"], active(data["rows"])
    groups = model.read_group([], ["avg:avg(amount)", "low:min(amount)", "high:max(amount)",
                                   "first:min(date)", "urgent:bool_or(is_urgent)",
                                   "all_urgent:bool_and(is_urgent)"], [])
    assert len(groups) == 1
    (group,) = groups
    amounts = [r["amount"] for r in rows if r["amount"] is not None]
    assert group["__count"] == len(rows)
    assert group["avg"] == pytest.approx(sum(amounts) / len(amounts))
    assert (group["low"], group["high"]) == (min(amounts), max(amounts))
    assert group["first"] == min(r["date"] for r in rows if r["date"])
    assert (group["urgent"], group["all_urgent"]) == (True, False)
    assert group["__domain"] == []


def test_date_granularities(data: dict) -> None:
    for granularity in GRANULARITIES:
        check_date_granularity(data["model"], active(data["rows"]), granularity)


def check_date_granularity(model: Any, rows: list[dict], granularity: str) -> None:
    spec = f"date:{granularity}"
    groups = model.read_group([("qty", "!=", 3)], ["amount:sum"], [spec])
    kept = [r for r in rows if r["qty"] != 3]
    expected = Counter(period(r["date"], granularity) for r in kept)
    starts = sorted(k for k in expected if k) + [None]
    assert [g["date_count"] for g in groups] == [expected[k] for k in starts]
    for group, start in zip(groups, starts):
        if start is None:
            assert group[spec] is False and group["__range"] == {spec: False}
            assert group["__domain"][:2] == ["&", ("date", "=", False)]
        else:
            bounds = group["__range"][spec]
            assert bounds["from"] == start.isoformat()
            following = dt.date.fromisoformat(bounds["to"])
            assert following > start and period(following - dt.timedelta(1), granularity) \
                == start
    assert_round_trip(model, groups, "date_count")


def test_date_labels(data: dict) -> None:
    model = data["model"]
    domain = [("date", "in", ["2026-01-12", "2021-01-01", "2027-01-03", "2024-12-29",
                              "2025-12-29"])]
    labels = {g: [x[f"date:{g}"] for x in model.read_group(domain, [], [f"date:{g}"])]
              for g in GRANULARITIES}
    assert labels["day"] == ["01 Jan 2021", "29 Dec 2024", "29 Dec 2025", "12 Jan 2026",
                             "03 Jan 2027"]
    assert labels["week"] == ["W53 2020", "W52 2024", "W01 2026", "W03 2026", "W53 2026"]
    assert labels["month"] == ["January 2021", "December 2024", "December 2025",
                               "January 2026", "January 2027"]
    assert labels["quarter"] == ["Q1 2021", "Q4 2024", "Q4 2025", "Q1 2026", "Q1 2027"]
    assert labels["year"] == ["2021", "2024", "2025", "2026", "2027"]
    (default,) = model.read_group([("date", "=", "2026-01-12")], [], ["date"])
    assert default["date"] == "January 2026"
    assert default["__range"] == {"date": {"from": "2026-01-01", "to": "2026-02-01"}}
    assert default["__domain"] == ["&", "&", ("date", ">=", "2026-01-01"),
                                   ("date", "<", "2026-02-01"), ("date", "=", "2026-01-12")]


def test_datetime_granularities_and_time_zones(data: dict) -> None:
    for tz in (None, "Europe/Brussels", "America/New_York"):
        check_datetime_granularities(data["model"], active(data["rows"]), tz)
    utc = data["model"].read_group([], [], ["moment:day"])
    assert data["model"].with_context(tz="No/Where").read_group([], [], ["moment:day"]) == utc


def check_datetime_granularities(model: Any, rows: list[dict], tz: str | None) -> None:
    if tz:
        model = model.with_context(tz=tz)
    for granularity in GRANULARITIES:
        groups = model.read_group([], [], [f"moment:{granularity}"], lazy=False)
        expected = Counter(period(local_day(r["moment"], tz), granularity) for r in rows)
        starts = sorted(k for k in expected if k) + [None]
        assert [g["__count"] for g in groups] == [expected[k] for k in starts], granularity
        assert_round_trip(model, groups)
        raw = model._read_group_raw([], [f"moment:{granularity}"], ["__count"])
        assert raw == [(k, expected[k]) for k in starts]
    (group,) = model.read_group([("moment", "=", "2025-12-31 23:30:00")], [],
                                ["moment:year"])
    offset = {None: 0, "Europe/Brussels": 1, "America/New_York": -5}[tz]
    assert group["moment:year"] == ("2026" if offset > 0 else "2025")
    start = dt.datetime(2026 if offset > 0 else 2025, 1, 1) - dt.timedelta(hours=offset)
    assert group["__range"]["moment:year"]["from"] == start.strftime("%Y-%m-%d %H:%M:%S")


def test_non_lazy_scalar_groupbys_and_round_trip(data: dict) -> None:
    model, rows = data["model"], active(data["rows"])
    groupby = ["state", "is_urgent", "name", "qty"]
    groups = model.read_group([], ["amount:sum"], groupby, lazy=False)

    def tagged(*values: Any) -> tuple:  # 0 == False in Python, not in groups
        return tuple((type(v).__name__, v) for v in values)
    expected = Counter(tagged(r["state"] or False, bool(r["is_urgent"]), r["name"] or False,
                              False if r["qty"] is None else r["qty"]) for r in rows)
    assert {tagged(*[g[f] for f in groupby]): g["__count"] for g in groups} == expected
    assert all("__context" not in g and "state_count" not in g for g in groups)
    assert_round_trip(model, groups)
    # NULL and False booleans form one group, like NULL and '' texts
    assert len({g["is_urgent"] for g in groups}) == 2
    assert {g["name"] for g in groups} == {"Alpha", "beta", False}


def test_orderby_limit_offset(data: dict) -> None:
    model, rows = data["model"], active(data["rows"])
    new, lost, won = data["stages"]
    by_amount = model.read_group([], ["amount:sum"], ["stage_id"], orderby="amount desc")
    sums = [g["amount"] for g in by_amount]
    assert sums == sorted(sums, reverse=True)
    by_count = model.read_group([], [], ["partner_id"], orderby="__count desc, partner_id")
    counts = [g["partner_id_count"] for g in by_count]
    assert counts == sorted(counts, reverse=True)
    desc = model.read_group([], [], ["stage_id"], orderby="stage_id desc")
    assert [g["stage_id"] and g["stage_id"][0] for g in desc] == [False, won.id, lost.id,
                                                                  new.id]
    lazy = model.read_group([], [], ["stage_id", "state"], orderby="state desc")
    assert [g["stage_id"] and g["stage_id"][0] for g in lazy] == [new.id, lost.id, won.id,
                                                                  False]
    page = model.read_group([], [], ["stage_id"], limit=2, offset=1)
    assert [g["stage_id"][0] for g in page] == [lost.id, won.id]
    by_name = model.read_group([], [], ["partner_id"])
    assert [g["partner_id"] and g["partner_id"][1] for g in by_name] == [
        "Zeta", "Acme", "Gone", False]  # comodel _order is id; archived partner named
    months = model.read_group([], ["qty:sum"], ["date:year", "stage_id"], lazy=False,
                              orderby="date:year desc, qty")
    years = [g["date:year"] for g in months]
    assert years[0] is False and years[1:] == sorted(years[1:], reverse=True)
    assert len(months) == len({(r["date"] and r["date"].year, r["stage_id"]) for r in rows})


def test_active_test(data: dict) -> None:
    model, rows = data["model"], data["rows"]
    total = sum(g["__count"] for g in model.read_group([], [], ["state"], lazy=False))
    assert total == len(active(rows))
    everything = model.with_context(active_test=False).read_group([], [], ["state"])
    assert sum(g["state_count"] for g in everything) == len(rows)
    archived = model.read_group([("active", "=", False)], [], ["state"])
    assert sum(g["state_count"] for g in archived) == len(rows) - len(active(rows))
    assert_round_trip(model, archived, "state_count")


def test_read_group_raw(data: dict) -> None:
    model, rows = data["model"], active(data["rows"])
    raw = model._read_group_raw([], ["stage_id", "date:year"],
                                ["__count", "amount:sum", "qty:max"])
    expected: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        expected[(row["stage_id"], period(row["date"], "year"))].append(row)
    assert len(raw) == len(expected)
    for stage_id, year, count, amount, qty in raw:
        members = expected[(stage_id, year)]
        assert isinstance(year, (dt.date, type(None))) and count == len(members)
        assert amount == sum(r["amount"] or 0 for r in members)
        assert qty == max((r["qty"] for r in members if r["qty"] is not None), default=None)
    assert model._read_group_raw([("id", "=", 0)], [], ["__count", "amount:sum"]) == [
        (0, None)]


def test_query_count(data: dict) -> None:
    env, model = data["env"], data["model"]
    env.invalidate_all()
    with count_queries(env) as counter:
        groups = model.read_group([], ["amount:sum"], ["stage_id", "partner_id", "date"],
                                  lazy=False)
    assert counter.count == 3, counter.statements  # groups, stage names, partner names
    assert groups and all(isinstance(g["stage_id"], (tuple, bool)) for g in groups)
    with count_queries(env) as counter:
        model.read_group([], ["amount:sum"], ["state", "date:week"], lazy=False)
    assert counter.count == 1


ERRORS = [
    (["amount:sum"], ["stage_i"], None, "Did you mean 'stage_id'"),
    (["amount:summ"], ["state"], None, "Did you mean 'sum'"),
    (["amout:sum"], ["state"], None, "Did you mean 'amount'"),
    (["x:sum(amout)"], ["state"], None, "Did you mean 'amount'"),
    (["name:sum"], ["state"], None, "does not apply"),
    ([], ["date:months"], None, "Did you mean 'month'"),
    ([], ["state:month"], None, "granularity"),
    ([], ["note"], None, "not groupable"),
    ([], ["amount"], None, "not groupable"),
    ([], ["display_name"], None, "not stored"),
    (["amount:sum; drop table x"], ["state"], None, "Invalid"),
    ([], ["state"], "amount desc", "neither"),
    ([], ["state"], "state; delete", "Invalid group order"),
    (["qty:sum", "qty:max"], ["state"], None, "used twice"),
]


def test_errors(data: dict) -> None:
    model = data["model"]
    for fields, groupby, orderby, message in ERRORS:
        with pytest.raises(ValidationError, match=message):
            model.read_group([], fields, groupby, orderby=orderby)
    with pytest.raises(ValidationError, match="Did you mean 'sum'"):
        model._read_group_raw([], ["state"], ["__count"], order="amount:summ")
    with pytest.raises(ValidationError, match="Invalid groupby"):
        model._read_group_raw([], ["partner_id.name"], ["__count"])
