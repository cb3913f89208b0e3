"""Odoo's RPC services, as its XML-RPC and JSON-RPC endpoints dispatch them.

``common``: ``version``, ``login``, ``authenticate``, ``about``; ``object``: ``execute``,
``execute_kw``; ``db``: ``list``, ``server_version``, ``db_exist``, ``list_lang`` (the
database is created and managed with the ``comptoir`` CLI, not over RPC).

As in Odoo, ``login``/``authenticate`` answer ``False`` to wrong credentials; a caller
throttled for too many failures gets the throttling message as an ``AccessDenied`` fault
instead, so that a script's operator learns why. ``object`` calls authenticate every
time (see :mod:`.credentials`) and run as the user, with the context keys of
:func:`~.credentials.client_context`.
"""
from __future__ import annotations

from typing import Any, Callable

from ... import __version__
from ...exceptions import AccessDenied, MissingError, UserError
from ...i18n.translate import _
from ...security import auth
from . import credentials
from .credentials import coded
from .methods import call_kw

#: the Odoo external API level Comptoir implements: clients pick their code paths by it
ODOO_SERIE = "17.0"
VERSION_INFO = {"server_version": ODOO_SERIE, "server_version_info": [17, 0, 0, "final", 0, ""],
                "server_serie": ODOO_SERIE, "protocol_version": 1,
                "comptoir_version": __version__}


def version_info() -> dict[str, Any]:
    return dict(VERSION_INFO)


def _args(params: list[Any], minimum: int, maximum: int, signature: str) -> list[Any]:
    if not minimum <= len(params) <= maximum:
        raise coded(UserError(_("Wrong arguments: expected %(signature)s.",
                                signature=signature)), "invalid_arguments")
    return params + [None] * (maximum - len(params))


# -- common ----------------------------------------------------------------------------------
def common_login(request: Any, params: list[Any]) -> int | bool:
    db, login, password = _args(params, 3, 3, "(db, login, password)")
    return _login_or_false(request, db, login, password)


def common_authenticate(request: Any, params: list[Any]) -> int | bool:
    db, login, password, _env = _args(params, 3, 4, "(db, login, password, user_agent_env)")
    return _login_or_false(request, db, login, password)


def _login_or_false(request: Any, db: Any, login: Any, password: Any) -> int | bool:
    credentials.check_database(request, db)
    # throttled: say so (a refusal after that is the plain "wrong credentials" False)
    auth.check_throttle(credentials.root_env(request), auth.login_key(login), request.address)
    try:
        return credentials.login(request, db, login, password)
    except AccessDenied:
        return False


COMMON: dict[str, Callable[[Any, list[Any]], Any]] = {
    "version": lambda request, params: version_info(),
    "about": lambda request, params: "Comptoir " + __version__,
    "login": common_login,
    "authenticate": common_authenticate,
}


# -- object ----------------------------------------------------------------------------------
def object_execute(request: Any, params: list[Any]) -> Any:
    if len(params) < 5:
        raise coded(UserError(_("Wrong arguments: expected (db, uid, password, model, "
                                "method, *args).")), "invalid_arguments")
    db, uid, password, model, method, *args = params
    env = credentials.user_env(request, credentials.check_uid(request, db, uid, password))
    return call_kw(env, model, method, args, {})


def object_execute_kw(request: Any, params: list[Any]) -> Any:
    db, uid, password, model, method, args, kwargs = _args(
        params, 5, 7, "(db, uid, password, model, method, args, kwargs)")
    kwargs = dict(kwargs) if isinstance(kwargs, dict) else kwargs
    context = kwargs.pop("context", None) if isinstance(kwargs, dict) else None
    uid = credentials.check_uid(request, db, uid, password)
    env = credentials.user_env(request, uid, credentials.client_context(request, context))
    return call_kw(env, model, method, args, kwargs)


OBJECT: dict[str, Callable[[Any, list[Any]], Any]] = {
    "execute": object_execute,
    "execute_kw": object_execute_kw,
}


# -- db --------------------------------------------------------------------------------------
def db_list(request: Any, params: list[Any]) -> list[str]:
    return [request.database.name]


def db_exist(request: Any, params: list[Any]) -> bool:
    (name,) = _args(params, 1, 1, "(db)")
    return name == request.database.name


def db_list_lang(request: Any, params: list[Any]) -> list[list[str]]:
    return [list(item) for item in credentials.root_env(request)["res.users"]._lang_selection()]


DB: dict[str, Callable[[Any, list[Any]], Any]] = {
    "list": db_list,
    "db_exist": db_exist,
    "server_version": lambda request, params: ODOO_SERIE,
    "list_lang": db_list_lang,
}

SERVICES = {"common": COMMON, "object": OBJECT, "db": DB}


def dispatch(request: Any, service: Any, method: Any, params: Any) -> Any:
    """Run ``service.method(*params)``; unknown ones are refused in words."""
    methods = SERVICES.get(service) if isinstance(service, str) else None
    if methods is None:
        raise coded(MissingError(_("Unknown service '%(service)s' (Comptoir serves "
                                   "%(services)s).", service=service,
                                   services=", ".join(SERVICES))), "unknown_service")
    handler = methods.get(method) if isinstance(method, str) else None
    if handler is None:
        raise coded(MissingError(_("The '%(service)s' service has no method '%(method)s' "
                                   "here (it has %(methods)s).", service=service,
                                   method=method, methods=", ".join(methods))),
                    "unknown_method")
    if params is None:
        params = []
    if not isinstance(params, (list, tuple)):
        raise coded(UserError(_("RPC arguments must be a list.")), "invalid_arguments")
    return handler(request, list(params))
