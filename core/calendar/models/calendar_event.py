"""``calendar.event``: meetings with attendees, in UTC, optionally recurring (RFC 5545).

Timed events store ``start``/``stop`` as naive UTC. All-day events are dates
(``start_date``, ``stop_date`` inclusive); ``start``/``stop`` then hold the floating
midnights around them, so one range query finds both kinds. A recurring event keeps its
rule as text (RRULE, EXDATE, RDATE, see :mod:`core.calendar.recurrence`) and is expanded
on reading, never stored occurrence by occurrence; ``recurrence_end`` (stored) lets one
SQL query find every series touching a range.

Attendees: ``partner_ids`` (users are partners too) is what users edit and what record
rules test; ``attendee_ids`` follows it, one ``calendar.attendee`` per partner with its
answer. Private events are readable by their organizer and attendees only; others see
their time as "Busy" (see :meth:`CalendarEvent.occurrences`).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError

from .. import recurrence
from ..occurrences import collect_occurrences

TIME_FIELDS = ("start", "stop", "allday", "start_date", "stop_date", "event_tz", "rrule",
               "exdate", "rdate")
#: changes that make the event's iCalendar SEQUENCE grow (RFC 5545 §3.8.7.4)
SIGNIFICANT = frozenset(TIME_FIELDS) | {"name", "location"}


def new_uid() -> str:
    return f"{uuid.uuid4()}@comptoir"


class CalendarEvent(Model):
    _name = "calendar.event"
    _description = "Calendar Event"
    _order = "start desc, id desc"

    name = fields.Char("Meeting Subject", required=True)
    start = fields.Datetime("Start", required=True, index=True,
                            default=lambda self: _next_hour())
    stop = fields.Datetime("End", required=True,
                           default=lambda self: _next_hour() + dt.timedelta(hours=1))
    allday = fields.Boolean("All Day", default=False)
    start_date = fields.Date("Start Date")
    stop_date = fields.Date("End Date", help="The last day of an all-day event.")
    duration = fields.Float("Duration (hours)", compute="_compute_duration", store=True,
                            digits=(16, 2))
    event_tz = fields.Char("Time Zone", default=lambda self: self.env.context.get("tz")
                           or self.env.user.tz or "UTC",
                           help="Recurrences repeat at the same local time in this zone.")
    location = fields.Char("Location")
    description = fields.Html("Description")
    user_id = fields.Many2one("res.users", "Organizer", index=True,
                              default=lambda self: self.env.uid)
    partner_ids = fields.Many2many("res.partner", "calendar_event_res_partner_rel",
                                   "event_id", "partner_id", "Attendees")
    attendee_ids = fields.One2many("calendar.attendee", "event_id", "Answers")
    privacy = fields.Selection([("public", "Public"), ("private", "Private")], "Privacy",
                               default="public", required=True,
                               help="Others see a private event as 'Busy'.")
    rrule = fields.Char("Recurrence Rule",
                        help="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE")
    exdate = fields.Text("Excluded Dates", help="Occurrences removed from the series.")
    rdate = fields.Text("Extra Dates", help="Occurrences added to the series.")
    recurrence_end = fields.Datetime("Series End", compute="_compute_recurrence_end",
                                     store=True, index=True)
    recurrence_id = fields.Many2one("calendar.event", "Detached From", ondelete="cascade",
                                    index=True, readonly=True)
    recurrence_date = fields.Datetime("Original Occurrence", readonly=True)
    uid = fields.Char("iCalendar UID", required=True, index=True, copy=False,
                      default=lambda self: new_uid())
    sequence = fields.Integer("Revision", default=0, copy=False)
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("uid_unique", "unique(uid)",
                         "Another event already has this iCalendar UID.")]

    @api.depends("start", "stop")
    def _compute_duration(self) -> None:
        for event in self:
            if event.start and event.stop:
                event.duration = round((event.stop - event.start).total_seconds() / 3600, 2)
            else:
                event.duration = 0.0

    @api.depends("start", "stop", "allday", "event_tz", "rrule", "exdate", "rdate")
    def _compute_recurrence_end(self) -> None:
        for event in self:
            if not event.start or not event.stop:
                event.recurrence_end = event.stop or event.start
                continue
            try:
                event.recurrence_end = event._series().end()
            except ValidationError:
                event.recurrence_end = recurrence.FOREVER

    def _series(self) -> recurrence.Series:
        return recurrence.Series(self.start, self.stop, bool(self.allday),
                                 self.event_tz or "UTC", self.rrule or "",
                                 self.exdate or "", self.rdate or "")

    @api.constrains("start", "stop")
    def _check_dates(self) -> None:
        for event in self:
            if event.start and event.stop and event.stop < event.start:
                raise ValidationError(_("The event must end after it starts."), field="stop")

    @api.constrains("event_tz")
    def _check_event_tz(self) -> None:
        for event in self:
            if event.event_tz and not recurrence.known_zone(event.event_tz):
                raise ValidationError(_("'%(zone)s' is not a known time zone.",
                                        zone=event.event_tz), field="event_tz")

    # -- writing -------------------------------------------------------------------------
    def _prepare_vals(self, vals: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """Keep dates and datetimes of all-day events in step; clean the rule."""
        vals = dict(vals)
        merged = {**current, **vals}
        allday = bool(merged.get("allday"))
        tz = recurrence.zone(merged.get("event_tz") or "UTC")
        if allday:
            first, last = _allday_bounds(vals, current)
            if first:
                last = max(last or first, first)
                vals.update({"start_date": first, "stop_date": last,
                             "start": dt.datetime.combine(first, dt.time()),
                             "stop": dt.datetime.combine(last + dt.timedelta(days=1),
                                                         dt.time())})
        elif "allday" in vals and current.get("allday"):
            vals.setdefault("start_date", False)
            vals.setdefault("stop_date", False)
        if vals.get("rrule"):
            vals["rrule"] = recurrence.normalize_rule(vals["rrule"], allday, tz)
        for name in ("exdate", "rdate"):
            if vals.get(name):
                values = recurrence.parse_tokens(vals[name], allday, tz)
                vals[name] = recurrence.format_tokens(values)
        return vals

    @api.model
    def create(self, vals_list):  # type: ignore[override]
        single = isinstance(vals_list, dict)
        vals_list = [self._prepare_vals(v, {}) for v in
                     ([vals_list] if single else list(vals_list))]
        events = super().create(vals_list)
        events._sync_attendees()
        return events[0] if single else events

    def write(self, vals: dict[str, Any]) -> bool:
        if set(vals) & set(TIME_FIELDS) and self:
            current_rows = self.read([n for n in TIME_FIELDS if n in self._fields])
            groups: dict[tuple, list[int]] = {}
            for row in current_rows:
                key = tuple((k, row[k]) for k in TIME_FIELDS)
                groups.setdefault(key, []).append(row["id"])
            if len(groups) > 1:
                for ids in groups.values():
                    self.browse(ids).write(vals)
                return True
            vals = self._prepare_vals(vals, current_rows[0])
        bump = bool(set(vals) & SIGNIFICANT) and "sequence" not in vals
        result = super().write(vals)
        if bump:
            self._bump_sequence()
        if "partner_ids" in vals:
            self._sync_attendees()
        return result

    def _bump_sequence(self) -> None:
        by_sequence: dict[int, list[int]] = {}
        for row in self.read(["sequence"]):
            by_sequence.setdefault(row["sequence"], []).append(row["id"])
        for sequence, ids in by_sequence.items():
            super(CalendarEvent, self.browse(ids)).write({"sequence": sequence + 1})

    def _sync_attendees(self) -> None:
        """One ``calendar.attendee`` per partner in ``partner_ids``: create the missing
        ones, delete those whose partner left (a constant number of queries)."""
        if self.env.context.get("calendar_no_sync") or not self:
            return
        rows = self.read(["partner_ids"])
        attendees = self.env["calendar.attendee"].with_context(calendar_no_sync=True)
        existing = attendees.search_read([("event_id", "in", self.ids)],
                                         ["event_id", "partner_id"])
        have = {(a["event_id"][0], a["partner_id"][0]): a["id"] for a in existing}
        wanted = {(row["id"], pid) for row in rows for pid in row["partner_ids"]}
        missing = [{"event_id": e, "partner_id": p} for e, p in sorted(wanted - set(have))]
        gone = [have[key] for key in set(have) - wanted]
        if gone:
            attendees.browse(gone).unlink()
        if missing:
            attendees.create(missing)

    # -- reading ---------------------------------------------------------------------------
    @api.model
    def occurrences(self, start: dt.datetime, stop: dt.datetime,
                    user_ids: list[int] | None = None,
                    domain: list | None = None) -> list[dict[str, Any]]:
        """Every occurrence overlapping [start, stop) (naive UTC) of the events the
        current user may read, recurring series expanded; with ``user_ids``, only the
        events those users organize or attend, plus their private events the current
        user may not read, as "Busy" blocks without any detail. A constant number of
        queries, whatever the number of events."""
        return collect_occurrences(self, start, stop, user_ids, domain)

    def detach_occurrence(self, occurrence_start: dt.datetime,
                          vals: dict[str, Any]) -> "CalendarEvent":
        """Turn one occurrence of this series into an event of its own (with ``vals``
        applied, e.g. new times) and remove it from the series (EXDATE)."""
        self.ensure_one()
        if not self.rrule:
            raise ValidationError(_("This event does not repeat."), field="rrule")
        series = self._series()
        if occurrence_start not in set(series.starts(occurrence_start,
                                                     occurrence_start + dt.timedelta(seconds=1))):
            raise ValidationError(_("The series has no occurrence at this time."),
                                  field="start")
        token = recurrence.format_tokens([occurrence_start.date() if self.allday
                                          else occurrence_start])
        duration = self.stop - self.start
        copy_vals = {
            "name": self.name, "location": self.location, "description": self.description,
            "user_id": self.user_id.id, "privacy": self.privacy, "allday": self.allday,
            "event_tz": self.event_tz, "partner_ids": [(6, 0, self.partner_ids.ids)],
            "start": occurrence_start, "stop": occurrence_start + duration,
            "recurrence_id": self.id, "recurrence_date": occurrence_start,
            "uid": f"{self.uid}-{token}", "sequence": self.sequence,
        }
        if self.allday:
            days = (self.stop_date - self.start_date) if self.stop_date else dt.timedelta(0)
            copy_vals.update({"start_date": occurrence_start.date(),
                              "stop_date": occurrence_start.date() + days})
        detached = self.create({**copy_vals, **vals})
        exdate = ",".join(t for t in ((self.exdate or ""), token) if t)
        self.write({"exdate": exdate})
        return detached


def _next_hour() -> dt.datetime:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


def _allday_bounds(vals: dict[str, Any],
                   current: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of an all-day event from what is written (dates, or the
    datetimes a generic view sends: the stop is then the exclusive next midnight)."""
    if "start_date" in vals or "stop_date" in vals:     # a form: the dates rule
        first, last = _as_date(vals.get("start_date")), _as_date(vals.get("stop_date"))
    else:
        first, last = _as_date(vals.get("start")), None
    if last is None and vals.get("stop") and "stop_date" not in vals:
        stop = _as_datetime(vals["stop"])
        last = (stop - dt.timedelta(seconds=1)).date() if stop.time() == dt.time() \
            else stop.date()
    old_first = _as_date(current.get("start_date")) or _as_date(current.get("start"))
    old_last = _as_date(current.get("stop_date")) or old_first
    if first is None:
        first = old_first
    elif last is None and old_first and old_last:      # moved: keep the length
        last = first + (old_last - old_first)
    return first, last or old_last


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a valid date and time.", value=value),
                              field="stop") from None


def _as_date(value: Any) -> dt.date | None:
    if value in (None, False, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a valid date.", value=value),
                              field="start_date") from None

