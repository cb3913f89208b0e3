"""The ``territory`` assignment strategy (registered by the addon's
``comptoir_assignment_strategies`` hook).

Each record goes to the candidate with the fewest open records among the salespeople of
its territory (``territory_id``; a sector without salespeople uses its region's). A
record whose territory has no salesperson among the candidates, or without territory,
goes to the least loaded of all candidates, so that no lead is left behind.
"""
from __future__ import annotations

from typing import Any

from core.automation import AssignmentContext, AssignmentStrategy
from core.automation.assignment import loads
from core.i18n.translate import _lt


def territory_salespeople(territory: Any) -> list[int]:
    """The salespeople of a territory, else of the nearest parent that has some."""
    seen: set[int] = set()
    while territory and territory.id not in seen:
        seen.add(territory.id)
        users = territory.user_ids.filtered(lambda user: user.active)
        if users:
            return users.ids
        territory = territory.parent_id
    return []


def choose_by_territory(context: AssignmentContext) -> dict[int, int | bool]:
    records = context.records.sudo()
    candidates = list(context.candidates.ids)
    if "territory_id" not in records._fields:
        eligible_of = {record_id: candidates for record_id in records.ids}
    else:
        per_territory: dict[int, list[int]] = {}
        eligible_of = {}
        for record in records:
            territory = record.territory_id
            if territory.id not in per_territory:
                allowed = set(territory_salespeople(territory)) if territory else set()
                per_territory[territory.id] = [uid for uid in candidates if uid in allowed]
            eligible_of[record.id] = per_territory[territory.id] or candidates
    counts = loads(context, candidates)
    result: dict[int, int | bool] = {}
    for record_id in context.records.ids:
        eligible = eligible_of[record_id]
        user_id = min(eligible, key=lambda uid: (counts[uid], uid))
        counts[user_id] += 1
        result[record_id] = user_id
    return result


TERRITORY_STRATEGY = AssignmentStrategy(
    "territory", _lt("Territory salespeople, then fewest open records"), choose_by_territory)
