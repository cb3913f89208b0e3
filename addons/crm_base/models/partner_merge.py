"""Merging accounts and contacts: the kernel's merge wizard offered on partner lists.

The wizard itself (``/web/merge``, :mod:`core.web.client.merge`) and the mechanism
(:func:`core.merge.merge_records`) are the kernel's, for any model; the CRM offers them on
the lists of accounts and contacts (bulk operation *Merge…*), on the duplicates banner of
the partner form and on each pair of the review list. Merging needs the right to delete
partners: sales managers and administrators (see ``security/access_partners.csv``).
"""
from __future__ import annotations

from core.i18n.translate import _lt
from core.web.client.controllers import BulkOperation, register_bulk_operation

MERGE_URL = "/web/merge?model=res.partner&ids={ids}"

register_bulk_operation(BulkOperation("crm_base", "res.partner", "crm_base_merge",
                                      _lt("Merge…"), MERGE_URL))
