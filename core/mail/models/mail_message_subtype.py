"""``mail.message.subtype``: what a message is about, and who hears of it.

Followers choose the subtypes they are notified of. The mail addon ships Discussions
(messages: followers notified), Note (internal notes: only the people mentioned) and
Activities (completed activities). An addon declares its own, bound to its model with
``res_model``; with ``track_field`` too, a change of that field (a stage, a workflow
state) notifies the followers subscribed to the subtype, the change itself being read
from the change journal.
"""
from __future__ import annotations

from core import Model, fields


class MailMessageSubtype(Model):
    _name = "mail.message.subtype"
    _description = "Message Subtype"
    _order = "sequence, id"
    _journal = False

    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True,
                              help="Shown in the message posted when the tracked field "
                                   "changes.")
    internal = fields.Boolean("Internal Only", default=False,
                              help="Messages of this subtype are hidden from portal users.")
    default = fields.Boolean("Default", default=True,
                             help="New followers are subscribed to it.")
    res_model = fields.Char("Model", help="Empty: every model.")
    track_field = fields.Char("Tracked Field",
                              help="A change of this field of the model notifies the "
                                   "followers subscribed to this subtype.")
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)

    def _for_model(self, model: str) -> "MailMessageSubtype":
        """The active subtypes that apply to records of ``model``."""
        return self.sudo().search(["|", ("res_model", "=", False), ("res_model", "=", model)])

    def _default_for(self, model: str) -> list[int]:
        """Ids of the subtypes new followers of a ``model`` record get."""
        return [s.id for s in self._for_model(model) if s.default]
