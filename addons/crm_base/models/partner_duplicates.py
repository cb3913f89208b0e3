"""Duplicate detection on the address book: who else looks like this account or person.

:meth:`ResPartner._find_duplicates` answers for prospective values (a form being filled, an
import row), :meth:`ResPartner._duplicates` for existing partners, and
:meth:`ResPartner._flag_duplicates` records the pairs found in the review list
(``res.partner.duplicate``), which creating a partner, changing what identifies it and the
importer call. Nothing is ever merged here: people decide (see the merge wizard).

Signals, each a reason shown to the user: the same SIREN (companies), the same e-mail, the
same phone (any of phone and mobile, compared in E.164) and a similar name (rapidfuzz's
``ratio`` on the normalised names of :func:`.partner_normalize.name_key`, from the
``crm_base.duplicate_threshold`` setting, 88 by default). Companies are compared with
companies, people with people; addresses (invoice, delivery...) are never candidates. Two
companies whose SIRENs differ are different legal entities, whatever their names; two
colleagues sharing the switchboard or ``contact@`` are not one person.

Cost: a constant number of queries per call whatever the number of values: one scan of
``(id, name_key, is_company, parent_id)`` of the active partners (the only full read),
one indexed lookup of e-mails, phones, SIRENs and name candidates, and one query for the
countries of the values when phones must be read in them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

import sqlalchemy as sa
from markupsafe import Markup, escape

from core import Model, _, api, fields

from .partner_normalize import (DEFAULT_COUNTRY, email_key, name_key, phone_key,
                                siren_key)

THRESHOLD_PARAM = "crm_base.duplicate_threshold"
DEFAULT_THRESHOLD = 88.0
#: a name-only match whose phones contradict needs this much more similarity
PHONE_CONFLICT_MARGIN = 7.0
SIGNAL_SCORES = {"siren": 100.0, "email": 95.0, "phone": 90.0}
#: mailboxes of a role, not of a person: colleagues sharing one are not one person
ROLE_MAILBOXES = frozenset({
    "contact", "info", "infos", "accueil", "bonjour", "hello", "sales", "commercial",
    "vente", "ventes", "admin", "office", "secretariat", "direction", "compta",
    "comptabilite", "facturation", "factures", "billing", "support", "service", "sav",
    "rh", "recrutement", "jobs", "noreply", "no-reply", "standard"})
#: fields whose change may make or unmake a duplicate
IDENTITY_FIELDS = frozenset({"name", "email", "phone", "mobile", "siren", "siret",
                             "is_company", "parent_id", "type", "country_id"})


@dataclass(frozen=True)
class Duplicate:
    """An existing partner that looks like the one being checked: its id, a score from 0
    to 100 (higher: surer) and the reasons, translated (``"same e-mail"``, ``"similar
    name (93%)"``)."""

    partner_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass
class Probe:
    """What identifies one partner, normalised: the values being checked."""

    name: str | None = None
    email: str | None = None
    phones: frozenset[str] = frozenset()
    siren: str | None = None
    is_company: bool = False
    parent_id: int | None = None
    own_id: int | None = None
    skip: bool = False        #: an address (invoice, delivery...): never compared


@dataclass
class Found:
    """One candidate for one probe: its signals as codes (``email``, ``name:93``)."""

    partner_id: int
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        best = max(self.signals.values())
        return round(min(100.0, best + 5.0 * (len(self.signals) - 1)), 1)

    @property
    def codes(self) -> list[str]:
        return [f"name:{round(value)}" if code == "name" else code
                for code, value in self.signals.items()]


def reason_text(code: str) -> str:
    """The translated reason for a stored code (``email``, ``name:93``...)."""
    kind, _sep, value = code.partition(":")
    if kind == "name":
        return _("similar name (%(score)s%%)", score=value or "?")
    return {"siren": _("same SIREN"), "email": _("same e-mail"),
            "phone": _("same phone")}.get(kind, kind)


def _role_mailbox(email: str | None) -> bool:
    return bool(email) and email.split("@", 1)[0] in ROLE_MAILBOXES


class ResPartner(Model):
    _inherit = "res.partner"

    duplicate_count = fields.Integer("Possible Duplicates", compute="_compute_duplicates")
    duplicate_banner = fields.Html("Possible duplicates", compute="_compute_duplicates",
                                   sanitize=True)

    # -- detection when partners are created or what identifies them changes -------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        partners = super().create(vals_list)
        if not self.env.context.get("crm_skip_duplicates"):
            self._flag_duplicates(partners)
        return partners

    def write(self, vals: dict[str, Any]) -> bool:
        watch = bool(self._ids) and not self.env.context.get("crm_skip_duplicates") and (
            bool(IDENTITY_FIELDS & set(vals)) or "active" in vals)
        before = self._identity_keys() if watch else {}
        result = super().write(vals)
        if watch:
            after = self._identity_keys()
            changed = [i for i in self._ids if before.get(i) != after.get(i)]
            if changed:
                self._flag_duplicates(self.browse(changed))
        return result

    def _identity_keys(self) -> dict[int, tuple]:
        """What detection compares, per partner (one indexed query): a write that leaves
        it as it was (a form saved unchanged) does not search again."""
        table = self._sa_table
        names = ("name_key", "email_normalized", "phone_sanitized", "mobile_sanitized",
                 "siren", "is_company", "parent_id", "type", "active")
        return {row[0]: tuple(row[1:]) for row in self.env.execute(
            sa.select(table.c.id, *[table.c[n] for n in names]).where(
                self._ids_in(table.c.id, self._ids)))}

    # -- the API other addons call -------------------------------------------------------
    @api.model
    def _find_duplicates(self, vals_list: list[dict[str, Any]],
                         exclude_ids: Iterable[int] = ()) -> list[list[Duplicate]]:
        """For each dict of prospective values (``name``, ``email``, ``phone``,
        ``mobile``, ``siren``/``siret``, ``is_company``, ``parent_id``, ``country_id``,
        ``type``, as given to ``create``, unnormalised), the existing partners (not
        ``exclude_ids``) that look like the same account or person, best first."""
        probes = self._probes_from_vals(vals_list)
        return [[Duplicate(f.partner_id, f.score, tuple(reason_text(c) for c in f.codes))
                 for f in found] for found in self._match(probes, exclude_ids)]

    def _duplicates(self) -> list[list[Duplicate]]:
        """For each of these partners, the others that look like it, best first."""
        found = self._match(self._probes_from_records())
        return [[Duplicate(f.partner_id, f.score, tuple(reason_text(c) for c in f.codes))
                 for f in row] for row in found]

    @api.model
    def _flag_duplicates(self, partners: Any = None) -> Any:
        """Record the possible duplicates of ``partners`` (default: these records) in the
        review list and drop the pending pairs of theirs that no longer hold; pairs
        already reviewed (merged, not a duplicate) are never flagged again. Returns the
        pending ``res.partner.duplicate`` pairs of these partners. Constant queries."""
        if partners is None:
            partners = self
        elif not hasattr(partners, "_ids"):
            partners = self.browse(list(partners))
        partners = partners.sudo().with_context(active_test=False)
        reviews = self.env["res.partner.duplicate"].sudo()
        if not partners:
            return reviews
        table = partners._sa_table
        active = {row.id for row in self.env.execute(sa.select(table.c.id).where(
            partners._ids_in(table.c.id, partners.ids), table.c.active.is_(True)))}
        alive = partners.browse([pid for pid in partners.ids if pid in active])
        found = alive._match(alive._probes_from_records()) if alive else []
        pairs: dict[tuple[int, int], Found] = {}
        for partner_id, row in zip(alive.ids, found):
            for item in row:
                key = (min(partner_id, item.partner_id), max(partner_id, item.partner_id))
                if key not in pairs or pairs[key].score < item.score:
                    pairs[key] = item
        existing = reviews.search_fetch(
            ["|", ("partner_id", "in", partners.ids), ("duplicate_id", "in", partners.ids)],
            ["partner_id", "duplicate_id", "state"])
        known = {(r.partner_id.id, r.duplicate_id.id): (r.id, r.state) for r in existing}
        stale = [rec_id for key, (rec_id, state) in known.items()
                 if state == "to_review" and key not in pairs]
        kept = reviews.browse([rec_id for key, (rec_id, state) in known.items()
                               if state == "to_review" and key in pairs])
        if stale:
            reviews.browse(stale).unlink()
        new = [{"partner_id": a, "duplicate_id": b, "score": item.score,
                "reason_codes": item.codes} for (a, b), item in pairs.items()
               if (a, b) not in known]
        created = reviews.create(new) if new else reviews
        return (kept | created).with_env(self.env)

    def action_find_duplicates(self) -> bool:
        """The form's *Find duplicates*: look again (records older than the CRM, or
        after the threshold changed); the banner shows what was found."""
        self._flag_duplicates(self)
        return True

    # -- probes ---------------------------------------------------------------------------
    def _probes_from_vals(self, vals_list: list[dict[str, Any]]) -> list[Probe]:
        country_ids = sorted({v["country_id"] for v in vals_list if v.get("country_id")
                              and (v.get("phone") or v.get("mobile"))})
        codes = {c.id: c.code for c in self.env["res.country"].sudo().browse(country_ids)} \
            if country_ids else {}
        probes = []
        for vals in vals_list:
            country = codes.get(vals.get("country_id") or 0) or DEFAULT_COUNTRY
            is_company = bool(vals.get("is_company"))
            siren = siren_key(vals.get("siren") or str(vals.get("siret") or "")[:9])
            probes.append(Probe(
                name=name_key(vals.get("name")), email=email_key(vals.get("email")),
                phones=frozenset(filter(None, (phone_key(vals.get(n), country)
                                               for n in ("phone", "mobile")))),
                siren=siren if is_company else None, is_company=is_company,
                parent_id=_id_of(vals.get("parent_id")),
                skip=not is_company and (vals.get("type") or "contact") != "contact"))
        return probes

    def _probes_from_records(self) -> list[Probe]:
        if not self._ids:
            return []
        table = self._sa_table
        columns = [table.c[n] for n in ("id", "name_key", "email_normalized",
                                        "phone_sanitized", "mobile_sanitized", "siren",
                                        "is_company", "parent_id", "type")]
        rows = {row.id: row for row in self.env.execute(
            sa.select(*columns).where(self._ids_in(table.c.id, self._ids)))}
        probes = []
        for rec_id in self._ids:
            row = rows.get(rec_id)
            if row is None:
                probes.append(Probe(skip=True, own_id=rec_id))
                continue
            probes.append(Probe(
                name=row.name_key, email=row.email_normalized,
                phones=frozenset(filter(None, (row.phone_sanitized, row.mobile_sanitized))),
                siren=row.siren if row.is_company else None, is_company=bool(row.is_company),
                parent_id=row.parent_id, own_id=rec_id,
                skip=not row.is_company and (row.type or "contact") != "contact"))
        return probes

    # -- matching -------------------------------------------------------------------------
    def _duplicate_threshold(self) -> float:
        raw = self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM)
        try:
            value = float(raw) if raw not in (None, "") else DEFAULT_THRESHOLD
        except (TypeError, ValueError):
            return DEFAULT_THRESHOLD
        return min(max(value, 50.0), 100.0)

    def _candidate_domain(self, exclude_ids: Iterable[int]) -> list:
        domain: list = ["|", ("is_company", "=", True), ("type", "in", ["contact", False])]
        excluded = sorted({int(i) for i in exclude_ids})
        if excluded:
            domain.append(("id", "not in", excluded))
        return domain

    def _match(self, probes: list[Probe], exclude_ids: Iterable[int] = ()
               ) -> list[list[Found]]:
        """For each probe, the partners it matches, best first (two queries)."""
        model = self.with_context(active_test=True)
        base = model._candidate_domain(exclude_ids)
        threshold = self._duplicate_threshold()
        names = model._name_hits(probes, base, threshold)
        candidates, index_of = model._key_candidates(probes, base, names)
        result = []
        for probe, name_hits in zip(probes, names):
            if probe.skip:
                result.append([])
                continue
            ids = set(name_hits) | index_of["email"].get(probe.email or "", set()) | \
                index_of["siren"].get(probe.siren or "", set())
            for number in probe.phones:
                ids |= index_of["phone"].get(number, set())
            found = [item for item in (
                _compare(probe, candidates[i], name_hits.get(i), threshold)
                for i in sorted(ids) if i in candidates and i != probe.own_id) if item]
            result.append(sorted(found, key=lambda f: (-f.score, f.partner_id)))
        return result

    def _name_hits(self, probes: list[Probe], base: list, threshold: float
                   ) -> list[dict[int, float]]:
        """``{partner id: similarity}`` per probe: the one full read (ids and normalised
        names of the candidates), then rapidfuzz in memory."""
        from rapidfuzz import fuzz, process
        names: list[dict[int, float]] = [{} for _p in probes]
        if not any(p.name and not p.skip for p in probes):
            return names
        table = self._sa_table
        query = self._search(base + [("name_key", "!=", False)], order=False)
        choices: dict[bool, dict[int, str]] = {True: {}, False: {}}
        for row in self.env.execute(query.add_columns(table.c.name_key, table.c.is_company)):
            choices[bool(row.is_company)][row.id] = row.name_key
        for index, probe in enumerate(probes):
            if probe.skip or not probe.name:
                continue
            hits = process.extract(probe.name, choices[probe.is_company], scorer=fuzz.ratio,
                                   score_cutoff=threshold, limit=None)
            names[index] = {key: score for _value, score, key in hits}
        return names

    def _key_candidates(self, probes: list[Probe], base: list,
                        names: list[dict[int, float]]) -> tuple[dict[int, Any], dict]:
        """The rows of the name candidates and of the partners sharing an e-mail, a phone
        or a SIREN with a probe (one indexed query), and those keys' index."""
        live = [p for p in probes if not p.skip]
        phones = sorted({n for p in live for n in p.phones})
        clauses = [(n, "in", v) for n, v in (
            ("id", sorted({i for hits in names for i in hits})),
            ("email_normalized", sorted({p.email for p in live if p.email})),
            ("phone_sanitized", phones), ("mobile_sanitized", phones),
            ("siren", sorted({p.siren for p in live if p.siren}))) if v]
        index_of: dict[str, dict[str, set[int]]] = {
            "email": defaultdict(set), "phone": defaultdict(set), "siren": defaultdict(set)}
        if not clauses:
            return {}, index_of
        table = self._sa_table
        columns = [table.c[n] for n in ("email_normalized", "phone_sanitized",
                                        "mobile_sanitized", "siren", "is_company",
                                        "parent_id")]
        domain = base + ["|"] * (len(clauses) - 1) + clauses
        candidates = {row.id: row for row in self.env.execute(
            self._search(domain, order=False).add_columns(*columns))}
        for row in candidates.values():
            if row.email_normalized:
                index_of["email"][row.email_normalized].add(row.id)
            for number in (row.phone_sanitized, row.mobile_sanitized):
                if number:
                    index_of["phone"][number].add(row.id)
            if row.siren and row.is_company:
                index_of["siren"][row.siren].add(row.id)
        return candidates, index_of

    # -- the banner on the form ---------------------------------------------------------------
    def _compute_duplicates(self) -> None:
        reviews = self.env["res.partner.duplicate"].sudo()
        pending = reviews.search([("state", "=", "to_review"), "|",
                                  ("partner_id", "in", self.ids),
                                  ("duplicate_id", "in", self.ids)]) if self.ids else reviews
        others: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for pair in pending:
            a, b = pair.partner_id.id, pair.duplicate_id.id
            others[a].append((b, pair))
            others[b].append((a, pair))
        wanted = sorted({other for rows in others.values() for other, _pair in rows})
        # as the user: only the partners he may see, and only active ones
        visible = {p.id: p for p in self.env["res.partner"].search([("id", "in", wanted)])} \
            if wanted else {}
        urls = self._duplicate_urls()
        for partner in self:
            rows = [(visible[o], pair) for o, pair in others.get(partner.id, [])
                    if o in visible]
            partner.duplicate_count = len(rows)
            partner.duplicate_banner = _banner(partner, rows, urls) if rows else False

    def _duplicate_urls(self) -> dict[str, Any]:
        def action(xml_id: str) -> int | None:
            record = self.env(su=True).ref(xml_id, raise_if_not_found=False)
            return record.id if record else None
        contacts = action("crm_base.res_partner_action_contacts") or \
            action("base.res_partner_action")
        return {"contacts": contacts,
                "accounts": action("crm_base.res_partner_action_accounts") or contacts,
                "review": action("crm_base.res_partner_duplicate_action")}


def _compare(probe: Probe, row: Any, name_score: float | None, threshold: float
             ) -> Found | None:
    """The signals between a probe and a candidate row, or None when they cannot be the
    same account or person."""
    if bool(row.is_company) != probe.is_company:
        return None
    if probe.is_company and probe.siren and row.siren and probe.siren != row.siren:
        return None                     # two legal entities, whatever their names
    colleagues = not probe.is_company and probe.parent_id is not None and \
        row.parent_id == probe.parent_id
    elsewhere = not probe.is_company and probe.parent_id is not None and \
        row.parent_id is not None and row.parent_id != probe.parent_id
    found = Found(row.id)
    if probe.is_company and probe.siren and probe.siren == row.siren:
        found.signals["siren"] = SIGNAL_SCORES["siren"]
    if probe.email and probe.email == row.email_normalized and not (
            colleagues and _role_mailbox(probe.email)):
        found.signals["email"] = SIGNAL_SCORES["email"]
    theirs = {n for n in (row.phone_sanitized, row.mobile_sanitized) if n}
    if probe.phones & theirs and not colleagues:
        found.signals["phone"] = SIGNAL_SCORES["phone"]
    if name_score is not None and not elsewhere:
        contradicted = not found.signals and probe.phones and theirs and \
            not probe.phones & theirs
        needed = min(100.0, threshold + PHONE_CONFLICT_MARGIN) if contradicted else threshold
        if name_score >= needed:
            found.signals["name"] = float(name_score)
    return found if found.signals else None


def _banner(partner: Any, rows: list[tuple[Any, Any]], urls: dict[str, Any]) -> str:
    """The warning shown on the partner's form: each possible duplicate (a link), why,
    and the way to merge them or to review the pairs."""
    action = urls["accounts"] if partner.is_company else urls["contacts"]
    items = []
    for other, pair in sorted(rows, key=lambda item: (-item[1].score, item[0].id)):
        link = f"/web/action/{action}/{other.id}" if action else ""
        name = escape(other.display_name)
        where = f" ({escape(other.city)})" if other.city else ""
        review = f"/web/action/{urls['review']}/{pair.id}" if urls["review"] else ""
        label = Markup('<a href="{0}">{1}</a>').format(link, name) if link else name
        reasons = escape(", ".join(pair.reasons_list()))
        details = Markup(' — <a href="{0}">{1}</a>').format(
            review, _("review this pair")) if review else ""
        items.append(Markup("<li>{0}{1}: {2}{3}</li>").format(label, where, reasons,
                                                              details))
    ids = ",".join(str(i) for i in [partner.id, *(o.id for o, _p in rows)])
    merge = Markup('<a href="/web/merge?model=res.partner&ids={0}{1}">{2}</a>').format(
        ids, f"&action={action}" if action else "", _("Compare and merge…"))
    title = _("This record may be a duplicate of another record.") if len(rows) == 1 else \
        _("This record may be a duplicate of %(count)s other records.", count=len(rows))
    return str(Markup("<p><strong>{0}</strong></p><ul>{1}</ul><p>{2}</p>").format(
        title, Markup("").join(items), merge))


def _id_of(value: Any) -> int | None:
    if hasattr(value, "_ids"):
        return value.id or None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return int(value) if value else None

