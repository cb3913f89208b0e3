"""Polling IMAP mailboxes (``mail.fetch.server``) into the mail gateway.

Each active server is read with :mod:`imaplib`: unseen messages of its folder are
fetched, routed by :func:`core.mail.gateway.process`, then flagged seen (a message the
gateway refused is flagged too: it has its answer). A server that cannot be reached keeps
its error on ``last_error`` and does not stop the others.
"""
from __future__ import annotations

import imaplib
import logging
from typing import TYPE_CHECKING, Any

from core.orm.model_write import now_utc

from . import gateway

if TYPE_CHECKING:
    from core import Environment

_logger = logging.getLogger(__name__)
#: kept at import: tests replace the IMAP4 class itself
IMAP_ERROR = imaplib.IMAP4.error


def connect(server: Any) -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if server.ssl else imaplib.IMAP4
    connection = cls(server.host, int(server.port or (993 if server.ssl else 143)))
    connection.login(server.user, server.password or "")
    return connection


def fetch_server(env: "Environment", server: Any) -> list[gateway.Outcome]:
    """Route the unseen messages of one mailbox; returns their outcomes."""
    outcomes: list[gateway.Outcome] = []
    try:
        connection = connect(server)
    except (IMAP_ERROR, OSError) as exc:
        server.write({"last_error": f"{type(exc).__name__}: {exc}"[:500]})
        _logger.warning("mail fetch: cannot reach %s: %s", server.name, exc)
        return outcomes
    try:
        connection.select(server.folder or "INBOX")
        status, data = connection.search(None, "UNSEEN")
        for number in (data[0].split() if status == "OK" and data and data[0] else []):
            status, parts = connection.fetch(number, "(RFC822)")
            raw = next((p[1] for p in parts or () if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue
            outcomes.append(gateway.process(env, raw, server.alias_domain or None))
            connection.store(number, "+FLAGS", "\\Seen")
        server.write({"last_fetch": now_utc(), "last_error": False})
    except (IMAP_ERROR, OSError) as exc:
        server.write({"last_error": f"{type(exc).__name__}: {exc}"[:500]})
        _logger.warning("mail fetch: %s failed: %s", server.name, exc)
    finally:
        try:
            connection.close()
            connection.logout()
        except (IMAP_ERROR, OSError):
            pass
    return outcomes


def fetch_all(env: "Environment") -> dict[str, list[gateway.Outcome]]:
    """Poll every active mailbox (as the system: there is no user behind a poll)."""
    env = env(su=True)
    return {server.name: fetch_server(env, server)
            for server in env["mail.fetch.server"].search([])}

