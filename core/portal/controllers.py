"""The portal's own pages: the home page (``/my``), the account page, the signup page of
an invitation, files of public messages; and, in the back office, the pages that grant
and revoke portal access (from the contact form's buttons and the contacts list's
actions). Addons add their pages with :class:`~core.portal.PortalPage` and
:class:`~core.portal.PublicForm`.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import _, route
from core.exceptions import AccessDenied, ValidationError
from core.i18n.translate import _lt
from core.security import sessions
from core.web.client.controllers import BulkOperation, register_bulk_operation
from core.web.http import Request

from . import invite, web
from .forms import PHONE
from .sections import portal_sections

#: the contact details a customer edits himself, with their size limits
ACCOUNT_FIELDS = {"name": 128, "email": 254, "phone": 40, "mobile": 40, "street": 128,
                  "street2": 128, "zip": 24, "city": 128}

register_bulk_operation(BulkOperation("portal", "res.partner", "portal_grant",
                                      _lt("Grant portal access"), "/portal/grant?ids={ids}"))
register_bulk_operation(BulkOperation("portal", "res.partner", "portal_revoke",
                                      _lt("Revoke portal access"),
                                      "/portal/revoke?ids={ids}"))


# -- the portal ------------------------------------------------------------------------------
@web.portal_route(web.PORTAL_HOME)
def home(request: Request) -> Response:
    """The sections addons contribute, and the account."""
    partner = request.env.user.partner_id
    return web.render(request, "portal/home.html", title=_("My account", lang=request.lang),
                      sections=portal_sections(request.env), partner=partner,
                      company=partner.commercial_partner_id)


@web.portal_route(f"{web.PORTAL_HOME}/account", methods=("GET", "POST"))
def account(request: Request) -> Response:
    """The customer's contact details and language (his own contact only)."""
    env = request.env
    user, partner = env.user, env.user.partner_id
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values, errors = _account_values(request)
        if not errors:
            with env.savepoint():
                lang = values.pop("lang")
                partner.sudo().write({**values, "lang": lang})
                user.sudo().write({"name": values["name"], "email": values["email"],
                                   "lang": lang})
            return redirect(f"{web.PORTAL_HOME}/account?saved=1", code=303)
        values = request.form.to_dict()
    return _account_page(request, 422 if errors else 200, errors, values)


@web.portal_route(f"{web.PORTAL_HOME}/account/password", methods=("POST",))
def change_password(request: Request) -> Response:
    """A new password, proving the current one: every other session ends."""
    env, form = request.env, request.form
    user = env.user
    new = form.get("new_password") or ""
    errors: dict[str, str] = {}
    if new != (form.get("confirm_password") or ""):
        errors["confirm_password"] = _("The two passwords differ.", lang=request.lang)
    else:
        try:
            env["res.users"].authenticate(user.login, form.get("old_password") or "",
                                          request.address)
        except AccessDenied as exc:
            errors["old_password"] = str(exc)
    if not errors:
        try:
            with env.savepoint():
                user.sudo().write({"password": new})
        except ValidationError as exc:
            errors["new_password"] = str(exc)
    if errors:
        return _account_page(request, 422, password_errors=errors)
    sid, _csrf = sessions.create_session(env(su=True), user.id, request.address,
                                         request.user_agent.string if request.user_agent
                                         else "")
    request.new_sid = sid
    return redirect(f"{web.PORTAL_HOME}/account?password=1", code=303)


def _account_values(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    form, lang = request.form, request.lang
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, limit in ACCOUNT_FIELDS.items():
        text = (form.get(name) or "").strip()
        if len(text) > limit:
            errors[name] = _("At most %(count)s characters.", count=limit, lang=lang)
        values[name] = text or False
    if not values["name"]:
        errors["name"] = _("Your name is required.", lang=lang)
    email = invite.normalized_email(values["email"])
    if not email:
        errors["email"] = _("Enter a valid e-mail address.", lang=lang)
    values["email"] = email
    for name in ("phone", "mobile"):
        if values[name] and not PHONE.match(values[name]):
            errors[name] = _("“%(value)s” is not a phone number.", value=values[name],
                             lang=lang)
    country_id = form.get("country_id", type=int)
    countries = request.env["res.country"]
    if country_id and not countries.browse(country_id).exists():
        errors["country_id"] = _("Choose a country of the list.", lang=lang)
    values["country_id"] = country_id or False
    languages = dict(request.env["res.users"]._lang_selection())
    values["lang"] = form.get("lang") if form.get("lang") in languages else None
    if values["lang"] is None:
        errors["lang"] = _("Choose a language of the list.", lang=lang)
    return values, errors


def _account_page(request: Request, status: int = 200, errors: dict[str, str] | None = None,
                  values: dict[str, Any] | None = None,
                  password_errors: dict[str, str] | None = None) -> Response:
    env = request.env
    partner = env.user.partner_id
    current = {name: partner[name] or "" for name in ACCOUNT_FIELDS}
    current.update(country_id=partner.country_id.id or "", lang=env.user.lang or "")
    countries = env["res.country"].search_fetch([], ["name"], order="name")
    return web.render(request, "portal/account.html", status=status,
                      title=_("My account", lang=request.lang), values=values or current,
                      errors=errors or {}, password_errors=password_errors or {},
                      countries=[(c.id, c.name) for c in countries],
                      languages=env["res.users"]._lang_selection(),
                      saved=request.args.get("saved") == "1",
                      password_changed=request.args.get("password") == "1",
                      breadcrumbs=[(_("My account", lang=request.lang), None)])


@web.portal_route(f"{web.PORTAL_HOME}/attachment/<int:att_id>")
def attachment(request: Request, att_id: int) -> Response:
    """A file of a message the visitor may read (public messages only: the file of an
    internal note is refused, even on a record he reads)."""
    env = request.env
    if not env["mail.message"].search_count([("attachment_ids", "in", [att_id])], limit=1):
        raise NotFound()
    return file_response(env["ir.attachment"].sudo().browse(att_id))


def file_response(attachment: Any) -> Response:
    """A download of ``attachment`` (never shown inline: nothing uploaded runs here)."""
    response = Response(attachment._content(), mimetype="application/octet-stream")
    name = attachment.name or "file"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- signing up from an invitation ---------------------------------------------------------
@route(f"{web.PORTAL_HOME}/signup/<string:token>", methods=("GET", "POST"), auth="public")
def signup(request: Request, token: str) -> Response:
    """The invitation's link: the customer chooses his password, then is logged in."""
    root = request.env(su=True)
    user, problem = root["res.users"]._portal_signup_user(token)
    if problem:
        response = web.render(request, "portal/signup_invalid.html",
                              status=410 if problem == "expired" else 404,
                              title=_("Invitation", lang=request.lang), expired=problem ==
                              "expired")
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    error = ""
    if request.method == "POST":
        password = request.form.get("password") or ""
        if password != (request.form.get("confirm_password") or ""):
            error = _("The two passwords differ.", lang=request.lang)
        else:
            try:
                with root.savepoint():
                    user._portal_complete_signup(password)
            except ValidationError as exc:
                error = str(exc)
            else:
                sid, _csrf = sessions.rotate(
                    root, request.cookies.get("comptoir_session"), user.id,
                    request.address, request.user_agent.string if request.user_agent
                    else "")
                request.new_sid = sid
                return redirect(web.PORTAL_HOME, code=303)
    response = web.render(request, "portal/signup.html", status=422 if error else 200,
                          title=_("Choose your password", lang=request.lang),
                          invited=user, error=error)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a secret
    return response


# -- granting and revoking access (back office) ------------------------------------------------
def _partners(request: Request) -> Any:
    raw = request.values.get("ids") or ""
    ids = [int(i) for i in raw.split(",") if i.strip().isdigit()]
    partners = request.env["res.partner"].with_context(active_test=False).browse(ids)
    partners = partners.exists()
    if not partners:
        raise NotFound(_("Choose the contacts first.", lang=request.lang))
    partners.read(["display_name"])  # the user must be able to read them
    return partners


def _access_page(request: Request, kind: str) -> Response:
    partners = _partners(request)
    env = request.env
    done = request.method == "POST"
    if kind == "grant":
        url = invite.base_url(env, request.host_url) if done else ""
        plan = invite.grant(partners, url) if done else invite.plan_grant(partners)
        title = _("Grant portal access", lang=request.lang)
    else:
        plan = invite.revoke(partners) if done else invite.plan_revoke(partners)
        title = _("Revoke portal access", lang=request.lang)
    configured = env["ir.config_parameter"].sudo().get_param("web.base.url")
    back = f"/mail/open/res.partner/{partners.id}" if len(partners) == 1 else "/web"
    return request.render("portal/access.html", kind=kind, plan=plan, done=done,
                          ids=",".join(str(i) for i in partners.ids), title=title,
                          link_base=(configured or request.host_url).rstrip("/"),
                          back=back, apps=env["ir.ui.menu"].visible_tree(), app=None)


@route("/portal/grant", methods=("GET", "POST"), auth="user")
def grant_page(request: Request) -> Response:
    """What granting access to the chosen contacts does; the post does it."""
    return _access_page(request, "grant")


@route("/portal/revoke", methods=("GET", "POST"), auth="user")
def revoke_page(request: Request) -> Response:
    """What revoking the chosen contacts' access does; the post does it."""
    return _access_page(request, "revoke")


ROUTES = [home, account, change_password, attachment, signup, grant_page, revoke_page]
