"""``resource.calendar``: working hours and days off, the time base of service levels.

A calendar is a week of working intervals (``resource.calendar.attendance``) in a time
zone, and days off (``resource.calendar.leave``: public holidays loaded for a country with
the ``holidays`` library, closures typed by an admin). Helpdesk SLAs, field-service
planning and any addon that counts "in working hours" ask a calendar:
:meth:`ResourceCalendar.add_working_hours`, :meth:`ResourceCalendar.working_hours_between`
and :meth:`ResourceCalendar.clock` (a clock that pauses), all computed by
:mod:`core.automation.working_time`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import Model, UserError, ValidationError, _, api, fields
from core.automation.working_time import Interval, PausableClock, WorkingSchedule

WEEKDAYS = [("0", "Monday"), ("1", "Tuesday"), ("2", "Wednesday"), ("3", "Thursday"),
            ("4", "Friday"), ("5", "Saturday"), ("6", "Sunday")]


class ResourceCalendar(Model):
    _name = "resource.calendar"
    _description = "Working Hours"
    _order = "name, id"

    name = fields.Char("Name", required=True, translate=True)
    tz = fields.Char("Time Zone", required=True, default="Europe/Paris",
                     help="Working hours are local times of this zone (e.g. Europe/Paris).")
    attendance_ids = fields.One2many("resource.calendar.attendance", "calendar_id",
                                     "Working Hours", copy=True)
    leave_ids = fields.One2many("resource.calendar.leave", "calendar_id", "Days Off",
                                copy=True)
    holiday_country = fields.Char("Public Holidays of", size=2, default="FR",
                                  help="ISO country code (FR, BE, CH...) whose public "
                                       "holidays the button loads.")
    holiday_subdivision = fields.Char("Region", size=8,
                                      help="A region with holidays of its own, e.g. 57 "
                                           "(Moselle) in France.")
    hours_per_week = fields.Float("Hours per Week", compute="_compute_hours_per_week",
                                  digits=(16, 2))
    active = fields.Boolean("Active", default=True)

    @api.depends("attendance_ids.hour_from", "attendance_ids.hour_to")
    def _compute_hours_per_week(self) -> None:
        for calendar in self:
            calendar.hours_per_week = sum(max(0.0, a.hour_to - a.hour_from)
                                          for a in calendar.attendance_ids)

    @api.constrains("tz")
    def _check_tz(self) -> None:
        for calendar in self:
            try:
                ZoneInfo(calendar.tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValidationError(_("“%(tz)s” is not a time zone (e.g. Europe/Paris).",
                                        tz=calendar.tz), field="tz") from None

    # -- the schedule -----------------------------------------------------------------------
    def _schedule(self) -> WorkingSchedule:
        """This calendar as a :class:`WorkingSchedule` (days off included)."""
        self.ensure_one()
        zone = ZoneInfo(self.tz)
        hours = [(int(a.dayofweek), a.hour_from, a.hour_to) for a in self.attendance_ids]
        leaves = self.env["resource.calendar.leave"].search(
            ["|", ("calendar_id", "=", self.id), ("calendar_id", "=", False)])
        return WorkingSchedule.from_hours(hours, self.tz, _off(leaves, zone))

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """``start`` (naive UTC) plus ``hours`` of working time: a deadline."""
        return self._schedule().add(start, dt.timedelta(hours=hours))

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours between two instants (naive UTC)."""
        return self._schedule().between(start, end).total_seconds() / 3600

    def clock(self, start: dt.datetime,
              pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = ()) -> PausableClock:
        """A clock on these working hours, started at ``start``, stopped during ``pauses``
        (``(begin, end)``, ``end`` None while it lasts)."""
        return PausableClock(self._schedule(), start, tuple(pauses))

    # -- public holidays ----------------------------------------------------------------------
    @api.model
    def _load_public_holidays_for(self, calendar_ids: list[int]) -> None:
        """Data files call this: public holidays of these calendars (this year and the
        next)."""
        self.browse(calendar_ids).action_load_public_holidays()

    def action_load_public_holidays(self, years: Iterable[int] | None = None) -> bool:
        """Add the public holidays of the calendar's country (this year and the next by
        default) as days off, named in the user's language where the ``holidays`` library
        knows it; those already there are kept as they are."""
        import holidays
        today = dt.date.today()
        years = list(years or (today.year, today.year + 1))
        language = "fr" if (self.env.lang or "").startswith("fr") else "en_US"
        leaves = self.env["resource.calendar.leave"]
        for calendar in self:
            country = (calendar.holiday_country or "").strip().upper()
            try:
                found = holidays.country_holidays(
                    country, subdiv=(calendar.holiday_subdivision or "").strip() or None,
                    years=years, language=language)
            except (NotImplementedError, KeyError):
                raise UserError(_("No public holidays are known for “%(country)s”.",
                                  country=country)) from None
            known = {leave.date_from for leave in calendar.leave_ids}
            leaves.create([{"calendar_id": calendar.id, "name": name, "date_from": day,
                            "date_to": day, "kind": "public"}
                           for day, name in sorted(found.items()) if day not in known])
        return True


def _off(leaves: Any, zone: ZoneInfo) -> list[Interval]:
    """Days off as naive UTC intervals, from local midnight to local midnight."""
    intervals = []
    for leave in leaves:
        start = dt.datetime.combine(leave.date_from, dt.time(0), zone)
        end = dt.datetime.combine((leave.date_to or leave.date_from) + dt.timedelta(days=1),
                                  dt.time(0), zone)
        intervals.append((start.astimezone(dt.timezone.utc).replace(tzinfo=None),
                          end.astimezone(dt.timezone.utc).replace(tzinfo=None)))
    return intervals


class ResourceCalendarAttendance(Model):
    _name = "resource.calendar.attendance"
    _description = "Working Interval"
    _order = "calendar_id, dayofweek, hour_from"

    calendar_id = fields.Many2one("resource.calendar", "Working Hours", required=True,
                                  ondelete="cascade", index=True)
    dayofweek = fields.Selection(WEEKDAYS, "Day", required=True, default="0")
    hour_from = fields.Float("From", required=True, digits=(16, 2),
                             help="In hours: 8.5 is 08:30.")
    hour_to = fields.Float("To", required=True, digits=(16, 2),
                           help="In hours: 17.5 is 17:30, 24 is midnight.")

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self) -> None:
        for line in self:
            if not 0 <= line.hour_from < line.hour_to <= 24:
                raise ValidationError(_("Working hours go from 0 to 24, the start before "
                                        "the end."), field="hour_to")


class ResourceCalendarLeave(Model):
    _name = "resource.calendar.leave"
    _description = "Day Off"
    _order = "date_from desc, id"

    name = fields.Char("Reason", required=True)
    calendar_id = fields.Many2one("resource.calendar", "Working Hours", ondelete="cascade",
                                  index=True, help="Empty: a day off for every calendar.")
    date_from = fields.Date("From", required=True, index=True)
    date_to = fields.Date("To", help="Included; empty for a single day.")
    kind = fields.Selection([("public", "Public holiday"), ("closure", "Closure")], "Kind",
                            default="closure", required=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self) -> None:
        for leave in self:
            if leave.date_to and leave.date_to < leave.date_from:
                raise ValidationError(_("A day off cannot end before it starts."),
                                      field="date_to")
