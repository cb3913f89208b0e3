"""The kernel addon ``calendar``: meetings, shared calendars, iCalendar feeds and
import, vCard export and import of contacts (see ``docs/calendar.md``)."""
from core import hookimpl


@hookimpl
def comptoir_routes():
    from . import controllers
    return controllers.ROUTES


@hookimpl
def comptoir_cli_commands():
    from . import cli
    return cli.COMMANDS
