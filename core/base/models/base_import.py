"""Every model can be imported (:mod:`core.imports`): the hooks an addon overrides to
teach the import its business rules, with the defaults of the kernel.

Call order for each import: ``_import_synonyms`` when the mapping is guessed;
``_import_name_fields`` and ``_import_resolve`` of the target model when a cell names a
record; ``_import_prepare`` (normalise the converted values, refuse the impossible ones),
then ``_import_match`` (rows that are existing records) and ``_import_duplicate_keys``
(rows of the same file that are one record), and once the records are written
``_import_flag_duplicates`` (records that merely look alike, for review). Override them on
your model with ``super()`` where it helps; all take and return batches.
"""
from __future__ import annotations

from typing import Any, Hashable

from core import AbstractModel


class Base(AbstractModel):
    _inherit = "base"

    def _import_synonyms(self) -> dict[str, list[str]]:
        """Extra column headers meaning a field, ``{field: [header, ...]}``: when the
        mapping is first guessed, a header equal to one of them (ignoring case, accents
        and punctuation) maps to the field. Merge with ``super()``."""
        return {}

    def _import_name_fields(self) -> list[str]:
        """The fields a cell naming a record of this model is compared with (a many2one
        column pointing here): the record name, and ``code`` when the model has one."""
        names = [self._rec_name_field()]
        code = self._fields.get("code")
        if code is not None and code.type == "char" and code.stored_column:
            names.append("code")
        return [n for n in names if n != "id"]

    def _import_resolve(self, values: list[str]) -> dict[str, int]:
        """Records named by cells that match no external id nor name of this model (a
        many2one column pointing here): ``{cell: record id}`` for those it recognises
        (an abbreviation, a word of another language...). Default: none."""
        return {}

    def _import_prepare(self, vals_list: list[dict[str, Any]]
                        ) -> list[dict[str, Any] | Exception]:
        """The converted values of each row, as this model would store them (trimmed,
        normalised phone numbers...), so that comparing them with stored values tells
        a real change from a different spelling; for a row whose values this model
        would refuse, the error instead (a :class:`ValidationError` saying why): the
        row is rejected, even when it is a duplicate that would be skipped. Default:
        unchanged."""
        return vals_list

    def _import_match(self, vals_list: list[dict[str, Any]]) -> list[int | None]:
        """For each row's values, the id of an existing record that is the same thing
        (same registration number, same e-mail...), or None. Rows imported before are
        already found by their external id; the default finds nothing more."""
        return [None] * len(vals_list)

    def _import_duplicate_keys(self, vals_list: list[dict[str, Any]]
                               ) -> list[list[Hashable]]:
        """For each row, keys that identify its record: two rows of one file sharing a
        key are one record (the later one handled by the duplicate policy). Default:
        none."""
        return [[] for _vals in vals_list]

    def _import_flag_duplicates(self, records: Any) -> dict[int, list[int]]:
        """Called with the records an import created: flag those that look like other
        records for review and return ``{record id: [similar record ids]}`` (shown in
        the import's result). Default: nothing flagged."""
        return {}
