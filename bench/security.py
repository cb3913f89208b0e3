"""Record rules cost: a search as a rule-restricted user against the same search as the
superuser, on 100,000 contacts, on SQLite and PostgreSQL (target: ratio at most 1.3).

The database is a real one: ``base`` installed, rules stored as ``ir.rule`` records and
compiled into the SQL of each search by the ORM. Two rules are measured: "own contacts"
(``user_id = user.id``) and a rule through a path (``user_id.groups_id`` — a join through
a many2many). Each search is the list page's pair: ``search(limit=80)`` plus
``search_count``. Runs alternate between the two users; the best of N is kept.

    python bench/security.py [--rows 100000] [--repeat 7] [--engines sqlite,postgresql]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from bench.orm import ENGINES  # noqa: E402
from core.modules.loading import Database  # noqa: E402
from core.orm import Environment  # noqa: E402
from core.orm.db import optimize  # noqa: E402
from core.testing.engines import pg_available  # noqa: E402

TARGET = 1.3
RULES = {
    "own contacts": "[('user_id', '=', user.id)]",
    "path through groups": "['|', ('user_id', '=', user.id), "
                           "('user_id.groups_id', 'in', user.groups_id.ids)]",
}


def populate(database: Database, rows: int) -> tuple[int, int]:
    """100k contacts spread over 20 salespeople; returns (restricted uid, superuser uid)."""
    with database.environment() as env:
        users = env["res.users"].create([
            {"name": f"Rep {i}", "login": f"rep{i}",
             "groups_id": [(6, 0, [env.ref("base.group_user").id])]} for i in range(20)])
        table = env["res.partner"]._sa_table
        now = sa.func.now() if env.dialect == "postgresql" else sa.func.datetime("now")
        batch = [{"name": f"Contact {i} {'abcdefghij'[i % 10]}", "user_id": users.ids[i % 20],
                  "active": True, "type": "contact", "is_company": False, "version": 1,
                  "city": "Lyon" if i % 3 else "Paris"} for i in range(rows)]
        for start in range(0, rows, 10000):
            env.execute(table.insert().values(create_date=now), batch[start:start + 10000])
        optimize(env.conn)  # what the scheduler and imports do after bulk changes
        return users.ids[7], 1  # rep 7 owns contacts the search matches


def set_rule(database: Database, domain: str) -> None:
    with database.environment() as env:
        env["ir.rule"].search([("name", "=like", "bench:%")]).unlink()
        env["ir.rule"].create({"name": "bench: rule", "domain_force": domain,
                               "model_id": env.ref("base.model_res_partner").id,
                               "groups": [(6, 0, [env.ref("base.group_user").id])]})


def timed(database: Database, uid: int, su: bool, repeat: int) -> tuple[float, int]:
    registry = database.registry
    best, count = float("inf"), 0
    with database.engine.connect() as conn:
        for _ in range(repeat):
            with conn.begin():
                env = Environment(registry, conn, uid=uid, su=su)
                partners = env["res.partner"]
                start = time.perf_counter()
                found = partners.search([("name", "ilike", "7 h")], limit=80)
                count = partners.search_count([("name", "ilike", "7 h")])
                best = min(best, time.perf_counter() - start)
                assert len(found) <= 80
    return best, count


def bench_engine(name: str, rows: int, repeat: int) -> list[dict[str, Any]]:
    results = []
    with ENGINES[name]() as engine:
        database = Database(str(engine.url.render_as_string(hide_password=False)),
                            engine=engine)
        database.install(["base"])
        restricted, superuser = populate(database, rows)
        for label, domain in RULES.items():
            set_rule(database, domain)
            timed(database, restricted, False, 1)      # warm caches (rules per user)
            pairs = []
            for _ in range(repeat):
                pairs.append((timed(database, superuser, True, 1),
                               timed(database, restricted, False, 1)))
            su_time = min(p[0][0] for p in pairs)
            user_time = min(p[1][0] for p in pairs)
            results.append({"engine": name, "rule": label, "rows": rows,
                            "superuser_ms": su_time * 1000, "user_ms": user_time * 1000,
                            "ratio": user_time / su_time,
                            "superuser_count": pairs[0][0][1], "user_count": pairs[0][1][1]})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 above the target")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    for name in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if name == "postgresql" and not pg_available():
            print("postgresql: skipped (no server answers)")
            continue
        results.extend(bench_engine(name, args.rows, args.repeat))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        head = f"{'engine':<11} {'rule':<20} {'superuser ms':>12} {'user ms':>9} {'ratio':>6} " \
               f"{'target':>7} {'result':>6} {'rows seen (su/user)':>20}"
        print(head)
        print("-" * len(head))
        for r in results:
            verdict = "PASS" if r["ratio"] <= TARGET else "FAIL"
            print(f"{r['engine']:<11} {r['rule']:<20} {r['superuser_ms']:>12.1f} "
                  f"{r['user_ms']:>9.1f} {r['ratio']:>6.2f} {'≤ 1.3':>7} {verdict:>6} "
                  f"{str(r['superuser_count']) + '/' + str(r['user_count']):>20}")
    failed = any(r["ratio"] > TARGET for r in results)
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())


__all__: list[Callable[..., Any]] = [main]
