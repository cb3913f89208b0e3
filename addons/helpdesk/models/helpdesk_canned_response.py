"""``helpdesk.canned.response``: ready-made answers with merge fields.

The body is a template of the kernel's sandboxed renderer (``core.mail.render``), the
same as e-mail templates: ``{{ object.partner_id.name }}``, ``{{ object.number }}``,
``{{ user.name }}``, ``{{ format_date(object.create_date) }}``... rendered against the
ticket as the agent (his rights apply; nothing but fields is reachable). A syntax error
is refused on save with its line.

The *Reply with a canned response* wizard (``helpdesk.canned.reply``) renders the chosen
response, adds the agent's own words and sends it to the customer (or logs it as a note).
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from core import Model, _, api, fields
from core.exceptions import UserError
from core.mail.render import check_syntax, render


class HelpdeskCannedResponse(Model):
    _name = "helpdesk.canned.response"
    _description = "Canned Response"
    _order = "sequence, name, id"

    name = fields.Char("Name", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    body = fields.Html("Body", required=True, translate=True,
                       help="The answer; merge fields such as {{ object.partner_id.name }} "
                            "or {{ object.number }} are replaced from the ticket.")
    team_ids = fields.Many2many("helpdesk.team", "helpdesk_canned_response_team_rel",
                                "response_id", "team_id", "Teams",
                                help="The teams offered this response (empty: every team).")

    @api.constrains("body")
    def _check_body(self) -> None:
        for response in self:
            check_syntax(response.body, response.name, "body")

    def _render(self, ticket: Any) -> str:
        """The body rendered against ``ticket`` (HTML, merge fields replaced) as the
        current user; a ValidationError names the response and the line on error."""
        self.ensure_one()
        ticket.ensure_one()
        return render(self.body, ticket, html=True, template_name=self.name, part="body")


class HelpdeskCannedReply(Model):
    _name = "helpdesk.canned.reply"
    _description = "Reply with a Canned Response"

    ticket_id = fields.Many2one("helpdesk.ticket", "Ticket", ondelete="cascade",
                                default=lambda self: self._default_ticket_id())
    team_id = fields.Many2one("helpdesk.team", related="ticket_id.team_id", string="Team")
    response_id = fields.Many2one(
        "helpdesk.canned.response", "Canned Response", ondelete="cascade",
        domain="['|', ('team_ids', '=', False), ('team_ids', 'in', [team_id])]")
    intro = fields.Html("Your Words", help="Written before the canned response.")
    mode = fields.Selection([("reply", "Send to the customer"), ("note", "Log a note")],
                            "Post as", required=True, default="reply")

    def _default_ticket_id(self) -> int | bool:
        context = self.env.context
        if context.get("active_model") != "helpdesk.ticket" or not context.get("active_id"):
            return False
        return int(context["active_id"])

    def _body(self) -> str:
        """The message: the agent's words, then the rendered response."""
        self.ensure_one()
        parts = [self.intro or ""]
        if self.response_id:
            parts.append(self.response_id._render(self.ticket_id))
        return "".join(part for part in parts if part)

    def action_send(self) -> bool:
        """Post the reply on the ticket's chatter (followers told for a reply)."""
        self.ensure_one()
        if not self.ticket_id:
            raise UserError(_("Open the wizard from a ticket."))
        if not self.response_id:
            raise UserError(_("Choose a canned response."))
        body = Markup(self._body())
        if self.mode == "reply":
            self.ticket_id.message_post(body=body, message_type="comment",
                                        subtype_xmlid="mail.mt_comment")
        else:
            self.ticket_id.message_post(body=body, message_type="comment")
        self.sudo().unlink()
        return True
