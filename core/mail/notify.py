"""Who hears of a message, and how: the notifications created when a message is posted.

Recipients are the record's followers subscribed to the message's subtype, plus the
partners the message is addressed to or mentions, less its author; an internal message
(a note, an activity) reaches internal users only. Each recipient then gets:

* a user: an ``inbox`` notification, or an ``email`` one if his preference
  (``res.users.notification_type``) says so; a user mentioned or addressed directly
  always gets the inbox one too; plus one per channel he opted in to (SMS...);
* a partner without a user (a customer): an ``email`` notification, when he has an
  address.

E-mail and channel notifications start ``ready``: e-mail ones are queued at once as
``mail.mail`` rows (:mod:`.compose`, unless the composer does it with its own renderings,
context ``mail_defer_email``), the job queue delivers the channels. Everything is done
in a constant number of queries.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable

import sqlalchemy as sa

from .channels import available_channels

if TYPE_CHECKING:
    from core import Environment


def follower_partners(env: "Environment", res_model: str, res_id: int,
                      subtype_id: int) -> set[int]:
    """Partners following this record for this subtype (one query)."""
    followers = env.registry["mail.followers"]
    table = followers._sa_table
    field = followers._fields["subtype_ids"]
    rel = field.relation_table(env.registry.metadata)
    query = sa.select(table.c.partner_id).join(
        rel, rel.c[field.column1] == table.c.id).where(
        table.c.res_model == res_model, table.c.res_id == res_id,
        rel.c[field.column2] == subtype_id)
    return {row[0] for row in env.execute(query)}


def _users_of(env: "Environment", partner_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{partner id: {uid, type, channels, internal}}`` for partners with an active user."""
    ids = sorted(partner_ids)
    if not ids:
        return {}
    users = env.registry["res.users"]._sa_table
    rows = env.execute(sa.select(users.c.id, users.c.partner_id, users.c.notification_type,
                                 users.c.notification_channels).where(
        users.c.partner_id.in_(ids), users.c.active.is_(True)).order_by(users.c.id)).all()
    members = env.registry.metadata.tables["res_groups_users_rel"]
    groups = env.registry["res.groups"]._sa_table
    share = {row[0] for row in env.execute(sa.select(members.c.uid).join(
        groups, groups.c.id == members.c.gid).where(
        groups.c.share.is_(True), members.c.uid.in_([r.id for r in rows])))} if rows else set()
    result: dict[int, dict[str, Any]] = {}
    for row in rows:
        result.setdefault(row.partner_id, {
            "uid": row.id, "type": row.notification_type or "inbox",
            "channels": list(row.notification_channels or []),
            "internal": row.id not in share})
    return result


def _emails_of(env: "Environment", partner_ids: Iterable[int]) -> dict[int, str]:
    partners = env.registry["res.partner"]._sa_table
    ids = sorted(partner_ids)
    if not ids:
        return {}
    return {row[0]: row[1] for row in env.execute(sa.select(
        partners.c.id, partners.c.email).where(partners.c.id.in_(ids))) if row[1]}


def notify_partners(env: "Environment", message: Any, partner_ids: Iterable[int],
                    direct: Iterable[int] = ()) -> Any:
    """Create the notifications of ``message`` for these partners (``direct``: those
    addressed or mentioned, who always get an inbox notification); returns them."""
    env = env(su=True)
    partner_ids = set(partner_ids)
    direct = set(direct)
    notifications = env["mail.notification"]
    if not partner_ids:
        return notifications
    users = _users_of(env, partner_ids)
    emails = _emails_of(env, [p for p in partner_ids if p not in users
                              or not users[p]["internal"] or users[p]["type"] == "email"])
    channels = available_channels(env)
    internal_only = bool(message.is_internal)
    kinds: dict[int, list[str]] = defaultdict(list)
    for partner_id in sorted(partner_ids):
        user = users.get(partner_id)
        if user is None or not user["internal"]:
            if not internal_only and partner_id in emails:
                kinds[partner_id].append("email")
            continue
        if user["type"] == "email" and partner_id in emails:
            kinds[partner_id].append("email")
        if user["type"] != "email" or partner_id in direct or partner_id not in emails:
            kinds[partner_id].append("inbox")
        kinds[partner_id] += [key for key in user["channels"] if key in channels]
    values = [{"mail_message_id": message.id, "res_partner_id": partner_id,
               "notification_type": kind, "is_read": False,
               "state": "sent" if kind == "inbox" else "ready"}
              for partner_id, types in kinds.items() for kind in types]
    if not values:
        return notifications
    created = notifications.create(values)
    pending = [notification.id for notification, vals in zip(created, values)
               if vals["notification_type"] in channels]
    if pending and "ir.job" in env:
        env["ir.job"].enqueue("mail.notification", "_job_deliver", args=[pending, 1],
                              max_attempts=1)
    if "email" in {vals["notification_type"] for vals in values} and \
            not message.env.context.get("mail_defer_email"):
        from .compose import queue_emails  # the composer queues its own renderings
        queue_emails(env, message, created)
    return created


def notify_message(message: Any, mentioned: Iterable[int] = ()) -> Any:
    """Notify the followers (by subtype) and the recipients of a just posted message."""
    env = message.env(su=True)
    message = message.with_env(env)
    recipients: set[int] = set()
    if message.res_model and message.res_id and message.subtype_id:
        recipients |= follower_partners(env, message.res_model, message.res_id,
                                        message.subtype_id.id)
    direct = set(message.partner_ids.ids) | set(mentioned)
    recipients |= direct
    recipients.discard(message.author_id.id)
    return notify_partners(env, message, recipients, direct)


def tell(env: "Environment", partner: Any, text: str, record: Any = None) -> Any:
    """A message for one person only (an assignment, a reminder), about ``record``: in
    his inbox (or by e-mail), never on the record's timeline."""
    from markupsafe import escape
    sudo = env(su=True)
    values = {"body": f"<p>{escape(text)}</p>", "message_type": "user_notification",
              "is_internal": True, "partner_ids": [(6, 0, [partner.id])],
              "author_id": env.user.partner_id.id or False}
    if record is not None and record._name in sudo and record.id:
        values.update(res_model=record._name, res_id=record.id)
    message = sudo["mail.message"].create(values)
    return notify_partners(sudo, message, [partner.id], [partner.id])
