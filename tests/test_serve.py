"""``comptoir serve --workers 2``: gunicorn processes serving one database, a session
opened on one worker valid on the other, a change made meanwhile by another process
(the CLI) seen by every worker."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

COMPTOIR = [str(Path(sys.executable).with_name("comptoir"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (read from /proc: no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.sqlite_only
def test_two_workers_share_sessions_and_changes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    env = {**os.environ, "COMPTOIR_DATA_DIR": str(tmp_path / "data")}
    init = subprocess.run([*COMPTOIR, "--db", url, "db", "init", "--demo"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr
    port = free_port()
    server = subprocess.Popen([*COMPTOIR, "--db", url, "serve", "--workers", "2", "--port",
                               str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for(port, server)
        deadline = time.monotonic() + 30
        while len(children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(children(server.pid)) == 2  # gunicorn's master and two workers
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/web/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"login": "admin", "password": "admin",
                                       "csrf_token": token}).encode()
        assert opener.open(f"{base}/web/login", data=data).status == 200
        # many requests: both workers answer with the same session
        for _ in range(8):
            home = opener.open(f"{base}/web").read().decode()
            assert "Contacts" in home
        # another process renames the admin's app menu: every worker shows the new name
        rename = subprocess.run(
            [*COMPTOIR, "--db", url, "shell", "-c",
             "env.ref('base.menu_contacts').write({'name': 'Carnet'}); commit()"],
            env=env, capture_output=True, text=True, timeout=120)
        if rename.returncode != 0:
            pytest.fail(rename.stderr or rename.stdout)
        for _ in range(8):
            assert "Carnet" in opener.open(f"{base}/web").read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
