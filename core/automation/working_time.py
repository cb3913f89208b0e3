"""Working time: the arithmetic of service-level clocks, in working hours.

A :class:`WorkingSchedule` is a week of working intervals in local time (``09:00-12:00``,
``13:00-17:00`` on weekdays...), a time zone and the periods off (public holidays, closures),
built from a ``resource.calendar`` (see ``core/base/models/resource_calendar.py``) or
directly. It answers the two questions an SLA asks:

* :meth:`WorkingSchedule.add` — when is ``start`` plus *n* working hours (a deadline);
* :meth:`WorkingSchedule.between` — how much working time lies between two instants
  (time consumed).

A :class:`PausableClock` runs on a schedule and stops while paused (a ticket waiting for its
customer): :meth:`PausableClock.consumed` and :meth:`PausableClock.deadline`.

Instants are naive UTC datetimes, as the ORM stores them; working intervals are local time
of the schedule's zone, so a 9 o'clock start stays 9 o'clock across daylight-saving changes.
Pure functions of their inputs: no database, no clock (callers pass "now").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
#: how far :meth:`WorkingSchedule.add` looks ahead before deciding a target is unreachable
HORIZON_DAYS = 3 * 366

Interval = tuple[dt.datetime, dt.datetime]


class NoWorkingTime(ValueError):
    """The schedule has no working time where some was needed (an empty week, or a year
    of holidays): a deadline cannot be computed."""


def _to_utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def _subtract(interval: Interval, holes: tuple[Interval, ...]) -> Iterator[Interval]:
    start, end = interval
    for hole_start, hole_end in holes:
        if hole_end <= start:
            continue
        if hole_start >= end:
            break
        if hole_start > start:
            yield start, hole_start
        start = max(start, hole_end)
        if start >= end:
            return
    if start < end:
        yield start, end


@dataclass(frozen=True)
class WorkingSchedule:
    """``week[weekday]`` (Monday = 0) lists that day's working intervals as local
    ``(time, time)`` pairs (``time(0)`` as an end means midnight); ``off`` lists the
    periods off as naive UTC intervals."""

    week: tuple[tuple[tuple[dt.time, dt.time], ...], ...]
    tz: str = "UTC"
    off: tuple[Interval, ...] = field(default=())

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a working week has 7 days (Monday first)")
        object.__setattr__(self, "week", tuple(_merge_day(day) for day in self.week))
        object.__setattr__(self, "off", _merge(self.off))

    @classmethod
    def from_hours(cls, hours: Iterable[tuple[int, float, float]], tz: str = "UTC",
                   off: Iterable[Interval] = ()) -> "WorkingSchedule":
        """From ``(weekday, hour_from, hour_to)`` rows as ``resource.calendar`` keeps
        them (hours as floats: 8.5 is 08:30; 24 is midnight)."""
        days: list[list[tuple[dt.time, dt.time]]] = [[] for _ in range(7)]
        for weekday, hour_from, hour_to in hours:
            if hour_to > hour_from:
                days[int(weekday)].append((_time(hour_from), _time(hour_to)))
        return cls(tuple(tuple(sorted(day)) for day in days), tz, tuple(off))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz or "UTC")

    # -- the working intervals ----------------------------------------------------------------
    def _day(self, day: dt.date) -> Iterator[Interval]:
        zone = self.zone
        for begin, finish in self.week[day.weekday()]:
            start = _to_utc(dt.datetime.combine(day, begin), zone)
            end_day = day + dt.timedelta(days=1) if finish == dt.time(0) else day
            end = _to_utc(dt.datetime.combine(end_day, finish), zone)
            if start < end:
                yield from _subtract((start, end), self.off)

    def intervals(self, start: dt.datetime, end: dt.datetime) -> Iterator[Interval]:
        """The working intervals between ``start`` and ``end`` (clipped), in order."""
        zone = self.zone
        local = start.replace(tzinfo=UTC).astimezone(zone).date() - dt.timedelta(days=1)
        last = end.replace(tzinfo=UTC).astimezone(zone).date() + dt.timedelta(days=1)
        while local <= last:
            for a, b in self._day(local):
                a, b = max(a, start), min(b, end)
                if a < b:
                    yield a, b
            local += dt.timedelta(days=1)

    # -- the two questions --------------------------------------------------------------------
    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time between two instants (zero when ``end`` is not after ``start``)."""
        total = dt.timedelta()
        if end <= start:
            return total
        for a, b in self.intervals(start, end):
            total += b - a
        return total

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The first instant at which ``duration`` of working time has passed since
        ``start``; ``start`` itself for a zero duration. Raises :class:`NoWorkingTime`
        when the schedule offers no working time within :data:`HORIZON_DAYS`."""
        if duration <= dt.timedelta():
            return start
        remaining = duration
        for a, b in self.intervals(start, start + dt.timedelta(days=HORIZON_DAYS)):
            if b - a >= remaining:
                return a + remaining
            remaining -= b - a
        raise NoWorkingTime("no working time in this schedule")

    def is_working(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` falls in working time."""
        return any(a <= instant < b for a, b in self.intervals(
            instant, instant + dt.timedelta(seconds=1)))


def _minutes(moment: dt.time, end: bool = False) -> int:
    minutes = moment.hour * 60 + moment.minute
    return 24 * 60 if end and minutes == 0 else minutes


def _merge_day(day: Iterable[tuple[dt.time, dt.time]]) -> tuple[tuple[dt.time, dt.time], ...]:
    """A day's intervals sorted, overlapping ones joined (an hour is counted once)."""
    spans: list[list[int]] = []
    for begin, finish in sorted((_minutes(a), _minutes(b, end=True)) for a, b in day):
        if finish <= begin:
            continue
        if spans and begin <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], finish)
        else:
            spans.append([begin, finish])
    return tuple((_time(a / 60), _time(b / 60)) for a, b in spans)


def _time(hours: float) -> dt.time:
    if hours >= 24:
        return dt.time(0)
    minutes = round(hours * 60)
    return dt.time(minutes // 60, minutes % 60)


#: every hour of every day, UTC: a clock in plain elapsed time
ALWAYS = WorkingSchedule(tuple(((dt.time(0), dt.time(0)),) for _ in range(7)))


@dataclass(frozen=True)
class PausableClock:
    """A service-level clock on ``schedule``: started at ``start``, stopped during each
    ``pauses`` interval (``(begin, end)``, ``end`` None while still paused)."""

    schedule: WorkingSchedule
    start: dt.datetime
    pauses: tuple[tuple[dt.datetime, dt.datetime | None], ...] = ()

    def _running(self, now: dt.datetime) -> Iterator[Interval]:
        holes = _merge((max(a, self.start), min(b or now, now)) for a, b in self.pauses)
        yield from _subtract((self.start, now), holes) if now > self.start else ()

    def consumed(self, now: dt.datetime) -> dt.timedelta:
        """Working time the clock has counted by ``now``."""
        return sum((self.schedule.between(a, b) for a, b in self._running(now)),
                   dt.timedelta())

    def paused(self, now: dt.datetime) -> bool:
        return any(a <= now and (b is None or now < b) for a, b in self.pauses)

    def deadline(self, target: dt.timedelta, now: dt.datetime) -> dt.datetime | None:
        """When the clock reaches ``target`` if it runs from ``now`` on without another
        pause; None while paused (the deadline moves as long as the pause lasts)."""
        if self.paused(now):
            return None
        left = target - self.consumed(now)
        return self.schedule.add(max(now, self.start), left) if left > dt.timedelta() \
            else self._reached(target, now)

    def _reached(self, target: dt.timedelta, now: dt.datetime) -> dt.datetime:
        """The past instant the target was reached (a breach's date)."""
        left = target
        for a, b in self._running(now):
            span = self.schedule.between(a, b)
            if span >= left:
                return self.schedule.add(a, left)
            left -= span
        return now
