"""The ``comptoir`` command line: the commands work, and errors are one clear line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.config import DEFAULT_DB, database_url

from .test_loading import LIBRARY_V1, AddonFactory


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | None = None):  # noqa: A002
    return runner.invoke(main, list(args), input=input)


def test_db_init_list_and_shell(runner: CliRunner, fresh_db_url: str) -> None:
    result = run(runner, "--db", fresh_db_url, "db", "init", "--demo")
    assert result.exit_code == 0, result.output
    assert "installed base with demo data" in result.output
    again = run(runner, "--db", fresh_db_url, "db", "init", "--if-missing")
    assert again.exit_code == 0 and "already initialised" in again.output
    refused = run(runner, "--db", fresh_db_url, "db", "init")
    assert refused.exit_code == 1 and "already initialised" in refused.output
    listed = json.loads(run(runner, "--db", fresh_db_url, "addons", "list", "--json").output)
    base = next(row for row in listed if row["name"] == "base")
    assert base["state"] == "installed" and base["installed_version"] == "0.1.0"
    shell = run(runner, "--db", fresh_db_url, "shell", "-c",
                "print(env.ref('base.main_company').name)")
    assert shell.output.strip() == "Comptoir Démo SAS"


def test_install_upgrade_uninstall_through_cli(runner: CliRunner, fresh_db_url: str,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    factory = AddonFactory(tmp_path / "site")
    try:
        factory.write("library", LIBRARY_V1)
        available = factory.available("library")
        monkeypatch.setattr("core.modules.loading.discover_addons", lambda: available)
        assert run(runner, "--db", fresh_db_url, "db", "init").exit_code == 0
        installed = run(runner, "--db", fresh_db_url, "addons", "install", "library")
        assert installed.exit_code == 0, installed.output
        assert "Installed: library" in installed.output
        listing = run(runner, "--db", fresh_db_url, "addons", "list").output
        assert "library" in listing and "installed" in listing
        upgraded = run(runner, "--db", fresh_db_url, "addons", "upgrade", "library")
        assert upgraded.exit_code == 0 and "Upgraded: library" in upgraded.output
        declined = run(runner, "--db", fresh_db_url, "addons", "uninstall", "library", input="n\n")
        assert declined.exit_code == 1
        assert "library_book: 3 row(s)" in declined.output
        assert "nothing was changed" in declined.output
        still = json.loads(run(runner, "--db", fresh_db_url, "addons", "list", "--json").output)
        assert any(r["name"] == "library" and r["state"] == "installed" for r in still)
        removed = run(runner, "--db", fresh_db_url, "addons", "uninstall", "library", "--yes")
        assert removed.exit_code == 0 and "Uninstalled: library" in removed.output
    finally:
        factory.close()


@pytest.mark.parametrize("args, message", [
    (["addons", "install", "no_such_addon"], "no_such_addon"),
    (["addons", "uninstall", "base", "--yes"], "kernel"),
    (["addons", "upgrade", "nothing_here"], "Not installed"),
])
def test_errors_are_one_line_without_traceback(runner: CliRunner, fresh_db_url: str,
                                               args: list[str], message: str) -> None:
    assert run(runner, "--db", fresh_db_url, "db", "init").exit_code == 0
    result = run(runner, "--db", fresh_db_url, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")


@pytest.mark.sqlite_only
def test_uninitialised_and_unreachable_databases(runner: CliRunner, tmp_path: Path,
                                                 engine_name: str) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run(runner, "--db", empty, "shell", "-c", "print(1)")
    assert result.exit_code == 1 and "not initialised" in result.output
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"
    result = run(runner, "--db", unreachable, "addons", "list")
    assert result.exit_code == 1 and "cannot use the database" in result.output
    assert "Traceback" not in result.output


def test_check_passes_on_the_kernel(runner: CliRunner, fresh_db_url: str) -> None:
    assert run(runner, "--db", fresh_db_url, "db", "init").exit_code == 0
    result = run(runner, "--db", fresh_db_url, "check")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


@pytest.mark.sqlite_only
def test_check_reports_every_problem_with_ids(runner: CliRunner, tmp_path: Path,
                                              engine_name: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    factory = AddonFactory(tmp_path / "site")
    try:
        factory.write("sloppy", {
            "addon.toml": 'name = "sloppy"\nversion = "1.0"\ndata = ["data/sloppy.xml"]\n',
            "models/sloppy.py": """
                from core import Model, fields
                class Sloppy(Model):
                    _name = "sloppy.thing"
                    name = fields.Char()
                    partner_id = fields.Many2one("res.partner",
                                                 domain=[("is_compnay", "=", True)])
                    kind = fields.Selection("_kinds_selection")
            """,
            "data/sloppy.xml": """
                <comptoir>
                  <record id="a" model="sloppy.thing"><field name="nmae">x</field></record>
                  <record id="b" model="sloppy.thingy"><field name="name">y</field></record>
                </comptoir>
            """,
        })
        available = factory.available("sloppy")
        monkeypatch.setattr("core.modules.loading.discover_addons", lambda: available)
        monkeypatch.setattr("core.modules.loading.Database.installed",
                            lambda self, conn=None: {"base": "0.1.0", "sloppy": "1.0"})
        result = run(runner, "--db", f"sqlite:///{tmp_path / 'x.db'}", "check", "--json")
        assert result.exit_code == 1
        found = {(m["id"], m.get("line")) for m in json.loads(result.output)}
        assert ("data.E103", 2) in found          # unknown field nmae
        assert ("data.E102", 3) in found          # unknown model
        assert any(i == "models.E201" for i, _ in found)   # is_compnay in a domain
        assert any(i == "models.E202" for i, _ in found)   # missing selection method
        assert any(i == "access.E301" for i, _ in found)   # no access row
        text = run(runner, "--db", f"sqlite:///{tmp_path / 'x.db'}", "check").output
        assert "did you mean 'name'?" in text
    finally:
        factory.close()


def test_database_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPTOIR_DB", raising=False)
    assert database_url(None, cwd=tmp_path) == DEFAULT_DB
    (tmp_path / "comptoir.toml").write_text('db = "sqlite:///from_toml.db"\n')
    assert database_url(None, cwd=tmp_path) == "sqlite:///from_toml.db"
    monkeypatch.setenv("COMPTOIR_DB", "sqlite:///from_env.db")
    assert database_url(None, cwd=tmp_path) == "sqlite:///from_env.db"
    assert database_url("sqlite:///from_cli.db", cwd=tmp_path) == "sqlite:///from_cli.db"
    (tmp_path / "comptoir.toml").write_text('dbb = "x"\n')
    monkeypatch.delenv("COMPTOIR_DB")
    with pytest.raises(Exception, match="unknown setting"):
        database_url(None, cwd=tmp_path)
