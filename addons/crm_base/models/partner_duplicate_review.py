"""``res.partner.duplicate``: the pairs of partners that may be one account or person.

Filled by detection (a partner created, what identifies it changed, an import: see
:mod:`.partner_duplicates`), reviewed in *Customers / Duplicates to review*: a pair is
merged (the merge wizard marks it), or marked *not a duplicate*, which stops flagging
it. A pair is stored once, the older partner first.

When partners are merged, the kernel hands this model the rewiring of its own links
(:meth:`ResPartnerDuplicate._merge_references`): a pair between the kept record and a
merged one is *merged*; a pair between a merged one and a third partner moves to the
kept record, unless that pair is already known.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from core import Model, _, api, fields
from core.exceptions import ValidationError

from .partner_duplicates import reason_text

STATES = [("to_review", "To Review"), ("merged", "Merged"),
          ("not_duplicate", "Not a Duplicate")]


class ResPartnerDuplicate(Model):
    _name = "res.partner.duplicate"
    _description = "Possible Duplicate"
    _order = "score desc, id desc"

    partner_id = fields.Many2one("res.partner", "Partner", required=True, index=True,
                                 ondelete="cascade", readonly=True,
                                 help="The older record of the pair.")
    duplicate_id = fields.Many2one("res.partner", "Possible Duplicate", required=True,
                                   index=True, ondelete="cascade", readonly=True)
    score = fields.Float("Score", digits=(5, 1), readonly=True,
                         help="From 0 to 100: how sure the detection is.")
    reason_codes = fields.Json("Reason Codes", readonly=True)
    reasons = fields.Char("Reasons", compute="_compute_reasons")
    state = fields.Selection(STATES, "Status", required=True, default="to_review",
                             index=True)
    merge_link = fields.Html("Merge", compute="_compute_merge_link")

    _sql_constraints = [("pair_unique", "unique(partner_id, duplicate_id)",
                         "This pair of partners is already listed.")]

    @api.constrains("partner_id", "duplicate_id")
    def _check_pair(self) -> None:
        for pair in self:
            if pair.partner_id == pair.duplicate_id:
                raise ValidationError(_("A partner cannot be its own duplicate."),
                                      field="duplicate_id")

    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(v) for v in ([vals_list] if single else vals_list)]
        for vals in vals_list:      # one row per pair: the older partner first
            a, b = vals.get("partner_id"), vals.get("duplicate_id")
            if a and b and int(b) < int(a):
                vals["partner_id"], vals["duplicate_id"] = b, a
        pairs = super().create(vals_list)
        self._forget_banners()
        return pairs[0] if single else pairs

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        self._forget_banners()
        return result

    def unlink(self) -> bool:
        result = super().unlink()
        self._forget_banners()
        return result

    def _forget_banners(self) -> None:
        """The partners' banners (computed from the pending pairs) are stale."""
        self.env.cache.invalidate([("res.partner", "duplicate_count"),
                                   ("res.partner", "duplicate_banner")])

    def reasons_list(self) -> list[str]:
        """The reasons of this pair, translated."""
        self.ensure_one()
        return [reason_text(code) for code in self.reason_codes or []]

    def _compute_reasons(self) -> None:
        for pair in self:
            pair.reasons = ", ".join(pair.reasons_list())

    def _compute_display_name(self) -> None:
        for pair in self:
            pair.display_name = _("%(first)s / %(second)s",
                                  first=pair.partner_id.display_name or "",
                                  second=pair.duplicate_id.display_name or "")

    def _compute_merge_link(self) -> None:
        for pair in self:
            if pair.state != "to_review" or not pair.partner_id or not pair.duplicate_id:
                pair.merge_link = False
                continue
            pair.merge_link = str(Markup(
                '<p><a href="/web/merge?model=res.partner&amp;ids={0},{1}">{2}</a></p>'
            ).format(pair.partner_id.id, pair.duplicate_id.id,
                     _("Compare the two records and merge them…")))

    # -- buttons --------------------------------------------------------------------------
    def action_not_duplicate(self) -> bool:
        """The two records are different accounts or people: stop flagging them."""
        self.write({"state": "not_duplicate"})
        return True

    def action_to_review(self) -> bool:
        """Put the pair back in the review list."""
        self.write({"state": "to_review"})
        return True

    # -- merging partners --------------------------------------------------------------------
    def _merge_references(self, comodel: str, source_ids: list[int], target_id: int
                          ) -> None:
        """Called by the kernel's merge instead of rewiring this model's links to the
        merged partners (these are pairs, not plain links, see the module's doc)."""
        if comodel != "res.partner":
            return
        sources = set(source_ids)
        merged_ids = sources | {target_id}
        pairs = self.sudo().search(["|", ("partner_id", "in", list(sources)),
                                    ("duplicate_id", "in", list(sources))])
        keys = {(p.partner_id.id, p.duplicate_id.id) for p in self.sudo().search(
            ["|", ("partner_id", "=", target_id), ("duplicate_id", "=", target_id)])}
        done, gone = [], []
        for pair in pairs:
            a, b = pair.partner_id.id, pair.duplicate_id.id
            if a in merged_ids and b in merged_ids:
                done.append(pair.id)
                continue
            other = b if a in sources else a
            key = (min(other, target_id), max(other, target_id))
            if key in keys:
                gone.append(pair.id)
                continue
            keys.add(key)
            pair.write({"partner_id": key[0], "duplicate_id": key[1]})
        if done:
            self.sudo().browse(done).write({"state": "merged"})
        if gone:
            self.sudo().browse(gone).unlink()
