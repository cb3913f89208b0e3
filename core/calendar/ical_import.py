"""``.ics`` import: events from any calendar client, idempotent by UID.

Real files are messy (see ``docs/calendar.md``): a stray line, a broken EXDATE, a rule
with spaces, a Windows time zone name or a home-made VTIMEZONE, no UID at all. The
import repairs what it can and says so (``warnings``), skips what it cannot with the
reason (``skipped``), and fails as a whole only when the file is not a calendar at all.
Re-importing updates events by UID unless the file's SEQUENCE is older than the stored
one. Attendees are matched to contacts by e-mail and created when unknown.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _
from .models.calendar_attendee import PARTSTAT
from .recurrence import UTC, format_tokens, known_zone, zone
from .report import ImportReport

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)?[;:]")
NOT_EVENTS = ("VFREEBUSY", "VTODO", "VJOURNAL")


def _not_an_event(kind: str) -> str:
    return {"VFREEBUSY": _("free/busy information is not an event"),
            "VTODO": _("a task is not an event"),
            "VJOURNAL": _("a journal entry is not an event")}[kind]


def parse_calendars(data: bytes, report: ImportReport) -> list[icalendar.Calendar]:
    """The VCALENDARs of ``data``; lines that are not iCalendar content lines are dropped
    (with a warning) when the strict parse fails."""
    try:
        return list(icalendar.Calendar.from_ical(data, multiple=True))
    except (ValueError, KeyError, IndexError) as exc:
        first_error = exc
    text = data.decode("utf-8", errors="replace")
    kept = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") or not line.strip() or _CONTENT_LINE.match(line):
            kept.append(line)
        else:
            report.warnings.append((_("line %(number)s", number=number),
                                    _("ignored: '%(line)s' is not an iCalendar line",
                                      line=line[:60])))
    try:
        return list(icalendar.Calendar.from_ical("\r\n".join(kept).encode(), multiple=True))
    except (ValueError, KeyError, IndexError):
        raise UserError(_("This file is not a readable iCalendar (.ics) file: %(error)s",
                          error=str(first_error)[:200])) from None


def import_ics(env: "Environment", data: bytes) -> ImportReport:
    """Import the events of ``data`` into the calendar of ``env``'s user (who becomes
    their organizer; the file's organizer is added as an attendee)."""
    report = ImportReport()
    if not data or b"BEGIN:VCALENDAR" not in data.upper():
        raise UserError(_("This file is not an iCalendar (.ics) file: it has no "
                          "BEGIN:VCALENDAR."))
    calendars = parse_calendars(data, report)
    if not any(calendar.subcomponents for calendar in calendars):
        raise UserError(_("This calendar holds no event."))
    user_tz = env.context.get("tz") or env.user.tz or "UTC"
    parsed: list[dict[str, Any]] = []
    for calendar in calendars:
        for component in calendar.subcomponents:
            kind = component.name
            if kind in NOT_EVENTS:
                report.skipped.append((_("%(kind)s %(uid)s", kind=kind,
                                         uid=_text(component.get("UID")) or ""),
                                       _not_an_event(kind)))
            if kind != "VEVENT":
                continue
            try:
                parsed.append(_read_event(component, user_tz, report))
            except (ValueError, TypeError, KeyError, AttributeError, ValidationError) as exc:
                label = _text(component.get("SUMMARY")) or _text(component.get("UID")) \
                    or _("an event")
                report.skipped.append((label, _("unreadable: %(error)s",
                                               error=str(exc)[:200])))
    _deduplicate(parsed, report)
    if parsed:
        _store(env, parsed, report)
    return report


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    try:
        return str(value).strip()
    except (TypeError, ValueError):
        return ""


def _read_event(component: Any, user_tz: str, report: ImportReport) -> dict[str, Any]:
    summary = _text(component.get("SUMMARY"))
    description = _text(component.get("DESCRIPTION"))
    start_prop = component.get("DTSTART")
    if start_prop is None or not hasattr(start_prop, "dt"):
        raise ValueError(_("it has no start (DTSTART)"))
    start = start_prop.dt
    label = summary or (description.splitlines()[0][:60] if description else "") or \
        _("Untitled event")
    allday = isinstance(start, dt.date) and not isinstance(start, dt.datetime)
    tz_name, note = _zone_name(start, user_tz)
    if note:
        report.warnings.append((label, note))
    end = _end(component, start, allday)
    vals: dict[str, Any] = {"name": label[:250], "allday": allday, "event_tz": tz_name}
    if allday:
        vals.update({"start_date": start,
                     "stop_date": max(end - dt.timedelta(days=1), start)})
    else:
        vals.update({"start": _utc(start, tz_name), "stop": _utc(end, tz_name)})
    if not summary:
        report.warnings.append((label, _("no title (SUMMARY): named after its description")
                                if description else _("no title (SUMMARY)")))
    if description:
        vals["description"] = "".join(f"<p>{_escape(line)}</p>"
                                      for line in description.splitlines() if line.strip())
    if _text(component.get("LOCATION")):
        vals["location"] = _text(component.get("LOCATION"))[:250]
    if _text(component.get("CLASS")).upper() in ("PRIVATE", "CONFIDENTIAL"):
        vals["privacy"] = "private"
    rule = component.get("RRULE")
    if rule is not None:
        raw = rule.to_ical().decode() if hasattr(rule, "to_ical") else str(rule)
        cleaned = raw.replace("\\;", ";").replace("\\,", ",")
        if re.search(r"\s", cleaned):
            report.warnings.append((label, _("spaces removed from its recurrence rule")))
        vals["rrule"] = cleaned
    vals["exdate"] = _dates(component, "EXDATE", allday, tz_name, label, report)
    vals["rdate"] = _dates(component, "RDATE", allday, tz_name, label, report)
    uid = _text(component.get("UID"))
    if not uid or uid.lower() == "null":
        seed = "|".join([str(start), str(end), summary, description])
        uid = hashlib.sha1(seed.encode()).hexdigest() + "@import"
        report.warnings.append((label, _("no UID: one was derived from its content, so "
                                         "importing the file again updates it")))
    recurrence_of = component.get("RECURRENCE-ID")
    if recurrence_of is not None:
        moment = recurrence_of.dt
        token = format_tokens([moment if not isinstance(moment, dt.datetime)
                               else _utc(moment, tz_name)])
        vals["recurrence_date"] = _utc(moment, tz_name) if isinstance(
            moment, dt.datetime) else dt.datetime.combine(moment, dt.time())
        vals["_series_uid"] = uid
        uid = f"{uid}-{token}"
    try:
        sequence = int(_text(component.get("SEQUENCE")) or 0)
    except ValueError:
        sequence = 0
    vals.update({"uid": uid[:250], "sequence": sequence,
                 "_people": _people(component), "_label": label})
    return vals


def _escape(text: str) -> str:
    from html import escape
    return escape(text)


@lru_cache(maxsize=64)
def _equivalent_zone(tz_key: str, probes: tuple[tuple[dt.datetime, dt.timedelta], ...],
                     preferred: str) -> str | None:
    """An IANA zone with the same UTC offsets as a custom VTIMEZONE at the probes."""
    candidates = [preferred] + sorted(available_timezones())
    for name in candidates:
        if not known_zone(name):
            continue
        tz = ZoneInfo(name)
        if all(moment.replace(tzinfo=tz).utcoffset() == offset for moment, offset in probes):
            return name
    return None


def _zone_name(start: Any, user_tz: str) -> tuple[str, str]:
    """The IANA zone of an event start, and a note when it had to be guessed."""
    if not isinstance(start, dt.datetime):
        return user_tz, ""
    tzinfo = start.tzinfo
    if tzinfo is None:
        return user_tz, ""
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if key and known_zone(key):
        return key, ""
    if start.utcoffset() == dt.timedelta(0) and str(tzinfo) in ("UTC", "UTC+00:00"):
        return "UTC", ""
    name = _text(getattr(tzinfo, "_tzid", "")) or str(tzinfo)
    if name in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[name], ""
    probes = tuple((dt.datetime(start.year, month, 15, 12), start.replace(
        month=month, day=15, hour=12).utcoffset()) for month in (1, 7))
    guess = _equivalent_zone(name, probes, user_tz)
    if guess:
        return guess, _("time zone '%(name)s' is not a standard one: treated as %(zone)s "
                        "(same offsets)", name=name, zone=guess)
    return "UTC", _("time zone '%(name)s' is unknown: times kept, repeats follow UTC",
                    name=name)


def _utc(value: dt.datetime | dt.date, tz_name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return value.astimezone(UTC).replace(tzinfo=None)


def _end(component: Any, start: Any, allday: bool) -> Any:
    end_prop = component.get("DTEND")
    if end_prop is not None and hasattr(end_prop, "dt"):
        end = end_prop.dt
        if allday and isinstance(end, dt.datetime):
            end = end.date()
        if not allday and not isinstance(end, dt.datetime):
            end = dt.datetime.combine(end, dt.time(), start.tzinfo)
        return max(end, start)
    duration = component.get("DURATION")
    if duration is not None and hasattr(duration, "dt"):
        return start + duration.dt
    return start + dt.timedelta(days=1) if allday else start


def _dates(component: Any, name: str, allday: bool, tz_name: str, label: str,
           report: ImportReport) -> str:
    prop = component.get(name)
    if prop is None:
        return ""
    values = []
    for item in prop if isinstance(prop, list) else [prop]:
        try:
            dts = item.dts
        except Exception:   # icalendar raises its own error class for broken values
            report.warnings.append((label, _("an unreadable %(name)s value was ignored",
                                             name=name)))
            continue
        for value in dts:
            moment = value.dt[0] if isinstance(value.dt, tuple) else value.dt
            if allday:
                if isinstance(moment, dt.datetime):
                    moment = moment.date()
                values.append(moment)
            else:
                values.append(_utc(moment, tz_name))
    return format_tokens(values)


def _email(value: Any) -> str:
    text = _text(value)
    return text[7:].strip().lower() if text.lower().startswith("mailto:") else ""


def _people(component: Any) -> list[tuple[str, str, str]]:
    """``(email, name, state)`` of the organizer and attendees."""
    people = []
    organizer = component.get("ORGANIZER")
    if organizer is not None and _email(organizer):
        params = getattr(organizer, "params", {})
        people.append((_email(organizer), _text(params.get("CN")), "accepted"))
    attendees = component.get("ATTENDEE") or []
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        email = _email(attendee)
        if email:
            params = getattr(attendee, "params", {})
            state = PARTSTAT.get(_text(params.get("PARTSTAT")).upper(), "needsAction")
            people.append((email, _text(params.get("CN")), state))
    return people


def _deduplicate(parsed: list[dict[str, Any]], report: ImportReport) -> None:
    """One event per UID: the highest SEQUENCE wins."""
    best: dict[str, dict[str, Any]] = {}
    for vals in parsed:
        other = best.get(vals["uid"])
        if other is None or vals["sequence"] > other["sequence"]:
            if other is not None:
                report.skipped.append((other["_label"], _("an older version of an event "
                                                           "later in the file")))
            best[vals["uid"]] = vals
        else:
            report.skipped.append((vals["_label"], _("the same event appears earlier in "
                                                      "the file")))
    parsed[:] = list(best.values())


def _partners(env: "Environment", parsed: list[dict[str, Any]]) -> dict[str, int]:
    """Partner id per e-mail: existing contacts (one search), new ones (one create)."""
    names: dict[str, str] = {}
    for vals in parsed:
        for email, name, _state in vals["_people"]:
            names.setdefault(email, name or email)
    if not names:
        return {}
    partners = env["res.partner"]
    found: dict[str, int] = {}
    for row in partners.search_read([("email", "in", sorted(names))], ["email"],
                                    order="id"):
        found.setdefault(row["email"].lower(), row["id"])
    missing = [email for email in sorted(names) if email not in found]
    if missing:
        created = partners.create([{"name": names[e], "email": e} for e in missing])
        found.update(zip(missing, created.ids))
    return found


def _store(env: "Environment", parsed: list[dict[str, Any]], report: ImportReport) -> None:
    events = env["calendar.event"].with_context(active_test=False)
    partner_of = _partners(env, parsed)
    uids = [v["uid"] for v in parsed] + [v["_series_uid"] for v in parsed
                                         if "_series_uid" in v]
    existing = {row["uid"]: row for row in events.search_read(
        [("uid", "in", uids)], ["uid", "sequence", "exdate"])}
    own = env.user.partner_id.id
    stored: dict[str, "BaseModel"] = {}
    for vals in sorted(parsed, key=lambda v: "_series_uid" in v):   # series first
        label = vals.pop("_label")
        people = vals.pop("_people")
        series_uid = vals.pop("_series_uid", None)
        vals["partner_ids"] = [(6, 0, sorted({partner_of[e] for e, _n, _s in people} |
                                             {own}))]
        if series_uid:
            series = stored.get(series_uid) or events.search([("uid", "=", series_uid)],
                                                             limit=1)
            if series:
                vals["recurrence_id"] = series.id
            else:
                report.warnings.append((label, _("a changed occurrence whose series is "
                                                 "not in the file: imported on its own")))
        current = existing.get(vals["uid"])
        try:
            with env.savepoint():
                if current and current["sequence"] > vals["sequence"]:
                    report.skipped.append((label, _(
                        "older than the stored version (SEQUENCE %(theirs)s < %(ours)s)",
                        theirs=vals["sequence"], ours=current["sequence"])))
                    continue
                if current:
                    record = events.browse(current["id"])
                    record.write({**vals, "active": True})
                    report.updated.append(label)
                else:
                    record = events.create(vals)
                    report.created.append(label)
                stored[vals["uid"]] = record
                _set_answers(record, people, partner_of)
        except (ValidationError, UserError) as exc:
            report.skipped.append((label, str(exc)))
    _exclude_detached(events, stored)


def _set_answers(event: "BaseModel", people: list[tuple[str, str, str]],
                 partner_of: dict[str, int]) -> None:
    states: dict[str, list[int]] = {}
    for email, _name, state in people:
        states.setdefault(state, []).append(partner_of[email])
    attendees = event.env["calendar.attendee"]
    for state, partner_ids in states.items():
        if state != "needsAction":
            attendees.search([("event_id", "=", event.id),
                              ("partner_id", "in", partner_ids)]).write({"state": state})


def _exclude_detached(events: "BaseModel", stored: dict[str, "BaseModel"]) -> None:
    """A changed occurrence replaces its slot in the series (EXDATE on the series)."""
    for record in stored.values():
        if record.recurrence_id and record.recurrence_date:
            series = record.recurrence_id
            token = format_tokens([record.recurrence_date.date() if series.allday
                                   else record.recurrence_date])
            tokens = set(filter(None, (series.exdate or "").split(",")))
            if token not in tokens:
                series.write({"exdate": ",".join(sorted(tokens | {token})),
                              "sequence": series.sequence})
