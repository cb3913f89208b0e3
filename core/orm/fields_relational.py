"""Relational fields: many2one, one2many, many2many and reference.

In the cache a many2one holds an id (or None) and an x2many a tuple of ids; reading
returns recordsets that share the prefetch set of the record they come from, so that
walking ``lead.partner_id.country_id.name`` over a batch costs one query per model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..exceptions import ConfigurationError, ValidationError
from ..i18n.translate import _
from .fields import Field, resolve_selection

if TYPE_CHECKING:
    from .models import BaseModel

_ONDELETE = {"cascade": "CASCADE", "set null": "SET NULL", "restrict": "RESTRICT"}


class _Relational(Field):
    relational = True
    _defaults = {**Field._defaults, "comodel_name": None, "domain": (), "context": None}

    def setup(self, model: type["BaseModel"]) -> None:
        super().setup(model)
        if not self.comodel_name:
            raise ConfigurationError(f"{model._name}.{self.name}: no comodel_name given")
        if self.comodel_name not in model._registry:
            raise ConfigurationError(
                f"{model._name}.{self.name}: unknown model '{self.comodel_name}'")

    def get_description(self, env: Any) -> dict[str, Any]:
        domain = self.domain if isinstance(self.domain, (list, tuple)) else []
        return {**super().get_description(env), "relation": self.comodel_name,
                "domain": list(domain)}


class Many2one(_Relational):
    """A link to one record of ``comodel_name``; ``ondelete`` decides what happens
    when that record is deleted: ``set null`` (default), ``cascade`` or ``restrict``."""

    type = "many2one"
    _defaults = {**_Relational._defaults, "ondelete": "set null", "index": True}

    def __init__(self, comodel_name: str | None = None, string: str | None = None,
                 **kwargs: Any) -> None:
        if comodel_name is not None:
            kwargs["comodel_name"] = comodel_name
        super().__init__(string, **kwargs)
        if self.ondelete not in _ONDELETE:
            raise ConfigurationError(
                f"many2one ondelete must be one of {sorted(_ONDELETE)}, not {self.ondelete!r}")

    def sa_column(self) -> sa.Column:
        # the registry fills in the target table name once all models exist
        target = self._target_table
        return sa.Column(
            self.name, sa.Integer,
            sa.ForeignKey(f"{target}.id", ondelete=_ONDELETE[self.ondelete]),
            nullable=True, index=bool(self.index))

    _target_table = ""

    def setup(self, model: type["BaseModel"]) -> None:
        super().setup(model)
        self._target_table = model._registry[self.comodel_name]._table

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        from .models import BaseModel
        if value is None or value is False or value == 0:
            return None
        if isinstance(value, BaseModel):
            if value._name != self.comodel_name or len(value) > 1:
                raise ValidationError(
                    _("'%(field)s' expects one %(model)s record.", field=self.string,
                      model=self.comodel_name, lang=record.env.lang), field=self.name)
            return value._ids[0] if value._ids else None
        if isinstance(value, (list, tuple)) and value:  # (id, name) as read() gives
            value = value[0]
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                _("'%(field)s' expects a record id, got '%(value)s'.", field=self.string,
                  value=value, lang=record.env.lang), field=self.name) from None

    def convert_to_record(self, value: Any, record: "BaseModel") -> Any:
        comodel = record.env[self.comodel_name]
        ids = (value,) if value else ()
        return comodel._browse(ids, record._related_prefetch(self))

    def convert_to_read(self, value: Any, record: "BaseModel") -> Any:
        return value  # the ORM adds display names in one batch

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env), "ondelete": self.ondelete}


class _X2many(_Relational):
    column_less = True
    _defaults = {**_Relational._defaults, "copy": False, "prefetch": False}

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        from .models import BaseModel
        if value is None or value is False:
            return ()
        if isinstance(value, BaseModel):
            return value._ids
        return tuple(int(v) for v in value)

    def convert_to_record(self, value: Any, record: "BaseModel") -> Any:
        comodel = record.env[self.comodel_name]
        return comodel._browse(tuple(value or ()), record._related_prefetch(self))

    def convert_to_read(self, value: Any, record: "BaseModel") -> Any:
        return list(value or ())

    def empty_value(self) -> Any:
        return ()

    def sa_column(self) -> sa.Column:  # pragma: no cover - guarded by stored_column
        raise ConfigurationError(f"{self} has no column")


class One2many(_X2many):
    """The records of ``comodel_name`` whose many2one ``inverse_name`` points here."""

    type = "one2many"
    _defaults = {**_X2many._defaults, "inverse_name": None}

    def __init__(self, comodel_name: str | None = None, inverse_name: str | None = None,
                 string: str | None = None, **kwargs: Any) -> None:
        if comodel_name is not None:
            kwargs["comodel_name"] = comodel_name
        if inverse_name is not None:
            kwargs["inverse_name"] = inverse_name
        super().__init__(string, **kwargs)

    def setup(self, model: type["BaseModel"]) -> None:
        super().setup(model)
        comodel = model._registry[self.comodel_name]
        inverse = comodel._fields.get(self.inverse_name or "")
        if inverse is None or inverse.type != "many2one":
            raise ConfigurationError(
                f"{model._name}.{self.name}: inverse_name '{self.inverse_name}' is not a "
                f"many2one of {self.comodel_name}")

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env), "relation_field": self.inverse_name}


class Many2many(_X2many):
    """Records linked through a relation table (``relation``, ``column1``, ``column2``)."""

    type = "many2many"
    _defaults = {**_X2many._defaults, "relation": None, "column1": None, "column2": None,
                 "copy": True}

    def __init__(self, comodel_name: str | None = None, relation: str | None = None,
                 column1: str | None = None, column2: str | None = None,
                 string: str | None = None, **kwargs: Any) -> None:
        for key, value in (("comodel_name", comodel_name), ("relation", relation),
                           ("column1", column1), ("column2", column2)):
            if value is not None:
                kwargs[key] = value
        super().__init__(string, **kwargs)

    def setup(self, model: type["BaseModel"]) -> None:
        super().setup(model)
        comodel = model._registry[self.comodel_name]
        if not self.relation:
            tables = sorted([model._table, comodel._table])
            self.relation = f"{tables[0]}_{tables[1]}_rel"
        if not self.column1 or not self.column2:
            if model._table == comodel._table:
                self.column1 = self.column1 or f"{model._table}_id"
                self.column2 = self.column2 or f"{model._table}_peer_id"
            else:
                self.column1 = self.column1 or f"{model._table}_id"
                self.column2 = self.column2 or f"{comodel._table}_id"
        self._table1 = model._table
        self._table2 = comodel._table

    def relation_table(self, metadata: sa.MetaData) -> sa.Table:
        if self.relation in metadata.tables:
            return metadata.tables[self.relation]
        return sa.Table(
            self.relation, metadata,
            sa.Column(self.column1, sa.Integer,
                      sa.ForeignKey(f"{self._table1}.id", ondelete="CASCADE"),
                      primary_key=True),
            sa.Column(self.column2, sa.Integer,
                      sa.ForeignKey(f"{self._table2}.id", ondelete="CASCADE"),
                      primary_key=True, index=True),
        )


class Reference(Field):
    """A link to a record of any model, stored as ``'model.name,id'``."""

    type = "reference"
    column_type = sa.String
    _defaults = {**Field._defaults, "selection": ()}

    def __init__(self, selection: Any = None, string: str | None = None,
                 **kwargs: Any) -> None:
        if selection is not None:
            kwargs["selection"] = selection
        super().__init__(string, **kwargs)

    def get_values(self, env: Any) -> list[tuple[str, str]]:
        """The ``(model, label)`` pairs allowed."""
        return resolve_selection(self, env)

    def convert_to_cache(self, value: Any, record: "BaseModel") -> Any:
        from .models import BaseModel
        if value is None or value is False or value == "":
            return None
        if isinstance(value, BaseModel):
            if not value._ids:
                return None
            value.ensure_one()
            return f"{value._name},{value._ids[0]}"
        model, _sep, rec_id = str(value).partition(",")
        if model not in record.env.registry or not rec_id.strip().isdigit():
            raise ValidationError(
                _("'%(value)s' is not a valid reference (expected 'model,id').",
                  value=value, lang=record.env.lang), field=self.name)
        allowed = [name for name, _label in self.get_values(record.env)]
        if allowed and model not in allowed:
            raise ValidationError(
                _("'%(field)s' cannot refer to %(model)s records (allowed: %(models)s).",
                  field=self.string, model=model, models=", ".join(allowed),
                  lang=record.env.lang), field=self.name)
        return f"{model},{int(rec_id)}"

    def convert_to_record(self, value: Any, record: "BaseModel") -> Any:
        if not value:
            return None
        model, _sep, rec_id = value.partition(",")
        return record.env[model].browse(int(rec_id))

    def get_description(self, env: Any) -> dict[str, Any]:
        return {**super().get_description(env),
                "selection": [[k, _(v, lang=env.lang)] for k, v in self.get_values(env)]}
