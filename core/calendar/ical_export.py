"""Events as an iCalendar (RFC 5545) VCALENDAR, for the personal feed.

Series stay series: RRULE, EXDATE and RDATE are written as such, never expanded, with
the start in the event's own zone (TZID + a VTIMEZONE) so that clients repeat it at the
same local time across DST changes; events in UTC are written in UTC. All-day events are
``VALUE=DATE`` with the exclusive end RFC 5545 expects.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import icalendar

from .recurrence import UTC, parse_tokens, zone

if TYPE_CHECKING:
    from ..orm import BaseModel

PRODID = "-//Comptoir//Calendar//EN"
EXPORT_FIELDS = ["name", "start", "stop", "allday", "start_date", "stop_date", "event_tz",
                 "rrule", "exdate", "rdate", "location", "description", "user_id",
                 "attendee_ids", "privacy", "uid", "sequence", "write_date", "create_date"]
PARTSTAT = {"needsAction": "NEEDS-ACTION", "accepted": "ACCEPTED",
            "declined": "DECLINED", "tentative": "TENTATIVE"}


def _moment(value: dt.datetime, tz_name: str) -> dt.datetime:
    aware = value.replace(tzinfo=UTC)
    tz = zone(tz_name)
    return aware if tz is UTC else aware.astimezone(tz)


def build_calendar(events: "BaseModel", name: str = "Comptoir") -> icalendar.Calendar:
    """A VCALENDAR of ``events`` (read as the caller: access rules apply); a constant
    number of queries (events, attendees, partners, organizers)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    rows = events.read(EXPORT_FIELDS) if events else []
    attendee_ids = [a for row in rows for a in row["attendee_ids"]]
    answers = {a["id"]: a for a in events.env["calendar.attendee"].browse(
        attendee_ids).read(["partner_id", "state"])} if attendee_ids else {}
    partner_ids = {a["partner_id"][0] for a in answers.values() if a["partner_id"]}
    user_ids = {row["user_id"][0] for row in rows if row["user_id"]}
    emails = {p["id"]: p for p in events.env["res.partner"].sudo().browse(
        sorted(partner_ids)).read(["name", "email"])} if partner_ids else {}
    organizers = {u["id"]: u for u in events.env["res.users"].sudo().browse(
        sorted(user_ids)).read(["name", "email"])} if user_ids else {}
    for row in rows:
        calendar.add_component(_vevent(row, answers, emails, organizers))
    calendar.add_missing_timezones()
    return calendar


def _vevent(row: dict[str, Any], answers: dict, partners: dict,
            organizers: dict) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", row["uid"])
    event.add("summary", row["name"])
    event.add("sequence", row["sequence"] or 0)
    event.add("dtstamp", (row["write_date"] or row["create_date"] or
                          dt.datetime.now(UTC).replace(tzinfo=None)).replace(tzinfo=UTC))
    tz_name = row["event_tz"] or "UTC"
    allday = bool(row["allday"])
    if allday:
        first = row["start_date"] or row["start"].date()
        last = row["stop_date"] or first
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))
    else:
        event.add("dtstart", _moment(row["start"], tz_name))
        event.add("dtend", _moment(row["stop"], tz_name))
    if row["rrule"]:
        event.add("rrule", icalendar.vRecur.from_ical(row["rrule"]))
    for name in ("exdate", "rdate"):
        values = parse_tokens(row[name], allday, zone(tz_name)) if row[name] else []
        if values:
            event.add(name, [v if allday else _moment(v, tz_name) for v in values])
    if row["location"]:
        event.add("location", row["location"])
    if row["description"]:
        event.add("description", _plain(row["description"]))
    event.add("class", "PRIVATE" if row["privacy"] == "private" else "PUBLIC")
    organizer = organizers.get(row["user_id"][0]) if row["user_id"] else None
    if organizer and organizer.get("email"):
        event.add("organizer", f"mailto:{organizer['email']}",
                  parameters={"CN": organizer["name"]})
    for attendee_id in row["attendee_ids"]:
        answer = answers.get(attendee_id)
        partner = partners.get(answer["partner_id"][0]) if answer else None
        if not partner or not partner.get("email"):
            continue
        event.add("attendee", f"mailto:{partner['email']}",
                  parameters={"CN": partner["name"],
                              "PARTSTAT": PARTSTAT.get(answer["state"], "NEEDS-ACTION")})
    return event


def _plain(html: str) -> str:
    """Description text without tags (clients show DESCRIPTION as plain text)."""
    import re
    from html import unescape
    text = re.sub(r"<\s*(br|/p|/div|/li)\s*/?>", "\n", html, flags=re.I)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()
