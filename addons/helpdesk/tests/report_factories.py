"""Factories of the report tests: a support organisation and tickets with fixed dates
(creation backdated in the database, as the ORM never writes ``create_date``)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any


def make_user(env: Any, login: str, name: str, *groups: str) -> Any:
    return env["res.users"].create({
        "login": login, "name": name, "email": f"{login}@example.com",
        "groups_id": [(6, 0, [env.ref(g).id for g in groups or
                              ("helpdesk.group_helpdesk_agent",)])]})


def make_org(env: Any) -> SimpleNamespace:
    """Two teams (Support, Hardware) with an agent each and their managers, and a
    customer."""
    manager = make_user(env, "rp_hd_manager", "Maud Manager", "helpdesk.group_helpdesk_manager")
    agent = make_user(env, "rp_hd_agent", "Alan Agent")
    other = make_user(env, "rp_hd_other", "Olga Other")
    teams = env["helpdesk.team"]
    support = teams.create({"name": "RP Support", "user_id": manager.id,
                            "member_ids": [(6, 0, [agent.id])],
                            "assignment_strategy": "manual"})
    hardware = teams.create({"name": "RP Hardware", "user_id": other.id,
                             "member_ids": [(6, 0, [other.id])],
                             "assignment_strategy": "manual"})
    customer = env["res.partner"].create({"name": "Carla Customer",
                                          "email": "carla@example.com"})
    return SimpleNamespace(manager=manager, agent=agent, other=other, support=support,
                           hardware=hardware, customer=customer)


def backdate(records: Any, when: dt.datetime) -> None:
    """Set the creation date of ``records`` (naive UTC) in the database."""
    env = records.env
    env.flush()
    table = records._sa_table
    env.execute(table.update().where(table.c.id.in_(records.ids)).values(create_date=when))
    env.cache.invalidate([(records._name, "create_date")], records.ids)


def ticket(env: Any, team: Any, created: dt.datetime, *, responded: float | None = None,
           resolved: float | None = None, reopened: int = 0, **values: Any) -> Any:
    """A ticket of ``team`` created at ``created``, first answered and resolved that many
    hours later (None: not yet)."""
    record = env["helpdesk.ticket"].create({"name": values.pop("name", "Broken screen"),
                                            "team_id": team.id, **values})
    backdate(record, created)
    dates: dict[str, Any] = {"reopen_count": reopened}
    if responded is not None:
        dates["date_first_response"] = created + dt.timedelta(hours=responded)
    if resolved is not None:
        dates["date_resolved"] = created + dt.timedelta(hours=resolved)
        dates["state"] = "resolved"
    record.sudo().with_context(workflow_force=True).write(dates)
    return record


def agent_reply(record: Any, user: Any, body: str = "We are on it.") -> Any:
    return record.with_user(user).message_post(body=body, message_type="comment",
                                               subtype_xmlid="mail.mt_comment")
