"""The ORM: fields, models and recordsets, environment, registry, domains.

``core.orm`` knows nothing of security, views, web, mail or automation: those layers
extend models through the abstract ``base`` model, as addons do.
"""
from . import api, fields
from .environment import SUPERUSER_ID, Environment, Transaction
from .models import AbstractModel, BaseModel, Model
from .registry import Registry

__all__ = ["api", "fields", "SUPERUSER_ID", "Environment", "Transaction", "AbstractModel",
           "BaseModel", "Model", "Registry"]
