"""A model's pages in the customer portal, declared by an addon with :class:`PortalPage`.

One declaration gives, under ``/my/<slug>``:

* the list: paginated, sortable (``?sort=<field>&desc=1``), searchable (``?search=``),
  of the records the visitor may read: his access rights and record rules apply (the
  addon writes the portal rules, such as "the ticket's customer is the user's company");
* the record page (``/my/<slug>/<id>``): the declared fields, the record's *public*
  messages (those sent to the customer or written by him: never internal notes, nor the
  changes tracked for the staff), with their files; a reply box posting as the
  customer's contact, with files; a 1-to-5 rating with a comment when the addon allows
  it (``can_rate``); buttons the addon declares (:class:`PortalAction`, "Reopen");
* ``section(env)``: the card of the portal's home page, with the visitor's count.

A record the visitor may not read answers 404, whether it exists or not. Replies and
ratings are written by the system once the visitor was shown to read the record (a
customer has no right to write the record itself). Lists and pages run a constant
number of queries whatever the number of records or messages.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _
from core.exceptions import UserError, ValidationError
from core.i18n.formatting import format_datetime
from core.i18n.translate import _lt
from core.mail.mentions import text_to_html
from core.modules.hookspecs import CheckMessage
from core.web.client.attachments import human_size
from core.web.client.values import display, html
from core.web.http import Request

from . import web
from .sections import PortalSection

if TYPE_CHECKING:
    from core import Environment

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MESSAGES_SHOWN = 100
REPLY_MAX = 20000
SEARCH_MAX = 200


def always(record: Any) -> bool:
    return True


@dataclass(frozen=True)
class PortalAction:
    """A button of a record page: ``run(record)`` does it (the record in the visitor's
    environment: use ``sudo()`` deliberately for what customers may not write
    themselves), when ``visible(record)`` says the button is there."""

    key: str
    label: str  #: English, marked with ``_lt``; translated when shown
    run: Callable[[Any], Any]
    visible: Callable[[Any], bool] = always
    primary: bool = False


@dataclass(frozen=True)
class PortalPage:
    """The list and record pages of ``model`` under ``/my/<slug>`` (see the module).

    ``columns``: the list's fields; ``fields``: the record page's; ``search_fields``:
    what the search box looks in; ``sortable``: the columns a visitor may sort by
    (default: the stored ones); ``order``: the default sort; ``domain``: what the portal
    shows at most (record rules still apply). ``can_reply`` / ``can_rate``: whether the
    record page offers the reply box / the rating (``None``: never). ``new_url``: a
    "New" button on the list (a :class:`~core.portal.PublicForm`, typically). Labels
    are English, marked with ``_lt``, translated when shown."""

    slug: str
    model: str
    title: str
    columns: tuple[str, ...] = ("display_name",)
    fields: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ("name",)
    sortable: tuple[str, ...] | None = None
    order: str | None = None
    domain: tuple = ()
    page_size: int = 20
    description: str = ""
    sequence: int = 10
    can_reply: Callable[[Any], bool] | None = always
    can_rate: Callable[[Any], bool] | None = None
    actions: tuple[PortalAction, ...] = ()
    new_url: str = ""
    new_label: str = _lt("New")
    reply_files: bool = True

    def __post_init__(self) -> None:
        if not SLUG.match(self.slug):
            raise ValueError(f"portal page slug {self.slug!r}: lowercase letters, digits, "
                             "'-' and '_' only")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")

    # -- addresses and the home page's card ---------------------------------------------
    @property
    def url(self) -> str:
        return f"{web.PORTAL_HOME}/{self.slug}"

    def record_url(self, record: Any) -> str:
        return f"{self.url}/{int(record.id)}"

    def section(self, env: "Environment") -> PortalSection | None:
        """The home page's card for this visitor: None when he may not read the model."""
        model = env[self.model]
        if not model._check_access("read", raise_exception=False):
            return None
        return PortalSection(self.slug, _(self.title, lang=env.lang), self.url,
                             model.search_count(list(self.domain)),
                             _(self.description, lang=env.lang) if self.description
                             else "", self.sequence)

    def check(self, registry: Any) -> list[CheckMessage]:
        """Problems of this declaration against a registry (for ``comptoir_checks``)."""
        model = registry.models.get(self.model)
        if model is None:
            return [CheckMessage("portal.E001", f"portal page {self.slug!r}: unknown model "
                                                f"{self.model!r}")]
        problems = []
        for kind, names in (("column", self.columns), ("field", self.fields),
                            ("search field", self.search_fields),
                            ("sortable field", self.sortable or ())):
            for name in names:
                if name not in model._fields:
                    near = difflib.get_close_matches(name, list(model._fields), 1)
                    problems.append(CheckMessage(
                        "portal.E002", f"portal page {self.slug!r}: {kind} {name!r} is "
                                       f"not a field of {self.model}",
                        hint=f"did you mean {near[0]!r}?" if near else None))
        if self.can_reply is not None and "message_ids" not in model._fields:
            problems.append(CheckMessage(
                "portal.E003", f"portal page {self.slug!r}: replies need {self.model} to "
                               "inherit mail.thread", hint="set can_reply=None"))
        return problems

    # -- reading as the visitor -------------------------------------------------------------
    def search_domain(self, search: str) -> list:
        """The page's domain plus the search box's words (any search field matches)."""
        domain = list(self.domain)
        search = search.strip()[:SEARCH_MAX]
        if search and self.search_fields:
            terms = [(name, "ilike", search) for name in self.search_fields]
            domain += ["|"] * (len(terms) - 1) + terms
        return domain

    def sort_fields(self, model: Any) -> list[str]:
        names = self.sortable if self.sortable is not None else self.columns
        return [n for n in names if n in model._fields and model._fields[n].stored_column]

    def record_for(self, request: Request, rec_id: int) -> Any:
        """The record as the visitor, or 404 when he may not read it (or it does not
        exist: both answer the same)."""
        found = request.env[self.model].search([("id", "=", rec_id)] + list(self.domain),
                                               limit=1)
        if not found:
            raise NotFound()
        return found

    # -- pages ----------------------------------------------------------------------------------
    def render_list(self, request: Request) -> Response:
        """The list page (see the module)."""
        env, args = request.env, request.args
        model = env[self.model]
        described = model.fields_get(list(self.columns))
        columns = [name for name in self.columns if name in described]
        sortable = set(self.sort_fields(model)) & set(columns)
        sort = args.get("sort") if args.get("sort") in sortable else None
        descending = args.get("desc") == "1"
        order = f"{sort} {'desc' if descending else 'asc'}" if sort else self.order
        search = (args.get("search") or "").strip()[:SEARCH_MAX]
        domain = self.search_domain(search)
        total = model.search_count(domain)
        pages = max(1, -(-total // self.page_size))
        page = min(max(args.get("page", type=int) or 1, 1), pages)
        records = model.search(domain, order=order, limit=self.page_size,
                               offset=(page - 1) * self.page_size)
        tz = env.context.get("tz") or "UTC"
        rows = [{"url": f"{self.url}/{row['id']}",
                 "cells": [display(row.get(name), described[name], request.lang, tz)
                           for name in columns]}
                for row in (records.read(columns) if records else [])]
        heads = [{"name": name, "label": described[name].get("string") or name,
                  "sortable": name in sortable, "current": name == sort,
                  "descending": descending and name == sort} for name in columns]
        title = _(self.title, lang=request.lang)
        return web.render(request, "portal/list.html", page_def=self, title=title,
                          heads=heads, rows=rows, total=total, page=page, pages=pages,
                          search=search, sort=sort or "", descending=descending,
                          new_label=_(self.new_label, lang=request.lang),
                          breadcrumbs=[(title, None)])

    def render_record(self, request: Request, record: Any, status: int = 200,
                      errors: dict[str, str] | None = None,
                      posted: dict[str, Any] | None = None) -> Response:
        """The record page (see the module); ``errors`` / ``posted``: a refused reply or
        rating shown again with its message."""
        env = request.env
        tz = env.context.get("tz") or "UTC"
        described = record.fields_get(list(self.fields))
        names = [name for name in self.fields if name in described]
        values = record.read(names)[0] if names else {}
        details = [{"label": described[n].get("string") or n,
                    "value": html(values[n]) if described[n].get("type") == "html"
                    else display(values[n], described[n], request.lang, tz)}
                   for n in names]
        threaded = "message_ids" in record._fields
        rating = None
        if self.can_rate is not None and self.can_rate(record):
            current = env["rating.rating"].of_record(record)
            rating = {"value": current.rating if current else 0,
                      "feedback": current.feedback or "" if current else "",
                      "date": format_datetime(current.write_date, request.lang, tz)
                      if current else ""}
        title = _(self.title, lang=request.lang)
        return web.render(
            request, "portal/record.html", status=status, page_def=self, record=record,
            title=record.display_name, details=details,
            messages=public_messages(record) if threaded else [],
            can_reply=threaded and self.can_reply is not None and self.can_reply(record),
            rating=rating, errors=errors or {}, posted=posted or {},
            actions=[{"key": a.key, "label": _(a.label, lang=request.lang),
                      "primary": a.primary} for a in self.actions if a.visible(record)],
            breadcrumbs=[(title, self.url), (record.display_name, None)])

    # -- what a visitor does ---------------------------------------------------------------------
    def reply(self, request: Request, record: Any) -> Response:
        """Post the visitor's message (and files) on the record, as his contact; he then
        follows the record, so the team's answers reach him by e-mail."""
        if self.can_reply is None or not self.can_reply(record):
            raise UserError(_("You cannot write on this record any more.",
                              lang=request.lang))
        text = (request.form.get("body") or "").strip()
        try:
            files = web.uploaded_files(request) if self.reply_files else []
            if not text and not files:
                raise ValidationError(_("Write your message or attach a file first.",
                                        lang=request.lang), field="body")
            if len(text) > REPLY_MAX:
                raise ValidationError(_("At most %(count)s characters.", count=REPLY_MAX,
                                        lang=request.lang), field="body")
            partner = request.env.user.partner_id
            with request.env.savepoint():
                thread = record.sudo()
                thread.message_post(body=text_to_html(text), message_type="comment",
                                    subtype_xmlid="mail.mt_comment", author_id=partner.id,
                                    attachments=files)
                thread.message_subscribe([partner.id])
        except ValidationError as exc:
            return self.render_record(request, record, status=422,
                                      errors={"reply": str(exc)}, posted={"body": text})
        return redirect(f"{self.record_url(record)}#messages", code=303)

    def rate(self, request: Request, record: Any) -> Response:
        """Rate the record (again: the new rating replaces the previous one)."""
        if self.can_rate is None or not self.can_rate(record):
            raise UserError(_("This record cannot be rated now.", lang=request.lang))
        feedback = request.form.get("feedback") or ""
        try:
            with request.env.savepoint():
                request.env["rating.rating"].rate(record, request.form.get("rating"),
                                                  feedback)
        except ValidationError as exc:
            return self.render_record(request, record, status=422,
                                      errors={"rating": str(exc)},
                                      posted={"feedback": feedback})
        return redirect(f"{self.record_url(record)}?rated=1#rating", code=303)

    def act(self, request: Request, record: Any, key: str) -> Response:
        """Run the record page's button ``key``."""
        action = next((a for a in self.actions if a.key == key), None)
        if action is None or not action.visible(record):
            raise UserError(_("This action is not available on this record.",
                              lang=request.lang))
        with request.env.savepoint():
            action.run(record)
        return redirect(self.record_url(record), code=303)

    # -- routes ---------------------------------------------------------------------------------
    def routes(self) -> list[Callable[..., Any]]:
        """The page's routes, for the addon's ``comptoir_routes``."""
        page = self

        @web.portal_route(page.url)
        def list_page(request: Request) -> Response:
            return page.render_list(request)

        @web.portal_route(f"{page.url}/<int:rec_id>")
        def record_page(request: Request, rec_id: int) -> Response:
            return page.render_record(request, page.record_for(request, rec_id))

        @web.portal_route(f"{page.url}/<int:rec_id>/reply", methods=("POST",))
        def reply(request: Request, rec_id: int) -> Response:
            return page.reply(request, page.record_for(request, rec_id))

        @web.portal_route(f"{page.url}/<int:rec_id>/rate", methods=("POST",))
        def rate(request: Request, rec_id: int) -> Response:
            return page.rate(request, page.record_for(request, rec_id))

        @web.portal_route(f"{page.url}/<int:rec_id>/do/<string:key>", methods=("POST",))
        def act(request: Request, rec_id: int, key: str) -> Response:
            return page.act(request, page.record_for(request, rec_id), key)

        return [list_page, record_page, reply, rate, act]


def public_messages(record: Any, limit: int = MESSAGES_SHOWN) -> list[dict[str, Any]]:
    """The record's messages a customer sees, oldest first: those sent to the followers
    and e-mails, never internal notes, system notifications or tracked changes. Searched
    as the visitor (the messages' own rules apply too); authors' names and files are
    fetched by the system, one query each."""
    env = record.env
    found = env["mail.message"].search_fetch(
        [("res_model", "=", record._name), ("res_id", "=", record.id),
         ("message_type", "in", ["comment", "email"]), ("is_internal", "=", False)],
        ["body", "date", "author_id", "email_from"], order="date desc, id desc",
        limit=limit)
    if not found:
        return []
    sudo = found.sudo()
    authors = {row["id"]: row["name"] for row in sudo.mapped("author_id").read(["name"])}
    files_of = {row["id"]: row["attachment_ids"] for row in sudo.read(["attachment_ids"])}
    file_ids = sorted({i for ids in files_of.values() for i in ids})
    files = {f.id: f for f in env["ir.attachment"].sudo().search_fetch(
        [("id", "in", file_ids)], ["name", "mimetype", "file_size"])} if file_ids else {}
    me = env.user.partner_id.id
    lang, tz = env.lang, env.context.get("tz") or "UTC"
    items = []
    for message in reversed(list(found)):
        author = message.author_id.id
        items.append({
            "id": message.id, "body": html(message.body), "mine": author == me,
            "author": authors.get(author) or message.email_from or _("Someone", lang=lang),
            "date": format_datetime(message.date, lang, tz),
            "iso": message.date.isoformat() if message.date else "",
            "files": [{"id": i, "name": files[i].name, "url": f"{web.PORTAL_HOME}/"
                       f"attachment/{i}", "size": human_size(files[i].file_size, lang)}
                      for i in files_of.get(message.id, ()) if i in files]})
    return items

