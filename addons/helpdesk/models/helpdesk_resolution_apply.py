"""``helpdesk.resolution.apply``: the wizard that applies a standard resolution to a ticket.

It offers the best suggestion (:meth:`HelpdeskTicketResolution._suggest_resolutions`)
and lets the agent choose another, then log the steps as a note or send them to the
customer.
"""
from __future__ import annotations

from core import Model, _, fields
from core.exceptions import UserError


class HelpdeskResolutionApply(Model):
    _name = "helpdesk.resolution.apply"
    _description = "Apply a Resolution"

    ticket_id = fields.Many2one("helpdesk.ticket", "Ticket", ondelete="cascade",
                                default=lambda self: self._default_ticket_id())
    resolution_id = fields.Many2one("helpdesk.resolution", "Resolution", ondelete="cascade",
                                    default=lambda self: self._default_resolution_id())
    send_to_customer = fields.Boolean(
        "Send the steps to the customer",
        help="Unticked, the steps are logged as an internal note.")

    def _default_ticket_id(self) -> int | bool:
        context = self.env.context
        if context.get("active_model") != "helpdesk.ticket" or not context.get("active_id"):
            return False
        return int(context["active_id"])

    def _default_resolution_id(self) -> int | bool:
        ticket_id = self._default_ticket_id()
        if not ticket_id:
            return False
        ticket = self.env["helpdesk.ticket"].browse(ticket_id).exists()
        return ticket._suggest_resolutions(limit=1).id if ticket else False

    def action_apply(self) -> bool:
        """Apply the resolution, then back to the ticket."""
        self.ensure_one()
        if not self.ticket_id:
            raise UserError(_("Open the wizard from a ticket."))
        if not self.resolution_id:
            raise UserError(_("Choose the resolution to apply."))
        ticket = self.ticket_id
        ticket._apply_resolution(self.resolution_id, send_to_customer=self.send_to_customer)
        self.sudo().unlink()
        return True
