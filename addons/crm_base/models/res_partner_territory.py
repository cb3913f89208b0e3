"""``res.partner.territory_id``: the sales territory of an account.

Stored, computed from the address (country, ZIP) and the industry by the territories'
criteria (the most specific wins, see :mod:`.crm_territory`), recomputed when these
change or when territories are edited. Setting it by hand pins it
(``territory_manual``); clearing it by hand returns it to the automatic choice.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from core import Model, api, fields

#: the partner fields the territory depends on (industry once the partners' part adds it)
ADDRESS_FIELDS = ("country_id", "zip", "industry_id")
BATCH = 1000


class ResPartner(Model):
    _inherit = "res.partner"

    territory_id = fields.Many2one("crm.territory", "Territory", index=True,
                                   ondelete="set null", tracking=True,
                                   help="Computed from the address and the industry; "
                                        "set by hand to override.")
    territory_manual = fields.Boolean("Territory Set by Hand", default=False, copy=False,
                                      help="The territory was chosen by hand: address "
                                           "changes leave it alone.")

    def _territory_inputs(self) -> list[str]:
        return [name for name in ADDRESS_FIELDS if name in self._fields]

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(v) for v in ([vals_list] if single else vals_list)]
        auto = self.env.context.get("crm_territory_auto")
        for vals in vals_list:
            if vals.get("territory_id") and not auto:
                vals.setdefault("territory_manual", True)
        partners = super().create(vals_list)
        automatic = partners.browse([p.id for p, vals in zip(partners, vals_list)
                                     if not vals.get("territory_id")])
        automatic._assign_territory()
        return partners[0] if single else partners

    def write(self, vals: dict[str, Any]) -> bool:
        vals = dict(vals)
        if "territory_id" in vals and not self.env.context.get("crm_territory_auto"):
            vals.setdefault("territory_manual", bool(vals["territory_id"]))
        result = super().write(vals)
        if not self.env.context.get("crm_territory_auto") and (
                set(self._territory_inputs()) & set(vals)
                or vals.get("territory_manual") is False):
            self._assign_territory()
        return result

    def _assign_territory(self, criteria: list | None = None) -> None:
        """Compute and store the territory of these partners (not those set by hand):
        one read, one territory match in memory, one write per territory."""
        if not self:
            return
        inputs = self._territory_inputs()
        rows = self.sudo().with_context(active_test=False).read(
            ["territory_manual", "territory_id", *inputs])
        rows = [row for row in rows if not row["territory_manual"]]
        territories = self.env["crm.territory"].sudo()
        found = territories._match(
            [((row.get("country_id") or [None])[0], row.get("zip"),
              (row.get("industry_id") or [None])[0]) for row in rows], criteria)
        by_territory: dict[int | bool, list[int]] = defaultdict(list)
        for row, territory_id in zip(rows, found):
            if ((row["territory_id"] or [False])[0]) != territory_id:
                by_territory[territory_id].append(row["id"])
        for territory_id, ids in by_territory.items():
            self.sudo().browse(ids).with_context(crm_territory_auto=True).write(
                {"territory_id": territory_id})

    @api.model
    def _recompute_territory(self, criteria: list | None = None) -> None:
        """Every partner whose territory is automatic, in batches (territories changed)."""
        partners = self.sudo().with_context(active_test=False)
        ids = partners.search([("territory_manual", "=", False)]).ids
        for start in range(0, len(ids), BATCH):
            partners.browse(ids[start:start + BATCH])._assign_territory(criteria)
