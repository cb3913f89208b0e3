"""A partner's addon shipped as a pip package is indistinguishable from a bundled one.

The test builds a real ``setup.cfg`` package declaring an entry point in the
``comptoir.addons`` group, installs it with pip into a temporary site folder, then
discovers, installs and uses it through the CLI.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main

PACKAGE_FILES = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61", "wheel"]
        build-backend = "setuptools.build_meta"
    """,
    "setup.cfg": """
        [metadata]
        name = comptoir-partner-warranty
        version = 1.0.0

        [options]
        packages = find:
        include_package_data = True

        [options.package_data]
        * = *.toml, data/*.xml, security/*.csv

        [options.entry_points]
        comptoir.addons =
            partner_warranty = partner_warranty
    """,
    "partner_warranty/__init__.py": """
        import click
        from core import hookimpl

        @click.command("warranty-count")
        def warranty_count():
            click.echo("warranties: ok")

        @hookimpl
        def comptoir_cli_commands():
            return [warranty_count]
    """,
    "partner_warranty/addon.toml": """
        name = "partner_warranty"
        version = "1.0.0"
        summary = "Warranties on contacts (a third-party addon)"
        data = ["data/warranty_data.xml", "security/access.csv"]
    """,
    "partner_warranty/models/__init__.py": "",
    "partner_warranty/models/partner_warranty.py": """
        from core import Model, fields

        class PartnerWarranty(Model):
            _name = "partner.warranty"
            _description = "Warranty"
            name = fields.Char(required=True)
            partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")

        class ResPartner(Model):
            _inherit = "res.partner"
            warranty_ids = fields.One2many("partner.warranty", "partner_id")
    """,
    "partner_warranty/data/warranty_data.xml": """
        <comptoir>
          <record id="warranty_main" model="partner.warranty">
            <field name="name">Main company warranty</field>
            <field name="partner_id" ref="base.main_partner"/>
          </record>
        </comptoir>
    """,
    "partner_warranty/security/access.csv": (
        "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
        "access_partner_warranty_user,warranty,model_partner_warranty,base.group_user,1,1,1,1\n"),
}


@pytest.fixture
def partner_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = tmp_path / "src"
    for relative, content in PACKAGE_FILES.items():
        path = source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--disable-pip-version-check", "--target", str(site),
         str(source)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (site / "partner_warranty" / "addon.toml").is_file()
    monkeypatch.syspath_prepend(str(site))
    yield site
    for key in [k for k in sys.modules if k.startswith("partner_warranty")]:
        del sys.modules[key]


def test_pip_installed_addon_installs_and_runs(partner_site: Path, fresh_db_url: str) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--db", fresh_db_url, "addons", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert '"partner_warranty"' in listed.output
    init = runner.invoke(main, ["--db", fresh_db_url, "db", "init", "--addons",
                                "partner_warranty"])
    assert init.exit_code == 0, init.output
    assert "partner_warranty" in init.output
    shell = runner.invoke(main, ["--db", fresh_db_url, "shell", "-c",
                                 "print(env.ref('base.main_partner').warranty_ids.name)"])
    assert shell.exit_code == 0, shell.output
    assert "Main company warranty" in shell.output
    command = runner.invoke(main, ["--db", fresh_db_url, "warranty-count"])
    assert command.exit_code == 0, command.output
    assert "warranties: ok" in command.output
    checked = runner.invoke(main, ["--db", fresh_db_url, "check"])
    assert checked.exit_code == 0, checked.output
