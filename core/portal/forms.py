"""Public web forms: a page anyone may fill without an account, whose answer becomes a
record (a ticket, a return request, a lead), declared by an addon with
:class:`PublicForm`.

``/forms/<key>`` shows the form (prefilled from the contact of a logged-in customer) and
takes its post; ``/forms/<key>/thanks`` is the thank-you page the visitor is sent to.
The addon gives the fields (:class:`FormField`) and ``submit(submission)``, which
creates the record as the system with the checked values (:class:`FormSubmission`) and
returns it; the files sent along are attached to that record, within the attachments'
limits (size, types, ``portal.max_files``).

Against spam, cheapest check first:

* CSRF: the anonymous visitor's form carries the token of his CSRF cookie (the web
  application refuses a post without it);
* a honeypot: a field hidden from people (off-screen, skipped by the keyboard, labelled
  "leave empty"), which bots fill in: such a post is dropped silently (the visitor sees
  the thank-you page, nothing is created);
* a minimum fill time (``portal.form.min_seconds``, default 3): the page carries the time
  it was drawn, signed with the database's secret (``portal.form_secret``); a post
  sooner than that (or with a forged time) is shown again, to be sent once more;
* rate limits per form, counted in ``portal.form.attempt`` over
  ``portal.form.window_minutes`` (default 60): ``portal.form.address_max`` posts per IP
  address (default 10, spam included) and ``portal.form.email_max`` accepted posts per
  e-mail address (default 3); beyond, the post is refused (429) until the window passed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import sqlalchemy as sa
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _
from core.exceptions import ValidationError
from core.i18n.translate import _lt
from core.security.auth import int_param, utcnow
from core.web.http import Request, route

from . import web
from .invite import normalized_email

if TYPE_CHECKING:
    from core import Environment

KINDS = ("char", "text", "email", "phone", "integer", "date", "selection", "boolean",
         "files")
DEFAULT_MAX_LENGTH = {"char": 200, "text": 10000, "email": 254, "phone": 40}
HONEYPOT = "homepage"
PHONE = re.compile(r"^\+?[0-9 ().\-/]{4,40}$")
SECRET_PARAM = "portal.form_secret"
LIMITS = {"portal.form.min_seconds": 3, "portal.form.window_minutes": 60,
          "portal.form.address_max": 10, "portal.form.email_max": 3}
RETENTION = dt.timedelta(days=1)


@dataclass(frozen=True)
class FormField:
    """One field of a public form. ``kind``: one of :data:`KINDS`; ``choices``: for a
    ``selection``, ``(value, label)`` pairs or ``choices(env)`` (a superuser environment
    in the visitor's language) giving them; ``prefill``: the field of a logged-in
    visitor's contact to start from (``name``, ``email``, ``phone``...); ``autocomplete``:
    the HTML autocomplete token (``name``, ``email``, ``tel``...). Labels are English,
    marked with ``_lt``; translated when shown."""

    name: str
    label: str
    kind: str = "char"
    required: bool = False
    max_length: int = 0
    choices: tuple[tuple[str, str], ...] | Callable[[Any], list[tuple[str, str]]] = ()
    help: str = ""
    autocomplete: str = ""
    prefill: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"form field {self.name!r}: kind must be one of {KINDS}")
        if self.name == HONEYPOT or not re.match(r"^[a-z_][a-z0-9_]*$", self.name):
            raise ValueError(f"form field name {self.name!r} is not allowed")

    @property
    def limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.kind, 0)


@dataclass
class FormSubmission:
    """What ``submit`` receives: the checked ``values`` (by field name: text, a valid
    lower-case e-mail address, an ``int``, a ``date``, a ``bool``; empty optional fields
    are ``False``), the ``files`` as ``(name, bytes)``, the logged-in visitor's
    ``partner`` (an empty recordset for anonymous visitors), his IP ``address`` and
    ``lang``, and ``env``: a superuser environment in that language."""

    env: "Environment"
    form: "PublicForm"
    values: dict[str, Any]
    files: list[tuple[str, bytes]]
    partner: Any
    address: str
    lang: str


@dataclass(frozen=True)
class PublicForm:
    """A public web form at ``/forms/<key>`` (see the module). ``submit(submission)``
    creates the record and returns it (the files are attached to it) or None; a
    :class:`~core.exceptions.ValidationError` it raises (with ``field``) is shown on the
    form. ``email_field``: the field the per-e-mail limit counts ("" for none)."""

    key: str
    title: str
    fields: tuple[FormField, ...]
    submit: Callable[[FormSubmission], Any]
    intro: str = ""
    thanks: str = _lt("Thank you: we received your message and will answer soon.")
    submit_label: str = _lt("Send")
    email_field: str = "email"

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", self.key):
            raise ValueError(f"form key {self.key!r}: lowercase letters, digits, '-', '_'")
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"form {self.key!r}: two fields have the same name")
        if self.email_field and self.email_field not in names:
            raise ValueError(f"form {self.key!r}: no field {self.email_field!r} "
                             "(email_field)")

    @property
    def url(self) -> str:
        return f"/forms/{self.key}"

    # -- the page --------------------------------------------------------------------------
    def render(self, request: Request, values: dict[str, Any] | None = None,
               errors: dict[str, str] | None = None, notice: str = "",
               status: int = 200) -> Response:
        lang = request.lang
        root = request.env(su=True).with_context(lang=lang)
        fields = [{"name": f.name, "label": _(f.label, lang=lang), "kind": f.kind,
                   "required": f.required, "limit": f.limit,
                   "help": _(f.help, lang=lang) if f.help else "",
                   "autocomplete": f.autocomplete,
                   "choices": [(v, _(label, lang=lang)) for v, label in (
                       f.choices(root) if callable(f.choices) else f.choices)]}
                  for f in self.fields]
        return web.render(
            request, "portal/form.html", status=status, form=self, fields=fields,
            values=values if values is not None else self.prefill(request),
            errors=errors or {}, notice=notice, started=stamp(request, self),
            title=_(self.title, lang=lang), intro=_(self.intro, lang=lang) if self.intro
            else "", submit_label=_(self.submit_label, lang=lang), honeypot=HONEYPOT,
            multipart=any(f.kind == "files" for f in self.fields))

    def prefill(self, request: Request) -> dict[str, Any]:
        """A logged-in visitor's contact details, for the fields that ask for them."""
        if request.session is None:
            return {}
        partner = request.env.user.partner_id.sudo()
        return {f.name: partner[f.prefill] or "" for f in self.fields
                if f.prefill and f.prefill in partner._fields}

    # -- the post --------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Check a post (see the module), create the record, go to the thank-you page."""
        env = request.env(su=True)
        form = request.form
        posted = {f.name: form.get(f.name, "") for f in self.fields if f.kind != "files"}
        if form.get(HONEYPOT):
            record_attempt(env, self.key, request.address, "", "spam")
            return redirect(f"{self.url}/thanks", code=303)
        if not stamp_ok(request, self, form.get("started")):
            return self.render(request, posted, notice=_(
                "Please check your answers, then send the form again.", lang=request.lang),
                status=422)
        values, errors = self.parse(request)
        if errors:
            return self.render(request, posted, errors, status=422)
        email = values.get(self.email_field) or "" if self.email_field else ""
        wait = throttled_minutes(env, self.key, request.address, email)
        if wait:
            return self.render(request, posted, notice=_(
                "This form was sent too often; try again in %(minutes)s minutes.",
                minutes=wait, lang=request.lang), status=429)
        files = values.pop("__files__", [])
        partner = request.env.user.partner_id if request.session is not None \
            else env["res.partner"]
        submission = FormSubmission(env.with_context(lang=request.lang), self, values,
                                    files, partner, request.address, request.lang)
        try:
            with env.savepoint():
                record = self.submit(submission)
                if record is not None and files:
                    env["ir.attachment"].create([
                        {"name": name, "datas": data, "res_model": record._name,
                         "res_id": record.id} for name, data in files])
        except ValidationError as exc:
            names = {f.name for f in self.fields}
            key = exc.field if exc.field in names else "__form__"
            if exc.field == "datas":
                key = next((f.name for f in self.fields if f.kind == "files"), key)
            return self.render(request, posted, {key: str(exc)}, status=422)
        record_attempt(env, self.key, request.address, email, "accepted")
        return redirect(f"{self.url}/thanks", code=303)

    def parse(self, request: Request) -> tuple[dict[str, Any], dict[str, str]]:
        """``(values, errors)`` of the posted fields; files under ``__files__``."""
        lang, form = request.lang, request.form
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        root = request.env(su=True).with_context(lang=lang)
        for item in self.fields:
            try:
                if item.kind == "files":
                    files = web.uploaded_files(request, item.name)
                    if item.required and not files:
                        raise ValidationError(_("Attach a file.", lang=lang))
                    values.setdefault("__files__", []).extend(files)
                    continue
                values[item.name] = parse_value(item, form.get(item.name), root, lang)
            except ValidationError as exc:
                errors[item.name] = str(exc)
        return values, errors

    # -- routes ------------------------------------------------------------------------------
    def routes(self) -> list[Callable[..., Any]]:
        """The form's routes, for the addon's ``comptoir_routes``."""
        public_form = self

        @route(self.url, methods=("GET", "POST"), auth="public")
        def form_page(request: Request) -> Response:
            if request.method == "POST":
                return public_form.handle(request)
            return public_form.render(request)

        @route(f"{self.url}/thanks", auth="public")
        def thanks_page(request: Request) -> Response:
            return web.render(request, "portal/form_thanks.html", form=public_form,
                              title=_(public_form.title, lang=request.lang),
                              message=_(public_form.thanks, lang=request.lang))

        return [form_page, thanks_page]


def parse_value(item: FormField, raw: Any, env: Any, lang: str) -> Any:
    """One posted value checked and converted (see :class:`FormSubmission`)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if item.kind == "boolean":
        if item.required and not text:
            raise ValidationError(_("Tick this box to go on.", lang=lang))
        return bool(text)
    if not text:
        if item.required:
            raise ValidationError(_("This field is required.", lang=lang))
        return False
    if item.limit and len(text) > item.limit:
        raise ValidationError(_("At most %(count)s characters.", count=item.limit,
                                lang=lang))
    if item.kind == "email":
        email = normalized_email(text)
        if not email:
            raise ValidationError(_("“%(value)s” is not an e-mail address.", value=text,
                                    lang=lang))
        return email
    if item.kind == "phone" and not PHONE.match(text):
        raise ValidationError(_("“%(value)s” is not a phone number.", value=text, lang=lang))
    if item.kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValidationError(_("“%(value)s” is not a whole number.", value=text,
                                    lang=lang)) from None
    if item.kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("“%(value)s” is not a date.", value=text,
                                    lang=lang)) from None
    if item.kind == "selection":
        choices = item.choices(env) if callable(item.choices) else item.choices
        if text not in {str(value) for value, _label in choices}:
            raise ValidationError(_("Choose one of the proposed values.", lang=lang))
    return text


# -- the minimum fill time -----------------------------------------------------------------
def form_secret(env: Any) -> str:
    """The database's secret signing the forms' times (made on first use)."""
    params = env["ir.config_parameter"].sudo()
    secret = params.get_param(SECRET_PARAM)
    if not secret:
        secret = secrets.token_hex(32)
        params.set_param(SECRET_PARAM, secret)
    return secret


def _signature(request: Request, form: PublicForm, moment: int) -> str:
    key = form_secret(request.env(su=True)).encode()
    text = f"{form.key}:{moment}:{request.csrf}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:32]


def stamp(request: Request, form: PublicForm) -> str:
    """The signed time the form page is drawn at (bound to the visitor's CSRF token)."""
    moment = int(time.time())
    return f"{moment}.{_signature(request, form, moment)}"


def stamp_ok(request: Request, form: PublicForm, value: Any) -> bool:
    """Whether the post carries a genuine drawing time at least the minimum ago."""
    moment_text, _dot, signature = (value or "").partition(".")
    if not moment_text.isdigit() or not signature:
        return False
    moment = int(moment_text)
    if not hmac.compare_digest(signature, _signature(request, form, moment)):
        return False
    minimum = int_param(request.env, "portal.form.min_seconds",
                        LIMITS["portal.form.min_seconds"])
    return time.time() - moment >= minimum


# -- rate limits -----------------------------------------------------------------------------
def throttled_minutes(env: Any, form_key: str, address: str, email: str) -> int:
    """0 when the post may go on, else the minutes to wait (see the module)."""
    table = env["portal.form.attempt"]._sa_table
    window = dt.timedelta(minutes=int_param(env, "portal.form.window_minutes",
                                            LIMITS["portal.form.window_minutes"]))
    now = utcnow()
    checks = ((table.c.address, address, "portal.form.address_max", None),
              (table.c.email, email, "portal.form.email_max", "accepted"))
    for column, value, param, kind in checks:
        limit = int_param(env, param, LIMITS[param])
        if not value or limit <= 0:
            continue
        query = sa.select(table.c.attempt_date).where(
            table.c.form == form_key, column == value, table.c.attempt_date > now - window)
        if kind:
            query = query.where(table.c.kind == kind)
        recent = [row[0] for row in env.execute(
            query.order_by(table.c.attempt_date.desc()).limit(limit))]
        if len(recent) >= limit:
            seconds = (recent[-1] + window - now).total_seconds()
            return max(1, math.ceil(seconds / 60))
    return 0


def record_attempt(env: Any, form_key: str, address: str, email: str, kind: str) -> None:
    """Count a post (and forget those older than a day)."""
    now = utcnow()
    attempts = env["portal.form.attempt"].sudo()
    attempts.create({"form": form_key, "address": address or False, "email": email or False,
                     "kind": kind, "attempt_date": now})
    table = attempts._sa_table
    env.execute(table.delete().where(table.c.attempt_date < now - RETENTION))
