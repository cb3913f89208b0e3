"""Addon discovery through the ``comptoir.addons`` entry-point group.

Each test builds its own site folder with fake installed distributions and puts it on a
``sys.path`` stripped of site-packages and the repository, so that whatever is installed in
the virtualenv (the ``comptoir`` distribution declares ``base``) does not leak in.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.exceptions import ConfigurationError, ManifestError
from core.modules import discover_addons

MANIFEST = 'name = "{name}"\nversion = "0.1"\nsummary = "Partner addon"\ndepends = ["mail"]\n'


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site folder that is the only place distributions are looked for."""
    site = tmp_path / "site"
    site.mkdir()
    repo = str(Path(__file__).resolve().parent.parent)
    kept = [
        entry
        for entry in sys.path
        if entry not in ("", ".", repo) and "site-packages" not in entry
    ]
    monkeypatch.setattr(sys, "path", [str(site), *kept])
    importlib.invalidate_caches()
    return site


def add_distribution(
    site: Path, dist: str, entry_points: dict[str, str], packages: dict[str, str] | None = None
) -> None:
    """Write a dist-info the way pip leaves it, and the addon packages it ships."""
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8"
    )
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[comptoir.addons]\n{lines}", encoding="utf-8")
    for package, toml in (packages or {}).items():
        folder = site / package
        folder.mkdir()
        (folder / "__init__.py").write_text("raise RuntimeError('must not run')\n")
        (folder / "addon.toml").write_text(toml, encoding="utf-8")
    importlib.invalidate_caches()


def test_dist_info_addon_is_discovered(site: Path) -> None:
    add_distribution(
        site,
        "comptoir_demo_partner",
        {"demo_partner": "comptoir_demo_partner"},
        {"comptoir_demo_partner": MANIFEST.format(name="demo_partner")},
    )

    addons = discover_addons()

    assert list(addons) == ["demo_partner"]
    manifest = addons["demo_partner"]
    assert manifest.name == "demo_partner"
    assert manifest.module == "comptoir_demo_partner"
    assert manifest.path == site / "comptoir_demo_partner"
    assert manifest.depends == ("base", "mail")
    assert "comptoir_demo_partner" not in sys.modules  # located, never executed


def test_nothing_declared(site: Path) -> None:
    assert discover_addons() == {}


def test_two_distributions_claiming_one_name(site: Path) -> None:
    add_distribution(site, "partner_a", {"crm": "partner_a_crm"})
    add_distribution(site, "partner_b", {"crm": "partner_b_crm"})

    with pytest.raises(ConfigurationError) as excinfo:
        discover_addons()

    message = str(excinfo.value)
    assert "addon 'crm' is declared twice" in message
    assert "'partner_a' (partner_a_crm)" in message
    assert "'partner_b' (partner_b_crm)" in message


def test_broken_manifests_are_all_reported(site: Path) -> None:
    add_distribution(
        site,
        "partner",
        {"one": "partner_one", "two": "partner_two"},
        {
            "partner_one": 'name = "one"\nversion = "1"\ndependss = []\n',
            "partner_two": 'name = "deux"\nversion = "1"\n',
        },
    )

    with pytest.raises(ManifestError) as excinfo:
        discover_addons()

    message = str(excinfo.value)
    assert "unknown key 'dependss'; did you mean 'depends'?" in message
    assert "name 'deux' does not match the addon name 'two'" in message


def test_entry_point_to_missing_or_non_package(site: Path) -> None:
    (site / "plain_module.py").write_text("")
    add_distribution(site, "partner", {"ghost": "no_such_package", "plain": "plain_module"})

    with pytest.raises(ConfigurationError) as excinfo:
        discover_addons()

    message = str(excinfo.value)
    assert not isinstance(excinfo.value, ManifestError)
    assert "'no_such_package' is not importable" in message
    assert "'plain_module' is a module, not a package" in message


def test_entry_point_naming_an_attribute_is_refused(site: Path) -> None:
    add_distribution(site, "partner", {"crm": "partner_crm:setup"})
    with pytest.raises(ConfigurationError, match="must name a package, not an attribute"):
        discover_addons()


def _write_wheel(tmp_path: Path, package: str, addon: str) -> Path:
    """A minimal but valid wheel, so pip can install it without any build backend."""
    wheel = tmp_path / f"{package}-0.1-py3-none-any.whl"
    info = f"{package}-0.1.dist-info"
    files = {
        f"{package}/__init__.py": "",
        f"{package}/addon.toml": MANIFEST.format(name=addon),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[comptoir.addons]\n{addon} = {package}\n",
    }
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


def _pip_install(target: Path, what: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--disable-pip-version-check", *extra, "--target", str(target), str(what)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pip_installed_wheel_is_discovered(tmp_path: Path, site: Path) -> None:
    wheel = _write_wheel(tmp_path, "comptoir_wheel_partner", "wheel_partner")

    result = _pip_install(site, wheel)

    assert result.returncode == 0, result.stderr
    addons = discover_addons()
    assert list(addons) == ["wheel_partner"]
    assert addons["wheel_partner"].path == site / "comptoir_wheel_partner"


def _can_build_without_isolation() -> bool:
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    if importlib.util.find_spec("wheel") is not None:
        return True
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (70, 1)  # setuptools ships bdist_wheel itself since 70.1


@pytest.mark.skipif(
    not _can_build_without_isolation(),
    reason="building offline needs 'wheel' or setuptools>=70.1 in the environment",
)
def test_pip_installed_setup_cfg_package_is_discovered(tmp_path: Path, site: Path) -> None:
    source = tmp_path / "src"
    (source / "comptoir_cfg_partner").mkdir(parents=True)
    (source / "comptoir_cfg_partner" / "__init__.py").write_text("")
    (source / "comptoir_cfg_partner" / "addon.toml").write_text(MANIFEST.format(name="cfg"))
    (source / "setup.cfg").write_text(
        "[metadata]\nname = comptoir-cfg-partner\nversion = 0.1\n\n"
        "[options]\npackages = comptoir_cfg_partner\ninclude_package_data = True\n\n"
        "[options.package_data]\ncomptoir_cfg_partner = addon.toml\n\n"
        "[options.entry_points]\ncomptoir.addons =\n    cfg = comptoir_cfg_partner\n"
    )
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
    )

    result = _pip_install(site, source, "--no-build-isolation")

    assert result.returncode == 0, result.stderr
    addons = discover_addons()
    assert list(addons) == ["cfg"]
    assert addons["cfg"].module == "comptoir_cfg_partner"
