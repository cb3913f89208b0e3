"""The ticket's chatter: who writes, and what it means for the ticket.

* the customer (``partner_id``) follows the ticket, so that what agents send from it
  (``message_send_mail``, the chatter's *Send message*) reaches him and is archived here
  with its attachments;
* the first message an agent sends the customer (an e-mail or a discussion message, not
  an internal note) sets ``date_first_response``;
* a customer's message (an e-mail reply through the mail gateway, a portal comment) on a
  ticket *waiting for the customer* puts it back *in progress*.
"""
from __future__ import annotations

from typing import Any

from core import SUPERUSER_ID, Model, api

from .helpdesk_ticket import now_utc

INTERNAL_GROUP = "base.group_user"


class HelpdeskTicket(Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def create(self, vals_list: Any) -> Any:
        tickets = super().create(vals_list)
        tickets._follow_customer()
        return tickets

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if vals.get("partner_id"):
            self._follow_customer()
        return result

    def _follow_customer(self) -> None:
        """The customers follow their tickets (one subscription per customer)."""
        tickets = self.sudo()
        for partner in tickets.mapped("partner_id"):
            tickets.filtered(lambda t, p=partner: t.partner_id == p).message_subscribe(
                [partner.id])

    def message_post(self, *args: Any, **kwargs: Any) -> Any:
        message = super().message_post(*args, **kwargs)
        self._after_message(message)
        return message

    def _author_is_agent(self, message: Any) -> bool:
        """Whether an agent wrote ``message``: an internal user, not the system (whose
        automatic acknowledgements are no response)."""
        author = message.sudo().author_id
        if not author:
            return False
        users = self.env["res.users"].sudo().with_context(active_test=False).search(
            [("partner_id", "=", author.id)])
        return any(user.id != SUPERUSER_ID and user.has_group(INTERNAL_GROUP)
                   for user in users)

    def _author_is_internal(self, message: Any) -> bool:
        """Whether ``message`` comes from inside (any internal user, the system)."""
        author = message.sudo().author_id
        if not author:
            return False
        users = self.env["res.users"].sudo().with_context(active_test=False).search(
            [("partner_id", "=", author.id)])
        return any(user.id == SUPERUSER_ID or user.has_group(INTERNAL_GROUP)
                   for user in users)

    def _after_message(self, message: Any) -> None:
        """First response and customer replies (see the module's documentation)."""
        msg = message.sudo()
        if msg.message_type == "notification":
            return
        ticket = self.sudo()
        note = self.env(su=True).ref("mail.mt_note", raise_if_not_found=False)
        public = msg.message_type == "email" or (note is None or msg.subtype_id != note)
        if not public:
            return
        if self._author_is_agent(msg):
            if not ticket.date_first_response:
                ticket.write({"date_first_response": now_utc()})
        elif ticket.state == "waiting" and not self._author_is_internal(msg):
            ticket.workflow_move("in_progress", "state")
