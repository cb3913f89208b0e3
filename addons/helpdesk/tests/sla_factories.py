"""Small factories for the SLA tests: an office calendar with no holidays but ours, a team
with a manager, policies and tickets created at a fixed "now"."""
from __future__ import annotations

import datetime as dt
from typing import Any

H = dt.timedelta(hours=1)
#: Friday 20 November 2026, 16:00 in Paris (UTC+1)
FRIDAY_4PM = dt.datetime(2026, 11, 20, 15, 0)
#: Monday 23 November 2026, 09:00 in Paris
MONDAY_9AM = dt.datetime(2026, 11, 23, 8, 0)


def at(env: Any, moment: dt.datetime) -> Any:
    """The environment whose "now" is ``moment``."""
    return env(context={**env.context, "helpdesk_now": moment.isoformat()})


def make_calendar(env: Any, name: str = "SLA Office", holidays: tuple[str, ...] = ()) -> Any:
    """Monday to Friday 09:00-12:30 and 13:30-17:00, Paris time; days off as given."""
    attendance = [(0, 0, {"dayofweek": str(day), "hour_from": start, "hour_to": end})
                  for day in range(5) for start, end in ((9.0, 12.5), (13.5, 17.0))]
    return env["resource.calendar"].create({
        "name": name, "tz": "Europe/Paris", "holiday_country": False,
        "attendance_ids": attendance,
        "leave_ids": [(0, 0, {"name": f"Day off {day}", "date_from": day, "kind": "public"})
                      for day in holidays]})


def make_user(env: Any, login: str, group: str = "helpdesk.group_helpdesk_agent") -> Any:
    return env["res.users"].create({"name": login.replace("-", " ").title(),
                                    "login": f"sla-{login}",
                                    "groups_id": [(6, 0, [env.ref(group).id])]})


def make_team(env: Any, name: str = "SLA Support", calendar: Any = None,
              manager: Any = None, members: Any = None) -> Any:
    calendar = calendar or make_calendar(env)
    manager = manager or make_user(env, f"{name.lower().replace(' ', '-')}-boss",
                                   "helpdesk.group_helpdesk_manager")
    return env["helpdesk.team"].create({
        "name": name, "resource_calendar_id": calendar.id, "user_id": manager.id,
        "member_ids": [(6, 0, (members or manager).ids)], "assignment_strategy": "manual"})


def make_policy(env: Any, team: Any, name: str = "Normal", priority: str = "0",
                first: float = 4.0, resolution: float = 16.0, **values: Any) -> Any:
    return env["helpdesk.sla"].create({
        "name": name, "team_id": team.id if team else False, "priority": priority,
        "first_response_hours": first, "resolution_hours": resolution, **values})


def make_ticket(env: Any, team: Any, when: dt.datetime = FRIDAY_4PM, **values: Any) -> Any:
    return at(env, when)["helpdesk.ticket"].create(
        {"name": values.pop("name", "Printer on fire"), "team_id": team.id, **values})


def move(ticket: Any, when: dt.datetime, *states: str) -> Any:
    """Move ``ticket`` through ``states`` at ``when`` (the workflow's own moves)."""
    ticket = ticket.with_env(at(ticket.env, when))
    for state in states:
        ticket.write({"state": state})
    return ticket
