"""``comptoir fields``: add, list, remove, export and import custom fields; an exported
file moves a configuration to another database, through the CLI or an addon's data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.modules.custom_fields_export import IMPORT_MODULE
from core.modules.loading import Database

from .test_loading import AddonFactory


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def two_dbs(engine_name, tmp_path_factory):
    """Two initialised databases: 'test' (where fields are designed) and 'production';
    each test uses fields of its own."""
    from core.testing.plugin import scratch_database
    folder = tmp_path_factory.mktemp("cfcli")
    made = [scratch_database(engine_name, folder, f"cf_{label}") for label in
            ("test", "prod")]
    for url, _drop in made:
        Database(url).install(["base"])
    yield [url for url, _drop in made]
    for _url, drop in made:
        drop()


def run(runner, url, *args):
    result = runner.invoke(main, ["--db", url, "fields", *args])
    return result


def test_add_list_and_remove(runner, two_dbs):
    url = two_dbs[0]
    added = run(runner, url, "add", "res.partner", "region", "--type", "selection",
                "--selection", "n:North,s:South", "--default", "n", "--label", "Region",
                "--help", "Where the customer is", "--required")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "Added x_region (selection) to res.partner."
    assert run(runner, url, "add", "res.partner", "x_manager_id", "--type", "many2one",
               "--relation", "res.users", "--index").exit_code == 0
    listed = json.loads(run(runner, url, "list", "res.partner", "--json").output)
    region = next(row for row in listed if row["name"] == "x_region")
    assert region == {"model": "res.partner", "name": "x_region", "type": "selection",
                      "label": "Region", "relation": None, "required": True, "index": False,
                      "groups": None, "default": "n",
                      "options": [["n", "North"], ["s", "South"]]}
    assert next(r for r in listed if r["name"] == "x_manager_id")["label"] == "Manager"
    text = run(runner, url, "list").output
    assert "res.partner.x_manager_id" in text and "many2one → res.users" in text
    with Database(url).environment() as env:
        env["res.partner"].create({"name": "CF Cli", "x_region": "s"})
    refused = run(runner, url, "remove", "res.partner", "region")
    assert refused.exit_code == 1 and "--drop-data" in refused.output
    removed = run(runner, url, "remove", "res.partner", "region", "--drop-data")
    assert removed.exit_code == 0, removed.output
    assert "Removed x_region from res.partner and its values on" in removed.output
    assert "x_region" not in run(runner, url, "list").output


@pytest.mark.parametrize("args,message", [
    (["add", "res.partnr", "x_a", "--type", "char"], "did you mean 'res.partner'"),
    (["add", "res.partner", "x_a", "--type", "one2many"], "type is one of"),
    (["add", "res.partner", "x_a", "--type", "many2one"], "links to"),
    (["add", "res.partner", "x_a", "--type", "integer", "--default", "many"],
     "not a valid integer"),
    (["remove", "res.partner", "x_missing"], "has no custom field x_missing"),
])
def test_mistakes_are_one_clear_line(runner, two_dbs, args, message):
    result = run(runner, two_dbs[0], *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_export_then_import_moves_the_configuration(runner, two_dbs, tmp_path):
    test, prod = two_dbs
    assert run(runner, test, "add", "res.partner", "zone", "--type", "selection",
               "--selection", "in:Inside,out:Outside", "--default", "out").exit_code == 0
    assert run(runner, test, "add", "res.partner", "x_visit", "--type", "date",
               "--label", "Next Visit", "--index").exit_code == 0
    assert run(runner, test, "add", "res.partner", "x_friend_ids", "--type", "many2many",
               "--relation", "res.partner").exit_code == 0
    with Database(test).environment() as env:  # translations travel too
        zone = env["ir.model.fields"].search([("name", "=", "x_zone")])
        zone.with_context(lang="fr_FR").write({"field_description": "Zone"})
        zone.selection_ids[:1].with_context(lang="fr_FR").write({"name": "Dedans"})
    exported = run(runner, test, "export", "--model", "res.partner")
    assert exported.exit_code == 0 and exported.output.startswith("<?xml")
    path = tmp_path / "custom_fields.xml"
    path.write_text(exported.output, encoding="utf-8")
    for _round in range(2):  # loading again updates what the first load created
        loaded = run(runner, prod, "import", str(path))
        assert loaded.exit_code == 0, loaded.output
    with Database(prod).environment() as env:
        fields = env["res.partner"]._fields
        assert {"x_zone", "x_visit", "x_friend_ids"} <= set(fields)
        partner = env["res.partner"].create({"name": "CF Prod"})
        assert partner.x_zone == "out" and fields["x_visit"].index
        french = env(context={"lang": "fr_FR"})["res.partner"].fields_get(["x_zone"])
        assert french["x_zone"]["string"] == "Zone"
        assert french["x_zone"]["selection"][0] == ["in", "Dedans"]
        records = set(re.findall(r'<record id="([^"]+)"', exported.output))
        assert {"field_res_partner__x_zone", "field_res_partner__x_zone__in"} <= records
        assert env["ir.model.data"].search_count([("module", "=", IMPORT_MODULE)]) == len(
            records)
    assert run(runner, prod, "export", "--model", "res.partner").output == exported.output


def test_an_addon_ships_custom_fields_in_its_data(two_dbs, tmp_path, runner):
    test, prod = two_dbs
    assert run(runner, test, "add", "res.company", "x_tier", "--type", "integer",
               "--default", "3").exit_code == 0
    factory = AddonFactory(tmp_path / "site")
    try:
        factory.write("cf_config", {
            "addon.toml": 'name = "cf_config"\nversion = "1.0"\nsummary = "Fields"\n'
                          'depends = ["base"]\ndata = ["data/custom_fields.xml"]\n',
            "data/custom_fields.xml": run(runner, test, "export", "--model",
                                          "res.company").output})
        database = Database(prod, available=factory.available("cf_config"))
        database.install(["cf_config"])
        assert "x_tier" in database.registry["res.company"]._fields  # no stale registry
        with database.environment() as env:
            assert env["res.company"].create({"name": "CF Tier"}).x_tier == 3
        database.upgrade(["cf_config"])
        with database.environment() as env:
            assert env["ir.model.fields"].search_count([("name", "=", "x_tier")]) == 1
        database.uninstall(["cf_config"], drop_data=True)
        with database.environment() as env:  # what the admin loaded stays theirs
            assert "x_tier" in env["res.company"]._fields
    finally:
        factory.close()


def test_import_refuses_a_field_that_exists_under_another_origin(runner, two_dbs, tmp_path):
    test, prod = two_dbs
    for url in (test, prod):
        assert run(runner, url, "add", "res.country", "x_code", "--type", "char"
                   ).exit_code == 0
    path = Path(tmp_path / "fields.xml")
    path.write_text(run(runner, test, "export", "--model", "res.country").output,
                    encoding="utf-8")
    result = run(runner, prod, "import", str(path))
    assert result.exit_code == 1 and "already has a field 'x_code'" in result.output
