"""``mail.message``: one entry of a record's chatter (an e-mail, a note, a notification).

A message points at its record by ``res_model`` + ``res_id``. Access follows that record
(the helper ``attached_clause`` of ``ir.attachment``, in SQL): a user reads the messages
of the records he may read, internal ones (notes, activities) only if he is an internal
user; he may modify or delete only his own messages (administrators any). Posting on a
record needs the access the record's model asks for (``_mail_post_access``, ``write``
by default). A message on no record is for its author and its recipients only.

``message_id`` is the RFC 5322 Message-Id, generated when not given (the incoming
gateway passes the received one): unique, it threads replies and refuses duplicates.
"""
from __future__ import annotations

import socket
import uuid
from typing import Any

import sqlalchemy as sa

from core import AccessError, Model, _, api, fields
from core.base.models.ir_attachment import attached_clause
from core.orm.model_write import now_utc
from core.security import has_group

from ..access import check_targets, group_targets

MESSAGE_TYPES = [("email", "E-mail"), ("comment", "Comment"),
                 ("notification", "System notification"),
                 ("user_notification", "User notification")]
#: types shown on the record's timeline (user notifications are addressed to one person)
TIMELINE_TYPES = ("email", "comment", "notification")


def make_message_id(domain: str | None = None) -> str:
    """A new RFC 5322 Message-Id: ``<unique@domain>``."""
    host = domain or socket.gethostname() or "localhost"
    return f"<{uuid.uuid4().hex}.{now_utc():%Y%m%d%H%M%S}@{host}>"


def is_internal_user(env: Any) -> bool:
    return env.su or has_group(env, env.uid, "base.group_user")


class MailMessage(Model):
    _name = "mail.message"
    _description = "Message"
    _order = "date desc, id desc"
    _rec_name = "subject"
    _journal = False

    subject = fields.Char("Subject")
    body = fields.Html("Contents")
    date = fields.Datetime("Date", default=lambda self: now_utc(), index=True)
    res_model = fields.Char("Document Model", index=True, readonly=True)
    res_id = fields.Integer("Document ID", index=True, readonly=True)
    record_name = fields.Char("Document Name", readonly=True,
                              help="The record's name when the message was posted.")
    message_type = fields.Selection(MESSAGE_TYPES, "Type", required=True, default="comment")
    subtype_id = fields.Many2one("mail.message.subtype", "Subtype", ondelete="set null")
    is_internal = fields.Boolean("Internal", default=False,
                                 help="Hidden from portal users (notes, activities).")
    author_id = fields.Many2one("res.partner", "Author", ondelete="set null")
    email_from = fields.Char("From", help="The author's address (as received for incoming "
                                          "e-mails).")
    parent_id = fields.Many2one("mail.message", "Parent Message", ondelete="set null")
    message_id = fields.Char("Message-Id", unique=True, index=True, readonly=True,
                             copy=False, default=lambda self: make_message_id(
                                 self.env["ir.config_parameter"].sudo().get_param(
                                     "mail.catchall.domain")))
    partner_ids = fields.Many2many("res.partner", "mail_message_res_partner_rel",
                                   "message_id", "partner_id", "Recipients",
                                   help="Who the message is addressed to, and who it "
                                        "mentions.")
    attachment_ids = fields.Many2many("ir.attachment", "mail_message_ir_attachment_rel",
                                      "message_id", "attachment_id", "Attachments")
    notification_ids = fields.One2many("mail.notification", "mail_message_id",
                                       "Notifications")
    journal_id = fields.Many2one("ir.journal", "Tracked Change", ondelete="set null",
                                 index=True, readonly=True,
                                 help="The change journal entry this message announces.")
    mail_activity_type_id = fields.Many2one("mail.activity.type", "Activity Type",
                                            ondelete="set null")

    # -- access: the record decides ----------------------------------------------------------
    def _rule_clause(self, operation: str) -> sa.ColumnElement[bool] | None:
        own = super()._rule_clause(operation)
        env = self.env
        if env.su:
            return own
        table = self._sa_table
        partner_id = env.user.partner_id.id
        mine = table.c.author_id == partner_id
        if operation == "read":
            field = self._fields["partner_ids"]
            rel = field.relation_table(self._registry.metadata)
            addressed = table.c.id.in_(sa.select(rel.c[field.column1]).where(
                rel.c[field.column2] == partner_id))
            loose = sa.and_(table.c.res_model.is_(None), sa.or_(mine, addressed))
            # a user notification (a reminder) on a record is its recipient's only
            personal = sa.or_(table.c.message_type != "user_notification", mine, addressed)
            clause = sa.or_(loose, sa.and_(attached_clause(self, "read"), personal))
            if not is_internal_user(env):
                clause = sa.and_(clause, sa.or_(table.c.is_internal.is_(None),
                                                table.c.is_internal.is_(False)))
        elif operation in ("write", "unlink"):
            if has_group(env, env.uid, "base.group_system"):
                clause = sa.or_(table.c.res_model.is_(None), attached_clause(self, "read"))
            else:
                clause = sa.and_(mine, sa.or_(table.c.res_model.is_(None),
                                              attached_clause(self, "read")))
        else:
            return own
        return clause if own is None else sa.and_(own, clause)

    # -- CRUD ---------------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        prepared = []
        user = self.env.user
        names: dict[tuple[str, int], str] = {}
        vals_list = [dict(vals) for vals in ([vals_list] if single else vals_list)]
        check_targets(self.env, group_targets(
            (vals.get("res_model"), vals.get("res_id"), "post") for vals in vals_list),
            _("The document to post on does not exist."))
        for vals in vals_list:
            if "author_id" not in vals and "email_from" not in vals:
                vals["author_id"] = user.partner_id.id
            if vals.get("author_id") and not vals.get("email_from"):
                vals["email_from"] = self.env["res.partner"].sudo().browse(
                    vals["author_id"]).email or False
            if vals.get("res_model") and vals.get("res_id") and "record_name" not in vals:
                key = (vals["res_model"], int(vals["res_id"]))
                if key not in names:
                    names[key] = self.env[key[0]].sudo().browse(key[1]).display_name
                vals["record_name"] = names[key]
            if vals.get("subtype_id") and "is_internal" not in vals:
                vals["is_internal"] = self.env["mail.message.subtype"].sudo().browse(
                    vals["subtype_id"]).internal
            prepared.append(vals)
        messages = super().create(prepared)
        return messages[0] if single and messages else messages

    def write(self, vals: dict[str, Any]) -> bool:
        if not self.env.su and {"res_model", "res_id", "message_id", "author_id"} & set(vals):
            raise AccessError(_("A message stays on its record, with its author."))
        return super().write(vals)

    def _compute_display_name(self) -> None:
        for message in self:
            message.display_name = message.subject or message.record_name or _(
                "Message %(id)s", id=message.id)
