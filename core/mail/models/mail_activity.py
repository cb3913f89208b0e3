"""``mail.activity``: something to do on a record, by someone, before a date.

An activity points at its record by ``res_model`` + ``res_id``. Its ``state`` (overdue,
today, planned) is relative to the owner's time zone; it is stored (lists and boards group
by it), recomputed when the deadline or the owner change, and refreshed every hour by the
scheduler as days pass (``_cron_refresh_states``). Marking one done posts it with its
outcome on the record's chatter and archives it (kept, out of the lists); reminders
reach owners a set number of days before the deadline (``_send_reminders``), once per
activity.

Access follows the record: who reads the record sees its activities; scheduling needs
the access posting a message needs (``_mail_post_access``); the owner and the author of
an activity may always update it, mark it done or cancel it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from markupsafe import Markup, escape

from core import AccessError, Model, ValidationError, _, api, fields
from core.base.models.ir_attachment import attached_clause
from core.orm.model_write import now_utc

from ..access import check_targets, group_targets

STATES = [("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned")]
REMINDER_PARAM = "mail.activity.reminder_days"
DEFAULT_REMINDER_DAYS = 1


def local_today(tz: str | None, now: dt.datetime | None = None) -> dt.date:
    """Today in the time zone ``tz`` (UTC when unknown); ``now`` is naive UTC."""
    now = (now or now_utc()).replace(tzinfo=dt.timezone.utc)
    try:
        zone: dt.tzinfo = ZoneInfo(tz) if tz else dt.timezone.utc
    except (KeyError, ValueError):
        zone = dt.timezone.utc
    return now.astimezone(zone).date()


def activity_state(deadline: dt.date | None, today: dt.date) -> str:
    if not deadline or deadline > today:
        return "planned"
    return "today" if deadline == today else "overdue"


def _readable_ids(records: Any, uid: int) -> list[int]:
    """Those of ``records`` user ``uid`` may read, in one query (an owner who may not
    read a record is not made its follower: followers are told what happens on it)."""
    mine = records.with_user(uid).with_context(active_test=False)
    if not records or not mine._check_access("read", raise_exception=False):
        return []
    return mine.search([("id", "in", records.ids)]).ids


class MailActivity(Model):
    _name = "mail.activity"
    _description = "Activity"
    _order = "date_deadline, id"
    _rec_name = "summary"

    res_model = fields.Char("Document Model", required=True, index=True, readonly=True)
    res_id = fields.Integer("Document ID", required=True, index=True, readonly=True)
    res_name = fields.Char("Document", compute="_compute_res_name")
    activity_type_id = fields.Many2one("mail.activity.type", "Activity Type",
                                       ondelete="restrict")
    category = fields.Selection(related="activity_type_id.category")
    summary = fields.Char("Summary")
    note = fields.Html("Note")
    # forms show the current user's today; create() without a date takes the assignee's
    date_deadline = fields.Date("Due Date", required=True, index=True,
                                default=lambda self: local_today(self.env.user.tz))
    user_id = fields.Many2one("res.users", "Assigned to", required=True, index=True,
                              default=lambda self: self.env.uid)
    state = fields.Selection(STATES, "State", compute="_compute_state", store=True,
                             index=True)
    date_reminded = fields.Datetime("Reminder Sent", readonly=True, copy=False)
    active = fields.Boolean("Active", default=True,
                            help="Done activities are archived: kept, out of the lists.")
    date_done = fields.Datetime("Done on", readonly=True, copy=False)
    feedback = fields.Text("Outcome", readonly=True, copy=False)
    res_link = fields.Html("Open the Document", compute="_compute_res_link")

    # -- computed ------------------------------------------------------------------------------
    @api.depends("date_deadline", "user_id.tz")
    def _compute_state(self) -> None:
        now = self.env.context.get("mail_activity_now") or now_utc()
        for activity in self:
            today = local_today(activity.user_id.tz, now)
            activity.state = activity_state(activity.date_deadline, today)

    def _compute_res_name(self) -> None:
        by_model: dict[str, set[int]] = {}
        for activity in self:
            by_model.setdefault(activity.res_model, set()).add(activity.res_id)
        names = {model: self.env[model].sudo()._display_names(ids)
                 for model, ids in by_model.items() if model in self.env}
        for activity in self:
            activity.res_name = names.get(activity.res_model, {}).get(activity.res_id, "")

    def _compute_res_link(self) -> None:
        for activity in self:
            activity.res_link = str(Markup('<a href="/mail/open/{model}/{id}">{name}</a>').format(
                model=activity.res_model, id=activity.res_id,
                name=activity.res_name or _("Open"))) if activity.res_model else False

    def _compute_display_name(self) -> None:
        for activity in self:
            activity.display_name = activity.summary or activity.activity_type_id.name or \
                _("Activity %(id)s", id=activity.id)

    # -- access: the record, or the activity's owner and author --------------------------------
    def _rule_clause(self, operation: str) -> sa.ColumnElement[bool] | None:
        own = super()._rule_clause(operation)
        if self.env.su or operation == "create":
            return own
        table = self._sa_table
        mine = table.c.user_id == self.env.uid
        if operation == "read":
            clause = sa.or_(mine, attached_clause(self, "read"))
        else:
            clause = sa.or_(mine, table.c.create_uid == self.env.uid,
                            attached_clause(self, "write"))
        return clause if own is None else sa.and_(own, clause)

    # -- CRUD ----------------------------------------------------------------------------------
    def _assignee_today(self, user_id: int) -> dt.date:
        """Today where the assignee lives: the day the state (today/overdue) is judged by."""
        tz = self.env["res.users"].sudo().browse(user_id).tz or self.env.context.get("tz")
        return local_today(tz)

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(v) for v in ([vals_list] if single else vals_list)]
        types = self.env["mail.activity.type"]
        for vals in vals_list:
            if not vals.get("res_model"):
                raise ValidationError(_("An activity needs the document it is about."),
                                      field="res_model")
        check_targets(self.env, group_targets(
            (vals["res_model"], vals.get("res_id"), "post") for vals in vals_list),
            _("The document to schedule an activity on does not exist."))
        for vals in vals_list:
            kind = types.browse(vals["activity_type_id"]) if vals.get(
                "activity_type_id") else types
            if not vals.get("date_deadline"):
                today = self._assignee_today(vals.get("user_id") or self.env.uid)
                vals["date_deadline"] = today + dt.timedelta(days=kind.delay_days or 0)
            if kind and not vals.get("summary") and kind.summary:
                vals["summary"] = kind.summary
        activities = super().create(vals_list)
        activities._follow_and_tell_owners()
        return activities[0] if single and activities else activities

    def write(self, vals: dict[str, Any]) -> bool:
        if {"res_model", "res_id"} & set(vals) and not self.env.su:
            raise AccessError(_("An activity stays on its record; schedule a new one "
                                "instead."))
        if "date_deadline" in vals and "date_reminded" not in vals:
            vals = {**vals, "date_reminded": False}  # a new deadline deserves a new reminder
        old_owners = {a.id: a.user_id.id for a in self} if "user_id" in vals else {}
        result = super().write(vals)
        if old_owners:
            self.filtered(lambda a: a.user_id.id != old_owners.get(a.id))\
                ._follow_and_tell_owners()
        return result

    def _follow_and_tell_owners(self) -> None:
        """Owners follow the records they may read; an owner assigned by someone else is
        told so in his inbox (one notification per owner and batch). Both are the
        system's doing (the owner may not be the assigner's to subscribe), after the
        access checks of create and write; a constant number of queries per owner."""
        from .. import notify
        by_owner: dict[Any, dict[str, list[Any]]] = {}
        for activity in self.sudo():
            owner = activity.user_id
            by_owner.setdefault(owner, {}).setdefault(activity.res_model, []).append(activity)
        for owner, by_model in by_owner.items():
            if not owner.partner_id:
                continue
            for model, activities in by_model.items():
                records = self.env[model].sudo().browse({a.res_id for a in activities})
                if hasattr(records, "message_subscribe"):
                    records.browse(_readable_ids(records, owner.id)).message_subscribe(
                        [owner.partner_id.id])
            if owner.id == self.env.uid or not owner.active:
                continue
            assigned = [a for activities in by_model.values() for a in activities]
            lang = owner.lang or "en_US"
            if len(assigned) == 1:
                activity = assigned[0]
                text = _("%(user)s assigned you an activity: %(activity)s, due %(date)s.",
                         user=self.env.user.name, activity=activity.display_name,
                         date=activity.date_deadline.isoformat(), lang=lang)
                record = self.env[activity.res_model].sudo().browse(activity.res_id)
            else:
                text = _("%(user)s assigned you %(count)s activities: %(activities)s.",
                         user=self.env.user.name, count=len(assigned), lang=lang,
                         activities=", ".join(a.display_name for a in assigned[:10]))
                record = None
            notify.tell(self.env, owner.partner_id, text, record)

    # -- actions -------------------------------------------------------------------------------
    def action_done(self, feedback: str | None = None) -> Any:
        """Log these activities on their records' chatter, with ``feedback`` (the outcome),
        then archive them (done: kept, out of the lists); returns the messages posted."""
        messages = self.env["mail.message"]
        todo = self.filtered(lambda a: a.active)
        if not todo:
            return messages
        todo._check_access("write")
        todo._check_rules("write")
        for activity in todo:
            body = Markup("<p><strong>{kind}</strong>{summary}</p>").format(
                kind=activity.activity_type_id.name or _("Activity"),
                summary=Markup(": {}").format(activity.summary) if activity.summary else "")
            if activity.note:
                body += Markup(activity.note)
            if feedback:
                body += Markup("<p>{label} {text}</p>").format(label=_("Outcome:"),
                                                               text=escape(feedback))
            values = {"body": str(body), "message_type": "notification",
                      "mail_activity_type_id": activity.activity_type_id.id or False,
                      "author_id": self.env.user.partner_id.id}
            # the log is the system's: the owner need not be allowed to post on the record
            record = self.env[activity.res_model].sudo().browse(activity.res_id)
            if hasattr(record, "message_post"):
                messages |= record.message_post(subtype_xmlid="mail.mt_activities", **values)
            else:
                messages |= self.env["mail.message"].sudo().create({
                    **values, "res_model": activity.res_model, "res_id": activity.res_id,
                    "subtype_id": self.env.ref("mail.mt_activities").id})
        todo.write({"active": False, "date_done": now_utc(), "feedback": feedback or False})
        return messages

    def action_feedback(self, feedback: str | None = None) -> Any:
        """Odoo's name for :meth:`action_done`."""
        return self.action_done(feedback)

    def action_cancel(self) -> bool:
        """Cancel (remove) these activities."""
        return self.unlink()
