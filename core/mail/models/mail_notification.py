"""``mail.notification``: one message for one recipient, by one way.

``inbox`` notifications are the user's in-app inbox (``is_read``); ``email`` ones wait in
state ``ready`` for the outgoing mail queue, which marks them ``sent`` or ``exception``;
other types are the channels addons add (``comptoir_notification_channels``), delivered
from the job queue (:mod:`core.mail.channels`). A user sees and marks as read only his
own notifications (record rule); the system creates them.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core import AccessError, Model, _, api, fields
from core.orm.model_write import now_utc

from .. import channels


class MailNotification(Model):
    _name = "mail.notification"
    _description = "Message Notification"
    _order = "id desc"
    _rec_name = "mail_message_id"
    _journal = False

    mail_message_id = fields.Many2one("mail.message", "Message", required=True,
                                      ondelete="cascade", index=True)
    res_partner_id = fields.Many2one("res.partner", "Recipient", required=True,
                                     ondelete="cascade", index=True)
    notification_type = fields.Selection("_type_selection", "Type", required=True,
                                         default="inbox")
    is_read = fields.Boolean("Read", default=False, index=True)
    read_date = fields.Datetime("Read on")
    state = fields.Selection([("ready", "Ready to send"), ("sent", "Sent"),
                              ("exception", "Failed"), ("cancel", "Cancelled")], "Status",
                             default="ready", index=True)
    failure_reason = fields.Text("Failure Reason")

    def _type_selection(self) -> list[tuple[str, str]]:
        extra = [(key, channel.label) for key, channel in
                 channels.channels_of(self.env.registry).items()]
        return [("inbox", "Inbox"), ("email", "E-mail"), *extra]

    def write(self, vals: dict[str, Any]) -> bool:
        if not self.env.su and set(vals) - {"is_read", "read_date"}:
            raise AccessError(_("Only whether a notification was read can be changed."))
        return super().write(vals)

    @api.model
    def create(self, vals_list: Any) -> Any:
        if not self.env.su:
            raise AccessError(_("Notifications are created by the system, when a message is "
                                "posted."))
        return super().create(vals_list)

    # -- the inbox ----------------------------------------------------------------------------
    def mark_read(self) -> bool:
        """Mark these notifications as read (the current user's own)."""
        unread = self.filtered(lambda n: not n.is_read)
        if unread:
            unread.write({"is_read": True, "read_date": now_utc()})
        return True

    @api.model
    def mark_all_read(self) -> int:
        """Mark every unread inbox notification of the current user as read."""
        unread = self.search(self._inbox_domain(unread=True))
        unread.mark_read()
        return len(unread)

    @api.model
    def _inbox_domain(self, unread: bool = False) -> list:
        domain = [("res_partner_id", "=", self.env.user.partner_id.id),
                  ("notification_type", "=", "inbox")]
        return domain + [("is_read", "=", False)] if unread else domain

    @api.model
    def unread_count(self) -> int:
        """The current user's unread inbox notifications, in one query."""
        table = self._sa_table
        users = self.env.registry["res.users"]._sa_table
        query = sa.select(sa.func.count()).select_from(table.join(
            users, users.c.partner_id == table.c.res_partner_id)).where(
            users.c.id == self.env.uid, table.c.notification_type == "inbox",
            table.c.is_read.is_(False))
        return int(self.env.execute(query).scalar_one())

    # -- channels -----------------------------------------------------------------------------
    def _job_deliver(self, notification_ids: list[int], attempt: int = 1) -> dict[str, int]:
        """Job: send channel notifications (see :func:`core.mail.channels.deliver`)."""
        return channels.deliver(self.env, notification_ids, attempt)
