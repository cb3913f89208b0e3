"""``res.partner`` in the CRM: accounts (companies) and their contacts, one address book.

The kernel's address book becomes a ``mail.thread`` (chatter, followers, activities; the
changes of the key fields on the timeline) and gains what sales people record about an
account: SIREN/SIRET, tags, sector, size, account manager (the kernel's ``user_id``),
the contact's role beside his job position, and a *site* address type beside invoice and
delivery. E-mails and phones are checked and normalised on every create and write,
whoever writes (form, import, API): see :mod:`.partner_normalize`.

Commercial fields (:meth:`ResPartner._commercial_fields`: account manager, sector, tags,
size, SIREN) belong to the commercial entity: a contact takes its company's when it is
created or moved to a company, and a change on the company reaches all its contacts and
addresses (as Odoo does).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from core import Model, _, api, fields

from .partner_normalize import (DEFAULT_COUNTRY, email_key, name_key, normalize_email,
                                normalize_phone, normalize_siren, normalize_siret, phone_key)

COMPANY_SIZES = [("micro", "Micro (1–9 employees)"), ("small", "Small (10–49 employees)"),
                 ("medium", "Medium (50–249 employees)"),
                 ("intermediate", "Intermediate (250–4,999 employees)"),
                 ("large", "Large (5,000 employees and more)")]
ROLES = [("decision_maker", "Decision Maker"), ("influencer", "Influencer"),
         ("user", "User"), ("other", "Other")]
ADDRESS_TYPES = [("contact", "Contact"), ("invoice", "Invoice Address"),
                 ("delivery", "Delivery Address"), ("site", "Site Address"),
                 ("other", "Other Address")]
PHONE_FIELDS = ("phone", "mobile")


class ResPartner(Model):
    _inherit = ["res.partner", "mail.thread"]

    # the kernel's fields, tracked on the chatter (and relabelled where the CRM says so)
    name = fields.Char(tracking=True)
    is_company = fields.Boolean(tracking=True)
    parent_id = fields.Many2one(tracking=True)
    type = fields.Selection(ADDRESS_TYPES, help="A contact, or one of the company's "
                                                "addresses (invoicing, delivery, a site).")
    function = fields.Char(tracking=True)
    email = fields.Char(tracking=True, help="Checked and normalised when saved.")
    phone = fields.Char(tracking=True, help="Read in the partner's country (France by "
                                            "default) and kept in international format.")
    mobile = fields.Char(tracking=True, help="Read in the partner's country (France by "
                                             "default) and kept in international format.")
    user_id = fields.Many2one(string="Account Manager", tracking=True,
                              help="The salesperson in charge of the account; its contacts "
                                   "follow the company's.")
    # the CRM's
    role = fields.Selection(ROLES, "Role", tracking=True,
                            help="The contact's part in buying decisions.")
    siren = fields.Char("SIREN", size=9, index=True, tracking=True, copy=False,
                        help="The company's 9-digit French registration number.")
    siret = fields.Char("SIRET", size=14, copy=False,
                        help="The 14-digit number of this establishment (SIREN + NIC).")
    founded_on = fields.Date("Founded On", tracking=True,
                             help="The date the company was created (as registries and "
                                  "older CRMs export it).")
    category_id = fields.Many2many("res.partner.category",
                                   "res_partner_res_partner_category_rel", "partner_id",
                                   "category_id", "Tags")
    industry_id = fields.Many2one("res.partner.industry", "Sector", tracking=True,
                                  ondelete="set null")
    company_size = fields.Selection(COMPANY_SIZES, "Company Size", tracking=True)
    # matching keys (indexed: duplicate detection looks them up)
    email_normalized = fields.Char("Normalised E-mail", compute="_compute_email_normalized",
                                   store=True, index=True, copy=False)
    phone_sanitized = fields.Char("Phone (E.164)", compute="_compute_phone_sanitized",
                                  store=True, index=True, copy=False)
    mobile_sanitized = fields.Char("Mobile (E.164)", compute="_compute_phone_sanitized",
                                   store=True, index=True, copy=False)
    name_key = fields.Char("Normalised Name", compute="_compute_name_key", store=True,
                           index=True, copy=False)

    # -- matching keys ----------------------------------------------------------------------
    @api.depends("email")
    def _compute_email_normalized(self) -> None:
        for partner in self:
            partner.email_normalized = email_key(partner.email)

    @api.depends("phone", "mobile", "country_id")
    def _compute_phone_sanitized(self) -> None:
        for partner in self:
            country = partner.country_id.code or DEFAULT_COUNTRY
            partner.phone_sanitized = phone_key(partner.phone, country)
            partner.mobile_sanitized = phone_key(partner.mobile, country)

    @api.depends("name")
    def _compute_name_key(self) -> None:
        for partner in self:
            partner.name_key = name_key(partner.name)

    @api.model
    def _crm_backfill_keys(self) -> None:
        """Fill the matching keys of the partners that existed before the CRM was
        installed (called by ``data/partner_data.xml``: one read, one executemany), then
        flag their possible duplicates for review."""
        table, countries = self._sa_table, self.env["res.country"]._sa_table
        rows = self.env.execute(sa.select(table.c.id, table.c.name, table.c.email,
                                          table.c.phone, table.c.mobile,
                                          table.c.country_id)).all()
        codes = dict(self.env.execute(sa.select(countries.c.id, countries.c.code)).all())
        params = []
        for row in rows:
            country = codes.get(row.country_id) or DEFAULT_COUNTRY
            params.append({"_id": row.id, "name_key": name_key(row.name),
                           "email_normalized": email_key(row.email),
                           "phone_sanitized": phone_key(row.phone, country),
                           "mobile_sanitized": phone_key(row.mobile, country)})
        if params:
            self.env.execute(table.update().where(table.c.id == sa.bindparam("_id")).values(
                {name: sa.bindparam(name) for name in params[0] if name != "_id"}), params)
            self.env.cache.invalidate()
            self._flag_duplicates(self.browse([row.id for row in rows]))

    # -- normalisation --------------------------------------------------------------------------
    def _normalized_vals(self, vals: dict[str, Any], country: str | None) -> dict[str, Any]:
        """``vals`` with e-mail, phones, SIREN and SIRET checked and normalised (phones
        read in ``country``); a :class:`ValidationError` names the first wrong field."""
        vals = dict(vals)
        label = {name: _(self._fields[name].string) for name in
                 ("email", "phone", "mobile", "siren", "siret")}
        if "email" in vals:
            vals["email"] = normalize_email(vals["email"], label=label["email"]) or False
        for name in PHONE_FIELDS:
            if name in vals:
                vals[name] = normalize_phone(vals[name], country, field=name,
                                             label=label[name]) or False
        if "siren" in vals:
            vals["siren"] = normalize_siren(vals["siren"], label=label["siren"]) or False
        if "siret" in vals:
            vals["siret"] = normalize_siret(vals["siret"], label=label["siret"]) or False
            if vals["siret"] and not vals.get("siren"):
                vals.setdefault("siren", vals["siret"][:9])
        return vals

    def _country_codes(self, country_ids: set[int], parent_ids: set[int]
                       ) -> tuple[dict[int, str], dict[int, str]]:
        """Country codes by country id, and the countries of parents by parent id (two
        queries at most, for a whole batch)."""
        countries = self.env["res.country"].sudo()
        parents = self.sudo().with_context(active_test=False).browse(sorted(parent_ids))
        by_parent = {p.id: p.country_id.id for p in parents if p.country_id}
        ids = set(country_ids) | set(by_parent.values())
        codes = {c.id: c.code for c in countries.browse(sorted(ids))} if ids else {}
        return codes, {pid: codes.get(cid, "") for pid, cid in by_parent.items()}

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(v) for v in ([vals_list] if single else vals_list)]
        if any(name in vals for vals in vals_list for name in PHONE_FIELDS):
            codes, parent_codes = self._country_codes(
                {v["country_id"] for v in vals_list if v.get("country_id")},
                {v["parent_id"] for v in vals_list if v.get("parent_id")})
        else:
            codes, parent_codes = {}, {}
        vals_list = [self._normalized_vals(vals, codes.get(vals.get("country_id") or 0)
                                           or parent_codes.get(vals.get("parent_id") or 0))
                     for vals in vals_list]
        self._commercial_defaults(vals_list)
        partners = super().create(vals_list)
        return partners[0] if single else partners

    def write(self, vals: dict[str, Any]) -> bool:
        if not any(name in vals for name in (*PHONE_FIELDS, "email", "siren", "siret")):
            return self._write_and_sync(vals)
        if not any(vals.get(name) for name in PHONE_FIELDS) or len(self) <= 1:
            return self._write_and_sync(self._normalized_vals(vals, self._phone_country(vals)))
        # phones typed without their country code read in each partner's own country
        groups: dict[str | None, list[int]] = defaultdict(list)
        for partner in self:
            groups[partner._phone_country(vals)].append(partner.id)
        for country, ids in groups.items():
            self.browse(ids)._write_and_sync(self._normalized_vals(vals, country))
        return True

    def _phone_country(self, vals: dict[str, Any]) -> str | None:
        """The country a number typed without its country code is read in: the one being
        written, else the partner's, else its company's (France when none)."""
        if vals.get("country_id"):
            return self.env["res.country"].sudo().browse(vals["country_id"]).code
        if len(self) != 1:
            return None
        partner = self.sudo()
        return partner.country_id.code or partner.parent_id.country_id.code or None

    def _write_and_sync(self, vals: dict[str, Any]) -> bool:
        """Write, then pass commercial fields on: to the contacts moved to another
        company (from it), and from the companies whose values changed (to their
        contacts). A form saved unchanged passes nothing on."""
        if self.env.context.get("crm_commercial_sync") or not self._ids:
            return super().write(vals)
        names = [name for name in self._commercial_fields() if name in vals]
        moving = "parent_id" in vals or "is_company" in vals
        partners = self.sudo().with_context(active_test=False)
        before = {p.id: (p.parent_id.id, p.is_company) for p in partners} if moving else {}
        old = partners._commercial_snapshot(names) if names else {}
        result = super().write(vals)
        if moving:
            self.browse([p.id for p in partners if p.parent_id and not p.is_company
                         and before.get(p.id) != (p.parent_id.id, p.is_company)]
                        )._sync_from_company()
        if names:
            new = partners._commercial_snapshot(names)
            by_change: dict[tuple[str, ...], list[int]] = defaultdict(list)
            for partner in partners.filtered(lambda p: p.commercial_partner_id == p):
                changed = tuple(n for n in names if old[partner.id][n] != new[partner.id][n])
                if changed:
                    by_change[changed].append(partner.id)
            for changed, ids in by_change.items():
                self.browse(ids)._sync_to_contacts(list(changed))
        return result

    # -- commercial fields --------------------------------------------------------------------
    def _commercial_fields(self) -> list[str]:
        """Fields a contact takes from its company (extend to add yours)."""
        return ["user_id", "industry_id", "category_id", "company_size", "siren"]

    def _commercial_snapshot(self, names: list[str]) -> dict[int, dict[str, Any]]:
        """``{partner id: values}`` of ``names`` for these partners, ready to write."""
        result: dict[int, dict[str, Any]] = {}
        for partner in self.sudo().with_context(active_test=False):
            values: dict[str, Any] = {}
            for name in names:
                field = partner._fields[name]
                value = partner[name]
                if field.type == "many2one":
                    values[name] = value.id or False
                elif field.type == "many2many":
                    values[name] = [(6, 0, value.ids)]
                else:
                    values[name] = value if value is not None else False
            result[partner.id] = values
        return result

    def _commercial_defaults(self, vals_list: list[dict[str, Any]]) -> None:
        """New contacts of a company take its commercial fields (one read per batch)."""
        parent_ids = {vals["parent_id"] for vals in vals_list
                      if vals.get("parent_id") and not vals.get("is_company")}
        if not parent_ids:
            return
        parents = self.sudo().with_context(active_test=False).browse(sorted(parent_ids))
        entity_of = {parent.id: parent.commercial_partner_id.id for parent in parents}
        names = self._commercial_fields()
        snapshot = self.browse(sorted(set(entity_of.values())))._commercial_snapshot(names)
        for vals in vals_list:
            if vals.get("parent_id") in entity_of and not vals.get("is_company"):
                vals.update(snapshot.get(entity_of[vals["parent_id"]], {}))

    def _sync_from_company(self) -> None:
        """These contacts take their (new) company's commercial fields."""
        names = self._commercial_fields()
        by_entity: dict[int, list[int]] = defaultdict(list)
        for partner in self.sudo():
            by_entity[partner.commercial_partner_id.id].append(partner.id)
        snapshot = self.browse(sorted(by_entity))._commercial_snapshot(names)
        for entity_id, ids in by_entity.items():
            self.sudo().browse(ids).with_context(crm_commercial_sync=True).write(
                snapshot[entity_id])

    def _sync_to_contacts(self, names: list[str]) -> None:
        """The contacts and addresses of these commercial entities take their new
        ``names`` values (one search, one write per distinct set of values)."""
        if not self:
            return
        partners = self.sudo().with_context(active_test=False)
        children = partners.search([("commercial_partner_id", "in", self.ids),
                                    ("id", "not in", self.ids)])
        if not children:
            return
        snapshot = self._commercial_snapshot(names)
        by_values: dict[str, tuple[dict[str, Any], list[int]]] = {}
        for child in children:
            values = snapshot[child.commercial_partner_id.id]
            key = repr(sorted(values.items()))
            by_values.setdefault(key, (values, []))[1].append(child.id)
        for values, ids in by_values.values():
            partners.browse(ids).with_context(crm_commercial_sync=True).write(values)

