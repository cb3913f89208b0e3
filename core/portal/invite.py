"""Granting and revoking portal access: what the contact form's buttons, the contacts
list's actions and ``comptoir portal`` do.

Granting access to a contact creates his portal user (login: his e-mail address, group
``base.group_portal``, no password) and e-mails him an invitation whose link lets him
choose his password (``/my/signup/<token>``, see ``models/res_users.py``). Granting it
again to an invited customer sends a new link; to a revoked one, reactivates him and sends
a new link. Revoking archives the user and ends his sessions. Each contact is planned
first (:func:`plan_grant`, :func:`plan_revoke`: the confirmation page shows the plan),
so refusals come in words, one per contact, and never stop the others.

Who may do it: internal users allowed to modify the contacts (the system does the rest).
The link needs the site's address: ``web.base.url`` when set, else the page's own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from core import _
from core.exceptions import AccessError, UserError
from core.i18n.formatting import format_datetime
from core.mail.models.mail_message import make_message_id
from core.mail.outgoing import format_address
from core.mail.render import render
from core.security import sessions
from core.web.app import is_share_user

INVITE_TEMPLATE = "portal.mail_template_portal_invite"
#: what a plan line does: invite (new user), reinvite (new link), reactivate (revoked
#: user back, new link), revoke, none (nothing to do), refuse (``reason`` says why)
ACTIONS = ("invite", "reinvite", "reactivate", "revoke", "none", "refuse")


@dataclass
class PortalAccess:
    """What happens (or happened) to one contact's portal access."""

    partner: Any
    action: str
    reason: str = ""
    user: Any = None
    email: str = ""

    @property
    def changes(self) -> bool:
        return self.action not in ("none", "refuse")


# -- reading -----------------------------------------------------------------------------
def users_of(partners: Any) -> dict[int, Any]:
    """``{partner id: user}`` of these contacts (archived users included), one query."""
    if not partners:
        return {}
    users = partners.env(su=True)["res.users"].with_context(active_test=False)
    found = users.search_fetch([("partner_id", "in", partners.ids)],
                               ["partner_id", "login", "active"], order="id")
    result: dict[int, Any] = {}
    for user in found:
        result.setdefault(user.partner_id.id, user)
    return result


def with_password(env: Any, user_ids: Iterable[int]) -> set[int]:
    """The users among ``user_ids`` who have chosen a password (one query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    table = env.registry["res.users"]._sa_table
    return {row[0] for row in env.execute(sa.select(table.c.id).where(
        table.c.id.in_(ids), table.c.password_hash.is_not(None)))}


def is_share(user: Any) -> bool:
    """Whether ``user`` is a share (portal) user."""
    return is_share_user(user.env(uid=user.id, su=True))


def normalized_email(text: Any) -> str:
    """The address in lower case, or empty when it is not a valid address."""
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return ""


def _logins_taken(env: Any, emails: Iterable[str]) -> dict[str, int]:
    """``{login in lower case: user id}`` among these addresses (one query)."""
    emails = sorted(set(e for e in emails if e))
    if not emails:
        return {}
    table = env.registry["res.users"]._sa_table
    rows = env.execute(sa.select(sa.func.lower(table.c.login), table.c.id).where(
        sa.func.lower(table.c.login).in_(emails)))
    return {login: uid for login, uid in rows}


def check_manager(partners: Any) -> None:
    """Only internal users who may modify these contacts manage their portal access."""
    env = partners.env
    if env.su:
        return
    if is_share_user(env):
        raise AccessError(_("Only staff manage portal access."))
    partners._check_access("write")
    partners._check_rules("write")


# -- planning ------------------------------------------------------------------------------
def plan_grant(partners: Any) -> list[PortalAccess]:
    """What granting access to each contact would do (nothing is changed)."""
    env = partners.env
    users = users_of(partners)
    emails = {p.id: normalized_email(p.email) for p in partners.sudo()}
    taken = _logins_taken(env, emails.values())
    ready = with_password(env, [u.id for u in users.values()])
    plan, claimed = [], set()
    for partner in partners.sudo():
        user, email = users.get(partner.id), emails[partner.id]
        item = PortalAccess(partner, "refuse", user=user, email=email)
        name = partner.display_name
        if partner.is_company:
            item.reason = _("%(name)s is a company: grant access to one of its people.",
                            name=name)
        elif user is not None and not is_share(user):
            item.reason = _("%(name)s is an internal user already.", name=name)
        elif not email:
            item.reason = _("%(name)s has no valid e-mail address: the invitation is sent "
                            "there, and it is the login.", name=name)
        elif user is None and (email in taken or email in claimed):
            item.reason = _("The login %(login)s belongs to another user already.",
                            login=email)
        elif user is None:
            item.action, item.reason = "invite", _(
                "A portal user is created and invited by e-mail to %(email)s.", email=email)
        elif not user.active:
            item.action, item.reason = "reactivate", _(
                "The revoked access is restored and a new invitation sent to %(email)s.",
                email=email)
        elif user.id in ready:
            item.action, item.reason = "none", _("%(name)s uses the portal already.",
                                                 name=name)
        else:
            item.action, item.reason = "reinvite", _(
                "%(name)s has not accepted the invitation yet: a new one is sent to "
                "%(email)s.", name=name, email=email)
        claimed.add(email)
        plan.append(item)
    return plan


def plan_revoke(partners: Any) -> list[PortalAccess]:
    """What revoking each contact's access would do (nothing is changed)."""
    users = users_of(partners)
    plan = []
    for partner in partners.sudo():
        user, name = users.get(partner.id), partner.display_name
        if user is None or not user.active:
            plan.append(PortalAccess(partner, "none", _("%(name)s has no portal access.",
                                                        name=name), user))
        elif not is_share(user):
            plan.append(PortalAccess(partner, "refuse", _(
                "%(name)s is an internal user: manage him in Settings › Users.",
                name=name), user))
        else:
            plan.append(PortalAccess(partner, "revoke", _(
                "%(name)s can no longer log in (his user is archived).", name=name), user))
    return plan


# -- doing ---------------------------------------------------------------------------------
def grant(partners: Any, base_url: str) -> list[PortalAccess]:
    """Grant portal access to these contacts (see the module's docstring); returns what
    was done for each."""
    check_manager(partners)
    env = partners.env(su=True)
    portal = env.ref("base.group_portal")
    company = partners.env.user.company_id or env.ref("base.main_company",
                                                       raise_if_not_found=False)
    plan = plan_grant(partners)
    for item in plan:
        if not item.changes:
            continue
        partner = item.partner.with_env(env)
        if item.action == "invite":
            item.user = env["res.users"].create({
                "name": partner.name, "login": item.email, "email": item.email,
                "partner_id": partner.id, "lang": partner.lang or env.user.lang or "en_US",
                "company_id": company.id if company else False,
                "groups_id": [(6, 0, [portal.id])]})
        elif item.action == "reactivate":
            item.user.sudo().write({"active": True})
        send_invitation(item.user.with_env(env), base_url)
    return plan


def revoke(partners: Any) -> list[PortalAccess]:
    """Revoke these contacts' portal access; returns what was done for each."""
    check_manager(partners)
    env = partners.env(su=True)
    plan = plan_revoke(partners)
    for item in plan:
        if item.action == "revoke":
            user = item.user.with_env(env)
            user.write({"active": False})
            user._portal_clear_token()
            sessions.revoke_all(env, user.id)
    return plan


def send_invitation(user: Any, base_url: str) -> Any:
    """E-mail ``user`` a new signup link (the previous one stops working), in his
    language, through the outgoing queue; returns the queued mail."""
    env = user.env(su=True)
    user = user.with_env(env)
    token, until = user._portal_issue_token()
    lang = user.lang or "en_US"
    template = env.ref(INVITE_TEMPLATE).with_context(lang=lang)
    record = user.with_context(lang=lang)
    values = {"signup_url": f"{base_url.rstrip('/')}/my/signup/{token}",
              "valid_until": format_datetime(until, lang, user.tz or "UTC")}
    name = template.name or INVITE_TEMPLATE
    subject = render(template.subject, record, template_name=name, part="subject",
                     values=values)
    body = render(template.body_html, record, html=True, template_name=name,
                  part="body_html", values=values)
    partner = user.partner_id
    domain = env["ir.config_parameter"].get_param("mail.catchall.domain")
    mail = env["mail.mail"].create({
        "email_to": format_address(partner.name, partner.email or user.login),
        "subject": " ".join(subject.split()), "body_html": body,
        "res_partner_id": partner.id, "message_id": make_message_id(domain)})
    mail.queue()
    return mail


def base_url(env: Any, request_url: str | None = None, override: str | None = None) -> str:
    """The site's address for links in e-mails: ``override`` (given on the command
    line), else ``web.base.url``, else the address of the request doing the change."""
    configured = env["ir.config_parameter"].sudo().get_param("web.base.url")
    url = (override or configured or request_url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UserError(_("Set the address of this site first (system parameter "
                          "web.base.url, such as https://crm.example.com): invitations "
                          "link to it."))
    return url
