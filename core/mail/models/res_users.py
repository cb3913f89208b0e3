"""``res.users``: how each user wants to be notified.

``notification_type``: ``inbox`` (in Comptoir, the inbox and its unread counter) or
``email`` (by e-mail, through the outgoing queue); ``notification_channels``: the keys of
the extra channels (SMS...) the user opted in to. Users set both on their inbox page.
"""
from __future__ import annotations

from typing import Any

from core import Model, ValidationError, _, fields

from .. import channels


class ResUsers(Model):
    _inherit = "res.users"

    notification_type = fields.Selection(
        [("inbox", "Handle in Comptoir"), ("email", "Handle by e-mail")], "Notification",
        default="inbox", required=True,
        help="Where messages and reminders reach you: your inbox in Comptoir, or your "
             "e-mail address.")
    notification_channels = fields.Json(
        "Notification Channels", help="Extra channels (such as SMS) you also want to be "
                                      "notified by.")

    def set_notification_preferences(self, notification_type: str,
                                     channel_keys: list[str]) -> bool:
        """A user's own notification preferences (users may not modify their user record
        otherwise: only these two fields, and only their own, hence the system's write)."""
        self.ensure_one()
        if self.id != self.env.uid and not self.env.su:
            raise ValidationError(_("You may only change your own notification "
                                    "preferences."))
        if notification_type not in ("inbox", "email"):
            raise ValidationError(_("Choose how you want to be notified."),
                                  field="notification_type")
        offered = channels.available_channels(self.env)
        unknown = [key for key in channel_keys if key not in offered]
        if unknown:
            raise ValidationError(_("Unknown notification channel: %(keys)s.",
                                    keys=", ".join(unknown)), field="notification_channels")
        self.sudo().write({"notification_type": notification_type,
                           "notification_channels": sorted(set(channel_keys))})
        return True

    def _mail_channel_keys(self) -> list[Any]:
        self.ensure_one()
        return list(self.sudo().notification_channels or [])
