"""Factories shared by the product and contract tests (no tests here): users per sales
role, accounts, contracts with fixed dates (never today's: the tests must pass at any
hour, in any time zone)."""
from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

#: the "today" every contract test works on (a context key / scheduler parameter)
TODAY = "2026-06-15"


def make_user(env: Any, login: str, *groups: str) -> Any:
    group_ids = [env.ref(xml_id).id for xml_id in groups]
    return env["res.users"].create({"name": login.title(), "login": f"ct-{login}",
                                    "groups_id": [(6, 0, group_ids)]})


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG (the Image field checks the structure)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _row in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def png_b64() -> str:
    return base64.b64encode(png()).decode()


@pytest.fixture
def users(env: Any) -> dict[str, Any]:
    """A sales rep, another sales rep, a sales manager and a plain internal user."""
    return {"rep": make_user(env, "rep", "crm_base.group_sale_salesman"),
            "other": make_user(env, "other", "crm_base.group_sale_salesman"),
            "manager": make_user(env, "manager", "crm_base.group_sale_manager"),
            "employee": make_user(env, "employee", "base.group_user")}


@pytest.fixture
def account(env: Any, users: dict[str, Any]) -> Any:
    """A company whose salesperson is the rep, with one contact person."""
    company = env["res.partner"].create({"name": "Lumber Inc", "is_company": True,
                                         "user_id": users["rep"].id})
    env["res.partner"].create({"name": "Ada Lumber", "parent_id": company.id})
    return company


def contract_vals(env: Any, account: Any, **values: Any) -> dict[str, Any]:
    vals = {"partner_id": account.id, "type_id": env.ref("crm_base.contract_type_it").id,
            "date_start": "2025-07-01", "date_end": "2026-06-30"}
    vals.update(values)
    return vals


def make_contract(env: Any, account: Any, state: str = "draft", **values: Any) -> Any:
    """A contract created as the superuser (data files may create in any state)."""
    return env["service.contract"].with_context(contract_today=TODAY).create(
        contract_vals(env, account, state=state, **values))
