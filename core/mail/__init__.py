"""The kernel addon ``mail``: collaboration on any record.

* models (``models/``): messages and their subtypes, followers, notifications, activity
  types and activities, the ``mail.thread`` mixin, users' notification preferences;
* :mod:`.timeline`: messages and tracked changes (from the change journal) merged;
* :mod:`.notify` and :mod:`.channels`: who is notified of a message, how (inbox, e-mail,
  channels such as :mod:`.sms` that addons add with ``comptoir_notification_channels``);
* e-mail: templates (:mod:`.render`), the outgoing queue (:mod:`.compose`,
  :mod:`.outgoing`, ``mail.mail``), the incoming gateway (:mod:`.gateway`, :mod:`.fetch`,
  ``comptoir mail-gateway`` / ``mail-fetch``) and automation actions (:mod:`.automation`);
* the web: the chatter under forms (:mod:`.web`, :mod:`.controllers`), the inbox
  (:mod:`.inbox`).

Hook implementations only below; the mail addon registers its routes and its SMS channel
through the same hooks a third-party addon uses.
"""
from __future__ import annotations

from typing import Any

from core import hookimpl

from .channels import ChannelError, Delivery, NotificationChannel, channels_of

__all__ = ["ChannelError", "Delivery", "NotificationChannel", "channels_of"]


@hookimpl
def comptoir_routes() -> list:
    from . import controllers, inbox
    return [*controllers.ROUTES, *inbox.ROUTES]


@hookimpl
def comptoir_cli_commands() -> list:
    from . import cli
    return cli.COMMANDS


@hookimpl
def comptoir_automation_actions() -> list:
    from .automation import ACTIONS
    return list(ACTIONS)


@hookimpl
def comptoir_notification_channels() -> list[NotificationChannel]:
    from .sms import SMS_CHANNEL
    return [SMS_CHANNEL]


@hookimpl
def comptoir_merge_records(env: Any, model: str, source_ids: list[int],
                           target_id: int) -> None:
    """The duplicates' messages, activities and followers move to the kept record."""
    from .merge import merge_threads
    merge_threads(env, model, source_ids, target_id)
