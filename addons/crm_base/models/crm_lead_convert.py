"""``crm.lead.convert``: the wizard turning a lead into an opportunity.

It proposes the accounts that look like the lead's company or contact (the address
book's duplicate detection, best first) and lets the user create a new account from the
lead's data, link an existing one, match automatically or link none, and choose the
salesperson and team. Applying it calls :meth:`crm.lead.convert_opportunity`.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from core import Model, _, fields
from core.exceptions import UserError, ValidationError

ACTIONS = [("create", "Create a new customer"), ("exist", "Link to an existing customer"),
           ("match", "Find the matching customer automatically"),
           ("nothing", "Do not link to a customer")]


class CrmLeadConvert(Model):
    _name = "crm.lead.convert"
    _description = "Convert Lead to Opportunity"

    lead_id = fields.Many2one("crm.lead", "Lead", ondelete="cascade",
                              default=lambda self: self._default_lead_id())
    action = fields.Selection(ACTIONS, "Customer", required=True,
                              default=lambda self: self._default_action())
    partner_id = fields.Many2one("res.partner", "Existing Customer", ondelete="cascade",
                                 default=lambda self: self._default_partner_id())
    user_id = fields.Many2one("res.users", "Salesperson",
                              default=lambda self: self._default_lead().user_id.id or False)
    team_id = fields.Many2one("crm.team", "Sales Team",
                              default=lambda self: self._default_lead().team_id.id or False)
    duplicates = fields.Html("Similar Customers", readonly=True,
                             default=lambda self: self._default_duplicates())

    def _default_lead_id(self) -> int | bool:
        ids = self._context_active_ids("crm.lead")
        return ids[0] if ids else False

    def _default_lead(self) -> Any:
        return self.env["crm.lead"].browse(self._default_lead_id() or ())

    def _suggestions(self, lead: Any) -> list[tuple[int, float, tuple]]:
        return lead._duplicate_suggestions() if lead else []

    def _default_partner_id(self) -> int | bool:
        lead = self._default_lead()
        if lead.partner_id:
            return lead.partner_id.id
        found = self._suggestions(lead)
        return found[0][0] if found else False

    def _default_action(self) -> str:
        return "exist" if self._default_partner_id() else "create"

    def _default_duplicates(self) -> str:
        """The accounts like the lead, as a list shown by the wizard (best first)."""
        return self._duplicates_html(self._default_lead())

    def _duplicates_html(self, lead: Any) -> str:
        found = self._suggestions(lead)
        if not found:
            return str(Markup("<p>%s</p>") % _("No similar customer."))
        names = self.env["res.partner"]._display_names([f[0] for f in found])
        items = Markup("").join(
            Markup("<li>%s — %s%% (%s)</li>") % (names.get(pid, pid), round(score),
                                                  ", ".join(map(str, reasons)))
            for pid, score, reasons in found)
        return str(Markup("<ul>%s</ul>") % items)

    def action_apply(self) -> bool:
        self.ensure_one()
        lead = self.lead_id
        if not lead:
            raise UserError(_("There is no lead to convert."))
        if self.action == "exist" and not self.partner_id:
            raise ValidationError(_("Choose the existing customer to link."),
                                  field="partner_id")
        partner: int | str | bool = {"create": "create", "match": "match",
                                     "nothing": False}.get(self.action, self.partner_id.id)
        lead.convert_opportunity(partner, user_id=self.user_id.id or False,
                                 team_id=self.team_id.id or False)
        self.sudo().unlink()
        return True
