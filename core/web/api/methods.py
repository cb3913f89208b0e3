"""Which model methods remote callers may call, with Odoo's signatures.

The rule, the same for REST and RPC:

1. a name starting with ``_`` is never callable;
2. of the ORM's own methods (those of :class:`~core.orm.BaseModel`), only the public
   API is: :data:`MODEL_METHODS` and :data:`RECORD_METHODS` — never ``sudo``,
   ``with_user``, ``with_context``, ``browse``, ``mapped``... which would change who acts
   or hand out recordsets;
3. any other method an addon defines is callable, unless it (or any override of it) is
   marked ``@api.private`` or is a kernel entry point of :data:`DENIED`.

Methods decorated ``@api.model`` (and the model-level ones of the ORM) take no ids;
the others act on records: Odoo passes their ids as the first argument, and those
records must be readable by the caller before an addon method runs on them.

The ORM methods go through small adapters that accept Odoo's signatures: ``search``
with positional ``offset, limit, order, count`` (each ``False`` meaning "default"),
``read`` with ``load``, ``name_search`` with ``args``, ``create`` returning an id for a
dict and ids for a list, ``check_access_rights``, ``res.users.context_get`` and
``ir.model.data.check_object_reference`` with its third argument.
"""
from __future__ import annotations

import inspect
import types
import typing
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from ...exceptions import AccessError, MissingError, UnknownModelError, UserError, ValidationError
from ...i18n.translate import _
from ...orm import BaseModel
from .credentials import coded
from .values import INT32, check_ids, check_input, check_values, database_refusals

if TYPE_CHECKING:
    from ...orm import Environment

#: ORM methods that work on the model (no ids)
MODEL_METHODS = frozenset({"search", "search_read", "search_count", "create", "read_group",
                           "name_search", "default_get", "fields_get", "check_access_rights"})
#: ORM methods that work on records (ids first)
RECORD_METHODS = frozenset({"read", "write", "unlink", "copy", "name_get"})
#: kernel methods with public names that only server code may call
DENIED = frozenset({"authenticate"})
OPERATIONS = ("read", "write", "create", "unlink")


def model_of(env: "Environment", name: Any) -> BaseModel:
    """``env[name]`` for a concrete model, else a 404-style :class:`MissingError`."""
    try:
        model = env[name] if isinstance(name, str) else None
    except UnknownModelError:
        model = None
    if model is None or model._abstract:
        raise coded(MissingError(_("The model '%(model)s' does not exist.", model=name)),
                    "unknown_model")
    return model


@lru_cache(maxsize=None)
def _orm_names() -> frozenset[str]:
    return frozenset(name for klass in BaseModel.__mro__ for name in vars(klass))


def is_public(model_class: type, name: str) -> bool:
    """Whether ``name`` is a method of ``model_class`` that remote callers may call."""
    if not name or name.startswith("_") or name in DENIED:
        return False
    if name in MODEL_METHODS or name in RECORD_METHODS:
        return True
    if name in _orm_names() or name in EXTRA_ADAPTERS:
        return name in EXTRA_ADAPTERS and model_class._name in EXTRA_ADAPTERS[name][0]
    if not inspect.isfunction(getattr(model_class, name, None)):
        return False
    return not any(getattr(vars(klass).get(name), "_api_private", False)
                   for klass in model_class.__mro__)


def public_methods(model: BaseModel) -> list[str]:
    """Every method of ``model`` that remote callers may call, sorted."""
    cls = type(model)
    names = set(MODEL_METHODS | RECORD_METHODS)
    names.update(name for name, (models, _func) in EXTRA_ADAPTERS.items()
                 if model._name in models)
    names.update(name for name in dir(cls) if not name.startswith("_") and is_public(cls, name))
    return sorted(names)


def is_model_level(model: BaseModel, name: str) -> bool:
    if name in MODEL_METHODS or name in EXTRA_ADAPTERS:
        return True
    if name in RECORD_METHODS:
        return False
    return bool(getattr(getattr(type(model), name), "_api_model", False))


def resolve(model: BaseModel, name: Any) -> Callable[..., Any]:
    """The function to call for ``model.name``; private and unknown names are refused
    (the former with Odoo's words)."""
    if not isinstance(name, str) or not name:
        raise coded(MissingError(_("A method name is required.")), "unknown_method")
    if name.startswith("_") or name in DENIED or (
            name in _orm_names() and not is_public(type(model), name)):
        raise coded(AccessError(_("Private methods (such as %(model)s.%(method)s) cannot be "
                                  "called remotely.", model=model._name, method=name)),
                    "private_method")
    if name in ADAPTERS:
        return ADAPTERS[name]
    if name in EXTRA_ADAPTERS and model._name in EXTRA_ADAPTERS[name][0]:
        return EXTRA_ADAPTERS[name][1]
    if not inspect.isfunction(getattr(type(model), name, None)):
        raise coded(MissingError(_("The method '%(method)s' does not exist on the model "
                                   "'%(model)s'.", method=name, model=model._name)),
                    "unknown_method")
    if not is_public(type(model), name):
        raise coded(AccessError(_("Private methods (such as %(model)s.%(method)s) cannot be "
                                  "called remotely.", model=model._name, method=name)),
                    "private_method")
    return getattr(type(model), name)


def call_kw(env: "Environment", model_name: Any, method: Any, args: Any = (),
            kwargs: Any = None) -> Any:
    """Odoo's ``execute_kw``/``call_kw``: record methods take their ids as ``args[0]``."""
    model = model_of(env, model_name)
    args, kwargs = _arguments(args, kwargs)
    func = resolve(model, method)
    if is_model_level(model, method):
        return _invoke(func, model, args, kwargs)
    if not args:
        raise coded(UserError(_("'%(method)s' acts on records: pass their ids first.",
                                method=method)), "invalid_arguments")
    records = model.browse(check_ids(args[0]))
    return _call_on_records(func, method, records, args[1:], kwargs)


def call_rest(env: "Environment", model_name: str, method: Any, ids: Any, args: Any,
              kwargs: Any) -> Any:
    """The REST call: ids apart (ignored by model-level methods)."""
    model = model_of(env, model_name)
    args, kwargs = _arguments(args, kwargs)
    func = resolve(model, method)
    if is_model_level(model, method):
        return _invoke(func, model, args, kwargs)
    records = model.browse(check_ids(ids if ids is not None else []))
    return _call_on_records(func, method, records, args, kwargs)


def _arguments(args: Any, kwargs: Any) -> tuple[list[Any], dict[str, Any]]:
    if args is None or args is False:
        args = []
    if kwargs is None or kwargs is False:
        kwargs = {}
    if not isinstance(args, (list, tuple)) or not isinstance(kwargs, dict):
        raise coded(UserError(_("Arguments must be a list and keyword arguments a "
                                "structure.")), "invalid_arguments")
    check_input(args)
    check_input(kwargs)
    return list(args), dict(kwargs)


def _call_on_records(func: Callable[..., Any], method: str, records: BaseModel,
                     args: list[Any], kwargs: dict[str, Any]) -> Any:
    if method not in RECORD_METHODS:
        _check_visible(records)
    return _invoke(func, records, args, kwargs)


def _invoke(func: Callable[..., Any], target: BaseModel, args: list[Any],
            kwargs: dict[str, Any]) -> Any:
    try:
        bound = inspect.signature(func).bind(target, *args, **kwargs)
    except TypeError as exc:
        raise coded(UserError(_("Wrong arguments for '%(method)s': %(reason)s",
                                method=func.__name__.lstrip("_"), reason=str(exc))),
                    "invalid_arguments") from None
    _check_annotations(func, bound)
    try:
        with database_refusals():
            result = func(target, *args, **kwargs)
    except ValueError as exc:
        # ensure_one() of a method made for one record: the caller passed other ids
        if not str(exc).startswith("Expected singleton"):
            raise
        raise coded(UserError(_("'%(method)s' works on one record at a time, not %(count)s.",
                                method=func.__name__, count=len(target))),
                    "invalid_arguments") from exc
    return result.ids if isinstance(result, BaseModel) else result


def _check_annotations(func: Callable[..., Any], bound: inspect.BoundArguments) -> None:
    """Arguments of the types the method declares (public methods are type-hinted): a
    remote caller's wrong type is a 400 naming the argument, not a crash inside."""
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # a hint that only resolves for type checkers: nothing to check
        return
    parameters = list(bound.signature.parameters.values())
    for parameter in parameters[1:]:
        if parameter.name not in bound.arguments or parameter.kind in (
                parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        hint = hints.get(parameter.name)
        if hint is not None and not _matches(bound.arguments[parameter.name], hint):
            raise coded(UserError(_("Argument '%(name)s' of '%(method)s' has the wrong "
                                    "type.", name=parameter.name, method=func.__name__)),
                        "invalid_arguments")


def _matches(value: Any, hint: Any) -> bool:
    """Whether a JSON/XML-RPC value fits a type hint (``False`` stands for ``None``, as
    Odoo clients send it); hints this cannot judge are accepted."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if hint is type(None):
        return value is None or value is False
    target = origin or hint
    if not isinstance(target, type) or target is object:
        return True
    if target is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if target is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if issubclass(target, BaseModel):
        return True
    try:
        return isinstance(value, target)
    except TypeError:
        return True


def _check_visible(records: BaseModel) -> None:
    """An addon method runs only on records the caller may read (it may read them as
    superuser itself)."""
    ids = list(dict.fromkeys(records._ids))
    if not ids:
        return
    found = set(records.with_context(active_test=False).search([("id", "in", ids)]).ids)
    missing = [i for i in ids if i not in found]
    if missing:
        # telling "forbidden" from "gone", as the ORM does
        if records.sudo().browse(missing).exists():
            raise AccessError(records._access_error_message("read", rules=True))
        raise records._missing_error(missing)


# -- Odoo's signatures for the ORM API ---------------------------------------------------
def _default(value: Any, default: Any = None) -> Any:
    return default if value is None or value is False else value


def _count(value: Any, name: str, default: int | None) -> int | None:
    value = _default(value, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT32[1]:
        raise coded(UserError(_("'%(name)s' must be a whole number from 0 to %(max)s.",
                                name=name, max=INT32[1])), "invalid_arguments")
    return value


def _text(value: Any, name: str) -> str | None:
    value = _default(value)
    if value is not None and not isinstance(value, str):
        raise coded(UserError(_("'%(name)s' must be text.", name=name)), "invalid_arguments")
    return value


def _names(model: BaseModel, value: Any) -> list[str] | None:
    """Field names (``False``/empty: all); unknown ones are a validation error."""
    value = _default(value)
    if not value:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) for n in value):
        raise ValidationError(_("Field names must be given as a list of text."))
    for name in value:
        model._field_or_error(name, ValidationError)
    return list(dict.fromkeys(value))


def _load(value: Any) -> str:
    return "_classic_write" if value == "_classic_write" else "_classic_read"


def search(model: BaseModel, domain: Any = None, offset: Any = 0, limit: Any = None,
           order: Any = None, count: Any = False, args: Any = None) -> Any:
    domain = _default(domain, _default(args, []))
    if count:
        return model.search_count(domain)
    return model.search(domain, order=_text(order, "order"), limit=_count(limit, "limit", None),
                        offset=_count(offset, "offset", 0) or 0).ids


def search_read(model: BaseModel, domain: Any = None, fields: Any = None, offset: Any = 0,
                limit: Any = None, order: Any = None, load: Any = None) -> list[dict]:
    records = model.search(_default(domain, []), order=_text(order, "order"),
                           limit=_count(limit, "limit", None),
                           offset=_count(offset, "offset", 0) or 0)
    return records.read(_names(model, fields), load=_load(load)) if records else []


def search_count(model: BaseModel, domain: Any = None, limit: Any = None) -> int:
    return model.search_count(_default(domain, []), limit=_count(limit, "limit", None))


def read(records: BaseModel, fields: Any = None, load: Any = "_classic_read") -> list[dict]:
    return records.read(_names(records, fields), load=_load(load))


def create(model: BaseModel, vals_list: Any) -> Any:
    if isinstance(vals_list, dict):
        return model.create(check_values(model, vals_list)).id
    if isinstance(vals_list, (list, tuple)):
        return model.create([check_values(model, vals) for vals in vals_list]).ids
    raise ValidationError(_("'create' takes a structure of values, or a list of them."))


def write(records: BaseModel, vals: Any) -> bool:
    return _existing(records).write(check_values(records, vals))


def unlink(records: BaseModel) -> bool:
    return _existing(records).unlink()


def _existing(records: BaseModel) -> BaseModel:
    """Records that are gone are an error (the ORM would quietly change nothing)."""
    missing = set(records._ids) - set(records.exists()._ids)
    if missing:
        raise records._missing_error(missing)
    return records


def copy(records: BaseModel, default: Any = None) -> int:
    if len(records) != 1:
        raise ValidationError(_("'copy' duplicates one record at a time."))
    return records.copy(check_values(records, _default(default, {}))).id


def name_get(records: BaseModel) -> list:
    return records.name_get()


def read_group(model: BaseModel, domain: Any, fields: Any, groupby: Any, offset: Any = 0,
               limit: Any = None, orderby: Any = False, lazy: Any = True) -> list[dict]:
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(_default(fields, []), (list, tuple)) or not isinstance(
            _default(groupby, []), (str, list, tuple)):
        raise ValidationError(_("'read_group' takes a list of fields and of groupbys."))
    return model.read_group(_default(domain, []), list(_default(fields, [])),
                            _default(groupby, []), offset=_count(offset, "offset", 0) or 0,
                            limit=_count(limit, "limit", None),
                            orderby=_text(orderby, "orderby"), lazy=bool(lazy))


def name_search(model: BaseModel, name: Any = "", args: Any = None, operator: Any = "ilike",
                limit: Any = 100, domain: Any = None) -> list:
    return model.name_search(_text(name, "name") or "", _default(args, _default(domain, [])),
                             operator=_text(operator, "operator") or "ilike",
                             limit=_count(limit, "limit", 100) or 100)


def default_get(model: BaseModel, fields_list: Any = None, fields: Any = None) -> dict:
    names = _names(model, _default(fields_list, fields))
    return model.default_get(names if names is not None else list(model._fields))


def fields_get(model: BaseModel, allfields: Any = None, attributes: Any = None) -> dict:
    attributes = _default(attributes)
    if attributes is not None and (not isinstance(attributes, (list, tuple)) or not all(
            isinstance(a, str) for a in attributes)):
        raise ValidationError(_("'attributes' must be a list of text."))
    return model.fields_get(_names(model, allfields), attributes)


def check_access_rights(model: BaseModel, operation: Any,
                        raise_exception: Any = True) -> bool:
    if operation not in OPERATIONS:
        raise ValidationError(_("The operation must be one of %(operations)s.",
                                operations=", ".join(OPERATIONS)))
    return model._check_access(operation, raise_exception=bool(raise_exception))


def context_get(model: BaseModel) -> dict[str, Any]:
    """``res.users.context_get``: what Odoo clients put in their later calls' context."""
    user = model.env.user
    return {"lang": user.lang or "en_US", "tz": user.tz or False, "uid": model.env.uid}


def check_object_reference(model: BaseModel, module: Any, xml_id: Any,
                           raise_on_access_error: Any = False) -> list[Any]:
    if not isinstance(module, str) or not isinstance(xml_id, str):
        raise ValidationError(_("An external id is given as its addon and its name."))
    return list(model.check_object_reference(module, xml_id))


ADAPTERS: dict[str, Callable[..., Any]] = {
    "search": search, "search_read": search_read, "search_count": search_count,
    "read": read, "create": create, "write": write, "unlink": unlink, "copy": copy,
    "name_get": name_get, "read_group": read_group, "name_search": name_search,
    "default_get": default_get, "fields_get": fields_get,
    "check_access_rights": check_access_rights,
}
#: model-specific methods Odoo clients expect: ``name -> (models, function)``
EXTRA_ADAPTERS: dict[str, tuple[frozenset[str], Callable[..., Any]]] = {
    "context_get": (frozenset({"res.users"}), context_get),
    "check_object_reference": (frozenset({"ir.model.data"}), check_object_reference),
}
