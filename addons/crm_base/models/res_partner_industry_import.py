"""Importing sectors by the words of French exports: ``BTP`` is *Construction*, ``Santé``
*Health & Social Work*... (a many2one column pointing at ``res.partner.industry``, such as
an account's ``secteur``; see :mod:`core.imports`)."""
from __future__ import annotations

from core import Model

#: sector names of French exports, by the external id of the shipped sector
SECTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "res_partner_industry_agriculture": ("agriculture", "agricole", "agroalimentaire"),
    "res_partner_industry_manufacturing": ("industrie", "industriel", "fabrication",
                                           "production"),
    "res_partner_industry_energy": ("energie", "énergie"),
    "res_partner_industry_construction": ("btp", "bâtiment", "batiment", "travaux publics",
                                          "construction"),
    "res_partner_industry_trade": ("commerce", "négoce", "distribution", "retail"),
    "res_partner_industry_transport": ("transport", "transports", "logistique"),
    "res_partner_industry_hospitality": ("hôtellerie", "hotellerie", "restauration",
                                         "hôtellerie-restauration", "chr"),
    "res_partner_industry_ict": ("informatique", "numérique", "télécoms", "it"),
    "res_partner_industry_finance": ("banque", "assurance", "finance"),
    "res_partner_industry_real_estate": ("immobilier",),
    "res_partner_industry_professional": ("conseil", "services professionnels"),
    "res_partner_industry_business_services": ("services aux entreprises",),
    "res_partner_industry_public": ("administration", "secteur public"),
    "res_partner_industry_education": ("enseignement", "éducation", "formation"),
    "res_partner_industry_health": ("santé", "sante", "médical", "action sociale"),
    "res_partner_industry_arts": ("culture", "loisirs", "arts"),
    "res_partner_industry_other_services": ("services", "autres services"),
}


class ResPartnerIndustry(Model):
    _inherit = "res.partner.industry"

    def _import_resolve(self, values: list[str]) -> dict[str, int]:
        """Sectors as French exports name them: ``BTP``, ``Santé``, ``Hôtellerie``...
        (the shipped sectors' external ids read in one query)."""
        from core.imports import label_key
        found = dict(super()._import_resolve(values))
        aliases = {label_key(alias): xml_id for xml_id, words in SECTOR_ALIASES.items()
                   for alias in words}
        wanted = {value: aliases[label_key(value)] for value in values
                  if value not in found and label_key(value) in aliases}
        if not wanted:
            return found
        rows = self.env["ir.model.data"].sudo().search_read(
            [("module", "=", "crm_base"), ("model", "=", self._name),
             ("name", "in", sorted(set(wanted.values())))], ["name", "res_id"])
        ids = {row["name"]: row["res_id"] for row in rows}
        visible = set(self.search([("id", "in", sorted(ids.values()))]).ids) if ids else set()
        for value, xml_id in wanted.items():
            if ids.get(xml_id) in visible:
                found[value] = ids[xml_id]
        return found
