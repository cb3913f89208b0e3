"""``crm.territory``: regions and, below them, sectors, each covering accounts and leads.

A territory matches addresses by its criteria: countries, ZIP prefixes ("75,77,78") and
industries. Criteria left empty match anything; a territory without any criterion
matches nothing by itself; a sub-territory also needs its parents' criteria (a sector
lies within its region). When several territories match an address, the most specific
wins: the deepest in the hierarchy, then the one with the longest matching ZIP prefix,
then the one with the most criteria, then the first by sequence. Accounts store their
territory (see ``res_partner_territory``), recomputed when their address or the
territories change, unless someone set it by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from core import Model, _, api, fields
from core.exceptions import ValidationError

KINDS = [("region", "Region"), ("sector", "Sector")]


@dataclass(frozen=True)
class Rule:
    """One territory's own criteria (empty sets: no condition)."""

    country_ids: frozenset[int]
    zip_prefixes: tuple[str, ...]
    industry_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not (self.country_ids or self.zip_prefixes or self.industry_ids)

    def prefix_length(self, country_id: int | None, zip_code: str | None,
                      industry_id: int | None) -> int | None:
        """The length of the ZIP prefix matched (0 without prefixes); None: no match."""
        if self.country_ids and country_id not in self.country_ids:
            return None
        if self.industry_ids and industry_id not in self.industry_ids:
            return None
        if not self.zip_prefixes:
            return 0
        code = (zip_code or "").replace(" ", "").upper()
        matching = [len(p) for p in self.zip_prefixes if code and code.startswith(p)]
        return max(matching) if matching else None


@dataclass(frozen=True)
class Criteria:
    """A territory's criteria and its parents' (a sector lies within its region: an
    address must meet them all), read once for a batch of addresses."""

    territory_id: int
    depth: int
    sequence: int
    own: Rule
    parents: tuple[Rule, ...] = ()

    @property
    def empty(self) -> bool:
        return self.own.empty

    def score(self, country_id: int | None, zip_code: str | None,
              industry_id: int | None) -> tuple | None:
        """How specifically this territory matches the address (None: it does not)."""
        if self.empty:
            return None
        length = self.own.prefix_length(country_id, zip_code, industry_id)
        if length is None or any(rule.prefix_length(country_id, zip_code, industry_id) is None
                                 for rule in self.parents):
            return None
        own = self.own
        criteria = bool(own.country_ids) + bool(own.zip_prefixes) + bool(own.industry_ids)
        return (self.depth, length, criteria, -self.sequence, -self.territory_id)


def parse_prefixes(text: str | None) -> tuple[str, ...]:
    """``"75, 77,78"`` → ``("75", "77", "78")`` (spaces removed, upper case)."""
    return tuple(dict.fromkeys(p.strip().replace(" ", "").upper()
                               for p in (text or "").replace(";", ",").split(",")
                               if p.strip()))


class CrmTerritory(Model):
    _name = "crm.territory"
    _description = "Sales Territory"
    _order = "complete_name, id"
    _rec_name = "complete_name"

    name = fields.Char("Territory", required=True, translate=True)
    kind = fields.Selection(KINDS, "Kind", required=True, default="region",
                            help="A region groups sectors; a sector is the finest level.")
    parent_id = fields.Many2one("crm.territory", "Parent Territory", index=True,
                                ondelete="restrict")
    child_ids = fields.One2many("crm.territory", "parent_id", "Sub-territories")
    complete_name = fields.Char("Full Name", compute="_compute_complete_name", store=True,
                                index=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean("Active", default=True)
    user_ids = fields.Many2many("res.users", "crm_territory_user_rel", "territory_id",
                                "user_id", "Salespersons",
                                help="Who gets the territory's new leads (territory "
                                     "assignment).")
    team_id = fields.Many2one("crm.team", "Sales Team", index=True, ondelete="set null")
    country_ids = fields.Many2many("res.country", "crm_territory_country_rel",
                                   "territory_id", "country_id", "Countries")
    industry_ids = fields.Many2many("res.partner.industry", "crm_territory_industry_rel",
                                    "territory_id", "industry_id", "Industries")
    zip_prefixes = fields.Char("ZIP Prefixes",
                               help="Comma-separated beginnings of postal codes, such as "
                                    "75,77,78.")
    partner_count = fields.Integer("Accounts", compute="_compute_partner_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self) -> None:
        for territory in self:
            if territory.parent_id:
                territory.complete_name = \
                    f"{territory.parent_id.complete_name} / {territory.name}"
            else:
                territory.complete_name = territory.name

    def _compute_partner_count(self) -> None:
        counts: dict[int, int] = {}
        if self.ids:
            rows = self.env["res.partner"]._read_group_raw(
                [("territory_id", "in", self.ids)], ["territory_id"], ["__count"])
            counts = {key: count for key, count in rows}
        for territory in self:
            territory.partner_count = counts.get(territory.id, 0)

    @api.constrains("parent_id")
    def _check_parent_id(self) -> None:
        for territory in self:
            seen, parent = {territory.id}, territory.parent_id
            while parent:
                if parent.id in seen:
                    raise ValidationError(_("A territory cannot be inside itself."),
                                          field="parent_id")
                seen.add(parent.id)
                parent = parent.parent_id

    @api.constrains("zip_prefixes")
    def _check_zip_prefixes(self) -> None:
        for territory in self:
            for prefix in parse_prefixes(territory.zip_prefixes):
                if not prefix.isalnum():
                    raise ValidationError(_("'%(prefix)s' is not a ZIP prefix: use letters "
                                            "and digits separated by commas, such as "
                                            "75,77,78.", prefix=prefix),
                                          field="zip_prefixes")

    # -- matching --------------------------------------------------------------------------
    @api.model
    def _criteria(self) -> list[Criteria]:
        """Every active territory's criteria: a constant number of queries."""
        territories = self.sudo().search([])
        rows = territories.read(["parent_id", "sequence", "country_ids", "zip_prefixes",
                                 "industry_ids"])
        parents = {row["id"]: (row["parent_id"] or [None])[0] for row in rows}
        rules = {row["id"]: Rule(frozenset(row["country_ids"]),
                                 parse_prefixes(row["zip_prefixes"]),
                                 frozenset(row["industry_ids"])) for row in rows}

        def ancestors(territory_id: int) -> list[int]:
            chain, current, seen = [], parents.get(territory_id), {territory_id}
            while current and current not in seen and current in rules:
                seen.add(current)
                chain.append(current)
                current = parents.get(current)
            return chain

        result = []
        for row in rows:
            chain = ancestors(row["id"])
            result.append(Criteria(row["id"], len(chain), row["sequence"] or 0,
                                   rules[row["id"]], tuple(rules[i] for i in chain)))
        return result

    @api.model
    def _match(self, addresses: Iterable[tuple[Any, Any, Any]],
               criteria: list[Criteria] | None = None) -> list[int | bool]:
        """The best territory for each ``(country id, zip, industry id)``, or False."""
        criteria = self._criteria() if criteria is None else criteria
        result: list[int | bool] = []
        for country_id, zip_code, industry_id in addresses:
            best, best_score = False, None
            for item in criteria:
                score = item.score(country_id or None, zip_code, industry_id or None)
                if score is not None and (best_score is None or score > best_score):
                    best, best_score = item.territory_id, score
            result.append(best)
        return result

    # -- keeping accounts in step ----------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        records = super().create(vals_list)
        self._refresh_partners()
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        if vals.get("parent_id"):
            # before writing: a cycle would make the full names recompute forever
            below = self.search([("id", "child_of", self.ids)]).ids
            if int(vals["parent_id"]) in below:
                raise ValidationError(_("A territory cannot be inside itself."),
                                      field="parent_id")
        result = super().write(vals)
        if {"country_ids", "zip_prefixes", "industry_ids", "parent_id", "active",
                "sequence"} & set(vals):
            self._refresh_partners()
        return result

    def unlink(self) -> bool:
        result = super().unlink()
        self._refresh_partners()
        return result

    @api.model
    def _refresh_partners(self) -> None:
        """Criteria changed: recompute the territory of every account not set by hand."""
        self.env["res.partner"].sudo()._recompute_territory(self._criteria())
