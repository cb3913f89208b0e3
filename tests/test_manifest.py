"""addon.toml loading and validation."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.exceptions import ManifestError
from core.modules import Manifest, load_manifest


def write_addon(root: Path, name: str, toml: str, files: tuple[str, ...] = ()) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "addon.toml").write_text(toml, encoding="utf-8")
    for rel in files:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("<data/>", encoding="utf-8")
    return folder


def test_minimal_manifest_gets_defaults_and_base(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm_base", 'name = "crm_base"\nversion = "1.0"\n')

    manifest = load_manifest(folder, "addons.crm_base", expected_name="crm_base")

    assert manifest == Manifest(
        name="crm_base",
        version="1.0",
        path=folder,
        module="addons.crm_base",
        summary="",
        depends=("base",),
        data=(),
        demo=(),
        license="LGPL-3",
        category="Uncategorized",
        auto_install=False,
    )
    assert manifest.manifest_file == folder / "addon.toml"


def test_full_manifest(tmp_path: Path) -> None:
    folder = write_addon(
        tmp_path,
        "helpdesk",
        """
name = "helpdesk"
version = "2.1.0"
summary = "Tickets"
depends = ["mail", "crm_base"]
data = ["security/access.csv", "views/helpdesk_ticket.xml"]
demo = ["demo/tickets.xml"]
license = "AGPL-3"
category = "Services"
auto_install = true
""",
        files=("security/access.csv", "views/helpdesk_ticket.xml", "demo/tickets.xml"),
    )

    manifest = load_manifest(folder, "addons.helpdesk")

    assert manifest.depends == ("base", "mail", "crm_base")
    assert manifest.data == ("security/access.csv", "views/helpdesk_ticket.xml")
    assert manifest.demo == ("demo/tickets.xml",)
    assert (manifest.license, manifest.category, manifest.auto_install) == (
        "AGPL-3",
        "Services",
        True,
    )


def test_base_does_not_depend_on_itself(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "base", 'name = "base"\nversion = "0.1"\n')
    assert load_manifest(folder, "core.base", "base").depends == ()


def test_explicit_base_dependency_is_not_duplicated(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm"\nversion = "1"\ndepends = ["base"]\n')
    assert load_manifest(folder, "crm").depends == ("base",)


def test_manifest_is_frozen(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm"\nversion = "1"\n')
    manifest = load_manifest(folder, "crm")
    with pytest.raises(AttributeError):
        manifest.name = "other"  # type: ignore[misc]


def test_unknown_key_suggests_nearest(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm"\nversion = "1"\ndependss = []\n')

    with pytest.raises(ManifestError) as excinfo:
        load_manifest(folder, "crm")

    assert "addon.toml: unknown key 'dependss'; did you mean 'depends'?" in str(excinfo.value)
    assert str(folder / "addon.toml") in str(excinfo.value)


def test_unknown_key_without_close_match_lists_valid_keys(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm"\nversion = "1"\nzzz = 1\n')
    with pytest.raises(ManifestError, match="unknown key 'zzz'; valid keys: name, version"):
        load_manifest(folder, "crm")


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    folder = write_addon(
        tmp_path,
        "crm",
        """
name = "crm"
summry = "typo"
depends = "mail"
data = ["views/missing.xml", 3]
demo = ["../outside.xml"]
auto_install = "yes"
""",
    )

    with pytest.raises(ManifestError) as excinfo:
        load_manifest(folder, "crm")

    lines = str(excinfo.value).splitlines()
    assert excinfo.value.problems == lines  # type: ignore[attr-defined]
    expected = [
        "unknown key 'summry'; did you mean 'summary'?",
        "required key 'version' is missing",
        "key 'depends' must be a list of strings, not string 'mail'",
        "key 'data' must be a list of strings, not array",
        "key 'auto_install' must be a boolean (true or false), not string 'yes'",
        "demo file '../outside.xml' must be a path relative to the addon folder",
    ]
    assert len(lines) == len(expected)
    for line, fragment in zip(lines, expected):
        assert fragment in line
        assert line.startswith("manifest.E")
        assert str(folder / "addon.toml") in line


def test_missing_data_file_is_named(tmp_path: Path) -> None:
    folder = write_addon(
        tmp_path,
        "crm",
        'name = "crm"\nversion = "1"\ndata = ["views/a.xml", "views/b.xml"]\n',
        files=("views/a.xml",),
    )
    with pytest.raises(ManifestError) as excinfo:
        load_manifest(folder, "crm")
    assert "data file 'views/b.xml' does not exist" in str(excinfo.value)
    assert "views/a.xml" not in str(excinfo.value)


def test_name_must_match_expected_name(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm"\nversion = "1"\n')
    with pytest.raises(ManifestError, match="name 'crm' does not match the addon name 'sales'"):
        load_manifest(folder, "crm", expected_name="sales")


@pytest.mark.parametrize("name", ["Crm", "crm-base", "1crm", ""])
def test_name_must_be_a_lowercase_identifier(tmp_path: Path, name: str) -> None:
    folder = write_addon(tmp_path, "addon", f'name = "{name}"\nversion = "1"\n')
    with pytest.raises(ManifestError, match="must start with a lowercase letter"):
        load_manifest(folder, "addon")


def test_depends_on_itself_or_twice(tmp_path: Path) -> None:
    folder = write_addon(
        tmp_path, "crm", 'name = "crm"\nversion = "1"\ndepends = ["crm", "mail", "mail"]\n'
    )
    with pytest.raises(ManifestError) as excinfo:
        load_manifest(folder, "crm")
    assert "cannot depend on itself" in str(excinfo.value)
    assert "depends lists 'mail' twice" in str(excinfo.value)


def test_empty_version(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm"\nversion = " "\n')
    with pytest.raises(ManifestError, match="version must not be empty"):
        load_manifest(folder, "crm")


def test_missing_manifest_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no addon.toml in"):
        load_manifest(tmp_path, "nothing")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    folder = write_addon(tmp_path, "crm", 'name = "crm\n')
    with pytest.raises(ManifestError, match="addon.toml: invalid TOML") as excinfo:
        load_manifest(folder, "crm")
    assert excinfo.value.__cause__ is not None
