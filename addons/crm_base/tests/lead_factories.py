"""Small factories shared by the pipeline's tests: users per sales role, a team, leads."""
from __future__ import annotations

from typing import Any

GROUPS = {"rep": "crm_base.group_sale_salesman", "leader": "crm_base.group_sale_team_leader",
          "manager": "crm_base.group_sale_manager", "marketing": "crm_base.group_marketing",
          "user": "base.group_user"}


def make_user(env: Any, login: str, role: str = "rep", **values: Any) -> Any:
    """A user in one sales role (``rep``, ``leader``, ``manager``, ``marketing``)."""
    return env["res.users"].create({
        "name": values.pop("name", login.replace("_", " ").title()), "login": login,
        "email": f"{login}@example.com", "tz": "Europe/Paris",
        "groups_id": [(6, 0, [env.ref(GROUPS[role]).id])], **values})


def as_user(env: Any, user: Any) -> Any:
    return env(uid=user.id, su=False)


def make_team(env: Any, name: str, leader: Any = None, members: Any = None,
              **values: Any) -> Any:
    return env["crm.team"].create({
        "name": name, "user_id": leader.id if leader else False,
        "member_ids": [(6, 0, members.ids if members else [])], **values})


def stage(env: Any, key: str) -> Any:
    """A shipped stage: ``new``, ``qualified``, ``proposition``, ``negotiation``, ``won``."""
    number = ["new", "qualified", "proposition", "negotiation", "won"].index(key) + 1
    return env.ref(f"crm_base.stage_lead{number}")


def make_lead(env: Any, name: str = "Deal", **values: Any) -> Any:
    values.setdefault("type", "opportunity")
    return env["crm.lead"].create({"name": name, **values})
