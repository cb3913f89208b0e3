"""Dependency graph: install order, missing dependencies, cycles, dependents."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.exceptions import DependencyError
from core.modules import Manifest, dependents, resolve_order, sort_installed


def manifest(name: str, *depends: str, auto_install: bool = False) -> Manifest:
    if name != "base" and "base" not in depends:
        depends = ("base", *depends)
    return Manifest(
        name=name,
        version="1.0",
        path=Path("/nowhere") / name,
        module=f"addons.{name}",
        depends=depends,
        auto_install=auto_install,
    )


def catalogue(*manifests: Manifest) -> dict[str, Manifest]:
    return {m.name: m for m in manifests}


@pytest.fixture
def available() -> dict[str, Manifest]:
    return catalogue(
        manifest("base"),
        manifest("mail"),
        manifest("crm_base", "mail"),
        manifest("helpdesk", "crm_base", "mail"),
        manifest("rma", "helpdesk"),
        manifest("knowledge"),
        manifest("aaa_reports"),
    )


def test_dependencies_come_first_and_base_always_first(available: dict[str, Manifest]) -> None:
    assert resolve_order(available, ["rma"]) == ["base", "mail", "crm_base", "helpdesk", "rma"]


def test_ties_are_broken_alphabetically_after_base(available: dict[str, Manifest]) -> None:
    order = resolve_order(available, ["knowledge", "aaa_reports", "mail"])
    assert order == ["base", "aaa_reports", "knowledge", "mail"]


def test_base_first_even_without_declared_edges() -> None:
    bare = {
        "aaa": Manifest(name="aaa", version="1", path=Path("."), module="aaa"),
        "base": Manifest(name="base", version="1", path=Path("."), module="base"),
    }
    assert resolve_order(bare, ["aaa", "base"]) == ["base", "aaa"]


def test_installed_addons_are_left_out(available: dict[str, Manifest]) -> None:
    order = resolve_order(available, ["helpdesk", "mail"], installed=["base", "mail"])
    assert order == ["crm_base", "helpdesk"]


def test_nothing_to_do_when_all_installed(available: dict[str, Manifest]) -> None:
    assert resolve_order(available, ["mail"], installed=["base", "mail"]) == []


def test_missing_dependency_names_the_chain(available: dict[str, Manifest]) -> None:
    available["crm_base"] = manifest("crm_base", "mail", "sales")
    with pytest.raises(DependencyError) as excinfo:
        resolve_order(available, ["helpdesk"])
    assert str(excinfo.value) == (
        "addon 'helpdesk' needs 'crm_base', which needs 'sales', which is not available"
    )


def test_missing_direct_dependency(available: dict[str, Manifest]) -> None:
    available["knowledge"] = manifest("knowledge", "wiki")
    with pytest.raises(DependencyError, match="^addon 'knowledge' needs 'wiki', which is not"):
        resolve_order(available, ["knowledge"])


def test_missing_wanted_addon(available: dict[str, Manifest]) -> None:
    with pytest.raises(DependencyError, match="addon 'sales' is not available"):
        resolve_order(available, ["sales"])


def test_every_missing_addon_is_reported(available: dict[str, Manifest]) -> None:
    available["knowledge"] = manifest("knowledge", "wiki")
    with pytest.raises(DependencyError) as excinfo:
        resolve_order(available, ["knowledge", "sales"])
    assert str(excinfo.value).splitlines() == [
        "addon 'sales' is not available",
        "addon 'knowledge' needs 'wiki', which is not available",
    ]


def test_cycle_is_named() -> None:
    available = catalogue(
        manifest("base"), manifest("a", "b"), manifest("b", "c"), manifest("c", "a")
    )
    with pytest.raises(DependencyError, match=r"^dependency cycle: a -> b -> c -> a$"):
        resolve_order(available, ["b"])


def test_cycle_reported_from_its_first_member() -> None:
    available = catalogue(
        manifest("base"), manifest("top", "y"), manifest("y", "x"), manifest("x", "y")
    )
    with pytest.raises(DependencyError, match=r"^dependency cycle: x -> y -> x$"):
        resolve_order(available, ["top"])


def test_auto_install_follows_its_dependencies(available: dict[str, Manifest]) -> None:
    available["crm_mail_bridge"] = manifest("crm_mail_bridge", "crm_base", auto_install=True)
    available["helpdesk_kb"] = manifest("helpdesk_kb", "helpdesk", "knowledge", auto_install=True)

    order = resolve_order(available, ["crm_base"])
    assert order == ["base", "mail", "crm_base", "crm_mail_bridge"]
    assert "helpdesk_kb" not in resolve_order(available, ["helpdesk"])
    assert resolve_order(available, ["knowledge"], installed=["base", "mail", "helpdesk"]) == [
        "knowledge",
        "helpdesk_kb",
    ]


def test_auto_install_reaches_a_fixpoint(available: dict[str, Manifest]) -> None:
    available["bridge"] = manifest("bridge", "mail", auto_install=True)
    available["bridge_extra"] = manifest("bridge_extra", "bridge", auto_install=True)
    assert resolve_order(available, ["mail"]) == ["base", "mail", "bridge", "bridge_extra"]


def test_auto_install_needs_something_new(available: dict[str, Manifest]) -> None:
    # an admin removed the bridge: installing something unrelated must not bring it back
    available["bridge"] = manifest("bridge", "mail", auto_install=True)
    assert resolve_order(available, ["knowledge"], installed=["base", "mail"]) == ["knowledge"]


def test_sort_installed(available: dict[str, Manifest]) -> None:
    order = sort_installed(available, {"helpdesk", "mail", "base", "crm_base", "knowledge"})
    assert order == ["base", "knowledge", "mail", "crm_base", "helpdesk"]


def test_sort_installed_refuses_unknown_or_incomplete(available: dict[str, Manifest]) -> None:
    with pytest.raises(DependencyError, match="not available any more: 'gone'"):
        sort_installed(available, ["base", "gone"])
    with pytest.raises(DependencyError, match="'helpdesk' needs 'crm_base', which is not"):
        sort_installed(available, ["base", "mail", "helpdesk"])


def test_dependents_in_reverse_order(available: dict[str, Manifest]) -> None:
    installed = ["base", "mail", "crm_base", "helpdesk", "rma", "knowledge"]
    assert dependents(available, "crm_base", installed) == ["rma", "helpdesk"]
    assert dependents(available, "mail", installed) == ["rma", "helpdesk", "crm_base"]
    assert dependents(available, "knowledge", installed) == []
    assert dependents(available, "crm_base", ["base", "mail", "crm_base"]) == []


def test_dependents_ignore_uninstalled_and_unknown(available: dict[str, Manifest]) -> None:
    assert dependents(available, "mail", ["base", "mail", "helpdesk", "ghost"]) == ["helpdesk"]
