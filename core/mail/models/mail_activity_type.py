"""``mail.activity.type``: kinds of activities (call, meeting, to-do, e-mail, document to
upload), each with an icon and a default delay that sets a new activity's due date."""
from __future__ import annotations

from core import Model, fields

CATEGORIES = [("call", "Call"), ("meeting", "Meeting"), ("todo", "To-do"),
              ("email", "E-mail"), ("upload", "Document to upload")]
#: icon names the web client draws (a symbol per category when unset)
ICONS = {"call": "☎", "meeting": "👥", "todo": "✓", "email": "✉", "upload": "⇪"}


class MailActivityType(Model):
    _name = "mail.activity.type"
    _description = "Activity Type"
    _order = "sequence, id"

    name = fields.Char("Name", required=True, translate=True)
    summary = fields.Char("Default Summary", translate=True)
    category = fields.Selection(CATEGORIES, "Category", required=True, default="todo")
    icon = fields.Char("Icon", help="A symbol shown with the activity (default: the "
                                    "category's).")
    delay_days = fields.Integer("Default Delay (days)", default=0,
                                help="A new activity of this type is due this many days "
                                     "after it is scheduled.")
    res_model = fields.Char("Model", help="Offered only on records of this model (empty: "
                                          "every model).")
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)

    def symbol(self) -> str:
        """The icon to show: the type's own, else its category's."""
        self.ensure_one()
        return self.icon or ICONS.get(self.category or "todo", "•")

    def _for_model(self, model: str) -> "MailActivityType":
        return self.search(["|", ("res_model", "=", False), ("res_model", "=", model)])
