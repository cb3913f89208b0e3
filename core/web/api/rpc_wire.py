"""Odoo's wire formats: XML-RPC bodies and faults, JSON-RPC envelopes and errors.

Faults carry Odoo's codes so that clients written for Odoo react the same way:

* ``/xmlrpc/2/*``: integer fault codes — 3 authentication refused (``AccessDenied``),
  4 access refused (``AccessError``), 2 any other user error (``UserError``: validation,
  missing record...), 1 anything else (with a reference for the administrator, never a
  traceback);
* ``/xmlrpc/*`` (the older endpoint): Odoo's string fault codes
  (``warning -- AccessError\\n\\n<message>``, ``AccessDenied``...);
* JSON-RPC: ``{"code": 200, "message": "Odoo Server Error", "data": {"name":
  "odoo.exceptions.AccessError", "message", "arguments", "debug", "context"}}`` (code 100
  "Odoo Session Expired" when a session route has no session), plus Comptoir's stable
  error ``code`` in ``data``.
"""
from __future__ import annotations

import json
import re
import xmlrpc.client
from typing import Any

from werkzeug.wrappers import Response

from ...exceptions import (AccessDenied, AccessError, ConflictError, MissingError, UserError,
                           ValidationError)
from ...i18n.translate import _
from .credentials import coded
from .values import INT32, INT64, check_input, to_rpc

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FAULT_APPLICATION, FAULT_WARNING, FAULT_ACCESS_DENIED, FAULT_ACCESS_ERROR = 1, 2, 3, 4
SESSION_EXPIRED = "session_expired"
ODOO_NAMES = ((AccessDenied, "odoo.exceptions.AccessDenied"),
              (AccessError, "odoo.exceptions.AccessError"),
              (MissingError, "odoo.exceptions.MissingError"),
              (ValidationError, "odoo.exceptions.ValidationError"),
              (ConflictError, "odoo.exceptions.UserError"),
              (UserError, "odoo.exceptions.UserError"))


# -- XML-RPC -------------------------------------------------------------------------------
class Marshaller(xmlrpc.client.Marshaller):
    """The standard marshaller, plus 64-bit integers (``<i8>``, which Python's client
    reads) and without the characters XML 1.0 forbids (a client could not parse them)."""

    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_long(self, value: int, write: Any) -> None:
        if INT32[0] <= value <= INT32[1]:
            write(f"<value><int>{value}</int></value>\n")
        elif INT64[0] <= value <= INT64[1]:
            write(f"<value><i8>{value}</i8></value>\n")
        else:
            write(f"<value><double>{float(value)!r}</double></value>\n")

    dispatch[int] = dump_long

    def dump_unicode(self, value: str, write: Any, escape: Any = xmlrpc.client.escape) -> None:
        write(f"<value><string>{escape(XML_INVALID.sub('', value))}</string></value>\n")

    dispatch[str] = dump_unicode


def xml_body(payload: Any) -> bytes:
    marshaller = Marshaller("utf-8", allow_none=False)
    if isinstance(payload, xmlrpc.client.Fault):
        data = marshaller.dumps(payload)
    else:
        data = marshaller.dumps((to_rpc(payload),))
    return ("<?xml version='1.0'?>\n<methodResponse>\n" + data +
            "</methodResponse>\n").encode("utf-8")


def xml_response(payload: Any) -> Response:
    return Response(xml_body(payload), mimetype="text/xml")


def parse_xml(data: bytes) -> tuple[str, list[Any]]:
    """``(method, params)`` of an XML-RPC call; a malformed body is a user error."""
    try:
        params, method = xmlrpc.client.loads(data, use_builtin_types=True)
    except Exception:  # expat, and xmlrpc.client's own errors: all mean "malformed"
        raise coded(UserError(_("The body is not a valid XML-RPC call.")), "invalid_request") \
            from None
    if not isinstance(method, str):
        raise coded(UserError(_("The XML-RPC call names no method.")), "invalid_request")
    return method, list(check_input(list(params)))


def fault(exc: BaseException, reference: str = "", legacy: bool = False
          ) -> xmlrpc.client.Fault:
    """Odoo's fault for ``exc`` (integer codes; ``legacy``: the string codes)."""
    message = str(exc) if isinstance(exc, UserError) else _(
        "An unexpected error happened; quote the reference %(reference)s to your "
        "administrator.", reference=reference)
    if legacy:
        if isinstance(exc, AccessDenied):
            return xmlrpc.client.Fault("AccessDenied", message)
        for cls, name in ((MissingError, "MissingError"), (AccessError, "AccessError"),
                          (UserError, "UserError")):
            if isinstance(exc, cls):
                return xmlrpc.client.Fault(f"warning -- {name}\n\n{message}", "")
        return xmlrpc.client.Fault(message, "")
    if isinstance(exc, AccessDenied):
        code = FAULT_ACCESS_DENIED
    elif isinstance(exc, AccessError):
        code = FAULT_ACCESS_ERROR
    elif isinstance(exc, UserError):
        code = FAULT_WARNING
    else:
        code = FAULT_APPLICATION
    return xmlrpc.client.Fault(code, message)


# -- JSON-RPC ------------------------------------------------------------------------------
def parse_json(request: Any) -> dict[str, Any]:
    """The ``params`` of a JSON-RPC 2.0 call (its ``id`` is kept on the request)."""
    try:
        payload = check_input(json.loads(request.get_data(cache=False) or b"null"))
    except (ValueError, RecursionError):
        raise coded(UserError(_("The body is not valid JSON.")), "invalid_json") from None
    if not isinstance(payload, dict):
        raise coded(UserError(_("A JSON-RPC call is a JSON object.")), "invalid_request")
    request.jsonrpc_id = payload.get("id")
    params = payload.get("params")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise coded(UserError(_("JSON-RPC 'params' must be an object.")), "invalid_request")
    return params


def json_result(request: Any, result: Any) -> Response:
    return _json({"jsonrpc": "2.0", "id": getattr(request, "jsonrpc_id", None),
                  "result": to_rpc(result)})


def json_error(request: Any, exc: BaseException, reference: str = "") -> Response:
    if isinstance(exc, UserError):
        message, code = str(exc), exc.code
        name = next(odoo for cls, odoo in ODOO_NAMES if isinstance(exc, cls))
    else:
        message, code, name = _("An unexpected error happened; quote the reference "
                                "%(reference)s to your administrator.",
                                reference=reference), "internal_error", "builtins.Exception"
    error: dict[str, Any] = {"code": 200, "message": "Odoo Server Error"}
    if code == SESSION_EXPIRED:
        error = {"code": 100, "message": "Odoo Session Expired"}
        name = "odoo.http.SessionExpiredException"
    error["data"] = {"name": name, "message": message, "arguments": [message],
                     "debug": "", "context": {}, "code": code}
    if reference:
        error["data"]["reference"] = reference
    return _json({"jsonrpc": "2.0", "id": getattr(request, "jsonrpc_id", None),
                  "error": error})


def _json(payload: dict[str, Any]) -> Response:
    response = Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                        mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
