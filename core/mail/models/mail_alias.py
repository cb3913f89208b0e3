"""``mail.alias`` (an address such as ``support@`` that creates records) and
``mail.fetch.server`` (an IMAP mailbox polled by ``comptoir mail-fetch`` and by the
scheduled action *E-mail: fetch the incoming mailboxes*, every five minutes).

The alias domain is the setting ``mail.catchall.domain``. ``contact_policy`` says who may
write: ``everyone`` (an unknown sender becomes a new partner), ``partners`` (known
contacts only) or ``followers`` (for replies, followers of the record only; new records
as ``partners``). A refused sender gets the alias's bounce message, queued by e-mail.
"""
from __future__ import annotations

import re
from typing import Any

from core import Model, ValidationError, _, api, fields
from core.views import eval_literal

ALIAS_NAME = re.compile(r"^[a-z0-9][a-z0-9._+-]*$")


class MailAlias(Model):
    _name = "mail.alias"
    _description = "E-mail Alias"
    _order = "name"

    name = fields.Char("Alias", required=True, unique=True,
                       help="The part before the @, e.g. support.")
    model = fields.Char("Creates", required=True,
                        help="The model of the records an e-mail to this alias creates.")
    defaults = fields.Text("Default Values", help="A dict literal, e.g. {'user_id': 2}.")
    user_id = fields.Many2one("res.users", "Owner",
                              help="Records are created as this user (default: the system).")
    contact_policy = fields.Selection([("everyone", "Everyone"),
                                       ("partners", "Known contacts only"),
                                       ("followers", "Followers only")], "Accept e-mails from",
                                      required=True, default="everyone")
    bounce_message = fields.Text("Refusal Message",
                                 help="Sent back to a sender who may not write here.")
    active = fields.Boolean("Active", default=True)
    email = fields.Char("Address", compute="_compute_email")

    @api.constrains("name", "model", "defaults")
    def _check_alias(self) -> None:
        for alias in self:
            if not ALIAS_NAME.match(alias.name or ""):
                raise ValidationError(_("An alias is lower-case letters, digits, dots, "
                                        "dashes and plus signs, such as support."),
                                      field="name")
            if alias.model not in self.env or not hasattr(self.env[alias.model],
                                                          "message_post"):
                raise ValidationError(_("%(model)s has no chatter: e-mails cannot create "
                                        "its records.", model=alias.model), field="model")
            alias.default_values()

    def _compute_email(self) -> None:
        domain = self.env["ir.config_parameter"].sudo().get_param("mail.catchall.domain")
        for alias in self:
            alias.email = f"{alias.name}@{domain}" if domain and alias.name else \
                (alias.name or False)

    def default_values(self) -> dict[str, Any]:
        self.ensure_one()
        value = eval_literal(self.defaults, {}, default={})
        if not isinstance(value, dict):
            raise ValidationError(_("The default values must be a dict such as "
                                    "{'user_id': 2}."), field="defaults")
        return value

    def refusal_text(self) -> str:
        self.ensure_one()
        return self.bounce_message or _("Your e-mail to %(alias)s was not accepted: this "
                                        "address only takes messages from known contacts.",
                                        alias=self.email)


class MailFetchServer(Model):
    _name = "mail.fetch.server"
    _description = "Incoming Mail Server"
    _order = "name"

    name = fields.Char("Name", required=True)
    host = fields.Char("Server", required=True)
    port = fields.Integer("Port", default=993)
    ssl = fields.Boolean("SSL/TLS", default=True)
    user = fields.Char("Login", required=True)
    password = fields.Char("Password", groups="base.group_system")
    folder = fields.Char("Folder", default="INBOX")
    alias_domain = fields.Char("Alias Domain",
                               help="Overrides mail.catchall.domain for this mailbox.")
    active = fields.Boolean("Active", default=True)
    last_fetch = fields.Datetime("Last Fetch", readonly=True)
    last_error = fields.Text("Last Error", readonly=True)

    def _cron_fetch(self) -> int:
        """Scheduled: poll every active mailbox; returns how many e-mails were read."""
        from ..fetch import fetch_all
        return sum(len(outcomes) for outcomes in fetch_all(self.env).values())
