"""ORM against hand-written SQLAlchemy Core: the same workload, timed on both engines.

For each engine (a SQLite file in a temporary directory; PostgreSQL when one answers at
``COMPTOIR_TEST_PG``), the ORM and plain SQLAlchemy Core run the same six workloads on the
same tables (``registry.metadata``):

1. create N partners in one batch;
2. search an ``ilike`` filter matching ~10% of them, plus a count;
3. read name, email, city and country name of N/5 records, on a fresh cache;
4. write the city of N/2 records;
5. count partners per country (``read_group``, when the model has it);
6. unlink N/5 records.

A *run* is the six workloads in order inside one transaction that is rolled back, so every
run starts from the same state. Runs alternate ORM/Core and the best time of each workload
is kept. An untimed warm-up run counts the SQL statements each side sends and checks that
both sides found the same things. The ratio ORM/Core should stay at or below ``TARGET``.

Usage::

    python bench/orm.py [--quick] [--engines sqlite,postgresql] [--check] [--profile]

Exit code 0 unless ``--check`` is given and a ratio exceeds the target.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from core.orm import SUPERUSER_ID, Environment, Model, Registry, fields
from core.orm.db import create_database, drop_database, fold, ids_in, make_engine
from core.orm.model_write import now_utc
from core.testing import QueryCounter, pg_admin_url, pg_available
from core.testing.engines import pg_test_url
from core.testing.orm_models import MinimalUsers

TARGET = 2.0
WORKLOADS = ("create", "search", "read", "write", "read_group", "unlink")
LABELS = {
    "create": "create {partners} partners (one batch)",
    "search": "search name ilike + count",
    "read": "read {read} records (4 fields)",
    "write": "write city on {write} records",
    "read_group": "count per country (read_group)",
    "unlink": "unlink {unlink} records",
}
SEARCH_TEXT = "xyz"
CITIES = ("Paris", "Marseille", "Toulouse", "Nantes", "Strasbourg", "Montpellier", "Bordeaux",
          "Lille", "Rennes", "Reims")


# --------------------------------------------------------------------------- models


class ResCountry(Model):
    _name = "res.country"
    _description = "Country"
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Char(size=3)


class ResPartner(Model):
    _name = "res.partner"
    _description = "Contact"

    name = fields.Char(required=True)
    email = fields.Char()
    city = fields.Char()
    phone = fields.Char()
    country_id = fields.Many2one("res.country")
    active = fields.Boolean(default=True)


def build_registry() -> Registry:
    """The models the bench runs on. Swap for the installed ``base`` addon's registry once
    it declares ``res.partner`` and ``res.country``: nothing else depends on these classes."""
    registry = Registry()
    registry.add("bench", [MinimalUsers, ResCountry, ResPartner])
    registry.setup()
    return registry


def prepare_database(engine: sa.Engine, registry: Registry, countries: int) -> None:
    """Create the tables, the administrator and the countries (committed once)."""
    with engine.begin() as conn:
        registry.metadata.create_all(conn)
        env = Environment(registry, conn, uid=SUPERUSER_ID)
        env["res.users"].create({"name": "Administrator"})
        env["res.country"].create([{"name": f"Country {i:03d}", "code": f"{i:03d}"}
                                   for i in range(countries)])


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Sizes:
    partners: int
    countries: int = 250

    @property
    def read(self) -> int:
        return len(range(0, self.partners, 5))

    @property
    def write(self) -> int:
        return len(range(0, self.partners, 2))

    @property
    def unlink(self) -> int:
        return len(range(1, self.partners, 5))


def partner_values(sizes: Sizes, country_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Partner dicts; one in ten has ``Xyz`` (accented, mixed case) in its name."""
    values = []
    for i in range(sizes.partners):
        name = f"Société Xÿz {i:05d}" if i % 10 == 0 else f"Partner {i:05d}"
        values.append({
            "name": name,
            "email": f"contact{i}@example.com",
            "city": CITIES[i % len(CITIES)],
            "phone": f"+33 1 {i:08d}",
            # a few partners without a country, so that the read has to cope with it
            "country_id": country_ids[i % len(country_ids)] if i % 50 != 49 else False,
        })
    return values


# --------------------------------------------------------------------------- the two sides


class OrmSide:
    """The workloads through the ORM, as an addon would write them."""

    name = "ORM"

    def __init__(self, registry: Registry, conn: sa.Connection) -> None:
        self.env = Environment(registry, conn, uid=SUPERUSER_ID)
        self.partners = self.env["res.partner"]

    def prepare(self, workload: str) -> None:
        if workload == "read":
            self.env.invalidate_all()

    def create(self, values: list[dict[str, Any]]) -> list[int]:
        return self.partners.create(values).ids

    def search(self) -> tuple[list[int], int]:
        domain = [("name", "ilike", SEARCH_TEXT)]
        return self.partners.search(domain).ids, self.partners.search_count(domain)

    def read(self, ids: list[int]) -> list[dict[str, Any]]:
        return self.partners.browse(ids).read(["name", "email", "city", "country_id"])

    def write(self, ids: list[int]) -> None:
        self.partners.browse(ids).write({"city": "Lyon"})

    def read_group(self) -> dict[Any, int] | None:
        if not hasattr(self.partners, "read_group"):
            return None
        groups = self.partners.read_group([], ["country_id"], ["country_id"])
        return {(g["country_id"] or (None,))[0]: g.get("country_id_count", g.get("__count"))
                for g in groups}

    def unlink(self, ids: list[int]) -> None:
        self.partners.browse(ids).unlink()


class CoreSide:
    """The same workloads in hand-written SQLAlchemy Core: one statement per operation,
    executemany for the batch insert, one array/JSON parameter for id lists. It stores what
    the ORM stores (audit columns, version, active) so that both sides do the same work."""

    name = "Core"

    def __init__(self, registry: Registry, conn: sa.Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.partner = registry["res.partner"]._sa_table
        self.country = registry["res.country"]._sa_table

    def prepare(self, workload: str) -> None:
        pass

    def create(self, values: list[dict[str, Any]]) -> list[int]:
        now = now_utc()
        audit = {"active": True, "create_uid": SUPERUSER_ID, "create_date": now,
                 "write_uid": SUPERUSER_ID, "write_date": now, "version": 1}
        rows = [{**row, "country_id": row["country_id"] or None, **audit} for row in values]
        table = self.partner
        return list(self.conn.execute(table.insert().returning(table.c.id), rows).scalars())

    def search(self) -> tuple[list[int], int]:
        p = self.partner
        where = sa.and_(
            p.c.active.is_(True), p.c.name.is_not(None),
            sa.func.lower(sa.func.unaccent(p.c.name)).like(f"%{fold(SEARCH_TEXT)}%"))
        ids = list(self.conn.execute(sa.select(p.c.id).where(where).order_by(p.c.id)).scalars())
        count = self.conn.execute(sa.select(sa.func.count()).select_from(p).where(where))
        return ids, count.scalar_one()

    def read(self, ids: list[int]) -> list[dict[str, Any]]:
        p, c = self.partner, self.country
        query = sa.select(p.c.id, p.c.name, p.c.email, p.c.city, p.c.country_id,
                          c.c.name).select_from(p.outerjoin(c, c.c.id == p.c.country_id)).where(
            ids_in(p.c.id, ids, self.dialect))
        return [{"id": row[0], "name": row[1], "email": row[2], "city": row[3],
                 "country_id": (row[4], row[5]) if row[4] else False}
                for row in self.conn.execute(query)]

    def write(self, ids: list[int]) -> None:
        p = self.partner
        self.conn.execute(p.update().where(ids_in(p.c.id, ids, self.dialect)).values(
            city="Lyon", write_uid=SUPERUSER_ID, write_date=now_utc(), version=p.c.version + 1))

    def read_group(self) -> dict[Any, int]:
        p, c = self.partner, self.country
        query = sa.select(p.c.country_id, c.c.name, sa.func.count(p.c.id)).select_from(
            p.outerjoin(c, c.c.id == p.c.country_id)).where(p.c.active.is_(True)).group_by(
            p.c.country_id, c.c.name).order_by(c.c.name)
        return {row[0]: row[2] for row in self.conn.execute(query)}

    def unlink(self, ids: list[int]) -> None:
        p = self.partner
        self.conn.execute(p.delete().where(ids_in(p.c.id, ids, self.dialect)))


Side = OrmSide | CoreSide


# --------------------------------------------------------------------------- running


@dataclass
class RunResult:
    times: dict[str, float] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, pstats.Stats] = field(default_factory=dict)


def _steps(side: Side, sizes: Sizes, country_ids: list[int],
           ids: list[int]) -> Iterator[tuple[str, Callable[[], Any]]]:
    """The workloads in order; ``ids`` is filled by the first one."""
    values = partner_values(sizes, country_ids)

    def create() -> list[int]:
        ids.extend(side.create(values))
        return ids

    yield "create", create
    yield "search", side.search
    yield "read", lambda: side.read(ids[0::5])
    yield "write", lambda: side.write(ids[0::2])
    yield "read_group", side.read_group
    yield "unlink", lambda: side.unlink(ids[1::5])


def run_once(engine: sa.Engine, registry: Registry, side_cls: type[Side], sizes: Sizes,
             country_ids: list[int], count: bool = False,
             profile: Sequence[str] = ()) -> RunResult:
    """One run of every workload in a transaction rolled back at the end."""
    result = RunResult()
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            side = side_cls(registry, conn)
            ids: list[int] = []
            for name, step in _steps(side, sizes, country_ids, ids):
                side.prepare(name)
                with _measure(result, name, conn, count, name in profile):
                    output = step()
                result.outputs[name] = output
                if output is None and name == "read_group":
                    result.times.pop(name, None)
        finally:
            transaction.rollback()
    return result


@contextmanager
def _measure(result: RunResult, name: str, conn: sa.Connection, count: bool,
             profile: bool) -> Iterator[None]:
    with ExitStack() as stack:
        counter = stack.enter_context(QueryCounter(conn.engine)) if count else None
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        yield
        if profiler:
            profiler.disable()
            result.profiles[name] = pstats.Stats(profiler)
        result.times[name] = time.perf_counter() - start
    if counter:
        result.queries[name] = counter.count


def _tidy(engine: sa.Engine) -> None:
    """Reclaim the rows the rolled-back run left behind, so runs do not slow down."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM res_partner")


def _check_same(orm: RunResult, core: RunResult) -> list[str]:
    """Differences between what the two sides found (a bench comparing apples to pears
    would be worse than none)."""
    problems = []
    if len(orm.outputs["create"]) != len(core.outputs["create"]):
        problems.append("create: not the same number of records")
    orm_ids, orm_count = orm.outputs["search"]
    core_ids, core_count = core.outputs["search"]
    if (len(orm_ids), orm_count) != (len(core_ids), core_count) or orm_count != len(orm_ids):
        problems.append(f"search: ORM found {len(orm_ids)}/{orm_count}, "
                        f"Core {len(core_ids)}/{core_count}")
    orm_rows = sorted(map(_comparable, orm.outputs["read"]), key=repr)
    core_rows = sorted(map(_comparable, core.outputs["read"]), key=repr)
    if orm_rows != core_rows:
        problems.append("read: the ORM and Core rows differ")
    groups = orm.outputs.get("read_group")
    if groups is not None and sorted(groups.values()) != sorted(
            core.outputs["read_group"].values()):
        problems.append("read_group: the ORM and Core counts differ")
    return problems


def _comparable(row: dict[str, Any]) -> tuple:
    country = row["country_id"]
    return row["name"], row["email"], row["city"], country and country[1]


@dataclass
class EngineReport:
    engine: str
    sizes: Sizes
    best: dict[str, dict[str, float]]
    queries: dict[str, dict[str, int]]
    notes: list[str]
    profiles: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def ratio(self, workload: str) -> float | None:
        orm, core = self.best["ORM"].get(workload), self.best["Core"].get(workload)
        if orm is None or not core:
            return None
        return orm / core


def bench_engine(engine: sa.Engine, sizes: Sizes, repeat: int,
                 profile: bool = False) -> EngineReport:
    """Warm-up (counting and checking), then ``repeat`` alternating timed runs per side."""
    started = time.perf_counter()
    registry = build_registry()
    prepare_database(engine, registry, sizes.countries)
    with engine.connect() as conn:
        country = registry["res.country"]._sa_table
        country_ids = list(conn.execute(sa.select(country.c.id).order_by(country.c.id)).scalars())
    sides: tuple[type[Side], ...] = (OrmSide, CoreSide)
    warm = {cls.name: run_once(engine, registry, cls, sizes, country_ids, count=True)
            for cls in sides}
    _tidy(engine)
    notes = _check_same(warm["ORM"], warm["Core"])
    if "read_group" not in warm["ORM"].times:
        notes.append("read_group: res.partner has no read_group() yet; line skipped")
    best: dict[str, dict[str, float]] = {cls.name: {} for cls in sides}
    for rep in range(repeat):
        for cls in sides if rep % 2 == 0 else sides[::-1]:
            times = run_once(engine, registry, cls, sizes, country_ids).times
            for name, seconds in times.items():
                best[cls.name][name] = min(seconds, best[cls.name].get(name, seconds))
            _tidy(engine)
    report = EngineReport(engine.dialect.name, sizes, best,
                          {name: run.queries for name, run in warm.items()}, notes)
    if profile:
        slow = [w for w in WORKLOADS if (report.ratio(w) or 0) > TARGET]
        if slow:
            run = run_once(engine, registry, OrmSide, sizes, country_ids, profile=slow)
            report.profiles = {name: _format_stats(stats) for name, stats in run.profiles.items()}
            _tidy(engine)
    report.seconds = time.perf_counter() - started
    return report


def _format_stats(stats: pstats.Stats, limit: int = 18) -> str:
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


# --------------------------------------------------------------------------- engines


@contextmanager
def sqlite_engine() -> Iterator[sa.Engine]:
    with tempfile.TemporaryDirectory(prefix="comptoir_bench_") as directory:
        engine = make_engine(f"sqlite:///{os.path.join(directory, 'bench.db')}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgresql_engine() -> Iterator[sa.Engine]:
    url = pg_test_url(f"comptoir_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    create_database(url)
    try:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        drop_database(url)


ENGINES: dict[str, Callable[[], Any]] = {"sqlite": sqlite_engine,
                                         "postgresql": postgresql_engine}


# --------------------------------------------------------------------------- output


def format_report(report: EngineReport) -> str:
    sizes = report.sizes
    head = (f"{'workload':<36} {'ORM ms':>9} {'Core ms':>9} {'ORM/Core':>9} {'target':>7} "
            f"{'result':>7} {'ORM SQL':>8} {'Core SQL':>9}")
    lines = [f"== {report.engine}: {sizes.partners} partners, {sizes.countries} countries "
             f"({report.seconds:.1f} s)", head, "-" * len(head)]
    for name in WORKLOADS:
        label = LABELS[name].format(partners=sizes.partners, read=sizes.read,
                                    write=sizes.write, unlink=sizes.unlink)
        orm, core = report.best["ORM"].get(name), report.best["Core"].get(name)
        queries = (report.queries["ORM"].get(name, "-"), report.queries["Core"].get(name, "-"))
        if orm is None or core is None:
            lines.append(f"{label:<36} {'-':>9} {_ms(core):>9} {'-':>9} {'≤ 2.0':>7} "
                         f"{'SKIP':>7} {'-':>8} {queries[1]:>9}")
            continue
        ratio = orm / core
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        lines.append(f"{label:<36} {_ms(orm):>9} {_ms(core):>9} {ratio:>9.2f} {'≤ 2.0':>7} "
                     f"{verdict:>7} {queries[0]:>8} {queries[1]:>9}")
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def report_data(report: EngineReport) -> dict[str, Any]:
    return {"engine": report.engine, "partners": report.sizes.partners,
            "seconds": round(report.seconds, 2), "notes": report.notes,
            "workloads": {name: {"orm_ms": _round_ms(report.best["ORM"].get(name)),
                                 "core_ms": _round_ms(report.best["Core"].get(name)),
                                 "ratio": report.ratio(name) and round(report.ratio(name), 3),
                                 "orm_sql": report.queries["ORM"].get(name),
                                 "core_sql": report.queries["Core"].get(name)}
                          for name in WORKLOADS}}


def _round_ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/orm.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 partners and 2 runs instead of 10,000 and 5")
    parser.add_argument("--engines", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--partners", type=int, help="number of partners (overrides --quick)")
    parser.add_argument("--repeat", type=int, help="timed runs per side (best one is kept)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 when an ORM/Core ratio exceeds {TARGET}")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the ORM side of the workloads over the target")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    args.engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = sorted(set(args.engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engine(s) {unknown}; choose among {sorted(ENGINES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = Sizes(args.partners or (1_000 if args.quick else 10_000))
    repeat = args.repeat or (2 if args.quick else 5)
    reports: list[EngineReport] = []
    skipped: dict[str, str] = {}
    for name in args.engines:
        if name == "postgresql" and not pg_available():
            skipped[name] = f"no PostgreSQL answers at {_safe_url(pg_admin_url())}"
            if not args.json:
                print(f"== postgresql: skipped ({skipped[name]})", flush=True)
            continue
        with ENGINES[name]() as engine:
            report = bench_engine(engine, sizes, repeat, profile=args.profile)
        reports.append(report)
        if not args.json:
            print(format_report(report), end="\n\n", flush=True)
            for workload, text in report.profiles.items():
                print(f"-- profile of the ORM side of {workload!r} on {name}\n{text}")
    if args.json:
        print(json.dumps({"target": TARGET, "engines": [report_data(r) for r in reports],
                          "skipped": skipped}, indent=2))
    failed = [(r.engine, w) for r in reports for w in WORKLOADS
              if (r.ratio(w) or 0) > TARGET]
    return 1 if args.check and failed else 0


def _safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
