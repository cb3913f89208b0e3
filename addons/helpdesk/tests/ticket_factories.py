"""Small factories shared by the tickets' tests: agents, managers, teams, tickets."""
from __future__ import annotations

from typing import Any

GROUPS = {"agent": "helpdesk.group_helpdesk_agent",
          "manager": "helpdesk.group_helpdesk_manager", "user": "base.group_user",
          "portal": "base.group_portal"}


def make_user(env: Any, login: str, role: str = "agent", **values: Any) -> Any:
    """A user in one helpdesk role (``agent``, ``manager``, ``user``)."""
    return env["res.users"].create({
        "name": values.pop("name", login.replace("_", " ").title()), "login": login,
        "email": f"{login}@example.com", "tz": "Europe/Paris",
        "groups_id": [(6, 0, [env.ref(GROUPS[role]).id])], **values})


def as_user(env: Any, user: Any) -> Any:
    return env(uid=user.id, su=False)


def make_team(env: Any, name: str, members: Any = None, strategy: str = "manual",
              **values: Any) -> Any:
    return env["helpdesk.team"].create({
        "name": name, "assignment_strategy": strategy,
        "member_ids": [(6, 0, members.ids if members else [])], **values})


def make_ticket(env: Any, name: str = "Printer jammed", **values: Any) -> Any:
    return env["helpdesk.ticket"].create({"name": name, **values})
