"""The mail layer's automation action kinds (registered through
``comptoir_automation_actions``), configured by the action's ``params`` dict:

* ``mail_template`` *Send a mail template*: ``{'template': 'addon.xmlid' or id}``; the
  e-mail is archived on each record and queued (a failing SMTP send is retried by the
  job queue and never undoes the triggering change);
* ``mail_activity`` *Create an activity*: ``{'activity_type': 'mail.activity_type_call',
  'summary': '...', 'note': '...', 'days': 2, 'user_field': 'user_id'}`` (owner: the
  record's user field, else ``'user_id': <id>``, else the triggering user);
* ``mail_followers`` *Add followers*: ``{'partner_ids': [..], 'user_ids': [..],
  'partner_field': 'partner_id'}``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import ValidationError, _
from core.automation.actions import ActionRun, AutomationAction
from core.i18n.translate import _lt


def _template(run: ActionRun) -> Any:
    ref = run.params.get("template")
    env = run.env
    if isinstance(ref, str) and "." in ref:
        template = env.ref(ref, raise_if_not_found=False)
    elif isinstance(ref, int):
        template = env["mail.template"].browse(ref).exists()
    else:
        template = None
    if not template or template._name != "mail.template":
        raise ValidationError(_("Name the mail template to send: {'template': "
                                "'addon.template_id'}."), field="params")
    return template


def _require_thread(run: ActionRun) -> None:
    if not hasattr(run.records, "message_post"):
        raise ValidationError(_("%(model)s has no chatter.", model=run.records._name),
                              field="params")


def run_send_template(run: ActionRun) -> None:
    _require_thread(run)
    template = _template(run)
    for record in run.records:
        record.message_send_mail(template=template)


def run_create_activity(run: ActionRun) -> None:
    _require_thread(run)
    params = run.params
    type_ref = params.get("activity_type") or "mail.activity_type_todo"
    activity_type = run.env.ref(type_ref, raise_if_not_found=False) \
        if isinstance(type_ref, str) else run.env["mail.activity.type"].browse(type_ref)
    if not activity_type or not activity_type.exists():
        raise ValidationError(_("Unknown activity type %(type)s.", type=type_ref),
                              field="params")
    days = params.get("days")
    user_field = params.get("user_field")
    activities = run.env["mail.activity"]
    for record in run.records:
        owner = record[user_field].id if user_field and user_field in record._fields \
            else None
        owner = owner or params.get("user_id") or run.env.uid
        # "in N days" counts from the owner's today, the day the activity's state is judged by
        deadline = activities._assignee_today(owner) + dt.timedelta(days=int(days)) \
            if days is not None else None
        record.activity_schedule(activity_type_id=activity_type.id,
                                 summary=str(params.get("summary") or ""),
                                 note=str(params.get("note") or ""), date_deadline=deadline,
                                 user_id=owner)


def run_add_followers(run: ActionRun) -> None:
    _require_thread(run)
    params = run.params
    partners = [int(p) for p in params.get("partner_ids") or []]
    user_ids = [int(u) for u in params.get("user_ids") or []]
    if user_ids:
        partners += run.env["res.users"].browse(user_ids).exists().mapped("partner_id").ids
    field = params.get("partner_field")
    for record in run.records:
        extra = []
        if field and field in record._fields and record[field]:
            value = record[field]
            extra = value.ids if value._name == "res.partner" else \
                value.mapped("partner_id").ids if value._name == "res.users" else []
        if partners or extra:
            record.message_subscribe(sorted(set(partners + extra)))


ACTIONS = (
    AutomationAction("mail_template", _lt("Send a mail template"), run_send_template,
                     _lt("E-mail the records' followers and the template's recipients: "
                         "{'template': 'addon.template_id'}.")),
    AutomationAction("mail_activity", _lt("Create an activity"), run_create_activity,
                     _lt("{'activity_type': 'mail.activity_type_call', 'summary': '...', "
                         "'days': 2, 'user_field': 'user_id'}.")),
    AutomationAction("mail_followers", _lt("Add followers"), run_add_followers,
                     _lt("{'partner_ids': [...], 'user_ids': [...], "
                         "'partner_field': 'partner_id'}.")),
)
