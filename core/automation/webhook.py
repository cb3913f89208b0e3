"""Webhooks: records posted as JSON to an http(s) URL, from the job queue.

The "call a webhook" action only queues a job (:func:`payload` is computed at trigger
time, so the receiver sees the records as they were then); the job calls :func:`send`,
and a failure (network error, timeout, non-2xx answer) makes the queue retry it later
with a growing delay. Only ``http`` and ``https`` URLs are accepted.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit

from ..exceptions import ValidationError
from ..i18n.translate import _

if TYPE_CHECKING:
    from ..orm import BaseModel

TIMEOUT_SECONDS = 10
USER_AGENT = "Comptoir-Webhook/1"


class WebhookError(Exception):
    """The receiver did not accept the call (the job will be retried)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: they could lead to another scheme or host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def check_url(url: str | None) -> str:
    """``url`` if it is an absolute http(s) URL; ValidationError otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("A webhook URL must start with http:// or https:// and name a "
                                "host, not '%(url)s'.", url=url), field="webhook_url")
    return url


def payload(records: "BaseModel", names: Iterable[str] = (), **event: Any) -> dict[str, Any]:
    """The JSON body: an event id, the model, and per record its id, display name and the
    fields asked for (dates in ISO 8601, many2one as ``[id, name]``)."""
    names = [n for n in names if n in records._fields and n != "id"]
    rows = records.sudo().read(["display_name", *names]) if records else []
    return {"event_id": uuid.uuid4().hex, "model": records._name,
            "records": [{key: _json_value(value) for key, value in row.items()}
                        for row in rows], **event}


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, bytes):
        return None
    return value


def send(url: str, body: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> int:
    """POST ``body`` as JSON; returns the HTTP status, raises WebhookError unless 2xx."""
    url = check_url(url)
    data = json.dumps(body, default=str).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Comptoir-Event": str(body.get("event_id", ""))})
    try:
        opener = urllib.request.build_opener(_NoRedirect)
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"{url} could not be reached: {reason}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"{url} answered HTTP {status}")
    return status
