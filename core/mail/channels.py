"""Notification channels beyond the inbox and e-mail: SMS, browser push, chat...

A channel is a plain object (:class:`NotificationChannel`) an addon returns from the
``comptoir_notification_channels`` hook; the mail addon registers its own SMS channel
the same way (:mod:`core.mail.sms`). Users opt in per channel (``res.users``
``notification_channels``). When a message notifies such a user, a ``mail.notification``
of the channel's type is created in state ``ready``; :func:`deliver` sends them from the
job queue, marks each ``sent`` or ``exception`` (with the reason), and queues the failed
ones again with a growing delay, a few times.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from core import ConfigurationError

if TYPE_CHECKING:
    from core import Environment
    from core.orm import BaseModel, Registry

_logger = logging.getLogger(__name__)
_CATALOGUE_KEY = "mail_notification_channels"
#: notification types that are not channels
BUILTIN_TYPES = ("inbox", "email")
#: how many times a failed delivery is tried, and the first delay between tries (doubled)
MAX_ATTEMPTS = 4
RETRY_SECONDS = 60


class ChannelError(Exception):
    """The channel could not deliver (shown as the notification's failure reason)."""


@dataclass(frozen=True)
class Delivery:
    """One notification to send through a channel."""

    env: "Environment"  #: superuser environment
    notification: "BaseModel"  #: the ``mail.notification`` row
    partner: "BaseModel"  #: the recipient (``res.partner``)
    message: "BaseModel"  #: the ``mail.message``
    subject: str  #: a one-line summary: the record's name, or the message's subject
    text: str  #: the message as plain text
    url: str  #: the path opening the record (``/mail/open/<model>/<id>``)


def _always(env: "Environment") -> bool:
    return True


@dataclass(frozen=True)
class NotificationChannel:
    """A way to reach users: ``send(delivery)`` raises :class:`ChannelError` (or any
    exception) to report a failure; ``available(env)`` says whether the channel is
    configured in this database (users may opt in only then)."""

    key: str
    label: str
    send: Callable[[Delivery], Any]
    available: Callable[["Environment"], bool] = _always
    help: str = ""


def channels_of(registry: "Registry") -> dict[str, NotificationChannel]:
    """Every channel of this registry, by key (asked once per registry)."""
    cached = registry.__dict__.get(_CATALOGUE_KEY)
    if cached is not None:
        return cached
    pm = getattr(registry, "pm", None)
    found = [c for batch in (pm.hook.comptoir_notification_channels() if pm else [])
             for c in batch or ()]
    channels: dict[str, NotificationChannel] = {}
    problems = []
    for channel in found:
        if not isinstance(channel, NotificationChannel):
            problems.append(f"comptoir_notification_channels returned {channel!r}, not a "
                            "NotificationChannel")
        elif channel.key in BUILTIN_TYPES or channel.key in channels:
            problems.append(f"two notification channels have the key {channel.key!r}")
        else:
            channels[channel.key] = channel
    if problems:
        raise ConfigurationError("\n".join(problems))
    registry.__dict__[_CATALOGUE_KEY] = channels
    return channels


def available_channels(env: "Environment") -> dict[str, NotificationChannel]:
    """The channels configured in this database (their ``available`` says yes)."""
    return {key: channel for key, channel in channels_of(env.registry).items()
            if channel.available(env)}


def deliver(env: "Environment", notification_ids: list[int], attempt: int = 1) -> dict[str, int]:
    """Send these channel notifications (those still ``ready`` or in ``exception``);
    returns ``{"sent": n, "failed": n}``. Failures are queued again while ``attempt`` is
    below :data:`MAX_ATTEMPTS`. Runs as superuser (the job queue's user)."""
    from .mentions import html_to_text
    env = env(su=True)
    channels = channels_of(env.registry)
    notifications = env["mail.notification"].browse(notification_ids).exists().filtered(
        lambda n: n.state in ("ready", "exception") and n.notification_type in channels)
    sent, failed = [], []
    for notification in notifications:
        message = notification.mail_message_id
        delivery = Delivery(env, notification, notification.res_partner_id, message,
                            message.subject or message.record_name or "",
                            html_to_text(message.body or ""),
                            f"/mail/open/{message.res_model}/{message.res_id}"
                            if message.res_model else "/mail/inbox")
        try:
            with env.savepoint():
                channels[notification.notification_type].send(delivery)
        except Exception as exc:  # noqa: BLE001 - any failure is the channel's report
            _logger.info("notification %s by %s failed: %s", notification.id,
                         notification.notification_type, exc)
            notification.write({"state": "exception", "failure_reason": str(exc)[:500]})
            failed.append(notification.id)
        else:
            notification.write({"state": "sent", "failure_reason": False})
            sent.append(notification.id)
    if failed and attempt < MAX_ATTEMPTS and "ir.job" in env:
        env["ir.job"].enqueue("mail.notification", "_job_deliver", args=[failed, attempt + 1],
                              delay=RETRY_SECONDS * 2 ** (attempt - 1), max_attempts=1)
    return {"sent": len(sent), "failed": len(failed)}
