"""What users do with leads and opportunities: win, lose, restore, convert, assign.

Each action is a public method the form's buttons, the wizards and the external APIs
call, acting as the current user (access rights and record rules apply) and leaving a
trace on the chatter. Marking lost and converting take parameters: the form opens a
small wizard (``crm.lead.lost``, ``crm.lead.convert``) that calls them.
"""
from __future__ import annotations

from typing import Any, Iterable

from markupsafe import Markup, escape

from core import Model, _, api
from core.exceptions import UserError, ValidationError

from .crm_lead import now_utc

#: what ``convert_opportunity`` accepts instead of an account id
CREATE, MATCH = "create", "match"


class CrmLead(Model):
    _inherit = "crm.lead"

    # -- won, lost, restore -------------------------------------------------------------------
    def action_set_won(self) -> bool:
        """Move to the team's first won stage (probability 100%); a lost one is revived."""
        stages = self.env["crm.stage"].sudo()
        now = now_utc()
        for team_id, leads in self._by_team().items():
            stage = stages._won_stage_for(team_id)
            if not stage:
                raise UserError(_("There is no won stage: add one in Configuration > "
                                  "Stages."))
            leads.write({"stage_id": stage.id, "probability": 100.0, "active": True,
                         "lost_reason_id": False, "date_closed": now})
        for lead in self:
            lead.message_post(body=Markup("<p>%s</p>") % _("Opportunity won"),
                              subtype_xmlid="crm_base.mt_lead_won")
        return True

    def action_set_lost(self, lost_reason_id: int | None = None, feedback: str | None = None,
                        lost_feedback: str | None = None) -> bool:
        """Archive as lost (probability 0) with a reason; the reason and the feedback
        (``feedback``, or Odoo's ``lost_feedback``) are logged on the chatter."""
        lost_feedback = feedback or lost_feedback
        reason = self.env["crm.lost.reason"].browse(lost_reason_id or ())
        if lost_reason_id and not reason.exists():
            raise ValidationError(_("This lost reason does not exist."),
                                  field="lost_reason_id")
        self.write({"active": False, "probability": 0.0, "lost_reason_id": reason.id or False,
                    "date_closed": now_utc()})
        text = _("Marked as lost: %(reason)s", reason=reason.name) if reason else \
            _("Marked as lost")
        body = Markup("<p>%s</p>") % text
        if lost_feedback and lost_feedback.strip():
            body += Markup("<blockquote>%s</blockquote>") % escape(lost_feedback.strip())
        for lead in self:
            lead.message_post(body=body, subtype_xmlid="crm_base.mt_lead_lost")
        return True

    def action_restore(self) -> bool:
        """Back to pending: unarchived, no lost reason, out of a won stage, the probability
        following the stage again."""
        stages = self.env["crm.stage"].sudo()
        leads = self.with_context(active_test=False)
        for team_id, group in leads._by_team().items():
            won = group.filtered(lambda lead: lead.stage_id.is_won)
            if won:
                won.write({"stage_id": self._last_open_stage(team_id).id})
        for stage_id, group in leads._group_by("stage_id").items():
            stage = stages.browse(stage_id or ())
            group.write({"active": True, "lost_reason_id": False, "date_closed": False,
                         "probability": stage.probability or 0.0})
        for lead in leads:
            lead.message_post(body=Markup("<p>%s</p>") % _("Restored"),
                              subtype_xmlid="mail.mt_note")
        return True

    def action_set_automated_probability(self) -> bool:
        """The probability follows the stage again."""
        for stage_id, leads in self._group_by("stage_id").items():
            stage = self.env["crm.stage"].sudo().browse(stage_id or ())
            leads.write({"probability": 100.0 if stage.is_won else (stage.probability or 0)})
        return True

    def _last_open_stage(self, team_id: int | None) -> Any:
        stages = self.env["crm.stage"].sudo()
        domain: list = [("is_won", "=", False)]
        if team_id:
            domain += ["|", ("team_id", "=", False), ("team_id", "=", team_id)]
        return stages.search(domain, order="sequence desc, id desc", limit=1) or \
            stages._default_stage_for(team_id)

    def _by_team(self) -> dict[int | None, Any]:
        return {key or None: leads for key, leads in self._group_by("team_id").items()}

    def _group_by(self, name: str) -> dict[Any, Any]:
        """These records by the value of a many2one (ids), in one read."""
        groups: dict[Any, list[int]] = {}
        for row in self.sudo().with_context(active_test=False).read([name]):
            key = row[name][0] if row[name] else False
            groups.setdefault(key, []).append(row["id"])
        return {key: self.browse(ids) for key, ids in groups.items()}

    # -- wizards the form opens ---------------------------------------------------------------
    def action_open_lost(self) -> dict[str, Any]:
        """The "Lost" button: a wizard asks the reason."""
        return _wizard("crm_base.crm_lead_lost_action", self)

    def action_open_convert(self) -> dict[str, Any]:
        """The "Convert to opportunity" button: a wizard chooses the account and owner."""
        self._check_convertible()
        return _wizard("crm_base.crm_lead_convert_action", self)

    # -- conversion --------------------------------------------------------------------------
    def _check_convertible(self) -> None:
        if any(lead.type == "opportunity" for lead in self):
            raise UserError(_("Only leads can be converted: %(names)s is already an "
                              "opportunity.", names=", ".join(
                                  self.filtered(lambda l: l.type == "opportunity")
                                  .mapped("name"))))

    def convert_opportunity(self, partner: int | str | bool = MATCH,
                            user_id: int | bool | None = None,
                            team_id: int | bool | None = None) -> bool:
        """Turn leads into opportunities linked to an account: ``partner`` is an account
        id, ``'create'`` (a new account from the lead's company and contact), ``'match'``
        (the most similar existing account, else a new one) or ``False`` (none).
        ``user_id`` / ``team_id`` change the salesperson and team when given."""
        self._check_convertible()
        if partner not in (CREATE, MATCH, False, None) and not isinstance(partner, int):
            raise ValidationError(_("Choose an account, 'create' or 'match'."),
                                  field="partner_id")
        for lead in self:
            vals: dict[str, Any] = {"type": "opportunity", "date_conversion": now_utc()}
            if partner == CREATE:
                vals["partner_id"] = lead._create_customer().id
            elif partner == MATCH:
                found = lead._find_matching_partner()
                vals["partner_id"] = (found or lead._create_customer()).id
            elif partner:
                vals["partner_id"] = int(partner)
            if user_id is not None:
                vals["user_id"] = user_id or False
            if team_id is not None:
                vals["team_id"] = team_id or False
            if not lead.stage_id:
                vals["stage_id"] = self.env["crm.stage"].sudo()._default_stage_for(
                    vals.get("team_id") or lead.team_id.id).id
            account = self.env["res.partner"].browse(vals.get("partner_id") or
                                                     lead.partner_id.id or ())
            text = _("Converted to an opportunity for %(account)s",
                     account=account.display_name) if account else \
                _("Converted to an opportunity")
            # posted first: marketing people no longer see the lead once it is converted
            lead.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")
            lead.write(vals)
        return True

    def _partner_values(self) -> dict[str, Any]:
        """The lead's company (or, without one, its contact) as account values."""
        self.ensure_one()
        address = {"street": self.street, "street2": self.street2, "zip": self.zip,
                   "city": self.city, "country_id": self.country_id.id or False,
                   "website": self.website, "user_id": self.user_id.id or False}
        contact = {"email": self.email_from, "phone": self.phone, "mobile": self.mobile}
        if self.partner_name:
            return {"name": self.partner_name, "is_company": True, **address,
                    **({} if self.contact_name else contact)}
        return {"name": self.contact_name or self.name, "is_company": False,
                "function": self.function, **address, **contact}

    def _match_values(self) -> dict[str, Any]:
        """What the address book's duplicate detection compares."""
        vals = self._partner_values()
        return {key: vals[key] for key in ("name", "email", "phone", "mobile", "is_company",
                                           "country_id") if vals.get(key)}

    def _create_customer(self) -> Any:
        """A new account from the lead's data (with its contact person when the lead
        names both a company and a contact)."""
        self.ensure_one()
        partners = self.env["res.partner"]
        vals = {k: v for k, v in self._partner_values().items() if v not in (None, "")}
        company = partners.create(vals)
        if self.partner_name and self.contact_name:
            partners.create({k: v for k, v in {
                "name": self.contact_name, "parent_id": company.id, "function": self.function,
                "email": self.email_from, "phone": self.phone, "mobile": self.mobile,
                "is_company": False}.items() if v not in (None, "")})
        return company

    def _find_matching_partner(self) -> Any:
        """The existing account most like the lead's company or contact (the address
        book's duplicate detection: same e-mail, phone, similar name...); empty if none."""
        self.ensure_one()
        if self.partner_id:
            return self.partner_id
        found = self._duplicate_suggestions(limit=1)
        partner = self.env["res.partner"].browse(found[0][0] if found else ())
        return partner.commercial_partner_id or partner

    def _duplicate_suggestions(self, limit: int = 5) -> list[tuple[int, float, tuple]]:
        """``[(partner id, score, reasons)]`` the convert wizard proposes, best first."""
        self.ensure_one()
        found = self.env["res.partner"]._find_duplicates([self._match_values()])
        return [(d.partner_id, d.score, tuple(d.reasons)) for d in (found[0] if found else [])
                ][:limit]

    # -- assignment ------------------------------------------------------------------------------
    def action_assign(self, user_id: int | None = None, team_id: int | None = None,
                      strategy: str | None = None) -> dict[int, int | bool]:
        """Assign these leads: to ``user_id``; else among ``team_id``'s members (default:
        each lead's team) with ``strategy`` (default: the team's). Returns the choice."""
        if user_id:
            self.write({"user_id": user_id, **({"team_id": team_id} if team_id else {})})
            return {lead_id: user_id for lead_id in self.ids}
        self._check_access("write")
        self._check_rules("write")
        teams = self.env["crm.team"].sudo()
        groups: dict[int, Any] = {team_id: self} if team_id else {
            key: leads for key, leads in self._group_by("team_id").items() if key}
        if not groups:
            raise UserError(_("Choose a salesperson or a team: these leads have no team."))
        chosen: dict[int, int | bool] = {}
        for key, leads in groups.items():
            team = teams.browse(key)
            if team_id:
                leads.write({"team_id": team_id})
            if strategy:
                team = team.with_context(crm_assignment_strategy=strategy)
            chosen.update(team._assign_leads(leads))
        return chosen

    @api.model
    def _assign_unassigned(self, ids: Iterable[int] | None = None) -> int:
        """Scheduled or called from code: assign every open lead without salesperson
        whose team has members; returns how many got one."""
        domain: list = [("user_id", "=", False), ("team_id", "!=", False),
                        ("won_status", "=", "pending")]
        if ids is not None:
            domain.append(("id", "in", list(ids)))
        leads = self.sudo().search(domain)
        leads._assign_new()
        return len(leads.filtered(lambda lead: lead.user_id))


def _wizard(xml_id: str, leads: Any) -> dict[str, Any]:
    """The window action opening a wizard on these leads (the web client shows it)."""
    return {"type": "ir.actions.act_window", "xml_id": xml_id, "target": "new",
            "context": {"active_model": leads._name, "active_id": leads.ids[0] if leads else
                        False, "active_ids": leads.ids}}
