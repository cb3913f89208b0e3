"""``res.partner`` for the portal: whether a contact may log in to the portal, and the
"Grant portal access" / "Revoke portal access" buttons of the contact form.

The buttons open the confirmation page of :mod:`core.portal.controllers` (which says
what will happen, then does it through :mod:`core.portal.invite`), like the actions of
the contacts list.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from core import Model, fields

PORTAL_STATES = [("none", "No access"), ("invited", "Invited"), ("active", "Active"),
                 ("revoked", "Revoked"), ("internal", "Internal user")]


class ResPartner(Model):
    _inherit = "res.partner"

    portal_state = fields.Selection(
        PORTAL_STATES, "Portal Access", compute="_compute_portal_state",
        help="Invited: the customer has not chosen his password yet. Revoked: his portal "
             "user is archived.")

    def _compute_portal_state(self) -> None:
        from ..invite import is_share, users_of, with_password
        users = users_of(self)
        ready = with_password(self.env, [u.id for u in users.values()])
        for partner in self:
            user = users.get(partner.id)
            if user is None:
                partner.portal_state = "none"
            elif not is_share(user):
                partner.portal_state = "internal"
            elif not user.active:
                partner.portal_state = "revoked"
            else:
                partner.portal_state = "active" if user.id in ready else "invited"

    def action_portal_grant(self) -> dict[str, Any]:
        """Open the page that invites these contacts to the portal."""
        return _page("/portal/grant", self)

    def action_portal_revoke(self) -> dict[str, Any]:
        """Open the page that revokes these contacts' portal access."""
        return _page("/portal/revoke", self)


def _page(path: str, partners: Any) -> dict[str, Any]:
    query = urlencode({"ids": ",".join(str(i) for i in partners.ids)})
    return {"type": "ir.actions.act_url", "url": f"{path}?{query}"}
