"""Comptoir's public API for addons: import from here, never from internals.

    from core import Model, fields, api, _, UserError
"""
from __future__ import annotations

from .exceptions import (AccessError, ConfigurationError, ConflictError, MissingError,
                         UserError, ValidationError)
from .i18n.translate import _
from .modules.hookspecs import hookimpl
from .orm import SUPERUSER_ID, AbstractModel, Environment, Model, api, fields
from .web.http import route

__version__ = "0.1.0"

__all__ = ["Model", "AbstractModel", "Environment", "fields", "api", "hookimpl", "_",
           "SUPERUSER_ID", "route", "UserError", "ValidationError", "AccessError", "MissingError",
           "ConflictError", "ConfigurationError", "__version__"]
