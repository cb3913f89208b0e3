"""``mail.activity`` upkeep run by the scheduler: reminders before deadlines, and states
moving from planned to today to overdue as days pass (in each owner's time zone)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import Model, _, api
from core.orm.model_write import now_utc

from .mail_activity import DEFAULT_REMINDER_DAYS, REMINDER_PARAM, local_today


class MailActivity(Model):
    _inherit = "mail.activity"

    @api.model
    def _reminder_days(self) -> int:
        value = self.env["ir.config_parameter"].sudo().get_param(REMINDER_PARAM)
        try:
            return max(int(value), 0) if value not in (None, "") else DEFAULT_REMINDER_DAYS
        except ValueError:
            return DEFAULT_REMINDER_DAYS

    @api.model
    def _send_reminders(self, now: dt.datetime | None = None) -> Any:
        """Tell each owner, in his inbox (or by e-mail, as he prefers), of his activities
        due within the reminder delay (setting ``mail.activity.reminder_days``, 1 by
        default; 0: on the day), once per activity; returns the activities reminded."""
        from .. import notify
        now = now or now_utc()
        days = self._reminder_days()
        activities = self.sudo()
        # today is at most one day ahead of UTC anywhere: a wide first cut, exact below
        horizon = now.date() + dt.timedelta(days=days + 1)
        candidates = activities.search([("date_reminded", "=", False),
                                        ("date_deadline", "<=", horizon)])
        due = candidates.filtered(lambda a: a.user_id.active and a.date_deadline <= local_today(
            a.user_id.tz, now) + dt.timedelta(days=days))
        for activity in due:
            owner = activity.user_id
            lang = owner.lang or "en_US"
            today = local_today(owner.tz, now)
            if activity.date_deadline < today:
                when = _("was due on %(date)s", date=activity.date_deadline.isoformat(),
                         lang=lang)
            elif activity.date_deadline == today:
                when = _("is due today", lang=lang)
            else:
                when = _("is due on %(date)s", date=activity.date_deadline.isoformat(),
                         lang=lang)
            text = _("Reminder: %(activity)s on %(record)s %(when)s.",
                     activity=activity.display_name, record=activity.res_name, when=when,
                     lang=lang)
            record = self.env[activity.res_model].sudo().browse(activity.res_id)
            notify.tell(self.env, owner.partner_id, text, record)
        if due:
            due.write({"date_reminded": now})
        return due

    @api.model
    def _refresh_states(self, now: dt.datetime | None = None) -> int:
        """Recompute the state of the activities whose day may have turned (deadline up
        to tomorrow, UTC) and store those that changed; returns how many were looked at."""
        now = now or now_utc()
        horizon = now.date() + dt.timedelta(days=1)
        stale = self.sudo().search([("state", "in", ("planned", "today")),
                                    ("date_deadline", "<=", horizon)])
        if stale:
            field = self._fields["state"]
            self.env.transaction.to_recompute[field].update(stale._ids)
            self.with_context(mail_activity_now=now).env.flush()
        return len(stale)

    def _cron_send_reminders(self) -> int:
        """Scheduled: reminders of activities due soon."""
        return len(self._send_reminders())

    def _cron_refresh_states(self) -> int:
        """Scheduled: overdue / today / planned as days pass."""
        return self._refresh_states()

    @api.model
    def _demo_schedule(self, record_xmlid: str) -> Any:
        """Demo data: an overdue call, a meeting today and a to-do next week for the
        administrator on one record (dates relative to the day the demo is loaded)."""
        record = self.env.ref(record_xmlid)
        admin = self.env.ref("base.user_admin")
        today = local_today(admin.tz)
        plan = [("mail.activity_type_call", -2, "Call back about the renewal"),
                ("mail.activity_type_meeting", 0, "Review the open requests"),
                ("mail.activity_type_todo", 7, "Prepare the quarterly summary")]
        return self.create([{
            "res_model": record._name, "res_id": record.id, "user_id": admin.id,
            "activity_type_id": self.env.ref(xmlid).id, "summary": summary,
            "date_deadline": today + dt.timedelta(days=delta)} for xmlid, delta, summary in plan])
