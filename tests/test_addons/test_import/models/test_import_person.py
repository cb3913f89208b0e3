"""People matched by e-mail (the same person), flagged when they share a name."""
from __future__ import annotations

from typing import Any, Hashable

from core import Model, ValidationError, _, api, fields


class TestImportPerson(Model):
    _name = "test.import.person"
    _description = "Imported Person"

    name = fields.Char("Name", required=True)
    email = fields.Char("Email")
    code = fields.Char("Badge")
    age = fields.Integer("Age")
    partner_id = fields.Many2one("res.partner", "Company")
    kind = fields.Selection([("customer", "Customer"), ("supplier", "Supplier")], "Kind")
    tag_ids = fields.Many2many("test.tag", string="Tags")
    birthday = fields.Date("Birthday")
    flagged_ids = fields.Many2many("test.import.person", "test_import_person_flag_rel",
                                   "person_id", "other_id", string="Looks Like")

    @api.constrains("age")
    def _check_age(self) -> None:
        for person in self:
            if person.age < 0 or person.age > 150:
                raise ValidationError(_("An age is between 0 and 150."), field="age")

    def _import_synonyms(self) -> dict[str, list[str]]:
        return {**super()._import_synonyms(), "code": ["matricule"], "name": ["prénom"]}

    def _import_prepare(self, vals_list: list[dict[str, Any]]) -> list[Any]:
        result: list[Any] = []
        for vals in super()._import_prepare(vals_list):
            if vals.get("email"):
                vals["email"] = vals["email"].strip().lower()
                if "@" not in vals["email"]:
                    vals = ValidationError(_("“%(email)s” is not an e-mail address.",
                                             email=vals["email"]))
            result.append(vals)
        return result

    def _import_match(self, vals_list: list[dict[str, Any]]) -> list[int | None]:
        emails = [v["email"] for v in vals_list if v.get("email")]
        found = {p["email"]: p["id"] for p in self.search_read(
            [("email", "in", emails)], ["email"])} if emails else {}
        return [found.get(v.get("email")) for v in vals_list]

    def _import_duplicate_keys(self, vals_list: list[dict[str, Any]]
                               ) -> list[list[Hashable]]:
        return [[("email", v["email"])] if v.get("email") else [] for v in vals_list]

    def _import_flag_duplicates(self, records: Any) -> dict[int, list[int]]:
        """People of the same name (one query, then a write per person flagged)."""
        names = {p["id"]: p["name"] for p in records.read(["name"])}
        same: dict[str, list[int]] = {}
        for person in self.search_read([("name", "in", sorted(set(names.values())))],
                                       ["name"]):
            same.setdefault(person["name"], []).append(person["id"])
        result: dict[int, list[int]] = {}
        for person in records:
            others = [i for i in same.get(names[person.id], []) if i != person.id]
            if others:
                person.flagged_ids = [(6, 0, others)]
                result[person.id] = others
        return result
