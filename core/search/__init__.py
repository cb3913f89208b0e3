"""Ranked keyword search for any model: text normalisation (:mod:`.text`) and the index
tables of both engines (:mod:`.index`); models use it through the ``fts.mixin`` of the
``base`` addon."""
