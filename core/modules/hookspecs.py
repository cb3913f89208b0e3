"""Every pluggy hook an addon can implement, grouped by lifecycle phase.

This module is the contract between the kernel and addons: each hookspec says when it is
called, what it receives, what it returns and whether the first non-``None`` result wins.
Addons implement hooks in their package ``__init__`` with ``@hookimpl`` (re-exported by
``core``). ``docs/hooks.md`` documents each hook with its exact signature; a test keeps them
in step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from core.orm import Environment, Registry

__all__ = ["PROJECT_NAME", "CheckMessage", "hookimpl", "hookspec"]

PROJECT_NAME = "comptoir"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@dataclass(frozen=True)
class CheckMessage:
    """One problem reported by ``comptoir check``, with a stable id and an optional hint.

    Ids follow ``<area>.<E|W><number>`` (``helpdesk.E001``): ``E`` for errors, ``W`` for
    warnings.
    """

    id: str
    message: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return ".E" in self.id

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f" {self.file}:{self.line}:" if self.line is not None else f" {self.file}:"
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{self.id}{where} {self.message}{hint}"


# --- Command line: when the ``comptoir`` click group is built ------------------------------


@hookspec
def comptoir_cli_commands() -> list[click.Command]:
    """Return extra commands an addon adds to the ``comptoir`` command line.

    Called once, when the CLI builds its ``comptoir`` click group, for every installed addon.
    Takes no arguments. Returns a list of ``click.Command`` (or ``click.Group``) objects; the
    lists of all addons are concatenated and each command is added under its own name. Two
    commands with the same name are a configuration error. Not firstresult.
    """


@hookspec
def comptoir_routes() -> list:
    """Return the web endpoints an addon serves.

    Called when the web application builds its URL map, at start-up and again after the
    registry changed (an addon was installed or upgraded), for every installed addon.
    Takes no arguments. Returns a list of functions decorated with
    ``core.web.route(...)`` (each may declare several paths). The lists of all addons
    are concatenated with the kernel's own routes. Not firstresult.
    """


# --- Install, upgrade, uninstall: inside the transaction doing the change -------------------


@hookspec
def comptoir_post_install(env: Environment, addon: str) -> None:
    """Finish installing an addon: seed records that need code, compute initial values.

    Called once, right after the addon ``addon`` was installed (its tables created and its
    data and demo files loaded), in the same transaction, so an exception rolls the whole
    install back. Only the implementation of the addon being installed is called, never the
    other addons' ones. ``env`` is a superuser environment on the database being changed.
    Returns nothing. Not firstresult.
    """


@hookspec
def comptoir_post_upgrade(env: Environment, addon: str, from_version: str) -> None:
    """Finish upgrading an addon, after its schema and data were brought up to date.

    Called once, right after the addon ``addon`` was upgraded from version ``from_version``
    (the version recorded in the database before the upgrade) to the version in its
    manifest, after its migrations ran and its data files were reloaded, in the same
    transaction. Only the implementation of the addon being upgraded is called. ``env`` is a
    superuser environment. Returns nothing. Not firstresult.
    """


@hookspec
def comptoir_pre_uninstall(env: Environment, addon: str) -> None:
    """Clean up before an addon is removed: detach records other addons keep using.

    Called once, before the tables, columns and data records of the addon ``addon`` are
    removed, in the same transaction, while its models are still loaded. Only the
    implementation of the addon being uninstalled is called. Raising refuses the uninstall.
    ``env`` is a superuser environment. Returns nothing. Not firstresult.
    """


# --- Checks: when ``comptoir check`` (or start-up validation) runs -------------------------


@hookspec
def comptoir_checks(registry: Registry) -> list[CheckMessage]:
    """Return the load-time problems an addon finds in its own configuration.

    Called by ``comptoir check`` and at start-up validation, for every installed addon, once
    the model ``registry`` is fully built (all models composed, nothing written to the
    database). Returns a list of ``CheckMessage`` (an empty list when all is well); the lists
    of all addons are concatenated with the kernel's own checks, so every problem is reported
    at once. Not firstresult.
    """
