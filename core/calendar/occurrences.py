"""Listing the occurrences of events in a range, for a calendar page or a feed.

One search and one read for the events the user may see, one more pair (as superuser,
reading times only) for the private events of the people asked about: the number of
queries never grows with the number of events. Series are expanded in Python.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..exceptions import ValidationError
from ..i18n.translate import _
from .recurrence import Series

if TYPE_CHECKING:
    from ..orm import BaseModel

READ_FIELDS = ["name", "start", "stop", "allday", "start_date", "stop_date", "event_tz",
               "rrule", "exdate", "rdate", "user_id", "partner_ids", "privacy",
               "location", "version", "recurrence_id"]
BUSY_FIELDS = ["start", "stop", "allday", "start_date", "stop_date", "event_tz", "rrule",
               "exdate", "rdate", "user_id", "partner_ids"]
#: all-day events are floating dates: look one day around the range for them
MARGIN = dt.timedelta(days=1)


def _window(start: dt.datetime, stop: dt.datetime) -> list:
    return [("start", "<", stop + MARGIN), ("recurrence_end", ">=", start - MARGIN)]


def collect_occurrences(events: "BaseModel", start: dt.datetime, stop: dt.datetime,
                        user_ids: list[int] | None = None,
                        domain: list | None = None) -> list[dict[str, Any]]:
    env = events.env
    window = _window(start, stop)
    people: dict[int, int] = {}                     # partner id -> user id
    if user_ids:
        users = env["res.users"].sudo().browse(user_ids).read(["partner_id"])
        people = {row["partner_id"][0]: row["id"] for row in users if row["partner_id"]}
        window += ["|", ("user_id", "in", list(user_ids)),
                   ("partner_ids", "in", list(people))]
    visible = events.search(window + list(domain or []), order="start, id")
    rows = visible.read(READ_FIELDS) if visible else []
    me = env.user.partner_id.id
    result = []
    for row in rows:
        editable = env.su or (row["user_id"] and row["user_id"][0] == env.uid) or \
            me in row["partner_ids"]
        for occurrence in _expand(row, start, stop, people, busy=False):
            occurrence["editable"] = bool(editable)
            result.append(occurrence)
    if user_ids:
        hidden = events.sudo().search(window + [("id", "not in", visible.ids),
                                                ("privacy", "=", "private")])
        # sudo: only times and people are read, to draw "Busy" blocks, never a subject
        for row in hidden.read(BUSY_FIELDS) if hidden else []:
            for occurrence in _expand(row, start, stop, people, busy=True):
                occurrence["editable"] = False
                result.append(occurrence)
    result.sort(key=lambda o: (o["start"], o["id"]))
    return result


def _expand(row: dict[str, Any], low: dt.datetime, high: dt.datetime,
            people: dict[int, int], busy: bool) -> list[dict[str, Any]]:
    series = Series(row["start"], row["stop"], bool(row["allday"]), row["event_tz"] or "UTC",
                    row["rrule"] or "", row["exdate"] or "", row["rdate"] or "")
    if series.allday:
        low, high = low - MARGIN, high + MARGIN
    try:
        spans = series.occurrences(low, high)
    except ValidationError:          # a rule made invalid behind the ORM's back
        spans = [(row["start"], row["stop"])] if row["start"] < high and \
            row["stop"] >= low else []
    organizer = row["user_id"][0] if row["user_id"] else None
    involved = sorted({people[p] for p in row["partner_ids"] if p in people} |
                      ({organizer} if organizer in people.values() else set()))
    recurring = bool(row["rrule"] or row["rdate"])
    base = {"id": row["id"], "allday": series.allday, "recurring": recurring,
            "busy": busy, "user_ids": involved, "organizer_id": organizer,
            "version": row.get("version", 0)}
    if busy:
        base.update({"name": _("Busy"), "location": "", "privacy": "private"})
    else:
        base.update({"name": row["name"], "location": row["location"] or "",
                     "privacy": row["privacy"],
                     "detached": bool(row.get("recurrence_id"))})
    occurrences = []
    for first, last in spans:
        occurrence = {**base, "start": first, "stop": last}
        if series.allday:
            days = (row["stop_date"] - row["start_date"]) if row["stop_date"] and \
                row["start_date"] else dt.timedelta(0)
            occurrence["start_date"] = first.date()
            occurrence["stop_date"] = first.date() + days
        occurrences.append(occurrence)
    return occurrences
