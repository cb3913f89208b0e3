"""One exception hierarchy for the whole kernel and every addon.

User errors (``UserError`` and its children) carry a translatable message meant to be
shown as is; configuration errors (``ConfigurationError`` and its children) describe a
broken addon, manifest, view or data file and are meant for developers and admins.
HTTP status mapping lives only in the web layer.
"""
from __future__ import annotations


class ComptoirError(Exception):
    """Base of every error raised on purpose by Comptoir."""


class UserError(ComptoirError):
    """An error a user caused and can fix; its message is shown as is."""

    code = "user_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(UserError):
    """A value breaks a constraint (required, type, SQL or Python constraint)."""

    code = "validation_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AccessError(UserError):
    """The current user may not do this operation on these records."""

    code = "access_denied"


class AccessDenied(AccessError):
    """Authentication refused (bad credentials, or too many failed attempts).

    The message never says which credential was wrong, nor whether the login exists."""

    code = "authentication_failed"


class MissingError(UserError, LookupError):
    """A record does not exist (any more)."""

    code = "missing_record"


class SingletonError(UserError, ValueError):
    """An operation that needs exactly one record got none or several (a ValueError
    too, as Odoo raises)."""

    code = "expected_singleton"


class ConflictError(UserError):
    """A write was based on a stale version of a record (optimistic concurrency)."""

    code = "conflict"

    def __init__(self, message: str, *, model: str = "", ids: list[int] | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.ids = ids or []


class ConfigurationError(ComptoirError):
    """Something an addon or admin declared is broken."""


class ManifestError(ConfigurationError):
    """An addon.toml is invalid."""


class DependencyError(ConfigurationError):
    """Addon dependencies are missing or form a cycle."""


class UnknownModelError(ConfigurationError, KeyError):
    """A model name that no installed addon declares."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownFieldError(ConfigurationError, KeyError):
    """A field name the model does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DomainError(ValidationError):
    """A search domain is malformed or names an unknown field or operator."""

    code = "invalid_domain"


class DataFileError(ConfigurationError):
    """An XML or CSV data file cannot be loaded; the message names file and line."""
