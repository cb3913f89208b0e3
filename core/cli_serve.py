"""``comptoir serve``: the web application, with Werkzeug (one worker, ``--dev`` reload)
or gunicorn (``--workers N``, several processes sharing the database)."""
from __future__ import annotations

from typing import Any

import click

from .exceptions import UserError
from .i18n.translate import _


def make_app(url: str, dev: bool = False) -> Any:
    """The WSGI application for the database at ``url`` (gunicorn calls this)."""
    from .modules.loading import Database
    from .web import Application
    database = Database(url)
    if not database.is_initialised():
        raise UserError(_("The database is not initialised: run 'comptoir db init'."))
    return Application(database, dev=dev)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8069, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes (more than one needs gunicorn and, in practice, PostgreSQL).")
@click.option("--dev", is_flag=True, help="Reload on code changes, show template changes.")
@click.option("--jobs/--no-jobs", "run_jobs", default=True, show_default=True,
              help="With one worker, run scheduled actions and queued jobs in a background "
                   "thread (with several, run 'comptoir jobs run' beside them).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, dev: bool,
          run_jobs: bool) -> None:
    """Serve the web client and the APIs."""
    from .cli import _database
    database = _database(ctx)
    app = make_app(database.url, dev=dev)
    click.echo(f"Comptoir serving {database.name} on http://{host}:{port}/ "
               f"({workers} worker{'s' if workers > 1 else ''})")
    if workers == 1:
        import os

        from werkzeug.serving import run_simple
        # with the reloader, only the child process that serves runs the scheduler
        if run_jobs and (not dev or os.environ.get("WERKZEUG_RUN_MAIN") == "true"):
            from .automation import start_background
            start_background(app.database)
        run_simple(host, port, app, use_reloader=dev, threaded=True, use_debugger=False)
        return
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise click.ClickException("--workers needs gunicorn (pip install gunicorn)") from None

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("reload", dev)

        def load(self) -> Any:
            return make_app(database.url, dev=dev)

    Gunicorn().run()
