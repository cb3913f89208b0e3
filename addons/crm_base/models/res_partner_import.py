"""Importing accounts and contacts (:mod:`core.imports`): the address book's rules.

* the headers of French CRM exports map by themselves (``raison sociale``, ``siren``,
  ``secteur``, ``effectif``, ``prénom`` + ``nom`` joined as a contact's name, ``compte``
  naming the contact's account by its code in the accounts file...);
* values are normalised as the partner stores them (e-mail, phones read in the row's
  country, SIREN) before they are compared, so a second run finds nothing to change;
* a row is an existing partner when duplicate detection finds the same SIREN or the same
  e-mail (:meth:`ResPartner._find_duplicates`): skipped, updated or created anyway as
  the import's duplicate policy says; two rows of one file sharing them are one partner;
* a similar name alone is no proof: such rows are imported and their pairs flagged in the
  review list (``res.partner.duplicate``), never merged;
* sectors written as French exports write them (``BTP``, ``Santé``...) name the shipped
  sectors (:mod:`.res_partner_industry_import`).
"""
from __future__ import annotations

from typing import Any, Hashable

from core import Model, ValidationError

from .partner_duplicates import ROLE_MAILBOXES, reason_text
from .partner_normalize import email_key, siren_key

#: the reasons of duplicate detection that prove two rows are one account or person
STRONG_SIGNALS = ("siren", "email")
class ResPartner(Model):
    _inherit = "res.partner"

    def _import_synonyms(self) -> dict[str, list[str]]:
        synonyms = {
            "name": ["raison sociale", "nom de l'entreprise", "prénom", "prenom", "nom",
                     "first name", "last name", "given name", "surname", "nom de famille"],
            "parent_id": ["compte", "compte client", "code compte", "account",
                          "parent company", "employeur", "employer"],
            "siren": ["siren", "n° siren", "numéro siren", "siren number"],
            "siret": ["siret", "n° siret", "numéro siret"],
            "industry_id": ["secteur", "secteur d'activité", "activité", "industry",
                            "sector"],
            "company_size": ["effectif", "taille", "tranche d'effectif", "size",
                             "headcount", "company size"],
            "category_id": ["étiquettes", "tags", "catégories", "segments"],
            "role": ["rôle", "role", "rôle dans la décision"],
            "founded_on": ["date de création", "date creation", "création", "founded",
                           "date of incorporation", "creation date"],
            "user_id": ["commercial", "responsable du compte", "account manager"],
        }
        merged = dict(super()._import_synonyms())
        for name, words in synonyms.items():
            merged[name] = [*words, *merged.get(name, [])]
        return merged

    def _import_prepare(self, vals_list: list[dict[str, Any]]
                        ) -> list[dict[str, Any] | Exception]:
        """E-mail, phones and SIREN as ``create`` would store them; a row with a value
        that cannot be right (a SIREN's check digit, an e-mail's syntax) is refused with
        the reason."""
        vals_list = super()._import_prepare(vals_list)
        rows = [v for v in vals_list if isinstance(v, dict)]
        codes, parent_codes = self._country_codes(
            {v["country_id"] for v in rows if v.get("country_id")},
            {v["parent_id"] for v in rows if v.get("parent_id")})
        result: list[dict[str, Any] | Exception] = []
        for vals in vals_list:
            if isinstance(vals, Exception):
                result.append(vals)
                continue
            country = codes.get(vals.get("country_id") or 0) or \
                parent_codes.get(vals.get("parent_id") or 0)
            try:
                result.append(self._normalized_vals(vals, country))
            except ValidationError as exc:
                result.append(exc)
        return result

    def _import_match(self, vals_list: list[dict[str, Any]]) -> list[int | None]:
        """The existing partner with the same SIREN or e-mail (the best such match)."""
        matches = super()._import_match(vals_list)
        strong = {reason_text(code) for code in STRONG_SIGNALS}
        found = self._find_duplicates([self._import_identity(v) for v in vals_list])
        return [current or next((d.partner_id for d in duplicates
                                 if strong.intersection(d.reasons)), None)
                for current, duplicates in zip(matches, found)]

    def _import_identity(self, vals: dict[str, Any]) -> dict[str, Any]:
        """The row's values with what the import's context gives every new partner
        (the accounts list imports companies)."""
        context = self.env.context
        identity = dict(vals)
        for name in ("is_company", "type"):
            if name not in identity and f"default_{name}" in context:
                identity[name] = context[f"default_{name}"]
        return identity

    def _import_duplicate_keys(self, vals_list: list[dict[str, Any]]
                               ) -> list[list[Hashable]]:
        """Rows of one file are one partner when they share a SIREN (companies) or an
        e-mail that is not a shared mailbox (``contact@``...) within the same kind
        (company or person) and never across different SIRENs."""
        keys = super()._import_duplicate_keys(vals_list)
        for row_keys, vals in zip(keys, vals_list):
            identity = self._import_identity(vals)
            is_company = bool(identity.get("is_company"))
            siren = siren_key(identity.get("siren")) if is_company else None
            email = email_key(identity.get("email"))
            if siren:
                row_keys.append(("siren", siren))
            if email and not (not is_company and email.split("@")[0] in ROLE_MAILBOXES):
                row_keys.append(("email", is_company, email, siren))
        return keys

    def _import_flag_duplicates(self, records: Any) -> dict[int, list[int]]:
        """The pairs detection recorded for review (creating a partner already flags
        them; flagging again only returns the pending pairs)."""
        flagged = super()._import_flag_duplicates(records)
        pairs = self._flag_duplicates(records)
        mine = set(records.ids)
        for pair in pairs:
            a, b = pair.partner_id.id, pair.duplicate_id.id
            for own, other in ((a, b), (b, a)):
                if own in mine:
                    flagged.setdefault(own, [])
                    if other not in flagged[own]:
                        flagged[own].append(other)
        return flagged

