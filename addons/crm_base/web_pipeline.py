"""The pipeline's web entry points (registered through ``comptoir_routes``).

* the "Assign" bulk operation on leads' lists: ``/crm/leads/assign?ids=1,2`` opens the
  assignment wizard (``crm.lead.assign``) on the ticked leads, then comes back to the
  list.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import route
from core.exceptions import ValidationError
from core.i18n.translate import _, _lt
from core.web.client.controllers import BulkOperation, register_bulk_operation
from core.web.http import Request

register_bulk_operation(BulkOperation("crm_base", "crm.lead", "crm_lead_assign",
                                      _lt("Assign"), "/crm/leads/assign?ids={ids}"))


def _back(request: Request) -> str:
    """The list the user came from (a path of this site), else the leads' list."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/web/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/web"


@route("/crm/leads/assign", auth="user")
def assign_leads(request: Request) -> Response:
    try:
        ids = [int(i) for i in (request.args.get("ids") or "").split(",") if i.strip()]
    except ValueError:
        raise ValidationError(_("The leads to assign are given as ids separated by commas.",
                                lang=request.lang), field="ids") from None
    if not ids:
        raise ValidationError(_("Select the leads to assign first.", lang=request.lang),
                              field="ids")
    action = request.env(su=True).ref("crm_base.crm_lead_assign_action",
                                      raise_if_not_found=False)
    if not action:
        raise NotFound()
    context = {"active_model": "crm.lead", "active_ids": ids, "active_id": ids[0]}
    query = urlencode({"back": _back(request), "menu": request.args.get("menu", ""),
                       "ctx": json.dumps(context, separators=(",", ":"))})
    return redirect(f"/web/wizard/{action.id}?{query}", code=303)


ROUTES = [assign_leads]
