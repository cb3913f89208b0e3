"""The ``crm_base`` addon: the address book made a CRM, and the sales pipeline.

* accounts and contacts on ``res.partner`` (normalised phones and e-mails, tags, sector,
  size, account manager, territory), duplicate detection and the merge wizard;
* leads and opportunities (``crm.lead``) moving through ``crm.stage``, sales teams,
  territories, lead assignment through the kernel's strategies;
* products (``product.product``) and service contracts with tacit renewal and prepaid
  balances that helpdesk and field service consume;
* visit reports, sales targets, the sales dashboard and the weekly summary.

Hook implementations only below.
"""
from __future__ import annotations

from core import hookimpl


@hookimpl
def comptoir_assignment_strategies() -> list:
    """The pipeline's ``territory`` strategy (salespeople of the lead's territory)."""
    from .models.crm_territory_strategy import TERRITORY_STRATEGY
    return [TERRITORY_STRATEGY]


@hookimpl(specname="comptoir_routes")
def crm_pipeline_routes() -> list:
    """The pipeline's pages (and its "Assign" bulk operation on leads)."""
    from . import web_pipeline
    return web_pipeline.ROUTES


@hookimpl(specname="comptoir_cli_commands")
def crm_pipeline_cli_commands() -> list:
    """``comptoir leads assign``."""
    from . import cli_pipeline
    return cli_pipeline.COMMANDS


@hookimpl
def comptoir_dashboard_widgets() -> list:
    """The sales dashboard's widgets (won against target, activities done this week)."""
    from .models.crm_dashboard import DASHBOARD_WIDGETS
    return list(DASHBOARD_WIDGETS)
