"""The helpdesk in the customer portal, and the public web form opening tickets.

Built on the kernel portal (``core.portal``, ``docs/portal.md``):

* :data:`TICKETS`: ``/my/tickets``, the tickets of the customer's company (the record rule
  of ``security/rules_portal.xml``), their public messages (never internal notes), replies
  with files, a 1-to-5 rating once resolved, and *Reopen* while a resolved or closed
  ticket is within ``helpdesk.portal.reopen_days`` days of its resolution;
* ``/my/tickets/new``: a logged-in customer opens a ticket (channel *portal*) with files;
* :data:`TICKET_FORM`: ``/forms/ticket``, anyone opens a ticket (channel *web_form*), the
  contact found from the e-mail address by crm_base's duplicate finder or created; spam is
  the kernel's business (honeypot, minimum fill time, rate limits).

The hook implementations call :func:`routes`, :func:`sections` and :func:`checks`.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _
from core.exceptions import AccessError, ValidationError
from core.i18n.translate import _lt
from core.mail.mentions import text_to_html
from core.portal import FormField, FormSubmission, PortalAction, PortalPage, PublicForm
from core.portal import portal_route
from core.portal import web as portal_web

REOPEN_DAYS_PARAM = "helpdesk.portal.reopen_days"
DEFAULT_REOPEN_DAYS = 14
TEAM_PARAM = "helpdesk.portal.team_id"
NEW_TICKET_URL = "/my/tickets/new"
#: contract states in which their products are offered on the new-ticket page
CONTRACT_IN_FORCE = ("active", "to_renew")
#: states in which the customer may still write on his ticket
REPLY_STATES = ("new", "assigned", "in_progress", "waiting", "resolved")
RATE_STATES = ("resolved", "closed")


# -- business rules -------------------------------------------------------------------------
def reopen_days(env: Any) -> int:
    """How many days after its resolution a customer may reopen a ticket (0: never)."""
    value = env["ir.config_parameter"].sudo().get_param(REOPEN_DAYS_PARAM)
    try:
        return max(0, int(str(value).strip())) if value not in (None, "") \
            else DEFAULT_REOPEN_DAYS
    except ValueError:
        return DEFAULT_REOPEN_DAYS


def can_reopen(ticket: Any, now: dt.datetime | None = None) -> bool:
    """Whether the customer may reopen ``ticket``: resolved or closed, and resolved (or
    closed, when no resolution date) less than :func:`reopen_days` days ago."""
    if ticket.state not in ("resolved", "closed"):
        return False
    days = reopen_days(ticket.env)
    since = ticket.date_resolved or ticket.date_closed or ticket.write_date
    if not days or not since:
        return False
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return now - since <= dt.timedelta(days=days)


def can_reply(ticket: Any) -> bool:
    """The reply box: until the ticket is closed or cancelled."""
    return ticket.state in REPLY_STATES


def can_rate(ticket: Any) -> bool:
    """The rating: once the ticket is resolved (or closed)."""
    return ticket.state in RATE_STATES


def reopen(ticket: Any) -> None:
    """The portal's *Reopen*: the system reopens (customers may not write tickets) and
    says so in the chatter, as the customer."""
    if not can_reopen(ticket):
        raise ValidationError(_("This ticket can no longer be reopened; open a new one."))
    partner = ticket.env.user.partner_id
    system = ticket.sudo()
    system.action_reopen()
    system.message_post(body=text_to_html(_("Reopened by the customer.")),
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment", author_id=partner.id)
    system.message_subscribe([partner.id])


def portal_team(env: Any) -> Any:
    """The team receiving portal and web-form tickets: ``helpdesk.portal.team_id``, else
    the first active team (empty when there is none)."""
    teams = env["helpdesk.team"].sudo()
    value = env["ir.config_parameter"].sudo().get_param(TEAM_PARAM)
    if value and str(value).strip().isdigit():
        team = teams.browse(int(value)).exists()
        if team and team.active:
            return team
    return teams.search([], limit=1)


def customer_for(env: Any, name: str, email: str, phone: str | bool = False) -> Any:
    """The contact a web-form request comes from: an existing partner crm_base's duplicate
    finder matches *with the same e-mail address* (a similar name alone is not enough:
    the ticket would show in another company's portal), else a new contact. Never
    merges anything."""
    partners = env["res.partner"].sudo()
    probe = {"name": name, "email": email}
    found = partners._find_duplicates([probe])[0]
    if found:
        candidates = partners.browse([d.partner_id for d in found])
        rows = {row["id"]: row for row in candidates.read(["email", "is_company"])}
        same = [d.partner_id for d in found
                if (rows[d.partner_id]["email"] or "").strip().lower() == email]
        people = [i for i in same if not rows[i]["is_company"]]
        if people or same:
            return partners.browse((people or same)[0])
    return partners.create({"name": name, "email": email, "phone": phone or False})


def covered_products(env: Any, partner: Any) -> list[tuple[str, str]]:
    """``(id, name)`` of the products the customer's account has a contract in force for
    (the new-ticket page's *Product* choices), by name; read as the system."""
    account = partner.sudo().commercial_partner_id
    contracts = env["service.contract"].sudo().search(
        [("partner_id", "=", account.id), ("state", "in", list(CONTRACT_IN_FORCE))])
    products = contracts.mapped("product_ids")
    return sorted(((str(p["id"]), p["display_name"]) for p in products.read(["display_name"])),
                  key=lambda pair: pair[1].lower()) if products else []


def open_ticket(env: Any, partner: Any, subject: str, description: str, channel: str,
                product_id: int | bool = False) -> Any:
    """Create a customer's ticket as the system (its team: :func:`portal_team`)."""
    team = portal_team(env)
    values = {"name": subject, "partner_id": partner.id, "channel": channel,
              "description": text_to_html(description) if description else False,
              "product_id": product_id or False}
    if team:
        values["team_id"] = team.id
    ticket = env["helpdesk.ticket"].sudo().create(values)
    ticket.message_subscribe([partner.id])
    return ticket


# -- the portal pages -------------------------------------------------------------------------
TICKETS = PortalPage(
    "tickets", "helpdesk.ticket", _lt("Tickets"),
    columns=("number", "name", "state", "create_date"),
    fields=("number", "partner_id", "state", "priority", "product_id", "user_id",
            "create_date", "date_resolved", "description"),
    search_fields=("number", "name", "description"),
    sortable=("number", "name", "state", "create_date"),
    order="create_date desc, id desc",
    description=_lt("Your company's support requests and our answers."),
    sequence=20, can_reply=can_reply, can_rate=can_rate,
    actions=(PortalAction("reopen", _lt("Reopen"), reopen, visible=can_reopen),),
    new_url=NEW_TICKET_URL, new_label=_lt("New ticket"))

NEW_TICKET_FIELDS = (
    FormField("subject", _lt("Subject"), required=True, max_length=120),
    FormField("product", _lt("Product"), "selection",
              choices=lambda env: covered_products(env, env.user.partner_id),
              help=_lt("The product of your contract the request is about, if any.")),
    FormField("description", _lt("Description"), "text", required=True,
              help=_lt("What happens, since when, what you already tried.")),
    FormField("files", _lt("Files"), "files", help=_lt("Screenshots, logs, invoices...")))

#: only parses the new-ticket page's post (its own routes are never served)
_NEW_TICKET_PARSER = PublicForm("my-ticket", _lt("New ticket"), NEW_TICKET_FIELDS,
                                lambda submission: None, email_field="")


def render_new_ticket(request: Any, values: dict | None = None,
                      errors: dict | None = None, status: int = 200) -> Response:
    """The new-ticket page, in the portal's frame with the public forms' template (the
    *Product* choice only when the account has products under contract)."""
    lang = request.lang
    products = covered_products(request.env, request.env.user.partner_id)
    fields = [{"name": f.name, "label": _(f.label, lang=lang), "kind": f.kind,
               "required": f.required, "limit": f.limit,
               "help": _(f.help, lang=lang) if f.help else "", "autocomplete": "",
               "choices": products if f.name == "product" else []}
              for f in NEW_TICKET_FIELDS if f.name != "product" or products]
    title = _("New ticket", lang=lang)
    return portal_web.render(
        request, "portal/form.html", status=status,
        form=SimpleNamespace(url=NEW_TICKET_URL), fields=fields, values=values or {},
        errors=errors or {}, notice="", started="", title=title,
        intro=_("Tell us what happens: the team answers here and by e-mail.", lang=lang),
        submit_label=_("Open the ticket", lang=lang), honeypot="homepage",
        multipart=True,
        breadcrumbs=[(_(TICKETS.title, lang=lang), TICKETS.url), (title, None)])


def create_from_portal(request: Any) -> Response:
    """The post of ``/my/tickets/new``: a ticket of the customer's contact (channel
    *portal*) with his files in a first message, then his ticket's page."""
    env = request.env
    if not env["helpdesk.ticket"]._check_access("create", raise_exception=False):
        raise AccessError(_("You may not open tickets.", lang=request.lang))
    posted = {f.name: request.form.get(f.name, "") for f in NEW_TICKET_FIELDS
              if f.kind != "files"}
    values, errors = _NEW_TICKET_PARSER.parse(request)
    if errors:
        return render_new_ticket(request, posted, errors, status=422)
    partner = env.user.partner_id
    files = values.pop("__files__", [])
    try:
        with env.savepoint():
            ticket = open_ticket(env, partner, values["subject"], values["description"],
                                 "portal", int(values.get("product") or 0) or False)
            if files:
                ticket.message_post(body=text_to_html(_("Files sent with the request.",
                                                        lang=request.lang)),
                                    message_type="comment", subtype_xmlid="mail.mt_comment",
                                    author_id=partner.id, attachments=files)
    except ValidationError as exc:
        key = "files" if exc.field in ("datas", "files") else "__form__"
        return render_new_ticket(request, posted, {key: str(exc)}, status=422)
    return redirect(TICKETS.record_url(ticket), code=303)


@portal_route(NEW_TICKET_URL, methods=("GET", "POST"))
def new_ticket_page(request: Any) -> Response:
    if request.method == "POST":
        return create_from_portal(request)
    if not request.env["helpdesk.ticket"]._check_access("create", raise_exception=False):
        raise AccessError(_("You may not open tickets.", lang=request.lang))
    return render_new_ticket(request)


# -- the public web form ------------------------------------------------------------------------
def submit_web_form(submission: FormSubmission) -> Any:
    """A visitor's request: channel *web_form*; a logged-in customer's goes under his own
    contact (channel *portal*)."""
    env, values = submission.env, submission.values
    if submission.partner:
        partner, channel = submission.partner.sudo(), "portal"
    else:
        partner = customer_for(env, values["name"], values["email"], values.get("phone"))
        channel = "web_form"
    return open_ticket(env, partner, values["subject"], values["description"], channel)


TICKET_FORM = PublicForm(
    "ticket", _lt("Contact the support"),
    (FormField("name", _lt("Your name"), required=True, autocomplete="name", prefill="name"),
     FormField("email", _lt("E-mail"), "email", required=True, autocomplete="email",
               prefill="email"),
     FormField("phone", _lt("Phone"), "phone", autocomplete="tel", prefill="phone"),
     FormField("subject", _lt("Subject"), required=True, max_length=120),
     FormField("description", _lt("Description"), "text", required=True,
               help=_lt("What happens, since when, what you already tried.")),
     FormField("files", _lt("Files"), "files", help=_lt("Screenshots, logs..."))),
    submit_web_form, intro=_lt("Tell us what happens; we answer by e-mail."),
    thanks=_lt("Thank you: your request is registered and the support team will answer "
               "you by e-mail."))


# -- what the hook implementations return -------------------------------------------------------
def routes() -> list:
    """For ``comptoir_routes``: the new-ticket page first (before ``/my/tickets/<id>``)."""
    return [new_ticket_page, *TICKETS.routes(), *TICKET_FORM.routes()]


def sections(env: Any) -> list:
    """For ``comptoir_portal_sections``: the *Tickets* card (none without the right)."""
    return [TICKETS.section(env)]


def checks(registry: Any) -> list:
    """For ``comptoir_checks``: the portal page's fields exist."""
    return TICKETS.check(registry)
