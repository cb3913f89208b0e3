"""The calendar view: records placed on a month grid, a week or a day by their start date.

URLs: ``/web/action/<action>/calendar?mode=day|week|month&date=YYYY-MM-DD`` (plus the list's
search parameters, see :mod:`.search`) renders the page on the server; ``POST
.../calendar/move`` moves a record to another day, from the page's script (JSON
``{record_id, date, version}``, answered in JSON) or from each event's "Move to date" form
(redirected back to the calendar).

Stored datetimes are naive UTC; the grid is drawn in the user's time zone, so the visible
range is converted to UTC for the domain, and a moved event keeps its local time of day.
Events are fetched with one ``search`` and one ``read``, whatever their number.

Models that list their own occurrences (``calendar.event``: a model method
``occurrences(start, stop, user_ids, domain)``, see ``core/calendar``) show every
occurrence of a recurring series, and the page offers *shared calendars*: tick colleagues
(``people=<user id>``, repeated) to see their agendas together, one colour per person with
a legend naming them (each event also names its people in words), their private events as
"Busy" blocks. Dragging one occurrence of a series moves that occurrence only: it becomes
an event of its own and the series skips that date (``detach_occurrence``).
"""
from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from typing import Any

from babel import dates as babel_dates
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, ConflictError, UserError, ValidationError
from ...i18n import formatting
from ...i18n.translate import _
from ..http import Request, route
from . import values
from .controllers import _action, _context, _rights
from .search import SearchState, SearchView

MODES = ("month", "week", "day")
#: number of colour classes in calendar.css (``cal-color-0`` ... ``cal-color-7``)
PALETTE_SIZE = 8
UTC = dt.timezone.utc


@dataclass
class Day:
    date: dt.date
    in_period: bool = True
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def iso(self) -> str:
        return self.date.isoformat()


def visible_range(mode: str, day: dt.date, first_weekday: int) -> tuple[dt.date, dt.date]:
    """The first and the last day (inclusive) shown for ``day`` in ``mode``; a month grid
    covers whole weeks starting on ``first_weekday`` (0 is Monday, babel's numbering)."""
    if mode == "day":
        return day, day
    if mode == "week":
        start = day - dt.timedelta(days=(day.weekday() - first_weekday) % 7)
        return start, start + dt.timedelta(days=6)
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    start = first - dt.timedelta(days=(first.weekday() - first_weekday) % 7)
    end = last + dt.timedelta(days=(first_weekday - 1 - last.weekday()) % 7)
    return start, end


def step(mode: str, day: dt.date, direction: int) -> dt.date:
    """The day shown by the previous (-1) or next (+1) page."""
    if mode == "day":
        return day + dt.timedelta(days=direction)
    if mode == "week":
        return day + dt.timedelta(days=7 * direction)
    month = day.year * 12 + day.month - 1 + direction
    return dt.date(month // 12, month % 12 + 1, 1)


def to_utc(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Local midnight of ``day`` as a naive UTC datetime (how datetimes are stored)."""
    return dt.datetime.combine(day, dt.time(), zone).astimezone(UTC).replace(tzinfo=None)


def to_local(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return value.replace(tzinfo=UTC).astimezone(zone)


def range_domain(start_field: str, stop_field: str | None, kinds: dict[str, str],
                 first: dt.date, last: dt.date, zone: dt.tzinfo) -> list:
    """Records starting in [first, last], or (with a stop field) overlapping it."""
    def bounds(name: str) -> tuple[Any, Any]:
        if kinds[name] == "datetime":
            return to_utc(first, zone), to_utc(last + dt.timedelta(days=1), zone)
        return first, last + dt.timedelta(days=1)

    low, high = bounds(start_field)
    starts_inside = [(start_field, ">=", low), (start_field, "<", high)]
    if not stop_field:
        return starts_inside
    stop_low, _high = bounds(stop_field)
    return ["&", (start_field, "<", high),
            "|", (start_field, ">=", low), "&", (stop_field, "!=", False),
            (stop_field, ">=", stop_low)]


def colour_class(value: Any) -> str:
    """A stable palette entry for a colour field's value (ids, selection keys, text)."""
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    if value in (False, None, ""):
        return "cal-color-none"
    index = value if isinstance(value, int) else zlib.crc32(str(value).encode())
    return f"cal-color-{index % PALETTE_SIZE}"


class CalendarArch:
    """What a compiled calendar view says: which fields place, colour and label events."""

    def __init__(self, compiled: Any, kinds: dict[str, str]) -> None:
        arch = compiled.arch
        self.date_start = arch.get("date_start")
        self.date_stop = arch.get("date_stop") or None
        self.color = arch.get("color") or None
        self.mode = arch.get("mode") if arch.get("mode") in MODES else "month"
        self.fields = compiled.fields
        self.labels = [n.get("name") for n in arch.iter("field")
                       if n.get("name") in compiled.fields and
                       n.get("invisible") not in ("1", "True")]
        for name in (self.date_start, self.date_stop):
            if name and kinds.get(name) not in ("date", "datetime"):
                raise ValidationError(_("The calendar's field '%(field)s' is not a date.",
                                        field=name))

    def read_fields(self) -> list[str]:
        names = [self.date_start, self.date_stop, self.color, *self.labels,
                 "display_name", "version"]
        return list(dict.fromkeys(n for n in names if n))


def _place(rows: list[dict], cal: CalendarArch, kinds: dict[str, str], days: list[Day],
           zone: dt.tzinfo, lang: str, describe: dict[str, dict]) -> None:
    """Put each read record on every shown day it covers, in time order."""
    by_date = {d.date: d for d in days}
    locale = formatting.locale_of(lang)
    for row in rows:
        start, stop = row[cal.date_start], row.get(cal.date_stop) if cal.date_stop else None
        timed = kinds[cal.date_start] == "datetime"
        local = to_local(start, zone) if timed else None
        first = local.date() if local else start
        last = first
        if stop:
            last = to_local(stop, zone).date() if kinds[cal.date_stop] == "datetime" else stop
            last = max(first, last)
        details = [values.display(row[n], describe[n], lang) for n in cal.labels[1:]
                   if row.get(n) not in (False, None, "")]
        event = {"id": row["id"], "version": row.get("version") or 0,
                 "title": (values.display(row[cal.labels[0]], describe[cal.labels[0]], lang)
                           if cal.labels else "") or row["display_name"],
                 "details": details, "colour": colour_class(row.get(cal.color)) if cal.color
                 else "cal-color-0", "start_date": first.isoformat(),
                 "time": babel_dates.format_time(local, "short", locale=locale)
                 if local else "", "sort": (local.time() if local else dt.time(), row["id"])}
        _spread(event, first, last, days, by_date)
    _sort_days(days)


def _parse_day(text: str | None, zone: dt.tzinfo) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return dt.datetime.now(zone).date()


def _titles(mode: str, day: dt.date, first: dt.date, last: dt.date, lang: str) -> str:
    locale = formatting.locale_of(lang)
    if mode == "month":
        return babel_dates.format_date(day, "LLLL y", locale=locale).capitalize()
    if mode == "week":
        return babel_dates.format_interval(first, last, "yMMMd", locale=locale)
    return babel_dates.format_date(day, "full", locale=locale).capitalize()



def _has_occurrences(model: Any) -> bool:
    return callable(getattr(type(model), "occurrences", None))


def _people(request: Request) -> list[int]:
    ids = []
    for value in request.args.getlist("people"):
        for part in value.split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return list(dict.fromkeys(ids))[:PALETTE_SIZE]


def _colleagues(env: Any) -> list[dict[str, Any]]:
    """Internal users one may show side by side (one query)."""
    root = env(su=True)
    group = root.ref("base.group_user", raise_if_not_found=False)
    if not group:
        return []
    internal, new = {group.id}, [group.id]
    while new:              # groups implying "internal user" (administrators...)
        new = root["res.groups"].search([("implied_ids", "in", new),
                                         ("id", "not in", sorted(internal))]).ids
        internal.update(new)
    return env["res.users"].search_read([("groups_id", "in", sorted(internal))], ["name"],
                                        order="name, id")


def _place_occurrences(occurrences: list[dict[str, Any]], days: list[Day], zone: dt.tzinfo,
                       lang: str, people: list[int], names: dict[int, str]) -> None:
    """Put each occurrence on every shown day it covers (all-day ones by their dates)."""
    by_date = {d.date: d for d in days}
    locale = formatting.locale_of(lang)
    for occ in occurrences:
        if occ["allday"]:
            first, last, local = occ["start_date"], occ["stop_date"], None
        else:
            local = to_local(occ["start"], zone)
            first = local.date()
            end = to_local(occ["stop"], zone)
            last = max(first, (end - dt.timedelta(seconds=1)).date()
                       if end > local else first)
        involved = [u for u in people if u in occ["user_ids"]]
        colour = (f"cal-color-{people.index(involved[0])}" if involved else
                  "cal-color-none") if people else colour_class(occ["organizer_id"])
        details = [occ["location"]] if occ["location"] else []
        if people:
            details.append(", ".join(names.get(u, "") for u in involved))
        event = {"id": occ["id"], "version": occ["version"], "title": occ["name"],
                 "details": [d for d in details if d], "colour": colour,
                 "start_date": first.isoformat(), "busy": occ["busy"],
                 "editable": occ.get("editable", True),
                 "recurring": occ["recurring"] and not occ["busy"],
                 "occurrence": occ["start"].isoformat() if occ["recurring"] and
                 not occ.get("detached") else "",
                 "time": babel_dates.format_time(local, "short", locale=locale)
                 if local else "", "sort": (local.time() if local else dt.time(), occ["id"])}
        _spread(event, first, last, days, by_date)
    _sort_days(days)


@route("/web/action/<int:action_id>/calendar", auth="user")
def calendar_view(request: Request, action_id: int) -> Response:
    action = _action(request, action_id)
    env = request.env
    model = env[action.res_model]
    zone = formatting.zone(env.context.get("tz"))
    describe = model.fields_get(attributes=["type", "string", "selection", "relation",
                                            "digits"])
    kinds = {name: d["type"] for name, d in describe.items()}
    views = env["ir.ui.view"]
    compiled = views.get_view(action.res_model, "calendar",
                              action._view_id_for("calendar"))
    cal = CalendarArch(compiled, kinds)
    search_arch = views.get_view(action.res_model, "search", action.search_view_id.id or None)
    state = SearchState.from_args(request.args)
    search = SearchView(search_arch.arch, search_arch.fields, env.uid, env.context.get("tz"),
                        describe)
    mode = request.args.get("mode") if request.args.get("mode") in MODES else cal.mode
    today = dt.datetime.now(zone).date()
    day = _parse_day(request.args.get("date"), zone)
    locale = formatting.locale_of(request.lang)
    first, last = visible_range(mode, day, locale.first_week_day)
    days = [Day(first + dt.timedelta(days=i)) for i in range((last - first).days + 1)]
    for d in days:
        d.in_period = mode != "month" or d.date.month == day.month
    if "active" in model._fields and "archived" in state.filters:
        model = model.with_context(active_test=False)
    error, status = "", 200
    occurring = _has_occurrences(model)
    people = (_people(request) or [env.uid]) if occurring else []
    colleagues = _colleagues(env) if occurring else []
    names = {c["id"]: c["name"] for c in colleagues}
    rows: list = []
    try:
        if occurring:
            rows = model.occurrences(to_utc(first, zone),
                                     to_utc(last + dt.timedelta(days=1), zone),
                                     user_ids=people or None,
                                     domain=list(action._eval_domain()) + search.domain(state))
            _place_occurrences(rows, days, zone, request.lang, people, names)
        else:
            domain = (list(action._eval_domain()) + search.domain(state) +
                      range_domain(cal.date_start, cal.date_stop, kinds, first, last, zone))
            records = model.search(domain, order=f"{cal.date_start}, id")
            rows = records.read(cal.read_fields()) if records else []
            _place(rows, cal, kinds, days, zone, request.lang, describe)
    except ValidationError as exc:
        rows, error, status = [], str(exc), 422
    base = f"/web/action/{action.id}/calendar"
    weekdays = [(locale.first_week_day + i) % 7 for i in range(7)]
    return request.render(
        "client/calendar.html", status=status, **_context(request, action), state=state,
        search=search, mode=mode, day=day, today=today, days=days, error=error,
        weeks=[days[i:i + 7] for i in range(0, len(days), 7)], base=base,
        heading=_titles(mode, day, first, last, request.lang), count=len(rows),
        previous=step(mode, day, -1).isoformat(), next=step(mode, day, 1).isoformat(),
        weekday_names=[(locale.days["format"]["abbreviated"][w],
                        locale.days["format"]["wide"][w]) for w in weekdays],
        long_date=lambda d: babel_dates.format_date(d, "full", locale=locale),
        short_date=lambda d: babel_dates.format_skeleton("MMMEd", d, locale=locale),
        can=_rights(model), tz=getattr(zone, "key", "UTC"), occurring=occurring,
        people=people, colleagues=colleagues,
        legend=[(i, names.get(u, "")) for i, u in enumerate(people)]
        if people != [env.uid] else [],
        people_query="".join(f"&people={u}" for u in people))


def shifted(cal: CalendarArch, kinds: dict[str, str], row: dict[str, Any],
            target: dt.date, zone: dt.tzinfo) -> dict[str, Any]:
    """New start (moved to ``target``, same local time of day) and stop (same duration)."""
    start = row[cal.date_start]
    if kinds[cal.date_start] == "datetime":
        local = to_local(start, zone)
        moved = dt.datetime.combine(target, local.time().replace(tzinfo=None), zone)
        new_start = moved.astimezone(UTC).replace(tzinfo=None)
        delta = new_start - start
        days = dt.timedelta(days=(target - local.date()).days)
    else:
        new_start = target
        days = delta = target - start
    vals = {cal.date_start: new_start}
    stop = row.get(cal.date_stop) if cal.date_stop else None
    if stop:
        if kinds[cal.date_stop] == kinds[cal.date_start]:
            vals[cal.date_stop] = stop + delta
        else:
            vals[cal.date_stop] = stop + days
    return vals


def _move_payload(request: Request) -> tuple[int, dt.date, int | None]:
    data = request.get_json(silent=True) if request.is_json else request.form
    data = data if isinstance(data, dict) or hasattr(data, "get") else {}
    try:
        record_id = int(data.get("record_id"))
        target = dt.date.fromisoformat(str(data.get("date")))
        version = data.get("version")
        return record_id, target, int(version) if version not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a valid date to move this event to.",
                                lang=request.lang)) from None


def _occurrence_of(request: Request) -> dt.datetime | None:
    """The (UTC) start of the series occurrence being moved, when one is."""
    data = request.get_json(silent=True) if request.is_json else request.form
    value = (data or {}).get("occurrence") if hasattr(data, "get") else None
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        raise ValidationError(_("This occurrence of the series is unknown.",
                                lang=request.lang)) from None


@route("/web/action/<int:action_id>/calendar/move", methods=("POST",), auth="user")
def move_event(request: Request, action_id: int) -> Response:
    action = _action(request, action_id)
    env = request.env
    model = env[action.res_model]
    zone = formatting.zone(env.context.get("tz"))
    try:
        record_id, target, version = _move_payload(request)
        model._check_access("write")
        kinds = {n: d["type"] for n, d in model.fields_get(attributes=["type"]).items()}
        compiled = env["ir.ui.view"].get_view(
            action.res_model, "calendar",
            action._view_id_for("calendar"))
        cal = CalendarArch(compiled, kinds)
        record = model.browse(record_id).exists()
        if not record:
            raise NotFound()
        row = record.read([n for n in (cal.date_start, cal.date_stop) if n])[0]
        if not row[cal.date_start]:
            raise ValidationError(_("This event has no date to move.", lang=request.lang))
        occurrence = _occurrence_of(request) if _has_occurrences(model) else None
        if occurrence is not None:
            row = {**row, cal.date_start: occurrence,
                   cal.date_stop: occurrence + (row[cal.date_stop] - row[cal.date_start])}
        vals = shifted(cal, kinds, row, target, zone)
        if _has_occurrences(model) and record.allday:
            length = (record.stop_date - record.start_date) if record.stop_date and \
                record.start_date else dt.timedelta(0)
            # all-day events move by dates, whatever the time zone
            vals = {"start_date": target, "stop_date": target + length}
        with env.savepoint():
            if occurrence is not None:
                record = record.detach_occurrence(occurrence, vals)
            else:
                if version is not None:
                    vals["version"] = version
                record.write(vals)
        new_version = record.read(["version"])[0]["version"]
    except (AccessError, ConflictError, UserError) as exc:
        if not request.is_json:
            raise
        status = 403 if isinstance(exc, AccessError) else \
            409 if isinstance(exc, ConflictError) else 422
        return _json({"ok": False, "error": str(exc)}, status)
    if request.is_json:
        return _json({"ok": True, "version": new_version, "date": target.isoformat(),
                      "id": record.id})
    back = request.form.get("back") or ""
    if not back.startswith(f"/web/action/{action.id}/calendar"):
        back = f"/web/action/{action.id}/calendar?date={target.isoformat()}"
    return redirect(back, code=303)


def _json(value: Any, status: int = 200) -> Response:
    import json
    return Response(json.dumps(value), status=status, mimetype="application/json")


def _spread(event: dict[str, Any], first: dt.date, last: dt.date, days: list[Any],
            by_date: dict[dt.date, Any]) -> None:
    """Put ``event`` on each shown day from ``first`` to ``last`` (later days are
    marked as its continuation)."""
    day = max(first, days[0].date)
    while day <= min(last, days[-1].date):
        if day in by_date:
            by_date[day].events.append({**event, "continued": day != first})
        day += dt.timedelta(days=1)


def _sort_days(days: list[Any]) -> None:
    """Each day: events starting that day first, by time, then continuations."""
    for day in days:
        day.events.sort(key=lambda e: (not e["continued"], e["sort"]))
