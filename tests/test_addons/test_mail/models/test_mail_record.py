"""``test.mail.record``: a record with a chatter: tracked fields, a stage announced to the
followers by a subtype, a workflow-driven state, an owner who follows it."""
from __future__ import annotations

from core import Model, fields


class TestMailRecord(Model):
    _name = "test.mail.record"
    _description = "Mail Test Record"
    _inherit = ["mail.thread"]
    _order = "id"

    name = fields.Char("Name", required=True, tracking=True)
    user_id = fields.Many2one("res.users", "Owner", tracking=True)
    partner_id = fields.Many2one("res.partner", "Customer", tracking=True)
    stage = fields.Selection([("new", "New"), ("qualified", "Qualified"), ("won", "Won"),
                              ("lost", "Lost")], "Stage", default="new", tracking=True)
    state = fields.Selection([("draft", "Draft"), ("open", "Open"), ("closed", "Closed")],
                             "Status", default="draft")
    amount = fields.Float("Amount", tracking=True)
    margin = fields.Float("Margin", tracking=True, groups="base.group_system")
    description = fields.Text("Description")


class TestMailReadOnly(Model):
    """A thread whose readers may post (``_mail_post_access = 'read'``)."""

    _name = "test.mail.open"
    _description = "Mail Test Open Thread"
    _inherit = ["mail.thread"]
    _mail_post_access = "read"

    name = fields.Char("Name", required=True)
