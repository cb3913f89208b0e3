"""Tickets and standard resolutions: suggestions, applying one, publishing it.

While an agent handles a ticket, :meth:`_suggest_resolutions` ranks the resolutions of the
known problems that look like it (the kernel's keyword search on the problems' names,
keywords and symptoms, and on the resolutions themselves, from the ticket's subject and
description). Applying one (:meth:`_apply_resolution`, the *Apply a resolution* wizard)
sets ``resolution_id`` and logs the steps on the chatter, or sends them to the customer.

Once the ticket is resolved, *Publish to the knowledge base* hands ticket and resolution
to the hook ``comptoir_publish_resolution``, which a knowledge addon implements; the
button only shows when one does.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from core import Model, _, api, fields
from core.exceptions import UserError

#: words of the ticket the suggestions search with (a long e-mail thread adds noise)
QUERY_CHARS = 2000
#: weight of a resolution's own match against that of the problems it solves
DIRECT_WEIGHT = 0.5
#: suggestions scoring below this share of the best one are noise (common words)
RELATIVE_CUTOFF = 0.3
PUBLISHABLE = ("resolved", "closed")


class HelpdeskTicketResolution(Model):
    _inherit = "helpdesk.ticket"

    resolution_id = fields.Many2one("helpdesk.resolution", "Resolution", index=True,
                                    tracking=True, ondelete="set null",
                                    help="The standard resolution that solved the ticket.")
    suggested_resolution_ids = fields.Many2many(
        "helpdesk.resolution", string="Suggested Resolutions",
        compute="_compute_suggested_resolution_ids",
        help="Resolutions of the known problems that look like this ticket, best first.")
    resolution_published = fields.Boolean("Published to the Knowledge Base", readonly=True,
                                          copy=False)
    can_publish_resolution = fields.Boolean("Can Publish",
                                            compute="_compute_can_publish_resolution")

    # -- suggestions ------------------------------------------------------------------------
    @api.depends("name", "description", "product_id")
    def _compute_suggested_resolution_ids(self) -> None:
        for ticket in self:
            ticket.suggested_resolution_ids = ticket._suggest_resolutions()

    def _suggest_resolutions(self, limit: int = 5) -> Any:
        """The ``helpdesk.resolution`` records best matching this ticket's subject and
        description, best first (at most ``limit``): a problem's score goes to each of its
        resolutions, a resolution's own match counts half; problems tied to other products
        than the ticket's are left out, and so are matches scoring under 30% of the best
        (a common word); equal scores go to the most applied."""
        self.ensure_one()
        resolutions = self.env["helpdesk.resolution"]
        query = f"{self.name or ''} {self.description or ''}"[:QUERY_CHARS]
        if not query.strip():
            return resolutions
        problem_domain: list[Any] = [("resolution_ids", "!=", False)]
        if self.product_id:
            problem_domain += ["|", ("product_ids", "=", False),
                               ("product_ids", "in", [self.product_id.id])]
        else:
            problem_domain.append(("product_ids", "=", False))
        scores: dict[int, float] = {}
        problems = self.env["helpdesk.problem"].fts_search(query, problem_domain,
                                                           limit=limit * 4)
        for problem, score in problems:
            for resolution in problem.resolution_ids:
                scores[resolution.id] = scores.get(resolution.id, 0.0) + score
        for resolution, score in resolutions.fts_search(query, limit=limit * 4):
            scores[resolution.id] = scores.get(resolution.id, 0.0) + DIRECT_WEIGHT * score
        if not scores:
            return resolutions
        best = max(scores.values())
        scores = {rid: score for rid, score in scores.items()
                  if score >= RELATIVE_CUTOFF * best}
        found = resolutions.browse(list(scores)).exists()
        counts = {r.id: r.ticket_count for r in found}
        ranked = sorted(found.ids, key=lambda rid: (-round(scores[rid], 6), -counts[rid], rid))
        return resolutions.browse(ranked[:limit])

    # -- applying ----------------------------------------------------------------------------
    def _apply_resolution(self, resolution: Any, send_to_customer: bool = False) -> Any:
        """Record that ``resolution`` solves this ticket and log its steps on the chatter
        (an internal note), or send them to the customer (``send_to_customer``); returns
        the message posted."""
        self.ensure_one()
        resolution.ensure_one()
        self.write({"resolution_id": resolution.id})
        steps = Markup(resolution.steps or "")
        if send_to_customer:
            return self.message_post(body=steps or escape(resolution.name),
                                     subject=resolution.name, message_type="comment",
                                     subtype_xmlid="mail.mt_comment")
        body = Markup("<p>{}</p>{}").format(
            _("Resolution applied: %(name)s", name=resolution.name), steps)
        return self.message_post(body=body, message_type="comment")

    def action_open_apply_resolution(self) -> dict[str, Any]:
        """The *Apply a resolution* button: a wizard offers the best suggestion."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "target": "new",
                "xml_id": "helpdesk.helpdesk_resolution_apply_action",
                "context": {"active_model": self._name, "active_id": self.id,
                            "active_ids": self.ids}}

    # -- publishing ----------------------------------------------------------------------------
    @api.model
    def _publish_hook(self) -> Any:
        """The hook caller, or None when no installed addon implements it."""
        pm = getattr(self.env.registry, "pm", None)
        caller = getattr(getattr(pm, "hook", None), "comptoir_publish_resolution", None)
        if caller is None or not caller.get_hookimpls():
            return None
        return caller

    @api.depends("state", "resolution_id")
    def _compute_can_publish_resolution(self) -> None:
        available = self._publish_hook() is not None
        for ticket in self:
            ticket.can_publish_resolution = bool(
                available and ticket.resolution_id and ticket.state in PUBLISHABLE)

    def action_publish_resolution(self) -> Any:
        """Publish the ticket's resolution through ``comptoir_publish_resolution``; opens
        the published record when the web client has a window for it (else True)."""
        self.ensure_one()
        caller = self._publish_hook()
        if caller is None:
            raise UserError(_("No knowledge base is installed to publish to."))
        if not self.resolution_id:
            raise UserError(_("Apply a resolution to the ticket before publishing it."))
        if self.state not in PUBLISHABLE:
            raise UserError(_("Only a resolved or closed ticket's resolution is published."))
        self._check_access("write")
        published = caller(env=self.env, ticket=self, resolution=self.resolution_id)
        if published is None:
            raise UserError(_("The knowledge base did not publish this resolution."))
        self.sudo().write({"resolution_published": True})
        name = getattr(published, "display_name", "") or str(published)
        self.message_post(body=Markup("<p>{}</p>").format(
            _("Resolution %(resolution)s published to the knowledge base: %(record)s.",
              resolution=self.resolution_id.name, record=name)))
        if getattr(published, "_name", None) and len(published) == 1 and \
                self.env["ir.actions.act_window"].sudo().search_count(
                    [("res_model", "=", published._name)]):
            return {"type": "ir.actions.act_window", "res_model": published._name,
                    "res_id": published.id}
        return True

    def action_open_canned_reply(self) -> dict[str, Any]:
        """The *Canned response* button: a wizard picks the response and posts it."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "target": "new",
                "xml_id": "helpdesk.helpdesk_canned_reply_action",
                "context": {"active_model": self._name, "active_id": self.id,
                            "active_ids": self.ids}}
