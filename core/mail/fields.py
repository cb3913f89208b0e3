"""The field linking a thread to what is attached to it by ``res_model`` + ``res_id``.

Messages, followers and activities point at their record with a model name and an id
(any model can be a thread, so there is no foreign key). :class:`AttachedRecords` shows
them on the record as a one2many would, computed and searchable, without an inverse
many2one and without a relation table.
"""
from __future__ import annotations

from typing import Any

from core import fields


class AttachedRecords(fields.One2many):
    """Records of ``comodel_name`` whose ``res_model``/``res_id`` point here (read-only,
    declared with ``compute`` and ``search``)."""

    #: not a relation the ORM can join: searches go through the field's ``search`` method
    column_less = False

    def setup(self, model: Any) -> None:
        # a one2many without inverse many2one: skip One2many's inverse check
        super(fields.One2many, self).setup(model)
