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

    from core.automation import AssignmentStrategy, AutomationAction
    from core.mail import NotificationChannel
    from core.orm import Environment, Registry
    from core.web.client.dashboard_widgets import DashboardWidget

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


# --- Custom fields: before an admin removes one --------------------------------------------


@hookspec
def comptoir_field_usages(env: Environment, model: str, field: str) -> list[str]:
    """Return where the addon uses the field ``field`` of the model ``model``.

    Called before a custom field is removed (admin screen, ``comptoir fields remove``,
    ``unlink`` of its ``ir.model.fields`` row), for every installed addon, inside the
    transaction doing the removal. ``env`` is a superuser environment. Returns a list of
    short translated lines, one per record using the field (``"Workflow 'Tickets'"``), or
    an empty list. The lists of all addons are concatenated with the kernel's own findings
    (views, record rules, saved searches, actions); any line refuses the removal and is
    shown to the admin. Not firstresult.
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


# --- Automation: when a registry's catalogues of actions and strategies are built ----------


@hookspec
def comptoir_automation_actions() -> list[AutomationAction]:
    """Return the action kinds an addon adds to automation rules and workflow transitions.

    Called once per registry, the first time the catalogue of action kinds is needed (an
    action runs, or the action form lists the kinds), for every installed addon. Takes no
    arguments. Returns a list of ``core.automation.AutomationAction`` (``key``, ``label``,
    ``run(action_run)``, ``help``); ``run`` receives a ``core.automation.ActionRun``
    (superuser ``env`` keeping the triggering user's ``uid``, ``records``, the ``action``
    row with its ``params``, ``trigger``, ``message``) and raises to report a failure.
    The lists of all addons are concatenated with the kernel's kinds (``set_values``,
    ``assign``, ``webhook``); two kinds with the same key are a configuration error.
    Not firstresult.
    """


@hookspec
def comptoir_assignment_strategies() -> list[AssignmentStrategy]:
    """Return the assignment strategies an addon adds (who gets each record).

    Called once per registry, the first time the catalogue of strategies is needed
    (``core.automation.assign`` runs, or the action form lists the strategies), for every
    installed addon. Takes no arguments. Returns a list of
    ``core.automation.AssignmentStrategy`` (``key``, ``label``, ``choose(context)``);
    ``choose`` receives a ``core.automation.AssignmentContext`` (``records``,
    ``candidates``, ``field``, ``key``, ``options``) and returns ``{record id: user id or
    False}``. The lists of all addons are concatenated with the kernel's strategies
    (``round_robin``, ``load``, ``field_match``); two strategies with the same key are a
    configuration error. Not firstresult.
    """


# --- Notifications: when a registry's catalogue of notification channels is built --------


@hookspec
def comptoir_notification_channels() -> list[NotificationChannel]:
    """Return the notification channels an addon adds beside the inbox and e-mail.

    Called once per registry, the first time the catalogue of channels is needed (a
    message notifies its recipients, or the inbox lists the channels a user may opt in
    to), for every installed addon. Takes no arguments. Returns a list of
    ``core.mail.NotificationChannel`` (``key``, ``label``, ``send(delivery)``,
    ``available(env)``, ``help``); ``send`` receives a ``core.mail.Delivery``
    (superuser ``env``, ``notification``, ``partner``, ``message``, ``subject``,
    ``text``, ``url``) and raises to report a failure; ``available`` says whether the
    channel is configured in a database. The lists of all addons are concatenated; two
    channels with the same key, or the key ``inbox`` or ``email``, are a configuration
    error. Not firstresult.
    """


# --- Dashboards: when a registry's catalogue of dashboard widgets is built -----------------


@hookspec
def comptoir_dashboard_widgets() -> list[DashboardWidget]:
    """Return the widgets an addon adds to dashboards (figures beyond one read_group).

    Called once per registry, the first time a dashboard shows a ``<widget name="...">``
    element, for every installed addon. Takes no arguments. Returns a list of
    ``core.web.client.dashboard_widgets.DashboardWidget`` (``key``, ``label``,
    ``render(context)``, ``help``); ``render`` receives a ``WidgetContext`` (the viewing
    user's ``env``, ``today`` in his time zone, the element's ``title`` and ``options``,
    the dashboard's ``model`` and search ``domain``) and returns ``Tile`` and ``Table``
    items; a ``UserError`` it raises is shown in place of the widget. The lists of all
    addons are concatenated; two widgets with the same key are a configuration error.
    Not firstresult.
    """


# --- Merging records: after references were rewired, before the duplicates go ------------


@hookspec
def comptoir_merge_records(env: Environment, model: str, source_ids: list[int],
                           target_id: int) -> None:
    """Move what an addon keeps *beside* records of ``model`` from the duplicates
    ``source_ids`` to the kept record ``target_id``.

    Called by the kernel's merge (``core.merge``) for every installed addon, inside the
    merging transaction, after every many2one / many2many / reference column pointing at
    a duplicate (found through the metadata, custom fields included) was rewired to the
    kept record, and before the duplicates are archived or deleted. It is for links the
    metadata cannot see: records pointing with a ``(res_model, res_id)`` pair (messages,
    followers, activities, attachments) or an addon's own tables. ``env`` is a superuser
    environment. Returns nothing; raising refuses the merge. Not firstresult.
    """


# --- Web: share users and the customer portal -----------------------------------------------

if TYPE_CHECKING:
    from core.portal import PortalSection


@hookspec
def comptoir_share_home(env: Environment) -> str | None:
    """Return the page a share user (a portal customer) lands on instead of the back office.

    Called by the web application when a logged-in member of a share group asks for a
    back-office page (any ``auth="user"`` route: ``/web``, the web client, the chatter's
    endpoints), for every installed addon. ``env`` is that user's environment (his rights
    apply). Returns a local path (``"/my"``) or ``None`` when the addon has no page for
    him. The first path of the results wins: pluggy calls an addon before those it
    depends on, so an addon may override the portal's home. When no addon gives one, the
    request is refused with a 403 page. Not firstresult.
    """


@hookspec
def comptoir_portal_sections(env: Environment) -> list[PortalSection]:
    """Return the sections an addon adds to the customer portal's home page (``/my``).

    Called each time the portal's home page is drawn, for every installed addon. ``env``
    is the visitor's environment (a portal customer, or an internal user looking at the
    portal): his access rights and record rules apply, so counts are of what he may see.
    Returns a list of ``core.portal.PortalSection`` (``key``, ``label``, ``url``,
    ``count``, and optionally ``description`` and ``sequence``); an addon returns nothing
    (or ``None`` items, skipped) for a visitor who has no business there. The lists of all addons are concatenated and
    sorted by ``sequence`` then label; two sections with the same key are a configuration
    error. Not firstresult.
    """


# --- Helpdesk: publishing what solved a ticket ------------------------------------------------

if TYPE_CHECKING:
    from core.orm import BaseModel


@hookspec(firstresult=True)
def comptoir_publish_resolution(env: Environment, ticket: BaseModel,
                                resolution: BaseModel) -> BaseModel | None:
    """Publish the ``resolution`` (``helpdesk.resolution``) that solved ``ticket``
    (``helpdesk.ticket``, resolved or closed) to a knowledge base; return the record
    created or updated there (an article), or ``None`` when the addon does not publish it.

    Called when an agent presses *Publish to the knowledge base* on a ticket (the button
    shows only when at least one installed addon implements this hook), or by
    ``ticket.action_publish_resolution()``. ``env`` is the agent's environment: his access
    rights apply, so an addon refuses with an ``AccessError`` or ``UserError`` (shown to
    him, nothing is written). Runs in the agent's transaction; the helpdesk then logs the
    publication on the ticket's chatter with the returned record's name. firstresult: the
    first non-``None`` record wins (pluggy calls an addon before those it depends on).
    """
