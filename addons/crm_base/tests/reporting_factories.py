"""Factories of the reporting tests: a small sales organisation and closed deals on
fixed dates (no test depends on the real clock)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .lead_factories import make_lead, make_team, make_user, stage


@dataclass
class Org:
    """Two teams: North (leader Lea, members Lea and Remy) and South (Sam alone, no
    leader); Max manages everyone."""

    rep: Any
    leader: Any
    other: Any
    manager: Any
    north: Any
    south: Any


def make_org(env: Any) -> Org:
    rep = make_user(env, "rp_remy", "rep", name="Remy Rep")
    leader = make_user(env, "rp_lea", "leader", name="Lea Leader")
    other = make_user(env, "rp_sam", "rep", name="Sam South")
    manager = make_user(env, "rp_max", "manager", name="Max Manager")
    north = make_team(env, "North", leader=leader, members=rep | leader)
    south = make_team(env, "South", members=other)
    return Org(rep, leader, other, manager, north, south)


def won_deal(env: Any, user: Any, amount: float, closed: dt.datetime, **values: Any) -> Any:
    """An opportunity of ``user`` won on ``closed`` (naive UTC)."""
    lead = make_lead(env, values.pop("name", f"Won {amount}"), user_id=user.id,
                     expected_revenue=amount, **values)
    lead.write({"stage_id": stage(env, "won").id, "date_closed": closed})
    return lead


def lost_deal(env: Any, user: Any, amount: float, closed: dt.datetime, **values: Any) -> Any:
    lead = make_lead(env, values.pop("name", f"Lost {amount}"), user_id=user.id,
                     expected_revenue=amount, **values)
    lead.write({"active": False, "probability": 0.0, "date_closed": closed})
    return lead
