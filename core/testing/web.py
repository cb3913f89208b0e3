"""Web tests without a browser: a Werkzeug client logged in as a user."""
from __future__ import annotations

from typing import Any

from werkzeug.test import Client

from ..security import sessions
from ..web import Application
from ..web.app import SESSION_COOKIE


def client_for(database: Any, uid: int) -> tuple[Client, str]:
    """A test client with a fresh session of ``uid`` on ``database``, and its CSRF token."""
    with database.environment() as env:
        sid, csrf = sessions.create_session(env, uid)
    client = Client(Application(database))
    client.set_cookie(SESSION_COOKIE, sid)
    return client, csrf
