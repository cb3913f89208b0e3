"""The ``helpdesk`` addon: customer service.

* tickets (``helpdesk.ticket``) in team queues served first in, first out, with a workflow,
  time entries, automatic assignment by the kernel's strategies (region, skill, load,
  round robin) and e-mail to ticket through team aliases;
* SLA policies counted in the team's working hours (``resource.calendar``), paused while
  waiting for the customer, with escalation before and at the breach;
* contracts of crm_base: coverage checked, time spent consumed from prepaid balances;
* standard problems and resolutions suggested by keyword search; canned responses;
* the customer portal and a public web form; reports, a dashboard and a weekly recap.

Hook implementations only below.
"""
from __future__ import annotations

from core import hookimpl


@hookimpl
def comptoir_routes() -> list:
    """The customer portal's ticket pages and the public ticket form."""
    from . import portal
    return [*portal.routes()]


@hookimpl
def comptoir_portal_sections(env) -> list:
    """"Tickets" on the customers' /my page."""
    from . import portal
    return portal.sections(env)


@hookimpl
def comptoir_checks(registry) -> list:
    """The portal pages' declarations checked by ``comptoir check``."""
    from . import portal
    return portal.checks(registry)


@hookimpl
def comptoir_dashboard_widgets() -> list:
    """The helpdesk dashboard's widgets (key figures, by team, backlog by age, escalations)."""
    from .models.helpdesk_report_widgets import DASHBOARD_WIDGETS
    return list(DASHBOARD_WIDGETS)


@hookimpl
def comptoir_cli_commands() -> list:
    """``comptoir tickets assign|queue``, ``comptoir sla status|run`` and ``comptoir
    helpdesk-report kpis|backlog|recap``."""
    from . import cli_reports, cli_sla, cli_tickets
    return [*cli_tickets.COMMANDS, *cli_sla.COMMANDS, *cli_reports.COMMANDS]
