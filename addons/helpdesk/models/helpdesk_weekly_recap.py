"""``helpdesk.weekly.recap``: the week's support figures, e-mailed to the helpdesk managers.

A recap covers one week (Monday to Sunday) of every team, or of one team. Its figures are a
snapshot of :meth:`helpdesk.report._kpis` taken when it is computed
(:meth:`HelpdeskWeeklyRecap.action_refresh`, done again before sending): tickets opened and
resolved, average first response and handling times, first-contact resolution, reopen and
SLA success rates, escalations, and the unresolved backlog at the time (with the tickets
older than a week); the every-team recap has one line per team
(``helpdesk.weekly.recap.line``), the figures all taken in a constant number of queries.
The e-mail is the ``mail.template`` ``helpdesk.mail_template_weekly_recap`` (sandboxed
jinja, editable), rendered in each recipient's language and queued in the outgoing mail
queue.

Every Monday the scheduled action ``helpdesk.ir_cron_weekly_recap`` sends last week's
every-team recap to the helpdesk managers and each team's own to the team's manager;
managers may send one at any time (*Send now*). Figures are the system's, whoever asks: only
helpdesk managers open recaps.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from core import AbstractModel, Model, _, api, fields
from core.exceptions import UserError
from core.mail import outgoing
from core.mail.compose import queue_emails
from core.mail.models.mail_activity import local_today

from addons.crm_base.models.crm_dashboard import users_in_group
from addons.crm_base.models.crm_target import week_bounds

_logger = logging.getLogger(__name__)
TEMPLATE = "helpdesk.mail_template_weekly_recap"
STATES = [("draft", "Draft"), ("sent", "Sent")]
#: the figures a recap and its lines keep from :meth:`helpdesk.report._kpis`
FIGURES = ("opened", "resolved", "avg_first_response_hours", "avg_handling_hours",
           "fcr_rate", "reopen_rate", "sla_success_rate", "sla_count", "escalations")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class HelpdeskRecapFigures(AbstractModel):
    """The figures shared by a recap and its lines (an empty rate: nothing to measure)."""

    _name = "helpdesk.recap.figures"
    _description = "Helpdesk Recap Figures"
    opened = fields.Integer("Opened", readonly=True)
    resolved = fields.Integer("Resolved", readonly=True)
    avg_first_response_hours = fields.Float("Avg. First Response (h)", digits=(10, 1),
                                            readonly=True)
    avg_handling_hours = fields.Float("Avg. Handling Time (h)", digits=(10, 1), readonly=True)
    fcr_rate = fields.Float("First-Contact Resolution (%)", digits=(6, 1), readonly=True)
    reopen_rate = fields.Float("Reopen Rate (%)", digits=(6, 1), readonly=True)
    sla_success_rate = fields.Float("SLA Success (%)", digits=(6, 1), readonly=True)
    sla_count = fields.Integer("Resolved under an SLA", readonly=True)
    escalations = fields.Integer("Escalations", readonly=True)
    backlog = fields.Integer("Unresolved", readonly=True)

    @staticmethod
    def _values_of(figures: dict[str, Any]) -> dict[str, Any]:
        return {name: figures[name] if figures[name] is not None else False
                for name in FIGURES}


class HelpdeskWeeklyRecap(Model):
    _name = "helpdesk.weekly.recap"
    _description = "Helpdesk Weekly Recap"
    _inherit = ["mail.thread", "helpdesk.recap.figures"]
    _order = "date_from desc, id desc"

    week_date = fields.Date("Week of", required=True,
                            default=lambda self: local_today(self.env.user.tz),
                            help="Any day of the week summed up (Monday to Sunday).")
    date_from = fields.Date("From", compute="_compute_dates", store=True, index=True)
    date_to = fields.Date("To", compute="_compute_dates", store=True, index=True)
    team_id = fields.Many2one("helpdesk.team", "Team", ondelete="cascade",
                              help="Empty: every team.")
    state = fields.Selection(STATES, "Status", default="draft", readonly=True, index=True)
    date_computed = fields.Datetime("Figures of", readonly=True, copy=False)
    date_sent = fields.Datetime("Sent on", readonly=True, copy=False)
    recipient_ids = fields.Many2many("res.partner", "helpdesk_weekly_recap_recipient_rel",
                                     "recap_id", "partner_id", "Sent to", readonly=True)
    backlog_old = fields.Integer("Unresolved for over a week", readonly=True)
    line_ids = fields.One2many("helpdesk.weekly.recap.line", "recap_id", "Teams",
                               readonly=True)

    @api.depends("week_date")
    def _compute_dates(self) -> None:
        for recap in self:
            if recap.week_date:
                recap.date_from, recap.date_to = week_bounds(recap.week_date)
            else:
                recap.date_from = recap.date_to = False

    def _compute_display_name(self) -> None:
        for recap in self:
            text = _("Week of %(date)s", date=recap.date_from.isoformat()) \
                if recap.date_from else _("Weekly recap")
            recap.display_name = f"{text} · {recap.team_id.name}" if recap.team_id else text

    # -- figures ------------------------------------------------------------------------------
    def action_refresh(self) -> bool:
        """Take the figures of the week (again), as the system."""
        for recap in self:
            recap._refresh()
        return True

    def _refresh(self) -> None:
        self.ensure_one()
        report = self.env["helpdesk.report"].sudo().with_context(active_test=False)
        scope = [("team_id", "=", self.team_id.id)] if self.team_id else []
        figures = report._kpis(scope, self.date_from, self.date_to)
        backlog = report._backlog_by_age(scope, "team_id")  # unresolved now
        values = {**HelpdeskRecapFigures._values_of(figures),
                  "backlog": sum(counts["total"] for counts in backlog.values()),
                  "backlog_old": sum(counts["age_7"] + counts["age_14"] + counts["age_30"]
                                     for counts in backlog.values()),
                  "date_computed": _now(), "line_ids": [(5, 0, 0)]}
        if not self.team_id:
            by_team = report._kpis_by([], self.date_from, self.date_to, "team_id")
            teams = self.env["helpdesk.team"].sudo().with_context(active_test=False).browse(
                [key for key in set(by_team) | set(backlog) if key])
            for team in teams.sorted(lambda t: (t.name or "").lower()):
                line = by_team.get(team.id)
                open_count = backlog.get(team.id, {}).get("total", 0)
                if (line and (line["opened"] or line["resolved"])) or open_count:
                    values["line_ids"].append((0, 0, {
                        "team_id": team.id, "backlog": open_count,
                        **(HelpdeskRecapFigures._values_of(line) if line else {})}))
        self.sudo().write(values)

    # -- sending ---------------------------------------------------------------------------------
    def _default_recipients(self) -> Any:
        """The team's manager for a team's recap, the helpdesk managers for every team's."""
        self.ensure_one()
        if self.team_id:
            users = self.sudo().team_id.user_id
        else:
            users = users_in_group(self.env, "helpdesk.group_helpdesk_manager")
        return users.filtered(lambda u: u.active).mapped("partner_id")

    def action_send(self) -> bool:
        """*Send now*: refresh the figures and e-mail them to the default recipients."""
        for recap in self:
            recap._refresh()
            partners = recap._default_recipients().filtered(lambda p: p.email)
            if not partners:
                raise UserError(_("Nobody to send the recap to: the helpdesk managers (or "
                                  "the team's manager) need an e-mail address."))
            recap._send_to(partners)
        return True

    def _send_to(self, partners: Any) -> Any:
        """Archive the recap's e-mail on it and queue one mail per recipient in his
        language; returns the message."""
        self.ensure_one()
        template = self.env.ref(TEMPLATE).sudo()
        recap = self.sudo()

        def render(lang: str | None) -> dict[str, str]:
            return template.render_for(recap, lang)

        content = render(None)
        message = recap.with_context(mail_defer_email=True).message_post(
            body=content["body_html"], subject=content["subject"], message_type="email",
            subtype_xmlid="mail.mt_note")
        by_lang: dict[str | None, list[Any]] = defaultdict(list)
        for partner in partners:
            by_lang[partner.lang or None].append(partner)
        for lang, group in by_lang.items():
            queue_emails(self.env, message, self.env["mail.notification"], render,
                         [outgoing.format_address(p.name, p.email) for p in group], lang=lang)
        recap.write({"state": "sent", "recipient_ids": [(6, 0, partners.ids)],
                     "date_sent": _now()})
        return message

    @api.model
    def _send_weekly(self, today: dt.date | None = None) -> Any:
        """Last week's recaps: every team's to the helpdesk managers, each team's to its
        manager. Returns the recaps sent (those without recipient stay drafts)."""
        today = today or local_today(self.env.user.tz)
        last_week = today - dt.timedelta(days=7)
        teams = self.env["helpdesk.team"].sudo().search([("user_id", "!=", False)])
        recaps = self.sudo().create(
            [{"week_date": last_week}] +
            [{"week_date": last_week, "team_id": team.id} for team in teams])
        sent = self.browse(())
        for recap in recaps:
            recap._refresh()
            partners = recap._default_recipients().filtered(lambda p: p.email)
            if partners:
                recap._send_to(partners)
                sent |= recap
            else:
                _logger.info("helpdesk weekly recap %s: nobody to send it to", recap.id)
        return sent

    def _cron_send_weekly(self) -> int:
        """Scheduled every Monday: last week's recaps."""
        return len(self._send_weekly())

    @api.model
    def _schedule_weekly_cron(self, now: dt.datetime | None = None) -> None:
        """Installation: the first run is next Monday at 6:00 UTC; a schedule that ran
        already is left alone."""
        cron = self.env.ref("helpdesk.ir_cron_weekly_recap", raise_if_not_found=False)
        if not cron or cron.last_call:
            return
        now = now or _now()
        monday = now.date() + dt.timedelta(days=7 - now.weekday())
        cron.sudo().write({"nextcall": dt.datetime.combine(monday, dt.time(6, 0))})


class HelpdeskWeeklyRecapLine(Model):
    _name = "helpdesk.weekly.recap.line"
    _description = "Helpdesk Weekly Recap Line"
    _inherit = ["helpdesk.recap.figures"]
    _order = "recap_id, id"

    recap_id = fields.Many2one("helpdesk.weekly.recap", "Recap", required=True,
                               ondelete="cascade", index=True)
    team_id = fields.Many2one("helpdesk.team", "Team", required=True, ondelete="cascade")
