"""``comptoir import``: the mapping used and the counts printed, a dry run that commits
nothing, a committed import found again by a second run, --mapping (JSON or a file),
--default, --user, --rejects (CSV or XLSX) and --json; mistakes in one line."""
from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from core.cli import main
from core.modules.loading import Database

from .conftest import SHARED_TESTDATA

ACCOUNTS = SHARED_TESTDATA / "import" / "comptes.csv"


@pytest.fixture(scope="module")
def cli_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("importcli"), "impcli")
    database = Database(url, available=comptoir_available)
    database.install(["test_import"])
    with database.environment() as env:
        env["res.users"].create({"name": "Reader", "login": "cli-reader", "groups_id": [
            (6, 0, [env.ref("base.group_user").id])]})
    yield url
    database.engine.dispose()
    drop()


@pytest.fixture(autouse=True)
def _test_addons(monkeypatch, comptoir_available) -> None:
    """The CLI's database sees the test addons it was installed with."""
    monkeypatch.setattr("core.modules.loading.discover_addons", lambda: comptoir_available)


def run(url: str, *args: str):
    return CliRunner().invoke(main, ["--db", url, "import", *args])


def count(url: str, model: str, domain: list | None = None) -> int:
    database = Database(url)
    try:
        with database.environment() as env:
            return env[model].search_count(domain or [])
    finally:
        database.engine.dispose()


def test_dry_run_then_import_then_nothing_to_do(cli_db, tmp_path) -> None:
    companies = count(cli_db, "res.partner", [("is_company", "=", True)])
    dry = run(cli_db, "res.partner", str(ACCOUNTS), "--dry-run", "--default", "is_company=oui")
    assert dry.exit_code == 0, dry.output
    assert "comptes.csv: 517 rows (CSV, utf-8, delimiter ';')" in dry.output
    assert "  raison_sociale -> name" in dry.output and "ancien_id      -> -  (key)" in \
        dry.output
    assert "Dry run, nothing changed: 516 created, 0 updated, 0 unchanged, 0 skipped, " \
           "1 rejected." in dry.output
    assert "  line 198: raison_sociale: a value is required (Name)." in dry.output
    assert count(cli_db, "res.partner", [("is_company", "=", True)]) == companies
    rejects = tmp_path / "rejects.xlsx"
    done = run(cli_db, "res.partner", str(ACCOUNTS), "--default", "is_company=oui",
               "--rejects", str(rejects))
    assert done.exit_code == 0 and "516 created" in done.output
    assert f"Rejected rows written to {rejects}." in done.output
    sheet = list(openpyxl.load_workbook(rejects).active.iter_rows(values_only=True))
    assert sheet[0][-2:] == ("line", "reason") and sheet[1][0] == "CLI999001"
    assert count(cli_db, "res.partner", [("is_company", "=", True)]) == companies + 516
    again = run(cli_db, "res.partner", str(ACCOUNTS), "--json")
    data = json.loads(again.output)
    assert data["counts"] == {"created": 0, "updated": 0, "unchanged": 516, "skipped": 0,
                              "rejected": 1}
    assert data["key"] == "ancien_id" and data["prefix"] == "comptes"


def test_mapping_option_user_and_prefix(cli_db, tmp_path) -> None:
    people = tmp_path / "team.csv"
    people.write_text("code;full;mail;years\nT1;Ann Lee;ann@x.org;33\nT2;Bob;bob@x.org;x\n",
                      encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"full": "name", "years": "age"}), encoding="utf-8")
    done = run(cli_db, "test.import.person", str(people), "--mapping", str(mapping),
               "--key", "code", "--prefix", "staff", "--rejects", str(tmp_path / "r.csv"))
    assert done.exit_code == 0, done.output
    assert "1 created, 0 updated, 0 unchanged, 0 skipped, 1 rejected." in done.output
    assert "line 3: years: “x” is not a whole number." in done.output
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1] == \
        "T2;Bob;bob@x.org;x;3;years: “x” is not a whole number."
    inline = run(cli_db, "test.import.person", str(people), "--mapping",
                 '{"full": "name", "years": ""}', "--key", "code", "--prefix", "staff")
    assert "1 created, 0 updated, 1 unchanged, 0 skipped, 0 rejected." in inline.output
    denied = run(cli_db, "test.stage", str(people), "--user", "cli-reader", "--mapping",
                 '{"full": "name"}')
    assert denied.exit_code == 1 and "You may not create" in denied.output


@pytest.mark.parametrize("args, message", [
    (["no.such.model", str(ACCOUNTS)], "no.such.model"),
    (["res.partner", str(ACCOUNTS), "--mapping", "{oops"], "--mapping is neither"),
    (["res.partner", str(ACCOUNTS), "--mapping", '{"nope": "name"}'],
     "--mapping names columns the file does not have: nope"),
    (["res.partner", str(ACCOUNTS), "--mapping", '{"ville": "no_field"}'],
     "has no field “no_field”"),
    (["res.partner", str(ACCOUNTS), "--default", "color=red"], "--default expects"),
    (["res.partner", str(ACCOUNTS), "--default", "is_company=peut-être"],
     "--default is_company: “peut-être” is not yes or no"),
    (["res.partner", str(ACCOUNTS), "--user", "nobody"], "No user has the login 'nobody'"),
    (["res.partner", str(ACCOUNTS), "--key", "nope"], "The key column “nope” is not in"),
])
def test_mistakes_are_one_line(cli_db, args, message) -> None:
    result = run(cli_db, *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
