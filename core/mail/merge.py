"""What merging records means for their threads (``comptoir_merge_records``).

The duplicates' messages and activities move to the kept record, as do their followers,
except those already following it (a partner follows a record once: the row on the
duplicate is dropped instead). The kernel's merge (:mod:`core.merge`) calls this after
rewiring the references, in the merging transaction, as superuser.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from core.merge import move_attached
from core.orm.db import ids_in

if TYPE_CHECKING:
    from core.orm import Environment


def merge_threads(env: "Environment", model: str, source_ids: list[int],
                  target_id: int) -> None:
    """Move the chatter of ``source_ids`` (messages, activities, followers) onto
    ``target_id``."""
    move_attached(env, "mail.message", model, source_ids, target_id)
    move_attached(env, "mail.activity", model, source_ids, target_id)
    if "mail.followers" not in env.registry.models:
        return
    table = env.registry.models["mail.followers"]._sa_table
    peer = table.alias("peer")
    # a partner following the kept record, or an older duplicate, follows it once
    already = sa.select(peer.c.id).where(
        peer.c.res_model == model, peer.c.partner_id == table.c.partner_id,
        sa.or_(peer.c.res_id == target_id,
               sa.and_(ids_in(peer.c.res_id, source_ids, env.dialect),
                       peer.c.res_id < table.c.res_id))).exists()
    env.execute(table.delete().where(table.c.res_model == model,
                                     ids_in(table.c.res_id, source_ids, env.dialect),
                                     already))
    move_attached(env, "mail.followers", model, source_ids, target_id)
