"""The ORM benchmark runs end to end (tiny sizes, SQLite only). Never timed: the figures
belong to ``bench/README.md``, not to a test that would fail on a busy machine."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "orm.py"
TINY = ["--quick", "--engines", "sqlite", "--partners", "50", "--repeat", "1"]
LINES = ("create 50 partners", "search name ilike + count", "read 10 records",
         "write city on 25 records", "count per country", "unlink 10 records")


def _run(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH), *TINY, *extra], capture_output=True,
                          text=True, timeout=120, cwd=BENCH.parents[1])


def test_bench_prints_every_workload_line() -> None:
    done = _run()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("== sqlite: 50 partners")
    for label in LINES:
        line = next((line for line in lines if line.startswith(label)), None)
        assert line is not None, f"no line for {label!r} in:\n{done.stdout}"
        assert re.search(r"\b(PASS|FAIL|SKIP)\b", line), line
    assert "postgresql" not in done.stdout
    assert not [line for line in lines if line.startswith("note:") and "differ" in line]


def test_bench_json_has_every_workload() -> None:
    done = _run("--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    (engine,) = data["engines"]
    assert engine["engine"] == "sqlite"
    assert set(engine["workloads"]) == {"create", "search", "read", "write", "read_group",
                                        "unlink"}
    assert engine["workloads"]["create"]["orm_sql"] >= 1


def test_security_bench_runs_on_a_real_database() -> None:
    bench = BENCH.with_name("security.py")
    done = subprocess.run([sys.executable, str(bench), "--rows", "400", "--repeat", "1",
                           "--engines", "sqlite", "--json"], capture_output=True, text=True,
                          timeout=180, cwd=BENCH.parents[1])
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert {r["rule"] for r in results} == {"own contacts", "path through groups"}
    own = next(r for r in results if r["rule"] == "own contacts")
    assert own["user_count"] == own["superuser_count"] // 2   # rule compiled in: half visible


def test_web_bench_prints_both_pages() -> None:
    """``bench/web.py --quick`` at tiny sizes: both pages over real HTTP, same HTML on both
    sides; the figures themselves are never asserted."""
    bench = BENCH.with_name("web.py")
    done = subprocess.run([sys.executable, str(bench), "--quick", "--partners", "40",
                           "--requests", "3", "--repeat", "1"], capture_output=True,
                          text=True, timeout=300, cwd=BENCH.parents[1])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("== sqlite: 40 contacts")
    for label in ("list page", "form page"):
        line = next((line for line in lines if line.startswith(label)), None)
        assert line is not None, f"no line for {label!r} in:\n{done.stdout}"
        assert re.search(r"\b(PASS|FAIL)\b", line), line
    assert not [line for line in lines if line.startswith("note:")], done.stdout


def test_crm_bench_prints_both_lines() -> None:
    """``bench/crm.py`` at a tiny size: the real import and duplicate finder run (the
    timings are never looked at)."""
    bench = BENCH.with_name("crm.py")
    done = subprocess.run([sys.executable, str(bench), "--rows", "200", "--repeat", "1",
                           "--engines", "sqlite"], capture_output=True, text=True,
                          timeout=300, cwd=BENCH.parents[1])
    assert done.returncode == 0, done.stderr
    assert "sqlite     import" in done.stdout and "sqlite     duplicates" in done.stdout
