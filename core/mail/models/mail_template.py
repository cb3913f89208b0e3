"""``mail.template``: an e-mail to compose from a record, written as sandboxed jinja2.

Subject and body are translatable and rendered in each recipient's language (the
template's ``lang`` expression when set, else the partner's, else his user's, else the
sender's); ``partner_to`` renders to comma-separated partner ids and ``email_to`` to
addresses, both added to the record's followers as recipients. See :mod:`core.mail.render`.
"""
from __future__ import annotations

from typing import Any

from core import Model, ValidationError, _, api, fields

from ..render import check_syntax, render


class MailTemplate(Model):
    _name = "mail.template"
    _description = "E-mail Template"
    _order = "name, id"

    name = fields.Char("Name", required=True, translate=True)
    model = fields.Char("Applies to", required=True, index=True,
                        help="The technical name of the model, e.g. res.partner.")
    subject = fields.Char("Subject", translate=True,
                          help="jinja2: {{ object.name }} is the record's name.")
    body_html = fields.Html("Body", translate=True, sanitize=False)
    email_to = fields.Char("To (addresses)",
                           help="Comma-separated addresses, e.g. {{ object.email_from }}.")
    partner_to = fields.Char("To (partners)",
                             help="Comma-separated partner ids, e.g. "
                                  "{{ object.partner_id.id }}.")
    lang = fields.Char("Language",
                       help="Optional: e.g. {{ object.partner_id.lang }}; by default each "
                            "recipient's own language.")
    attachment_ids = fields.Many2many("ir.attachment", "mail_template_ir_attachment_rel",
                                      "template_id", "attachment_id", "Attachments")
    active = fields.Boolean("Active", default=True)

    @api.constrains("model")
    def _check_model(self) -> None:
        for template in self:
            if template.model not in self.env:
                raise ValidationError(_("Unknown model '%(model)s'.", model=template.model),
                                      field="model")

    @api.constrains("subject", "body_html", "email_to", "partner_to", "lang")
    def _check_syntax(self) -> None:
        for template in self:
            for part in ("subject", "body_html", "email_to", "partner_to", "lang"):
                check_syntax(template[part], template.name or "", part)

    # -- rendering ------------------------------------------------------------------------
    def _render_part(self, part: str, record: Any) -> str:
        self.ensure_one()
        return render(self[part], record, html=part == "body_html",
                      template_name=self.name or str(self.id), part=part)

    def render_for(self, record: Any, lang: str | None = None) -> dict[str, str]:
        """``{"subject", "body_html"}`` of this template for ``record`` in ``lang``."""
        self.ensure_one()
        if record._name != self.model:
            raise ValidationError(_("Template “%(template)s” applies to %(model)s, not to "
                                    "%(other)s.", template=self.name, model=self.model,
                                    other=record._name))
        template = self.with_context(lang=lang) if lang else self
        record = record.with_context(lang=lang) if lang else record
        return {"subject": " ".join(template._render_part("subject", record).split()),
                "body_html": template._render_part("body_html", record)}

    def render_recipients(self, record: Any) -> tuple[list[int], list[str]]:
        """Partner ids and plain addresses this template sends ``record`` to."""
        self.ensure_one()
        partners: list[int] = []
        for item in self._render_part("partner_to", record).split(","):
            item = item.strip()
            if not item or item in ("False", "None"):
                continue
            if not item.isdigit():
                raise ValidationError(_("Template “%(template)s”: the partners to write to "
                                        "must be ids, not “%(value)s”.", template=self.name,
                                        value=item))
            partners.append(int(item))
        emails = [item.strip() for item in self._render_part("email_to", record).split(",")
                  if "@" in item]
        return partners, emails

    def render_lang(self, record: Any) -> str | None:
        """The language the ``lang`` expression chooses for ``record`` (None: unset)."""
        self.ensure_one()
        value = self._render_part("lang", record).strip()
        return value if value and value not in ("False", "None") else None

    def check_render(self, record: Any) -> None:
        """Render every part once (used before queuing: errors surface to the sender)."""
        self.render_for(record)
        self.render_recipients(record)
        self.render_lang(record)
