"""First steps of a new database, before ``base``'s data files can load.

The superuser row must exist before any record can name its creator; countries and
currencies come from CLDR (through babel) in English and French rather than from hand
kept lists, each with an external id (``base.fr``, ``base.EUR``) data files can refer to.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from babel import Locale
from babel.numbers import get_currency_symbol, get_territory_currencies

from core.orm.environment import SUPERUSER_ID

if TYPE_CHECKING:
    from core.orm import Environment

NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
ACTIVE_CURRENCIES = {"EUR", "USD"}
LANGS = {"en_US": "en", "fr_FR": "fr"}


def create_superuser(env: "Environment") -> None:
    """The inactive system user (id 1) that owns what the kernel creates."""
    users = env["res.users"]._sa_table
    if env.execute(sa.select(users.c.id).where(users.c.id == SUPERUSER_ID)).first():
        return
    env.execute(users.insert().values(name="System", login="__system__", active=False,
                                      lang="en_US", version=1))
    partner = env["res.partner"].create({"name": "System", "active": False})
    env.execute(users.update().where(users.c.id == SUPERUSER_ID).values(partner_id=partner.id))
    env["ir.model.data"].create([
        {"module": "base", "name": "user_root", "model": "res.users", "res_id": SUPERUSER_ID,
         "noupdate": True},
        {"module": "base", "name": "partner_root", "model": "res.partner", "res_id": partner.id,
         "noupdate": True}])


def create_countries_and_currencies(env: "Environment") -> None:
    locales = {lang: Locale.parse(code) for lang, code in LANGS.items()}
    today = dt.date.today()
    codes = sorted(code for code in locales["en_US"].territories
                   if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)
    currency_of = {}
    for code in codes:
        used = get_territory_currencies(code, today)
        if used:
            currency_of[code] = used[0]
    currency_codes = sorted(set(currency_of.values()) | ACTIVE_CURRENCIES)
    currencies = env["res.currency"].create([{
        "name": code,
        "full_name": locales["en_US"].currencies.get(code, code),
        "symbol": get_currency_symbol(code, "fr" if code == "EUR" else "en"),
        "active": code in ACTIVE_CURRENCIES,
    } for code in currency_codes])
    currency_ids = dict(zip(currency_codes, currencies.ids))
    countries = env["res.country"].create([{
        "name": locales["en_US"].territories[code], "code": code,
        "currency_id": currency_ids.get(currency_of.get(code, "")),
    } for code in codes])
    _store_translations(env, "res.currency", currencies, "full_name", [
        locales["fr_FR"].currencies.get(c, c) for c in currency_codes])
    _store_translations(env, "res.country", countries, "name", [
        locales["fr_FR"].territories.get(c, c) for c in codes])
    env["ir.model.data"].create(
        [{"module": "base", "name": code.lower(), "model": "res.country", "res_id": rec_id,
          "noupdate": True} for code, rec_id in zip(codes, countries.ids)]
        + [{"module": "base", "name": code, "model": "res.currency", "res_id": rec_id,
            "noupdate": True} for code, rec_id in zip(currency_codes, currencies.ids)])


def _store_translations(env: "Environment", model: str, records: object, field: str,
                        french: list[str]) -> None:
    """Add the French names in one executemany (not one write per record)."""
    table = env[model]._sa_table
    rows = env.execute(sa.select(table.c.id, table.c[field]).where(
        table.c.id.in_(records.ids))).all()  # type: ignore[attr-defined]
    by_id = dict(zip(records.ids, french))  # type: ignore[attr-defined]
    params = [{"_id": rec_id, field: {**(value or {}), "fr_FR": by_id[rec_id]}}
              for rec_id, value in rows]
    env.execute(table.update().where(table.c.id == sa.bindparam("_id")).values(
        {field: sa.bindparam(field)}), params)
    env.cache.invalidate([(model, field)])
