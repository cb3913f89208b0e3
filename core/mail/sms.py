"""The reference notification channel: SMS through an HTTP gateway.

Configured by two settings (``ir.config_parameter``): ``mail.sms.endpoint``, the http(s)
URL of the provider's "send" API, and optionally ``mail.sms.token``, sent as a bearer
token. Each notification becomes one POST of ``{"to": <mobile>, "message": <text>,
"reference": <notification id>}`` as JSON; any answer but 2xx, a timeout or a network
error is a failure (the notification shows why and is tried again later). The channel is
offered to users only once the endpoint is set.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core import _
from core.i18n.translate import _lt

from .channels import ChannelError, Delivery, NotificationChannel

if TYPE_CHECKING:
    from core import Environment

ENDPOINT_PARAM = "mail.sms.endpoint"
TOKEN_PARAM = "mail.sms.token"
TIMEOUT_SECONDS = 10
#: a text message's length; longer texts are cut with an ellipsis
MAX_LENGTH = 320


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: it could lead to another host with the token."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _endpoint(env: "Environment") -> str:
    return (env["ir.config_parameter"].sudo().get_param(ENDPOINT_PARAM) or "").strip()


def available(env: "Environment") -> bool:
    url = urlsplit(_endpoint(env))
    return url.scheme in ("http", "https") and bool(url.hostname)


def sms_text(delivery: Delivery) -> str:
    """``<record>: <message>`` on one line, cut to :data:`MAX_LENGTH` characters."""
    text = " ".join(delivery.text.split())
    if delivery.subject:
        text = f"{delivery.subject}: {text}"
    return text if len(text) <= MAX_LENGTH else text[:MAX_LENGTH - 1] + "…"


def send(delivery: Delivery) -> int:
    """POST the text to the gateway; returns the HTTP status, raises ChannelError."""
    env = delivery.env
    number = (delivery.partner.mobile or delivery.partner.phone or "").strip()
    if not number:
        raise ChannelError(_("%(name)s has no mobile number.", name=delivery.partner.name))
    if not available(env):
        raise ChannelError(_("The SMS gateway is not configured (setting %(key)s).",
                             key=ENDPOINT_PARAM))
    body = json.dumps({"to": number, "message": sms_text(delivery),
                       "reference": str(delivery.notification.id)}).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "Comptoir-SMS/1"}
    token = env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(_endpoint(env), data=body, method="POST",
                                     headers=headers)
    try:
        with urllib.request.build_opener(_NoRedirect).open(
                request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise ChannelError(_("The SMS gateway answered HTTP %(status)s.",
                             status=exc.code)) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(_("The SMS gateway could not be reached: %(reason)s",
                             reason=getattr(exc, "reason", exc))) from None
    if not 200 <= status < 300:
        raise ChannelError(_("The SMS gateway answered HTTP %(status)s.", status=status))
    return status


SMS_CHANNEL = NotificationChannel(
    "sms", _lt("SMS"), send, available,
    help=_lt("Text messages to your mobile number, for what needs your attention now."))
