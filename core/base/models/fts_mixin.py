"""``fts.mixin``: ranked keyword search on any model.

A model inherits the mixin and names its indexed fields with their weights::

    class KnowledgeArticle(Model):
        _name = "knowledge.article"
        _inherit = ["fts.mixin"]
        _fts_fields = {"name": 3.0, "keywords": 2.0, "body": 1.0}

Creating, writing and deleting records keep the index (see :mod:`core.search.index`) up to
date in the same transaction; :meth:`FtsMixin.fts_search` returns the records matching the
words of a query, best first, within the user's access rules and an optional domain. The
words are stemmed in French and English without accents (:mod:`core.search.text`).
Translatable fields are indexed in the language of the writing environment.
"""
from __future__ import annotations

from typing import Any, ClassVar, Sequence

import sqlalchemy as sa

from core import AbstractModel, api
from core.search import index, text

#: records (re)indexed per batch when an index is built from existing rows
BATCH = 1000


class FtsMixin(AbstractModel):
    _name = "fts.mixin"
    _description = "Keyword Search"

    #: indexed fields and their weights (the heaviest ranks first)
    _fts_fields: ClassVar[dict[str, float]] = {}

    # -- the index --------------------------------------------------------------------------
    def _fts_table(self) -> str:
        return index.table_name(self._table)

    def _fts_weights(self) -> list[float]:
        return [float(w) for w in self._fts_fields.values()]

    def _fts_ensure(self) -> None:
        """Create the index on first use and fill it from the records already there."""
        key = (id(self.env.registry), self._name)
        ready: set = self.env.transaction.memo.setdefault("fts_ready", set())
        if key in ready:
            return
        ready.add(key)
        if index.ensure(self.env.conn, self._fts_table(), len(self._fts_fields)):
            ids = [row[0] for row in self.env.execute(sa.select(self._sa_table.c.id))]
            for start in range(0, len(ids), BATCH):
                self.sudo().with_context(active_test=False).browse(
                    ids[start:start + BATCH])._fts_index()

    def _fts_index(self) -> None:
        """(Re)index these records (superuser read: the index serves every user, each
        search applies its own access rules)."""
        if not self._fts_fields or not self._ids:
            return
        records = self.sudo().with_context(active_test=False)
        names = list(self._fts_fields)
        rows = records.read(names)
        index.replace(self.env.conn, self._fts_table(), self._fts_weights(),
                      [(row["id"], [text.document(row[n] or "") for n in names])
                       for row in rows])

    @api.model
    def create(self, vals_list: Any) -> Any:
        records = super().create(vals_list)
        if self._fts_fields and records:
            self._fts_ensure()
            records._fts_index()
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if self._fts_fields and set(vals) & set(self._fts_fields):
            self._fts_ensure()
            self._fts_index()
        return result

    def unlink(self) -> bool:
        ids = list(self._ids)
        result = super().unlink()
        if self._fts_fields and ids:
            self._fts_ensure()
            index.delete(self.env.conn, self._fts_table(), ids)
        return result

    # -- searching ----------------------------------------------------------------------------
    @api.model
    def fts_search(self, query: str, domain: Sequence | None = None,
                   limit: int = 20) -> list[tuple[Any, float]]:
        """``[(record, score)]`` matching any word of ``query``, best first, among the
        records the user may read that match ``domain``. An empty query finds nothing."""
        terms = text.all_terms(text.query_terms(query or ""))
        if not terms or not self._fts_fields:
            return []
        self._fts_ensure()
        ranked = index.ranked(self.env.conn.dialect.name, self._fts_table(),
                              self._fts_weights(), terms)
        allowed = self._search(domain or [], order=False).subquery()
        rows = self.env.execute(
            sa.select(ranked.c.id, ranked.c.score)
            .where(ranked.c.id.in_(sa.select(allowed.c.id)))
            .order_by(ranked.c.score.desc(), ranked.c.id.desc()).limit(limit)).all()
        found = self.search([("id", "in", [row[0] for row in rows])], order=False)
        by_id = {record.id: record for record in found}
        return [(by_id[rid], float(score)) for rid, score in rows if rid in by_id]

    @api.model
    def _fts_reindex(self) -> int:
        """Rebuild this model's whole index (after changing ``_fts_fields``); returns the
        number of records indexed."""
        index.drop(self.env.conn, self._fts_table())
        self.env.transaction.memo.setdefault("fts_ready", set()).discard(
            (id(self.env.registry), self._name))
        self._fts_ensure()
        return self.env.execute(sa.select(sa.func.count()).select_from(self._sa_table)
                                ).scalar_one()
