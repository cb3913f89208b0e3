"""``mail.alias.mixin``: a record that owns an e-mail alias (a sales team, a support team).

The model declares what mail to its alias becomes with :meth:`MailAliasMixin._alias_values`
(the model the gateway creates records of, their default values); typing ``alias_name``
creates, renames or removes the ``mail.alias`` row, archiving the owner deactivates it,
deleting the owner deletes it. Aliases are configuration: the system keeps them in step
with their owner, whoever edits it.
"""
from __future__ import annotations

from typing import Any

from core import AbstractModel, _, api, fields
from core.exceptions import ConfigurationError, ValidationError

from .mail_alias import ALIAS_NAME


class MailAliasMixin(AbstractModel):
    _name = "mail.alias.mixin"
    _description = "Owner of an E-mail Alias"

    alias_name = fields.Char("E-mail Alias",
                             help="The part before the @: e-mails to it create records "
                                  "for this one.")
    alias_id = fields.Many2one("mail.alias", "Alias", readonly=True, ondelete="set null",
                               copy=False)

    def _alias_values(self) -> dict[str, Any]:
        """``{"model": ..., "defaults": {...}}`` of this record's alias (to override)."""
        raise ConfigurationError(f"{self._name} inherits mail.alias.mixin but does not say "
                                 f"what its alias creates (_alias_values)")

    @api.model
    def create(self, vals_list: Any) -> Any:
        records = super().create(vals_list)
        records._sync_alias()
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if {"alias_name", "active", "name"} & set(vals):
            self._sync_alias()
        return result

    def unlink(self) -> bool:
        aliases = self.sudo().mapped("alias_id")
        result = super().unlink()
        if aliases:
            aliases.unlink()
        return result

    @api.constrains("alias_name")
    def _check_alias_name(self) -> None:
        for record in self:
            if record.alias_name and not ALIAS_NAME.match(record.alias_name):
                raise ValidationError(_("An alias is lower-case letters, digits, dots, "
                                        "dashes and plus signs, such as support."),
                                      field="alias_name")

    def _sync_alias(self) -> None:
        """Create, rename or remove each record's ``mail.alias``."""
        aliases = self.env["mail.alias"].sudo().with_context(active_test=False)
        for record in self.sudo():
            alias = record.alias_id
            if not record.alias_name:
                if alias:
                    record.write({"alias_id": False})
                    alias.unlink()
                continue
            clash = aliases.search([("name", "=", record.alias_name),
                                    ("id", "!=", alias.id or 0)], limit=1)
            if clash:
                raise ValidationError(_("The alias %(alias)s is already used.",
                                        alias=record.alias_name), field="alias_name")
            target = record._alias_values()
            vals = {"name": record.alias_name, "model": target["model"],
                    "active": record.active if "active" in record._fields else True,
                    "defaults": repr(target.get("defaults") or {})}
            if alias:
                alias.write(vals)
            else:
                record.write({"alias_id": aliases.create(vals).id})
