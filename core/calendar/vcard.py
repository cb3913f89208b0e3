"""vCard (RFC 2426 / 6350) export and import of contacts (``res.partner``).

Export writes vCard 3.0, the version every address book reads. Import takes 2.1, 3.0 and
4.0 from real clients: each card is parsed on its own (a broken card is skipped with the
reason, never the whole file), photos and keys are dropped before parsing (their base64
is often damaged and a contact has no picture field), and vCard 2.1 quoted-printable soft
line breaks are joined first. A card whose e-mail (or, without one, name and phone) is
already in the address book or earlier in the file is reported as a duplicate, never
merged: people decide.
"""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import vobject

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _
from .report import ImportReport

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

_PROPERTY = re.compile(r"^([A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
EXPORT_FIELDS = ["name", "is_company", "parent_id", "function", "email", "phone", "mobile",
                 "street", "street2", "zip", "city", "country_id", "website", "comment"]


# -- export ------------------------------------------------------------------------------
def export_vcards(partners: "BaseModel") -> str:
    """One .vcf text holding a vCard 3.0 per partner (read as the caller)."""
    rows = partners.read(EXPORT_FIELDS) if partners else []
    cards = []
    for row in rows:
        card = vobject.vCard()
        card.add("fn").value = row["name"]
        if row["is_company"]:
            card.add("n").value = vobject.vcard.Name(family=row["name"])
            card.add("org").value = [row["name"]]
        else:
            given, _sep, family = row["name"].rpartition(" ")
            card.add("n").value = vobject.vcard.Name(family=family, given=given)
            if row["parent_id"]:
                card.add("org").value = [row["parent_id"][1]]
        if row["function"]:
            card.add("title").value = row["function"]
        if row["email"]:
            email = card.add("email")
            email.value = row["email"]
            email.type_param = "INTERNET"
        for value, kind in ((row["phone"], "WORK"), (row["mobile"], "CELL")):
            if value:
                tel = card.add("tel")
                tel.value = value
                tel.type_param = kind
        if any(row[n] for n in ("street", "street2", "zip", "city", "country_id")):
            street = "\n".join(filter(None, (row["street"], row["street2"])))
            card.add("adr").value = vobject.vcard.Address(
                street=street, city=row["city"] or "", code=row["zip"] or "",
                country=row["country_id"][1] if row["country_id"] else "")
        if row["website"]:
            card.add("url").value = row["website"]
        if row["comment"]:
            card.add("note").value = row["comment"]
        card.add("uid").value = f"comptoir-partner-{row['id']}"
        cards.append(card.serialize())
    return "".join(cards)


# -- import ------------------------------------------------------------------------------
def split_cards(text: str) -> list[str]:
    """The BEGIN:VCARD...END:VCARD blocks, cleaned: QP soft breaks joined, binary
    properties removed."""
    cards = re.findall(r"BEGIN:VCARD.*?END:VCARD", text, flags=re.S | re.I)
    return [_clean(card) for card in cards]


def _clean(card: str) -> str:
    lines = card.splitlines()
    out: list[str] = []
    skipping = False
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        match = _PROPERTY.match(line)
        if match and not line[:1].isspace():
            skipping = match.group(2).upper() in BINARY
            if not skipping and "QUOTED-PRINTABLE" in line.split(":", 1)[0].upper():
                while line.endswith("=") and index < len(lines):
                    line = line[:-1] + lines[index]
                    index += 1
        elif not line.strip():
            continue
        if not skipping:
            out.append(line)
    return "\r\n".join(out) + "\r\n"


def _values(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name, []))


def _types(prop: Any) -> set[str]:
    types = set()
    for key, values in prop.params.items():
        if key.upper() == "TYPE":
            for value in values:
                types.update(t.strip().upper() for t in str(value).split(","))
        elif not values:        # vCard 2.1: TEL;CELL;PREF
            types.add(key.upper())
        if key.upper() == "PREF":
            types.add("PREF")
    return types


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(filter(None, (_text(v) for v in value)))
    return str(value or "").strip()


def _ordered(props: list[Any]) -> list[Any]:
    """Preferred values first (TYPE=PREF or PREF=1)."""
    return sorted(props, key=lambda p: "PREF" not in _types(p))


def card_values(card: Any) -> tuple[dict[str, Any], str | None, list[str]]:
    """``(partner values, company name, notes)`` of one parsed vCard."""
    name = _text(card.fn.value) if "fn" in card.contents else ""
    if not name and "n" in card.contents:
        parts = card.n.value
        name = " ".join(filter(None, (_text(parts.given), _text(parts.family))))
    emails = [_text(p.value) for p in _ordered(_values(card, "email")) if _text(p.value)]
    vals: dict[str, Any] = {"name": name or (emails[0] if emails else "")}
    notes: list[str] = []
    if emails:
        vals["email"] = emails[0]
        if emails[1:]:
            notes.append(_("Other e-mails: %(emails)s", emails=", ".join(emails[1:])))
    phones = []
    for prop in _ordered(_values(card, "tel")):
        number = re.sub(r"^tel:", "", _text(prop.value), flags=re.I)
        if number:
            phones.append((number, _types(prop)))
    mobile = next((n for n, t in phones if "CELL" in t), None)
    phone = next((n for n, t in phones if not t & {"CELL", "FAX", "PAGER"}), None)
    if mobile:
        vals["mobile"] = mobile
    if phone:
        vals["phone"] = phone
    others = [n for n, _t in phones if n not in (mobile, phone)]
    if others:
        notes.append(_("Other phones: %(phones)s", phones=", ".join(others)))
    titles = [_text(p.value) for p in _values(card, "title") if _text(p.value)]
    if titles:
        vals["function"] = titles[0]
    addresses = _ordered(_values(card, "adr"))
    if addresses:
        address = addresses[0].value
        streets = [s for s in _text(address.street).split("\n") if s.strip()] \
            if isinstance(address.street, str) else [_text(address.street)]
        extra = [_text(address.extended), _text(address.box)]
        vals.update({"street": streets[0] if streets else "",
                     "street2": ", ".join(filter(None, streets[1:] + extra)),
                     "city": _text(address.city), "zip": _text(address.code)})
        if _text(address.country):
            vals["_country"] = _text(address.country)
    urls = [_text(p.value).replace("\\:", ":") for p in _values(card, "url")]
    if urls and urls[0]:
        vals["website"] = urls[0]
    notes = [_text(p.value).replace("\r\n", "\n") for p in _values(card, "note")
             if _text(p.value)] + notes
    company = None
    orgs = _values(card, "org")
    if orgs:
        value = orgs[0].value
        company = _text(value[0] if isinstance(value, list) and value else value) or None
    return {k: v for k, v in vals.items() if v not in ("", None)}, company, notes


def import_vcards(env: "Environment", data: bytes) -> ImportReport:
    """Create the contacts of a .vcf file as ``env``'s user (access rules apply)."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    cards = split_cards(text)
    if not cards:
        raise UserError(_("This file holds no vCard (no BEGIN:VCARD ... END:VCARD)."))
    report = ImportReport()
    parsed: list[tuple[str, dict[str, Any], str | None, list[str]]] = []
    quiet = logging.getLogger("vobject.base")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)      # unreadable lines are reported, not logged
    try:
        for number, raw in enumerate(cards, start=1):
            label = _("card %(number)s", number=number)
            try:
                card = vobject.readOne(raw, ignoreUnreadable=True)
                vals, company, notes = card_values(card)
            except Exception as exc:  # vobject raises many kinds on damaged input
                report.skipped.append((label, _("unreadable: %(error)s",
                                               error=str(exc)[:200])))
                continue
            if not vals.get("name"):
                report.skipped.append((label, _("no name and no e-mail")))
                continue
            parsed.append((vals["name"], vals, company, notes))
    finally:
        quiet.setLevel(level)
    _store(env, parsed, report)
    return report


def _store(env: "Environment", parsed: list, report: ImportReport) -> None:
    partners = env["res.partner"]
    emails = sorted({v["email"].lower() for _n, v, _c, _no in parsed if v.get("email")})
    known = {r["email"].lower(): r["display_name"] for r in partners.with_context(
        active_test=False).search_read([("email", "in", emails)], ["email", "display_name"])
        if r["email"]} if emails else {}
    names = sorted({n for n, v, _c, _no in parsed if not v.get("email")})
    by_name: dict[str, set[str]] = {}
    for row in partners.search_read([("name", "in", names)], ["name", "phone", "mobile"]) \
            if names else []:
        by_name.setdefault(row["name"], set()).update(
            filter(None, (row["phone"], row["mobile"])))
    companies = _companies(env, sorted({c for _n, _v, c, _no in parsed if c}))
    countries = _countries(env, sorted({v["_country"] for _n, v, _c, _no in parsed
                                        if v.get("_country")}))
    to_create, labels = [], []
    for name, vals, company, notes in parsed:
        email = (vals.get("email") or "").lower()
        phones = {vals.get("phone"), vals.get("mobile")} - {None}
        if email and email in known:
            report.skipped.append((name, _("duplicate: %(other)s has the same e-mail "
                                           "(%(email)s); not merged",
                                           other=known[email], email=email)))
            continue
        if not email and name in by_name and (not phones or phones & by_name[name]):
            report.skipped.append((name, _("duplicate: a contact with this name and phone "
                                           "exists; not merged")))
            continue
        country = vals.pop("_country", None)
        if country:
            if country.lower() in countries:
                vals["country_id"] = countries[country.lower()]
            else:
                notes.append(_("Country: %(country)s", country=country))
                report.warnings.append((name, _("country '%(country)s' not found; kept in "
                                                "the notes", country=country)))
        if company:
            vals["parent_id"] = companies[company]
        if notes:
            vals["comment"] = "\n\n".join(notes)
        if email:
            known[email] = name
        else:
            by_name.setdefault(name, set()).update(phones)
        to_create.append(vals)
        labels.append(name)
    if not to_create:
        return
    try:
        with env.savepoint():
            partners.create(to_create)
        report.created.extend(labels)
        return
    except ValidationError:
        pass  # some card breaks a rule of the address book: each on its own, then
    for name, vals in zip(labels, to_create):
        _store_one(env, name, vals, report)


#: fields a card may lose (kept in the notes) rather than the whole card being refused
_DROPPABLE = ("phone", "mobile", "email", "website")


def _store_one(env: "Environment", name: str, vals: dict[str, Any],
               report: ImportReport) -> None:
    """Create one contact in a savepoint; a value an addon's rules refuse (a phone that
    cannot be read...) moves to the notes with a warning, anything else skips the card."""
    vals = dict(vals)
    while True:
        try:
            with env.savepoint():
                env["res.partner"].create(vals)
            report.created.append(name)
            return
        except ValidationError as exc:
            if exc.field in _DROPPABLE and vals.get(exc.field):
                value = vals.pop(exc.field)
                vals["comment"] = "\n\n".join(filter(None, (
                    vals.get("comment"), f"{exc.field}: {value}")))
                report.warnings.append((name, _("%(value)s was not kept: %(error)s (it is "
                                                "in the notes)", value=value,
                                                error=str(exc))))
                continue
            report.skipped.append((name, str(exc)))
            return


def _companies(env: "Environment", names: list[str]) -> dict[str, int]:
    """Company partner id per name: existing companies (one search), new ones (one
    create)."""
    if not names:
        return {}
    partners = env["res.partner"]
    found = {}
    for row in partners.search_read([("name", "in", names), ("is_company", "=", True)],
                                    ["name"], order="id"):
        found.setdefault(row["name"], row["id"])
    missing = [n for n in names if n not in found]
    if missing:
        created = partners.create([{"name": n, "is_company": True} for n in missing])
        found.update(zip(missing, created.ids))
    return found


def _countries(env: "Environment", names: list[str]) -> dict[str, int]:
    """Country id per lower-cased name or code (one query)."""
    if not names:
        return {}
    rows = env["res.country"].search_read(
        ["|", ("name", "in", names), ("code", "in", [n.upper() for n in names])],
        ["name", "code"])
    result = {}
    for row in rows:
        result[row["name"].lower()] = row["id"]
        result[(row["code"] or "").lower()] = row["id"]
    return result
