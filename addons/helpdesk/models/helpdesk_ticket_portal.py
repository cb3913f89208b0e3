"""What the portal adds to ``helpdesk.ticket`` for the staff and the e-mails: the
customers' rating of the ticket (kernel ``rating.rating``) and the ticket's address on the
portal, for links in answers ("follow your request on ...")."""
from __future__ import annotations

from core import Model, fields

PORTAL_PATH = "/my/tickets/%d"


class HelpdeskTicket(Model):
    _inherit = "helpdesk.ticket"

    customer_rating = fields.Float(
        "Customer Rating", digits=(3, 2), compute="_compute_customer_rating",
        help="The customers' rating of the resolution, 1 to 5 (their average when several "
             "contacts rated); 0 when not rated.")
    portal_url = fields.Char("Portal Address", compute="_compute_portal_url",
                             help="The ticket's page on the customer portal (a path: "
                                  "prefix it with the site's address).")

    def _compute_customer_rating(self) -> None:
        """All the tickets' averages in one query."""
        real = self.filtered(lambda t: isinstance(t.id, int))
        averages = self.env["rating.rating"].sudo().averages(real) if real else {}
        for ticket in self:
            ticket.customer_rating = averages.get(ticket.id, 0.0)

    def _compute_portal_url(self) -> None:
        for ticket in self:
            ticket.portal_url = PORTAL_PATH % ticket.id if isinstance(ticket.id, int) \
                else False
