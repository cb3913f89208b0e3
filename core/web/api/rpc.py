"""The Odoo-compatible external API: the URLs Odoo's clients and scripts call.

* ``POST /xmlrpc/2/<service>`` (and the older ``/xmlrpc/<service>``): XML-RPC;
* ``POST /jsonrpc``: JSON-RPC ``{"service", "method", "args"}``;
* ``/web/webclient/version_info``, ``/web/database/list``;
* ``/web/session/authenticate`` (opens a session, as the login page does — passwords
  only, never API keys), ``/web/session/get_session_info``, ``/web/session/destroy``
  and ``/web/dataset/call_kw[/...]`` (calls as the session's user).

The RPC services and their rules are in :mod:`.rpc_services`, the wire formats in
:mod:`.rpc_wire`. These routes skip the form CSRF check: the XML-RPC and ``/jsonrpc``
calls carry their credentials in the body, not in a cookie; the session routes accept
only ``Content-Type: application/json``, which no cross-site form can send and no
cross-site script may send without a CORS permission Comptoir never grants (and the
session cookie is ``SameSite=Lax``).
"""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ...exceptions import UserError
from ...i18n.translate import _
from ...security import sessions
from ..http import Request, route
from . import credentials, rpc_services
from .credentials import coded
from .methods import call_kw
from .rpc_wire import SESSION_EXPIRED, fault, json_error, json_result, parse_json, parse_xml
from .rpc_wire import xml_response
from .values import to_rpc


def _xml_error(request: Request, exc: BaseException, status: int) -> Response:
    legacy = not request.path.startswith("/xmlrpc/2/")
    return xml_response(fault(exc, request.reference, legacy=legacy))


def _json_error(request: Request, exc: BaseException, status: int) -> Response:
    return json_error(request, exc, request.reference)


def xmlrpc_route(path: str) -> Any:
    return route(path, methods=("POST",), auth="none", csrf=False, on_error=_xml_error)


def jsonrpc_route(path: str | list[str], methods: tuple[str, ...] = ("POST",)) -> Any:
    return route(path, methods=methods, auth="none", csrf=False, on_error=_json_error)


def _session_call(request: Request) -> dict[str, Any]:
    """The params of a JSON call made with the session cookie."""
    if request.mimetype != "application/json":
        raise coded(UserError(_("Session calls must be sent as 'application/json'.")),
                    "invalid_request")
    return parse_json(request)


# -- XML-RPC -------------------------------------------------------------------------------
@xmlrpc_route("/xmlrpc/2/<service>")
def xmlrpc_2(request: Request, service: str) -> Response:
    method, params = parse_xml(request.get_data(cache=False))
    return xml_response(rpc_services.dispatch(request, service, method, params))


@xmlrpc_route("/xmlrpc/<service>")
def xmlrpc_legacy(request: Request, service: str) -> Response:
    method, params = parse_xml(request.get_data(cache=False))
    return xml_response(rpc_services.dispatch(request, service, method, params))


# -- JSON-RPC ------------------------------------------------------------------------------
@jsonrpc_route("/jsonrpc")
def jsonrpc(request: Request) -> Response:
    params = parse_json(request)
    return json_result(request, rpc_services.dispatch(
        request, params.get("service"), params.get("method"), params.get("args")))


@jsonrpc_route("/web/webclient/version_info", ("GET", "POST"))
def version_info(request: Request) -> Response:
    if request.method == "POST":
        parse_json(request)
    return json_result(request, rpc_services.version_info())


@jsonrpc_route("/web/database/list", ("GET", "POST"))
def database_list(request: Request) -> Response:
    if request.method == "POST":
        parse_json(request)
    return json_result(request, [request.database.name])


@jsonrpc_route("/web/session/authenticate")
def session_authenticate(request: Request) -> Response:
    params = _session_call(request)
    credentials.check_database(request, params.get("db"))
    uid, sid, csrf = sessions.login(
        credentials.root_env(request), params.get("login"), params.get("password"),
        request.address, request.user_agent.string if request.user_agent else "",
        old_sid=request.cookies.get("comptoir_session"))
    request.new_sid = sid
    request.csrf = csrf
    return json_result(request, _session_info(request, uid))


@jsonrpc_route("/web/session/get_session_info")
def session_get_info(request: Request) -> Response:
    _session_call(request)
    return json_result(request, _session_info(request, _session_uid(request)))


@jsonrpc_route("/web/session/destroy")
def session_destroy(request: Request) -> Response:
    _session_call(request)
    if request.session is not None:
        sessions.revoke(credentials.root_env(request),
                        request.cookies.get("comptoir_session") or "")
        request.clear_session = True
    return json_result(request, None)


@jsonrpc_route(["/web/dataset/call_kw", "/web/dataset/call_kw/<path:_path>"])
def dataset_call_kw(request: Request, _path: str = "") -> Response:
    params = _session_call(request)
    kwargs = params.get("kwargs")
    kwargs = dict(kwargs) if isinstance(kwargs, dict) else kwargs
    context = kwargs.pop("context", None) if isinstance(kwargs, dict) else None
    env = credentials.user_env(request, _session_uid(request),
                               credentials.client_context(request, context))
    return json_result(request, call_kw(env, params.get("model"), params.get("method"),
                                        params.get("args"), kwargs))


def _session_uid(request: Request) -> int:
    if request.session is None:
        raise coded(UserError(_("Your session has expired; authenticate again.")),
                    SESSION_EXPIRED)
    return request.session.user_id.id


def _session_info(request: Request, uid: int) -> dict[str, Any]:
    """What Odoo's ``/web/session/authenticate`` answers (the part clients use)."""
    root = credentials.root_env(request)
    user = root["res.users"].browse(uid)
    context = {"lang": user.lang or "en_US", "tz": user.tz or False, "uid": uid}
    return to_rpc({
        "uid": uid, "db": request.database.name, "username": user.login, "name": user.name,
        "partner_id": user.partner_id.id, "company_id": user.company_id.id,
        "partner_display_name": user.partner_id.display_name if user.partner_id else False,
        "user_context": context, "is_system": user.has_group("base.group_system"),
        "is_admin": user.has_group("base.group_system"),
        **rpc_services.version_info(),
    })
