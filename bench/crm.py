"""CRM throughput: importing the legacy accounts export and finding duplicates, each
against a baseline measured in the same run (machines here are noisy: only ratios count).

* import: ``comptes.csv`` (517 rows) through ``core.imports`` (reading, mapping, typed
  conversion, normalisation, duplicate detection, external ids, per-row savepoints) against
  the ORM creating the same 517 accounts from ready values in one batch (target: ratio at
  most 6: the import does the ORM's work plus everything a migration needs);
* duplicates: ``res.partner._find_duplicates`` for 200 prospective accounts (what creating
  or importing them checks) against creating those 200 accounts, on a database of
  ``--rows`` accounts (target: ratio at most 4).

Each measure runs in a transaction rolled back afterwards; the best of N is kept.

    python bench/crm.py [--rows 5000] [--repeat 3] [--engines sqlite,postgresql] [--check]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.orm import ENGINES  # noqa: E402
from core.imports import prepare, read_file, run_import  # noqa: E402
from core.modules.loading import Database  # noqa: E402
from core.testing.engines import pg_available  # noqa: E402

EXPORT = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "import" / "comptes.csv"
TARGETS = {"import": 6.0, "duplicates": 4.0}
TRADES = ["Boulangerie", "Transports", "Conseil", "Informatique", "Pharmacie", "Garage",
          "Imprimerie", "Menuiserie", "Cabinet", "Laboratoire", "Fromagerie", "Hôtel",
          "Clinique", "Agence", "Atelier", "Brasserie", "Plomberie", "Librairie"]
NAMES = ["Dupont", "Martin", "Bernard", "Leroy", "Moreau", "Girard", "Lefèvre", "Roux",
         "Fournier", "Garnier", "Chevalier", "Faure", "Blanc", "Guerin", "Muller", "Henry",
         "Rousseau", "Mathieu", "Clément", "Gauthier", "Perrin", "Morin", "Lambert", "Bonnet"]
CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Nice", "Brest", "Metz", "Caen", "Tours",
          "Dijon", "Reims", "Angers", "Nîmes", "Pau", "Annecy", "Arras", "Valence", "Vannes"]
FORMS = ["SARL", "SAS", "", "EURL", "SA"]


def company_name(i: int) -> str:
    """Plausible and mostly distinct French company names (as many as 7,776 x 5)."""
    return " ".join(filter(None, (TRADES[i % 18], NAMES[(i // 18) % 24],
                                  CITIES[(i // 432) % 18], FORMS[(i // 7776) % 5])))


def best(run: Callable[[], Any], database: Database, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``run(env)``, each in a rolled-back transaction."""
    times = []
    for _ in range(repeat):
        with database.engine.connect() as conn:
            transaction = conn.begin()
            from core.orm import Environment
            env = Environment(database.registry, conn)
            start = time.perf_counter()
            run(env)
            times.append(time.perf_counter() - start)
            transaction.rollback()
    return min(times)


def populate(database: Database, rows: int) -> None:
    with database.environment() as env:
        partners = env["res.partner"].with_context(crm_skip_duplicates=True,
                                                   tracking_disable=True)
        for start in range(0, rows, 1000):
            partners.create([{"name": company_name(i), "is_company": True,
                              "email": f"contact{i}@example{i % 97}.fr", "city": "Lyon"}
                             for i in range(start, min(rows, start + 1000))])


def measure(engine: Any, rows: int, repeat: int) -> dict[str, tuple[float, float]]:
    database = Database(engine.url.render_as_string(hide_password=False), engine=engine)
    database.install(["crm_base"])
    populate(database, rows)
    data = EXPORT.read_bytes()

    def import_file(env: Any) -> None:
        model = env["res.partner"]
        table = read_file(data, "comptes.csv")
        run_import(model, table, prepare(model, table))

    ready: list[dict[str, Any]] = []

    def collect(env: Any) -> None:  # the baseline's values: what the import creates
        model = env["res.partner"]
        before = set(model.search([]).ids)
        import_file(env)
        created = model.search([("id", "not in", list(before))])
        ready.extend({k: v for k, v in row.items() if k != "id"} for row in created.read(
            ["name", "is_company", "email", "phone", "city", "zip", "siren"],
            load="_classic_write"))

    best(collect, database, 1)

    def create_ready(env: Any) -> None:
        env["res.partner"].with_context(crm_skip_duplicates=True).create(
            [dict(v, siren=False, email=False) for v in ready])

    # one prospect in four is an existing account written differently
    prospects = [{"name": company_name(i * 37).upper() + " S.A.R.L." if i % 4 == 0
                  else f"{TRADES[i % 18]} {NAMES[(i * 5) % 24]}-{CITIES[(i * 7) % 18]} Nord",
                  "is_company": True, "email": f"new{i}@example.org"} for i in range(200)]

    def find(env: Any) -> None:
        env["res.partner"]._find_duplicates(prospects)

    def create_prospects(env: Any) -> None:
        env["res.partner"].with_context(crm_skip_duplicates=True).create(prospects)

    return {"import": (best(import_file, database, repeat), best(create_ready, database, repeat)),
            "duplicates": (best(find, database, repeat),
                           best(create_prospects, database, repeat))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a ratio misses its target")
    args = parser.parse_args()
    failed = False
    for engine in args.engines.split(","):
        if engine == "postgresql" and not pg_available():
            print("postgresql: not available, skipped")
            continue
        with ENGINES[engine]() as sa_engine:
            results = measure(sa_engine, args.rows, args.repeat)
        for name, (measured, baseline) in results.items():
            ratio = measured / baseline
            ok = ratio <= TARGETS[name]
            failed |= not ok
            print(f"{engine:10} {name:10} {measured * 1000:8.1f} ms / baseline "
                  f"{baseline * 1000:8.1f} ms = {ratio:5.2f} (target <= {TARGETS[name]})"
                  f"{'' if ok else '  MISSED'}")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
