"""Web client throughput: requests per second of a list page and a form page served by
Comptoir, against a minimal hand-written Werkzeug handler running the same SQL and the
same template (target: Comptoir time / baseline time at most 2.0).

The database is a real one: a SQLite file in a temporary directory, ``base`` installed
with its demo data, plus N contacts (one in ten a company, the others its employees)
with a country, a salesperson, a company and a commercial entity. An inherited list view
adds ``commercial_partner_id`` and the list URL asks for the optional ``user_id`` and
``company_id`` columns, so the list shows 80 rows with four many2one columns.

The baseline is what a competent hand-written page costs, with no ORM:

* the SQL: every ``SELECT`` Comptoir sent for one request of the page (captured once with
  an SQLAlchemy event listener), replayed verbatim with the same parameters in one
  transaction, each result fetched;
* the page: the same jinja template through Comptoir's :class:`Templates`, with the
  context the controller built, its records turned into plain values once; what the
  template's global helpers returned (``attachment_panel``: their SQL is replayed with
  the rest) is given back as is.

Both apps are served with ``werkzeug.serving.make_server`` (single-threaded, HTTP/1.1
keep-alive) in background threads and driven over real HTTP by one
``http.client.HTTPConnection`` each, authenticated as the admin user (a session cookie
from :func:`core.security.sessions.create_session`). Batches alternate Comptoir and
baseline after a warm-up; the best of ``--repeat`` batches is kept. The two apps must
return the same HTML (checked once, a ``note:`` line says when they differ).

    python bench/web.py [--quick] [--partners 5000] [--requests 200] [--repeat 5]
                        [--json] [--check] [--profile]

Exit code 0 unless ``--check`` is given and a ratio exceeds the target.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import io
import json
import pstats
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server  # noqa: E402
from werkzeug.test import Client  # noqa: E402
from werkzeug.wrappers import Request, Response  # noqa: E402

from core.modules.loading import Database  # noqa: E402
from core.orm.db import optimize  # noqa: E402
from core.security import sessions  # noqa: E402
from core.web import templates as template_globals  # noqa: E402
from core.web.app import SESSION_COOKIE, Application  # noqa: E402
from core.web.templates import Templates  # noqa: E402

TARGET = 2.0
PAGES = ("list", "form")
LABELS = {"list": "list page (80 rows, 4 many2one)", "form": "form page (one contact)"}


# --------------------------------------------------------------------------- database


@dataclass
class Setup:
    database: Database
    sid: str
    urls: dict[str, str]


def populate(database: Database, partners: int) -> tuple[int, int]:
    """N contacts with four many2ones; returns (contacts action id, a contact's id)."""
    with database.environment() as env:
        users = env["res.users"].create([
            {"name": f"Rep {i}", "login": f"rep{i}",
             "groups_id": [(6, 0, [env.ref("base.group_user").id])]} for i in range(5)])
        companies = env["res.company"].create([{"name": f"Branch {i}"} for i in range(3)])
        user_ids = [env.ref("base.user_admin").id, *users.ids]
        company_ids = [env.ref("base.main_company").id, *companies.ids]
        country_ids = env["res.country"].search([], limit=30).ids
        table = env["res.partner"]._sa_table
        start = env.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar()
        now = sa.func.datetime("now")
        rows = []
        for i in range(partners):
            pid, company = start + 1 + i, start + 1 + i - i % 10
            rows.append({
                "id": pid, "name": f"Contact {i:05d}", "is_company": i % 10 == 0,
                "parent_id": None if i % 10 == 0 else company,
                "commercial_partner_id": company, "type": "contact", "active": True,
                "version": 1, "email": f"contact{i}@example.com", "phone": f"+33 1 {i:08d}",
                "city": ("Paris", "Lyon", "Lille", "Nantes")[i % 4],
                "country_id": country_ids[i % len(country_ids)],
                "user_id": user_ids[i % len(user_ids)],
                "company_id": company_ids[i % len(company_ids)]})
        for begin in range(0, partners, 5000):
            env.execute(table.insert().values(create_date=now), rows[begin:begin + 5000])
        optimize(env.conn)
        env["ir.ui.view"].create({
            "name": "res.partner.list (bench)", "model": "res.partner",
            "inherit_id": env.ref("base.res_partner_view_list").id,
            "arch": '<field name="company_id" position="after">'
                    '<field name="commercial_partner_id"/></field>'})
        return env.ref("base.res_partner_action").id, start + 2


def build(folder: str, partners: int) -> Setup:
    database = Database(f"sqlite:///{folder}/web.db")
    database.install(["base"], demo=True)
    action, contact = populate(database, partners)
    with database.environment() as env:
        sid, _csrf = sessions.create_session(env, env.ref("base.user_admin").id)
    return Setup(database, sid, {
        "list": f"/web/action/{action}?col=user_id&col=company_id",
        "form": f"/web/action/{action}/{contact}"})


# --------------------------------------------------------------------------- baseline


@dataclass
class Capture:
    """What Comptoir did for one request of a page: its SELECTs and its template."""
    statements: list[tuple[str, Any]] = field(default_factory=list)
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    user: Any = None
    csrf: str = ""
    lang: str = "en_US"
    #: what each template global returned, in call order (plain values)
    helpers: dict[str, list[Any]] = field(default_factory=dict)


def capture(app: Application, sid: str, url: str) -> Capture:
    """Run ``url`` once in-process, recording the SQL and the template's context."""
    found = Capture()
    templates = app.templates
    original = templates.render

    def on_execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                   executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            found.statements.append((statement, parameters))

    def render(request: Any, template: str, **values: Any) -> str:
        found.template, found.context = template, _plain(values)
        found.user, found.csrf, found.lang = _plain(request.user), request.csrf, request.lang
        return original(request, template, **values)

    def recorder(name: str, helper: Callable) -> Callable:
        def record(*args: Any, **kwargs: Any) -> Any:
            result = helper(*args, **kwargs)
            found.helpers.setdefault(name, []).append(_plain(result))
            return result
        return record

    client = Client(app)
    client.set_cookie(SESSION_COOKIE, sid, domain="localhost")
    templates.render = render  # type: ignore[method-assign]
    app.url_map()      # the route modules register their template globals when imported
    helpers = dict(template_globals.GLOBALS)
    template_globals.GLOBALS.update({name: recorder(name, helper)
                                     for name, helper in helpers.items()})
    event.listen(app.database.engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(app.database.engine, "before_cursor_execute", on_execute)
        template_globals.GLOBALS.update(helpers)
        del templates.render
    return found


def _plain(value: Any) -> Any:
    """Records become plain namespaces (what the templates read of them), once."""
    if hasattr(value, "_name") and hasattr(value, "ids"):
        if not value:
            return None
        plain = SimpleNamespace(id=value.id, name=value.sudo().display_name,
                                _name=value._name, _fields=value._fields,
                                **{k: getattr(value.sudo(), k) for k in (
                                    "version", "view_mode", "lang", "tz")
                                   if k in value._fields})
        plain.sudo = lambda: plain
        return plain
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class BaselineRequest(Request):
    user: Any = None
    csrf = ""
    lang = "en_US"


class Baseline:
    """The hand-written page: check the session, run the SQL, render the template."""

    def __init__(self, engine: sa.Engine, sid: str, pages: dict[str, Capture],
                 urls: dict[str, str]) -> None:
        self.engine = engine
        self.sid_hash = sessions.digest(sid)
        self.templates = Templates()
        self.pages = {urls[name].split("?")[0]: page for name, page in pages.items()}

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        request = BaselineRequest(environ)
        page = self.pages.get(request.path)
        sid = request.cookies.get(SESSION_COOKIE) or ""
        if page is None:
            response = Response("not found", status=404)
        elif hashlib.sha256(sid.encode()).hexdigest() != self.sid_hash:
            response = Response("log in", status=401)
        else:
            with self.engine.connect() as conn, conn.begin():
                for statement, parameters in page.statements:
                    conn.exec_driver_sql(statement, parameters).fetchall()
            request.user, request.csrf, request.lang = page.user, page.csrf, page.lang
            replayed = {name: _replay(results) for name, results in page.helpers.items()}
            response = Response(self.templates.render(request, page.template, **page.context,
                                                      **replayed), mimetype="text/html")
        return response(environ, start_response)


def _replay(results: list[Any]) -> Callable[..., Any]:
    """A template global giving back what the real one returned, call after call."""
    answers = iter(results)
    return lambda *args, **kwargs: next(answers)


# --------------------------------------------------------------------------- HTTP


class QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, even single-threaded

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Served:
    """A WSGI app on 127.0.0.1, a free port, in a background thread, one client."""

    def __init__(self, app: Callable, cookie: str) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=False,
                                                  request_handler=QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port)
        self.headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}

    def get(self, url: str) -> bytes:
        self.connection.request("GET", url, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status}\n{body[:500]!r}")
        return body

    def batch(self, url: str, count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            self.get(url)
        return time.perf_counter() - start

    def close(self) -> None:
        self.connection.close()
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- runs


def measure(setup: Setup, requests: int, repeat: int) -> tuple[list[dict[str, Any]],
                                                                list[str]]:
    app = Application(setup.database)
    pages = {name: capture(app, setup.sid, url) for name, url in setup.urls.items()}
    comptoir = Served(app, setup.sid)
    baseline = Served(Baseline(setup.database.engine, setup.sid, pages, setup.urls),
                      setup.sid)
    notes, results = [], []
    try:
        for name in PAGES:
            url = setup.urls[name]
            if comptoir.get(url) != baseline.get(url):
                notes.append(f"note: {name} page: the two apps' HTML differ")
            comptoir.batch(url, max(requests // 5, 2))   # warm-up
            baseline.batch(url, max(requests // 5, 2))
            best_c = best_b = float("inf")
            for round_ in range(repeat):
                order = (comptoir, baseline) if round_ % 2 == 0 else (baseline, comptoir)
                times = {id(side): side.batch(url, requests) for side in order}
                best_c = min(best_c, times[id(comptoir)])
                best_b = min(best_b, times[id(baseline)])
            results.append({
                "page": name, "label": LABELS[name], "requests": requests,
                "comptoir_rps": requests / best_c, "baseline_rps": requests / best_b,
                "ratio": best_c / best_b, "sql": len(pages[name].statements)})
    finally:
        comptoir.close()
        baseline.close()
    return results, notes


def profile(setup: Setup, requests: int, top: int = 30) -> str:
    """cProfile of Comptoir serving both pages in-process (werkzeug's test client)."""
    app = Application(setup.database)
    client = Client(app)
    client.set_cookie(SESSION_COOKIE, setup.sid, domain="localhost")
    for url in setup.urls.values():
        client.get(url)
    profiler = cProfile.Profile()
    out = io.StringIO()
    for name, url in setup.urls.items():
        profiler.enable()
        for _ in range(requests):
            client.get(url)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=out)
        out.write(f"\n== {name} page, {requests} requests: by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(top)
        out.write(f"\n== {name} page: by own time\n")
        stats.sort_stats("tottime").print_stats(top)
        profiler = cProfile.Profile()
    return out.getvalue()


def table(results: list[dict[str, Any]]) -> Iterator[str]:
    head = f"{'page':<32} {'Comptoir req/s':>14} {'baseline req/s':>14} {'ratio':>6} " \
           f"{'target':>7} {'result':>6} {'SQL':>4}"
    yield head
    yield "-" * len(head)
    for r in results:
        verdict = "PASS" if r["ratio"] <= TARGET else "FAIL"
        yield (f"{r['label']:<32} {r['comptoir_rps']:>14.1f} {r['baseline_rps']:>14.1f} "
               f"{r['ratio']:>6.2f} {'≤ 2.0':>7} {verdict:>6} {r['sql']:>4}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 contacts, 40 requests")
    parser.add_argument("--partners", type=int)
    parser.add_argument("--requests", type=int, help="requests per batch")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 above the target")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of Comptoir's side after the table")
    args = parser.parse_args(argv)
    partners = args.partners or (500 if args.quick else 5000)
    requests = args.requests or (40 if args.quick else 200)
    with tempfile.TemporaryDirectory(prefix="comptoir-web-bench-") as folder:
        setup = build(folder, partners)
        results, notes = measure(setup, requests, args.repeat)
        report = profile(setup, requests) if args.profile else ""
        setup.database.engine.dispose()
    if args.json:
        print(json.dumps({"partners": partners, "requests": requests, "repeat": args.repeat,
                          "target": TARGET, "pages": results, "notes": notes}, indent=2))
    else:
        print(f"== sqlite: {partners} contacts, {requests} requests per batch, "
              f"best of {args.repeat}")
        for line in (*table(results), *notes):
            print(line)
        if report:
            print(report)
    failed = any(r["ratio"] > TARGET for r in results)
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
