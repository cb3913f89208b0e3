"""The kernel addon ``portal``: the customers' side of Comptoir.

* portal users (:mod:`.invite`, ``models/``): "Grant portal access" on contacts creates a
  user of the share group ``base.group_portal`` and e-mails him a single-use, expiring
  signup link where he chooses his password; "Revoke" archives him;
* the portal itself under ``/my`` (:mod:`.controllers`): a home page listing the
  sections addons contribute (``comptoir_portal_sections``, :class:`PortalSection`), the
  customer's account page, and the generic pages of :mod:`.pages` (:class:`PortalPage`: a
  model's list and record pages, public messages, replies with files, ratings);
* ratings (``rating.rating``): 1 to 5 with a comment, on any record;
* public web forms without an account (:mod:`.forms`, :class:`PublicForm`): honeypot,
  minimum fill time, rate limits per address and per e-mail.

Share users never reach the back office: the web application sends them to the home this
addon gives through ``comptoir_share_home``. See ``docs/portal.md``.
"""
from __future__ import annotations

from typing import Any

from core import hookimpl

from .forms import FormField, FormSubmission, PublicForm
from .pages import PortalAction, PortalPage
from .sections import PortalSection
from .web import PORTAL_HOME, portal_route

__all__ = ["FormField", "FormSubmission", "PORTAL_HOME", "PortalAction", "PortalPage",
           "PortalSection", "PublicForm", "portal_route"]


@hookimpl
def comptoir_routes() -> list:
    from . import controllers
    return controllers.ROUTES


@hookimpl
def comptoir_share_home(env: Any) -> str:
    return PORTAL_HOME


@hookimpl
def comptoir_cli_commands() -> list:
    from . import cli
    return cli.COMMANDS


@hookimpl
def comptoir_post_install(env: Any, addon: str) -> None:
    from .forms import form_secret
    form_secret(env)  # made once, at install, rather than by two first visitors at once


@hookimpl
def comptoir_merge_records(env: Any, model: str, source_ids: list[int],
                           target_id: int) -> None:
    """Customers' ratings of merged duplicates stay with the kept record."""
    from core.merge import move_attached
    move_attached(env, "rating.rating", model, source_ids, target_id)
