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
