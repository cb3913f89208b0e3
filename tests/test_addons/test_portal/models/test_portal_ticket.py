"""``test.portal.ticket``: a customer's request with a chatter, seen in the portal by the
people of the customer's company (rules in ``security/rules.xml``)."""
from __future__ import annotations

from core import Model, fields


class TestPortalTicket(Model):
    _name = "test.portal.ticket"
    _description = "Portal Test Ticket"
    _inherit = ["mail.thread"]
    _order = "id"

    name = fields.Char("Subject", required=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True)
    user_id = fields.Many2one("res.users", "Assigned to")
    state = fields.Selection([("open", "Open"), ("done", "Solved"),
                              ("cancelled", "Cancelled")], "Status", default="open")
    category = fields.Selection([("question", "Question"), ("incident", "Incident")],
                                "Category")
    description = fields.Text("Description")
    internal_note = fields.Text("Internal Note", groups="base.group_user")
