"""``crm.visit.report``: what a salesperson learnt visiting a customer.

A report is usually born from a *Visit* activity: the activity type names this model as
its report (``mail.activity.type.report_model``), so marking the visit done creates the
report pre-filled from it (account, opportunity, salesperson, attendees, objectives) and
the chatter opens it for the salesperson to complete (see
:mod:`core.mail.models.mail_activity_with_report`). It can also be written from scratch.

Setting a follow-up date schedules the next activity (of the chosen type, for the
report's salesperson, on the opportunity, else the account); moving the date moves it,
clearing the date cancels it while it is not done.

Salespeople see and write their own reports, team leaders their team's, managers all.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup, escape

from core import Model, _, api, fields
from core.exceptions import ValidationError
from core.mail.models.mail_activity import local_today

INTEREST_LEVELS = [("cold", "Cold"), ("warm", "Warm"), ("hot", "Hot")]
SATISFACTION = [("1", "Very dissatisfied"), ("2", "Dissatisfied"), ("3", "Neutral"),
                ("4", "Satisfied"), ("5", "Very satisfied")]
FOLLOW_UP_FIELDS = ("date_follow_up", "follow_up_type_id", "next_steps", "user_id",
                    "lead_id", "partner_id")


class CrmVisitReport(Model):
    _name = "crm.visit.report"
    _description = "Visit Report"
    _inherit = ["mail.thread", "mail.activity.report"]
    _order = "date desc, id desc"
    _mail_follow_fields = ("user_id",)

    name = fields.Char("Subject", tracking=True)
    partner_id = fields.Many2one("res.partner", "Account", index=True, tracking=True,
                                 ondelete="restrict",
                                 help="The customer visited (the company, for a contact "
                                      "of a company).")
    lead_id = fields.Many2one("crm.lead", "Opportunity", index=True, tracking=True,
                              ondelete="set null")
    user_id = fields.Many2one("res.users", "Salesperson", required=True, index=True,
                              tracking=True, default=lambda self: self.env.uid)
    team_id = fields.Many2one("crm.team", "Sales Team", index=True, ondelete="set null",
                              help="The opportunity's team, else the salesperson's.")
    date = fields.Date("Visit Date", required=True, index=True, tracking=True,
                       default=lambda self: local_today(self.env.user.tz))
    attendee_ids = fields.Many2many("res.partner", "crm_visit_report_attendee_rel",
                                    "report_id", "partner_id", "Attendees",
                                    help="The customer's people met.")
    objectives = fields.Text("Objectives")
    summary = fields.Html("Summary and Outcome")
    interest_level = fields.Selection(INTEREST_LEVELS, "Interest Level", tracking=True)
    satisfaction = fields.Selection(SATISFACTION, "Customer Satisfaction", tracking=True)
    next_steps = fields.Text("Next Steps")
    date_follow_up = fields.Date("Follow-up Date", tracking=True,
                                 help="Schedules the next activity on this day.")
    follow_up_type_id = fields.Many2one(
        "mail.activity.type", "Follow-up Activity", ondelete="set null",
        default=lambda self: self.env.ref("mail.activity_type_call",
                                          raise_if_not_found=False))
    follow_up_activity_id = fields.Many2one("mail.activity", "Next Activity", readonly=True,
                                            ondelete="set null", copy=False)

    # -- display --------------------------------------------------------------------------------
    def _compute_display_name(self) -> None:
        for report in self:
            if report.name:
                report.display_name = report.name
            else:
                report.display_name = _("Visit to %(account)s, %(date)s",
                                        account=report.partner_id.name or
                                        report.lead_id.name or "?",
                                        date=report.date.isoformat() if report.date else "")

    @api.constrains("partner_id", "lead_id")
    def _check_customer(self) -> None:
        for report in self:
            if not report.partner_id and not report.lead_id:
                raise ValidationError(_("Say which account or opportunity was visited."),
                                      field="partner_id")

    @api.constrains("date", "date_follow_up")
    def _check_dates(self) -> None:
        for report in self:
            if report.date_follow_up and report.date and report.date_follow_up < report.date:
                raise ValidationError(_("The follow-up comes after the visit."),
                                      field="date_follow_up")

    # -- from an activity ------------------------------------------------------------------------
    @api.model
    def _prepare_from_activity(self, activity: Any, feedback: str | None = None
                               ) -> dict[str, Any]:
        """The report of a Visit activity done: the account and opportunity of the
        record it was on, its owner, the day of the visit (the planned day, or today if
        planned later), its summary and note as objectives, the outcome as summary."""
        values = super()._prepare_from_activity(activity, feedback)
        record = self.env[activity.res_model].sudo().browse(activity.res_id) \
            if activity.res_model in self.env else None
        partner = attendee = lead = None
        if record is not None and record._name == "crm.lead":
            lead, partner = record, record.partner_id
        elif record is not None and record._name == "res.partner":
            partner = record
        elif record is not None and getattr(record._fields.get("partner_id"),
                                            "comodel_name", None) == "res.partner":
            partner = record.partner_id
        if partner:
            account = partner.commercial_partner_id or partner
            if account != partner:
                attendee = partner
            partner = account
        today = local_today(activity.user_id.tz or self.env.user.tz)
        planned = activity.date_deadline
        objectives = "\n".join(text for text in (activity.summary or "",
                                                 _note_text(activity.note)) if text)
        values.update({
            "name": activity.summary or False,
            "user_id": activity.user_id.id or self.env.uid,
            "date": min(planned, today) if planned else today,
            "partner_id": partner.id if partner else False,
            "lead_id": lead.id if lead else False,
            "attendee_ids": [(6, 0, [attendee.id])] if attendee else [],
            "objectives": objectives or False,
            "summary": str(Markup("<p>{}</p>").format(escape(feedback))) if feedback
            else False})
        return values

    # -- create and write ------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(vals) for vals in ([vals_list] if single else vals_list)]
        for vals in vals_list:
            if not vals.get("team_id"):
                vals["team_id"] = self._default_team(vals)
            if vals.get("lead_id") and not vals.get("partner_id"):
                lead = self.env["crm.lead"].sudo().browse(vals["lead_id"])
                partner = lead.partner_id
                vals["partner_id"] = (partner.commercial_partner_id or partner).id or False
        reports = super().create(vals_list)
        reports.filtered("date_follow_up")._sync_follow_up()
        return reports[0] if single else reports

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if set(FOLLOW_UP_FIELDS) & set(vals):
            self._sync_follow_up()
        return result

    def _default_team(self, vals: dict[str, Any]) -> int | bool:
        if vals.get("lead_id"):
            team = self.env["crm.lead"].sudo().browse(vals["lead_id"]).team_id
            if team:
                return team.id
        user = self.env["res.users"].sudo().browse(vals.get("user_id") or self.env.uid)
        return user.sale_team_id.id or False

    def _sync_follow_up(self) -> None:
        """Keep each report's next activity in step with its follow-up date: schedule it,
        move it, or cancel it (only while it is not done). The activity is the system's
        doing on the report's behalf: the salesperson need not be allowed to post on the
        account."""
        activities = self.env["mail.activity"].sudo()
        for report in self.sudo():
            current = report.follow_up_activity_id
            pending = current if current and current.active else activities
            if not report.date_follow_up:
                if pending:
                    report.write({"follow_up_activity_id": False})
                    pending.unlink()
                continue
            target = report.lead_id or report.partner_id
            values = {"date_deadline": report.date_follow_up,
                      "user_id": report.user_id.id,
                      "activity_type_id": report.follow_up_type_id.id or False,
                      "summary": report._follow_up_summary()}
            if pending and (pending.res_model, pending.res_id) == (target._name, target.id):
                pending.write(values)
                continue
            if pending:
                pending.unlink()
            activity = activities.create({**values, "res_model": target._name,
                                          "res_id": target.id,
                                          "note": report._follow_up_note()})
            report.write({"follow_up_activity_id": activity.id})

    def _follow_up_summary(self) -> str:
        first = (self.next_steps or "").strip().splitlines()
        if first:
            return first[0][:120]
        return _("Follow-up of the visit of %(date)s", date=self.date.isoformat())

    def _follow_up_note(self) -> str:
        text = (self.next_steps or "").strip()
        return str(Markup("<p>{}</p>").format(escape(text))) if text else ""

    # -- demo ---------------------------------------------------------------------------------
    @api.model
    def _demo_generate(self, reports: list[list[Any]], planned: list[list[Any]]) -> Any:
        """Demo data, dated from the day it is loaded: ``reports`` are ``[opportunity
        xml id or '', account xml id, salesperson xml id, days ago, interest,
        satisfaction, subject, summary, next steps, follow-up in days or None]`` (those
        of an opportunity written the usual way: its Visit activity marked done);
        ``planned`` are Visit activities still to do, ``[record xml id, salesperson xml
        id, in days, summary]``."""
        created = self.browse(())
        for (lead, account, user, ago, interest, satisfaction, name, summary, steps,
             follow_up) in reports:
            owner = self.env.ref(user)
            today = local_today(owner.tz)
            date = today - dt.timedelta(days=ago)
            values = {"partner_id": self.env.ref(account).id, "user_id": owner.id,
                      "date": date, "name": name, "interest_level": interest,
                      "satisfaction": satisfaction,
                      "summary": str(Markup("<p>{}</p>").format(summary)),
                      "next_steps": steps, "date_follow_up": today + dt.timedelta(
                          days=follow_up) if follow_up is not None else False}
            if lead:
                activity = self.env.ref(lead).activity_schedule(
                    "crm_base.mail_activity_type_visit", summary=name, user_id=owner.id,
                    date_deadline=date)
                activity.action_done(summary)
                report = activity._done_report()
                report.write(values)
                created |= report
            else:
                created |= self.create(values)
        for record, user, days, summary in planned:
            owner = self.env.ref(user)
            self.env.ref(record).activity_schedule(
                "crm_base.mail_activity_type_visit", summary=summary, user_id=owner.id,
                date_deadline=local_today(owner.tz) + dt.timedelta(days=days))
        return created


def _note_text(note: Any) -> str:
    """An activity's note (HTML) as plain text."""
    if not note:
        return ""
    from core.mail.mentions import html_to_text
    return html_to_text(str(note)).strip()
