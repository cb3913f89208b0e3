"""``mail.thread``: the mixin that gives a model its chatter.

A model inheriting it (``_inherit = ["mail.thread"]``) gets its messages, followers and
activities (computed, searchable), and the API the web client, the mail gateway and other
addons use: :meth:`message_post`, :meth:`message_subscribe`, :meth:`message_unsubscribe`,
:meth:`activity_schedule`. The creator of a record and the users in its
``_mail_follow_fields`` (``user_id`` by default) follow it. Tracked field changes are not
stored twice: the timeline reads them from the change journal (fields declared with
``tracking=True``, and fields a workflow drives); a subtype bound to a field
(``track_field``) notifies its followers when that field changes.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar, Iterable, Sequence

import sqlalchemy as sa

from core import SUPERUSER_ID, AbstractModel, api, fields

from .. import notify
from ..fields import AttachedRecords


class MailThread(AbstractModel):
    _name = "mail.thread"
    _description = "Discussion Thread"

    #: what posting a message or scheduling an activity needs on the record
    _mail_post_access: ClassVar[str] = "write"
    #: many2one fields to ``res.users`` whose users follow the record
    _mail_follow_fields: ClassVar[tuple[str, ...]] = ("user_id",)

    message_ids = AttachedRecords("mail.message", string="Messages",
                                  compute="_compute_message_ids", search="_search_message_ids")
    message_follower_ids = AttachedRecords("mail.followers", string="Followers",
                                           compute="_compute_message_follower_ids",
                                           search="_search_message_follower_ids")
    activity_ids = AttachedRecords("mail.activity", string="Activities",
                                   compute="_compute_activity_ids",
                                   search="_search_activity_ids")
    message_is_follower = fields.Boolean("I Follow", compute="_compute_message_is_follower",
                                         search="_search_message_is_follower")

    # -- computed links ----------------------------------------------------------------------
    def _attached(self, model_name: str) -> dict[int, list[int]]:
        """``{record id: ids}`` of the ``model_name`` rows the user may read on these
        records (computes run as superuser: the user's rights are put back here)."""
        comodel = self.env[model_name].with_context(active_test=True)  # not done activities
        if self.env.uid != SUPERUSER_ID:
            comodel = comodel.sudo(False)
        result: dict[int, list[int]] = defaultdict(list)
        if not self._ids or not comodel._check_access("read", raise_exception=False):
            return result
        found = comodel.search_fetch([("res_model", "=", self._name),
                                      ("res_id", "in", list(self._ids))], ["res_id"])
        for row in found:
            result[row.res_id].append(row.id)
        return result

    def _compute_message_ids(self) -> None:
        found = self._attached("mail.message")
        for record in self:
            record.message_ids = found.get(record.id, [])

    def _compute_message_follower_ids(self) -> None:
        found = self._attached("mail.followers")
        for record in self:
            record.message_follower_ids = found.get(record.id, [])

    def _compute_activity_ids(self) -> None:
        found = self._attached("mail.activity")
        for record in self:
            record.activity_ids = found.get(record.id, [])

    def _search_attached(self, model_name: str, operator: str, value: Any) -> list:
        comodel = self.env[model_name]
        domain: list = [("res_model", "=", self._name)]
        positive = operator not in ("!=", "not in", "not any")
        if operator in ("any", "not any"):
            domain += list(value or [])
        elif value not in (False, None) or operator in ("in", "not in"):
            ids = [value] if isinstance(value, int) else list(value or [])
            domain.append(("id", "in", ids))
            positive = operator in ("=", "in")
        else:  # ('message_ids', '=', False): records without any
            positive = operator != "="
        res_ids = {row.res_id for row in comodel.search_fetch(domain, ["res_id"])}
        return [("id", "in" if positive else "not in", sorted(res_ids))]

    def _search_message_ids(self, operator: str, value: Any) -> list:
        return self._search_attached("mail.message", operator, value)

    def _search_message_follower_ids(self, operator: str, value: Any) -> list:
        return self._search_attached("mail.followers", operator, value)

    def _search_activity_ids(self, operator: str, value: Any) -> list:
        return self._search_attached("mail.activity", operator, value)

    def _followed_ids(self, ids: Iterable[int] | None = None) -> set[int]:
        followers = self.env["mail.followers"].sudo()
        domain = [("res_model", "=", self._name),
                  ("partner_id", "=", self.env.user.partner_id.id)]
        if ids is not None:
            domain.append(("res_id", "in", list(ids)))
        return {row.res_id for row in followers.search_fetch(domain, ["res_id"])}

    def _compute_message_is_follower(self) -> None:
        followed = self._followed_ids(self._ids)
        for record in self:
            record.message_is_follower = record.id in followed

    def _search_message_is_follower(self, operator: str, value: Any) -> list:
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", sorted(self._followed_ids()))]

    # -- CRUD: followers and tracking ---------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        records = super().create(vals_list)
        if records and not self.env.context.get("mail_create_nosubscribe"):
            records._mail_autofollow(creator=not self.env.su)
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        tracked = self._mail_track_subtypes(vals) if self._ids else []
        since = self._journal_last_id() if tracked else 0
        result = super().write(vals)
        fields_set = [name for name in self._mail_user_fields() if name in vals]
        if fields_set:
            self._mail_autofollow(creator=False, names=fields_set)
        if tracked:
            self._mail_track_post(tracked, since)
        return result

    def unlink(self) -> bool:
        ids, model = list(self._ids), self._name
        result = super().unlink()
        if ids:  # the thread goes with its record (the system's cleanup)
            for name in ("mail.activity", "mail.followers", "mail.message"):
                self.env[name].sudo().with_context(active_test=False).search([
                    ("res_model", "=", model), ("res_id", "in", ids)]).unlink()
        return result

    def _mail_user_fields(self) -> list[str]:
        return [name for name in self._mail_follow_fields
                if getattr(self._fields.get(name), "comodel_name", None) == "res.users"]

    def _mail_autofollow(self, creator: bool, names: Sequence[str] | None = None) -> None:
        """The creator (not the system) and the users of ``names`` (default: the user
        fields) follow these records; the system subscribes them (the creator may not be
        allowed to subscribe a colleague)."""
        wanted: dict[int, set[int]] = defaultdict(set)
        me = self.env.user.partner_id.id if creator else None
        names = list(self._mail_user_fields() if names is None else names)
        for record in self.sudo():
            if me:
                wanted[record.id].add(me)
            for name in names:
                partner = record[name].partner_id
                if partner and record[name].active:
                    wanted[record.id].add(partner.id)
        for partner_ids, ids in _group_by_partners(wanted).items():
            self.sudo().browse(ids).message_subscribe(list(partner_ids))

    def _mail_track_subtypes(self, vals: dict[str, Any]) -> list[tuple[int, str]]:
        """``[(subtype id, field)]`` of the subtypes announcing a change of these fields."""
        table = self.env.registry["mail.message.subtype"]._sa_table
        names = [name for name in vals if name in self._fields]
        if not names:
            return []
        rows = self.env.execute(sa.select(table.c.id, table.c.track_field).where(
            table.c.res_model == self._name, table.c.track_field.in_(names),
            table.c.active.is_(True)).order_by(table.c.sequence, table.c.id))
        return [(row.id, row.track_field) for row in rows]

    def _journal_last_id(self) -> int:
        if "ir.journal" not in self.env:
            return 0
        table = self.env.registry["ir.journal"]._sa_table
        return int(self.env.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0)

    def _mail_track_post(self, tracked: list[tuple[int, str]], since: int) -> None:
        """Announce the changes just journaled to the followers of each subtype."""
        if "ir.journal" not in self.env:
            return
        table = self.env.registry["ir.journal"]._sa_table
        rows = self.env.execute(sa.select(table.c.id, table.c.res_id, table.c.changes).where(
            table.c.model == self._name, table.c.id > since, table.c.operation == "write",
            self._ids_in(table.c.res_id, self._ids)).order_by(table.c.id)).all()
        subtypes = self.env["mail.message.subtype"].sudo()
        for row in rows:
            for subtype_id, field in tracked:
                if field not in (row.changes or {}):
                    continue
                subtype = subtypes.browse(subtype_id)
                text = subtype.description or subtype.name
                record = self.sudo().browse(row.res_id)
                record.message_post(body=f"<p>{_escape(text)}</p>",
                                    message_type="notification", subtype_id=subtype_id,
                                    journal_id=row.id,
                                    author_id=self.env.user.partner_id.id or False)
                break  # one announcement per change, by the first matching subtype

    # -- the API -------------------------------------------------------------------------------
    def message_post(self, body: str = "", subject: str | None = None,
                     message_type: str = "comment", subtype_xmlid: str | None = None,
                     partner_ids: Iterable[int] = (), attachments: Iterable[tuple] = (),
                     attachment_ids: Iterable[int] = (), author_id: int | None = None,
                     email_from: str | None = None, parent_id: int | None = None,
                     message_id: str | None = None, subtype_id: int | None = None,
                     **values: Any) -> Any:
        """Post a message on this record and notify whom it concerns; returns it.

        ``body`` is HTML (sanitised); ``message_type`` is ``comment`` (the chatter),
        ``email`` (an e-mail sent or received) or ``notification`` (the system's);
        ``subtype_xmlid`` defaults to ``mail.mt_note`` (an internal note) for comments and
        notifications and ``mail.mt_comment`` (Discussions, followers notified) for
        e-mails. ``partner_ids`` are recipients or mentions (notified in any case);
        ``attachments`` are ``(name, bytes)`` pairs attached to the record and the
        message, ``attachment_ids`` files already uploaded. ``author_id`` /
        ``email_from`` (default: the current user), ``parent_id`` and ``message_id`` (the
        RFC 5322 Message-Id, generated when missing) are for the mail gateway. Posting
        needs the ``_mail_post_access`` right on the record (``write`` by default)."""
        self.ensure_one()
        env = self.env
        if subtype_id is None:
            xmlid = subtype_xmlid or ("mail.mt_comment" if message_type == "email"
                                      else "mail.mt_note")
            subtype_id = env(su=True).ref(xmlid).id
        recipients = [int(p) for p in partner_ids]
        vals: dict[str, Any] = {
            "res_model": self._name, "res_id": self.id, "body": body or "",
            "subject": subject or False, "message_type": message_type,
            "subtype_id": subtype_id, "parent_id": parent_id or False,
            "partner_ids": [(6, 0, recipients)], **values}
        if author_id is not None:
            vals["author_id"] = author_id
        if email_from:
            vals["email_from"] = email_from
        if message_id:
            vals["message_id"] = message_id
        message = env["mail.message"].create(vals)
        files = self._mail_attachments(attachments, attachment_ids)
        if files:
            message.sudo().write({"attachment_ids": [(6, 0, files.ids)]})
        env.cache.invalidate([(self._name, "message_ids")], self._ids)
        notify.notify_message(message, mentioned=recipients)
        return message

    def message_send_mail(self, template: Any = None, subject: str | None = None,
                          body: str | None = None, partner_ids: Iterable[int] = (),
                          attachment_ids: Iterable[int] = (), attachments: Iterable[tuple] = (),
                          email_to: Iterable[str] = ()) -> Any:
        """Send an e-mail about this record (a ``mail.template`` or free text) to its
        followers and these recipients: archived here at once, queued for SMTP, each
        recipient's copy in his language (see :func:`core.mail.compose.compose`)."""
        from ..compose import compose
        return compose(self, template=template, subject=subject, body=body,
                       partner_ids=partner_ids, attachment_ids=attachment_ids,
                       attachments=attachments, email_to=email_to)

    def _mail_attachments(self, attachments: Iterable[tuple], attachment_ids: Iterable[int]
                          ) -> Any:
        """Files for a message being posted: new ones attached to this record (by the
        system: posting was allowed, which is what adding to the thread needs), and
        uploaded ones the user may read, moved onto this record if they were loose."""
        files = self.env["ir.attachment"]
        new = [{"name": item[0], "datas": item[1], "res_model": self._name, "res_id": self.id}
               for item in attachments]
        if new:
            files |= files.sudo().create(new).with_env(self.env)
        ids = [int(i) for i in attachment_ids]
        if ids:
            existing = files.browse(ids)
            existing.read(["res_model"])  # the user must be able to read them
            loose = existing.filtered(lambda a: not a.res_model)
            if loose:
                loose.sudo().write({"res_model": self._name, "res_id": self.id})
            files |= existing
        return files

    def message_subscribe(self, partner_ids: Iterable[int],
                          subtype_ids: Iterable[int] | None = None) -> bool:
        """Make these partners follow these records (for ``subtype_ids``, default: the
        default subtypes); followers already there get ``subtype_ids`` when given."""
        partners = [int(p) for p in partner_ids or ()]
        if not partners or not self._ids:
            return True
        followers = self.env["mail.followers"]
        existing = followers.sudo().search([("res_model", "=", self._name),
                                            ("res_id", "in", list(self._ids)),
                                            ("partner_id", "in", partners)])
        have = {(f.res_id, f.partner_id.id) for f in existing}
        subtypes = list(subtype_ids) if subtype_ids is not None else \
            self.env["mail.message.subtype"]._default_for(self._name)
        new = [{"res_model": self._name, "res_id": rec_id, "partner_id": partner_id,
                "subtype_ids": [(6, 0, subtypes)]}
               for rec_id in self._ids for partner_id in partners
               if (rec_id, partner_id) not in have]
        if new:
            followers.create(new)
        if subtype_ids is not None and existing:
            existing.with_env(self.env).write({"subtype_ids": [(6, 0, subtypes)]})
        self._mail_forget_followers()
        return True

    def message_unsubscribe(self, partner_ids: Iterable[int]) -> bool:
        """These partners stop following these records."""
        partners = [int(p) for p in partner_ids or ()]
        if partners and self._ids:
            self.env["mail.followers"].search([
                ("res_model", "=", self._name), ("res_id", "in", list(self._ids)),
                ("partner_id", "in", partners)]).unlink()
            self._mail_forget_followers()
        return True

    def _mail_forget_followers(self) -> None:
        self.env.cache.invalidate([(self._name, "message_follower_ids"),
                                   (self._name, "message_is_follower")], self._ids)

    def activity_schedule(self, act_type_xmlid: str = "", date_deadline: dt.date | None = None,
                          summary: str = "", note: str = "", user_id: int | None = None,
                          activity_type_id: int | None = None) -> Any:
        """Schedule an activity on each of these records (type by external id or id; due
        date by default from the type's delay; owner by default the current user);
        returns the activities."""
        if act_type_xmlid and not activity_type_id:
            activity_type_id = self.env(su=True).ref(act_type_xmlid).id
        values: dict[str, Any] = {"activity_type_id": activity_type_id or False,
                                  "summary": summary or False, "note": note or False,
                                  "user_id": user_id or self.env.uid}
        if date_deadline:
            values["date_deadline"] = date_deadline
        activities = self.env["mail.activity"].create([
            {**values, "res_model": self._name, "res_id": rec_id} for rec_id in self._ids])
        self.env.cache.invalidate([(self._name, "activity_ids")], self._ids)
        return activities

    def _message_timeline(self, limit: int = 20, offset: int = 0) -> Any:
        """The chatter's timeline of this record (see :mod:`core.mail.timeline`)."""
        from ..timeline import timeline
        return timeline(self, limit=limit, offset=offset)


def _group_by_partners(wanted: dict[int, set[int]]) -> dict[frozenset[int], list[int]]:
    groups: dict[frozenset[int], list[int]] = defaultdict(list)
    for rec_id, partners in wanted.items():
        if partners:
            groups[frozenset(partners)].append(rec_id)
    return groups


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))
