"""Browser tests: a live Comptoir server in a thread, Debian's Chromium driven by
Playwright, and axe-core accessibility audits.

Chromium is never downloaded: Playwright launches the system binary (``CHROMIUM`` or
``/usr/bin/chromium``). axe-core comes from the npm registry (``make test`` installs it
under ``.cache/npm``; ``COMPTOIR_AXE`` may point elsewhere). Without them the browser
tests skip, except with ``CI=true`` where they fail: CI installs both.

A failing browser test leaves a full-page screenshot in ``test-artifacts/``.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
SERIOUS = ("serious", "critical")


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() else None


def axe_path() -> Path | None:
    candidate = Path(os.environ.get("COMPTOIR_AXE") or
                     ROOT / ".cache/npm/node_modules/axe-core/axe.min.js")
    return candidate if candidate.is_file() else None


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing, and CI must run the browser tests")
    pytest.skip(f"{what} is not installed")


class LiveServer:
    """The WSGI application on 127.0.0.1 in a background thread."""

    def __init__(self, database: Any) -> None:
        from werkzeug.serving import make_server

        from ..web import Application
        self.database = database
        self.server = make_server("127.0.0.1", 0, Application(database), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_database(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A committed SQLite database with every available addon and its demo data."""
    from ..modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    database = Database(url)
    database.install(sorted(database.available), demo=True)
    return database


@pytest.fixture(scope="session")
def live_server(live_database: Any) -> Iterator[LiveServer]:
    server = LiveServer(live_database)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        _missing("Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True,
                                             args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def audit(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page."""
    path = axe_path()
    if path is None:
        _missing("axe-core (npm install axe-core)")
    page.add_script_tag(path=str(path))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in SERIOUS]


def login(page: Any, server: LiveServer, login_name: str = "admin",
          password: str = "admin") -> None:
    page.goto(f"{server.url}/web/login")
    page.get_by_label("Login").fill(login_name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/web")


def kanban_column(page: Any, title: str) -> Any:
    """The kanban column whose title is ``title``."""
    return page.locator(".kanban-column").filter(
        has=page.locator(".kanban-column-title", has_text=title))


def drag(page: Any, card: Any, target: Any) -> None:
    """Drag ``card`` into the list ``target`` with intermediate mouse moves, as a hand does
    (SortableJS follows them); the drop lands in the room below the list's last card."""
    start, end = card.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 20)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + 30, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 8, steps=20)
    page.mouse.up()
