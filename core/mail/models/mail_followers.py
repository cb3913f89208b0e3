"""``mail.followers``: who follows a record, and for which subtypes.

A follower is a partner (a user's or a customer's) on one record (``res_model`` +
``res_id``). Reading follows the record (whoever reads the record sees its followers);
a user may follow or leave a record he can read, and add or remove other followers of a
record he may modify.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core import AccessError, Model, _, api, fields
from core.base.models.ir_attachment import attached_clause

from ..access import check_targets, group_targets


class MailFollowers(Model):
    _name = "mail.followers"
    _description = "Document Follower"
    _order = "id"
    _rec_name = "partner_id"
    _journal = False

    res_model = fields.Char("Document Model", required=True, index=True, readonly=True)
    res_id = fields.Integer("Document ID", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Follower", required=True, ondelete="cascade",
                                 index=True)
    subtype_ids = fields.Many2many("mail.message.subtype", "mail_followers_subtype_rel",
                                   "follower_id", "subtype_id", "Subtypes",
                                   help="What the follower is notified of.")

    _sql_constraints = [("follower_unique", "unique(res_model, res_id, partner_id)",
                         "This partner already follows this record.")]

    # -- access -------------------------------------------------------------------------------
    def _rule_clause(self, operation: str) -> sa.ColumnElement[bool] | None:
        own = super()._rule_clause(operation)
        if self.env.su:
            return own
        if operation == "read":
            clause = attached_clause(self, "read")
        else:
            mine = self._sa_table.c.partner_id == self.env.user.partner_id.id
            clause = sa.or_(sa.and_(mine, attached_clause(self, "read")),
                            attached_clause(self, "write"))
        return clause if own is None else sa.and_(own, clause)

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [vals_list] if single else list(vals_list)
        me = self.env.user.partner_id.id
        # following needs to read the record; adding someone else, to modify it
        check_targets(self.env, group_targets(
            (vals.get("res_model"), vals.get("res_id"),
             "read" if vals.get("partner_id") == me else "write") for vals in vals_list),
            _("The document to follow does not exist."))
        followers = super().create(vals_list)
        return followers[0] if single and followers else followers

    def write(self, vals: dict[str, Any]) -> bool:
        if not self.env.su and {"res_model", "res_id", "partner_id"} & set(vals):
            raise AccessError(_("A follower's record and partner cannot be changed."))
        return super().write(vals)
