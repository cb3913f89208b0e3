"""Test addon: ``test.portal.ticket`` in the customer portal, as the helpdesk will do it:
a portal rule by company, a section of ``/my``, the list and record pages (replies,
rating once done, a "Reopen" button), and a public form opening a ticket."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.i18n.translate import _lt
from core.portal import FormField, FormSubmission, PortalAction, PortalPage, PublicForm


def _reopen(ticket: Any) -> None:
    ticket.sudo().write({"state": "open"})
    ticket.sudo().message_post(body="<p>Reopened by the customer.</p>",
                               message_type="comment", subtype_xmlid="mail.mt_comment",
                               author_id=ticket.env.user.partner_id.id)


TICKETS = PortalPage(
    "tickets", "test.portal.ticket", _lt("Tickets"),
    columns=("name", "partner_id", "state", "create_date"),
    fields=("partner_id", "state", "description"),
    search_fields=("name", "description"), order="id desc", page_size=5,
    description=_lt("Your requests and their answers."),
    can_rate=lambda ticket: ticket.state == "done",
    can_reply=lambda ticket: ticket.state != "cancelled",
    actions=(PortalAction("reopen", _lt("Reopen"), _reopen,
                          visible=lambda ticket: ticket.state == "done"),),
    new_url="/forms/test-ticket", new_label=_lt("New ticket"))


def _open_ticket(submission: FormSubmission) -> Any:
    env, values = submission.env, submission.values
    partner = submission.partner
    if not partner:
        partner = env["res.partner"].search([("email", "=ilike", values["email"])], limit=1) \
            or env["res.partner"].create({"name": values["name"], "email": values["email"],
                                          "phone": values["phone"] or False})
    return env["test.portal.ticket"].create({
        "name": values["subject"], "partner_id": partner.id,
        "description": values["description"], "category": values["category"] or False})


TICKET_FORM = PublicForm(
    "test-ticket", _lt("Open a ticket"),
    (FormField("name", _lt("Your name"), required=True, autocomplete="name", prefill="name"),
     FormField("email", _lt("E-mail"), "email", required=True, autocomplete="email",
               prefill="email"),
     FormField("phone", _lt("Phone"), "phone", autocomplete="tel", prefill="phone"),
     FormField("subject", _lt("Subject"), required=True, max_length=120),
     FormField("category", _lt("Category"), "selection",
               choices=(("question", _lt("Question")), ("incident", _lt("Incident")))),
     FormField("description", _lt("Description"), "text", required=True),
     FormField("attachments", _lt("Files"), "files", help=_lt("Screenshots, logs..."))),
    _open_ticket, intro=_lt("Tell us what happens; we answer within a working day."))


@hookimpl
def comptoir_routes() -> list:
    return [*TICKETS.routes(), *TICKET_FORM.routes()]


@hookimpl
def comptoir_portal_sections(env: Any) -> list:
    return [TICKETS.section(env)]


@hookimpl
def comptoir_checks(registry: Any) -> list:
    return TICKETS.check(registry)
