"""``helpdesk.ticket``: a customer's request, from its arrival to its closing.

A ticket gets its number from the sequence ``helpdesk.ticket`` (``HD/2026/00001``) and
lives in a team's queue. Its ``state`` follows the workflow shipped in
``data/ticket_data.xml`` (administrators may relabel moves or change who makes them):

    new → assigned → in progress ⇄ waiting for the customer → resolved → closed
    resolved / closed → in progress (*Reopen*); new ... waiting → cancelled

What this module keeps consistent on every create and write, whoever makes it (forms,
kanban drags, the mail gateway, the portal, the APIs):

* a new ticket without a team gets the user's first team; without an assignee, the
  team's assignment strategy chooses one (see :meth:`HelpdeskTeam._assign_tickets`);
* giving a *new* ticket an assignee moves it to *assigned* and sets ``date_assigned``;
  taking the assignee away from an *assigned* ticket puts it back in the queue (*new*);
  an agent moving an unassigned ticket to *assigned* or *in progress* takes it;
* reopening counts (``reopen_count``) and clears the resolution and closing dates; the
  transitions' actions set ``date_resolved`` and ``date_closed``.

The queue (*Take*, *Take next*) is in ``helpdesk_ticket_queue.py``, the chatter rules
(first response, customer replies) in ``helpdesk_ticket_mail.py``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import Model, api, fields

from .helpdesk_team import OPEN_STATES

STATES = [("new", "New"), ("assigned", "Assigned"), ("in_progress", "In Progress"),
          ("waiting", "Waiting for Customer"), ("resolved", "Resolved"), ("closed", "Closed"),
          ("cancelled", "Cancelled")]
PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]
CHANNELS = [("email", "E-mail"), ("phone", "Phone"), ("portal", "Portal"),
            ("web_form", "Web Form")]
#: states a ticket is reopened from
REOPENABLE = ("resolved", "closed")
SEQUENCE_CODE = "helpdesk.ticket"
AGENT_GROUP = "helpdesk.group_helpdesk_agent"


def now_utc() -> dt.datetime:
    """Now, as the ORM stores datetimes (naive UTC, whole seconds)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class HelpdeskTicket(Model):
    _name = "helpdesk.ticket"
    _description = "Ticket"
    _inherit = ["mail.thread", "fts.mixin"]
    _order = "id"
    _rec_name = "name"
    _mail_follow_fields = ("user_id",)
    _fts_fields = {"name": 3.0, "description": 1.0}

    number = fields.Char("Number", readonly=True, copy=False, index=True,
                         help="Given from the sequence 'helpdesk.ticket' when saved.")
    name = fields.Char("Subject", required=True, tracking=True)
    description = fields.Html("Description")
    active = fields.Boolean("Active", default=True)
    company_id = fields.Many2one("res.company", "Company", index=True,
                                 default=lambda self: self.env.company.id)
    color = fields.Integer("Color Index", default=0)
    # -- the customer --------------------------------------------------------------------
    partner_id = fields.Many2one("res.partner", "Customer", index=True, tracking=True,
                                 ondelete="set null",
                                 help="The contact (or the account) who asked.")
    commercial_partner_id = fields.Many2one(
        "res.partner", "Account", related="partner_id.commercial_partner_id", store=True,
        index=True)
    email_from = fields.Char("Customer E-mail",
                             help="Where the customer wrote from (e-mail tickets).")
    region_id = fields.Many2one("crm.territory", "Region",
                                related="commercial_partner_id.territory_id", store=True,
                                index=True, help="The territory of the customer's account.")
    region_scope_ids = fields.Many2many("crm.territory", string="Region and Parents",
                                        compute="_compute_region_scope_ids",
                                        help="The account's territory and those containing "
                                             "it: agents of a region serve its sectors.")
    channel = fields.Selection(CHANNELS, "Channel", default="phone", index=True,
                               help="How the request arrived.")
    product_id = fields.Many2one("product.product", "Product", index=True,
                                 ondelete="set null",
                                 help="The product the request is about.")
    # -- the queue -------------------------------------------------------------------------
    team_id = fields.Many2one("helpdesk.team", "Team", index=True, tracking=True,
                              ondelete="set null", default=lambda self: self._default_team_id())
    ticket_type_id = fields.Many2one("helpdesk.ticket.type", "Type", index=True,
                                     ondelete="set null")
    required_skill_id = fields.Many2one("helpdesk.skill", "Required Skill",
                                        related="ticket_type_id.skill_id", store=True,
                                        index=True)
    tag_ids = fields.Many2many("helpdesk.tag", "helpdesk_tag_ticket_rel", "ticket_id",
                               "tag_id", "Tags")
    priority = fields.Selection(PRIORITIES, "Priority", default="1", required=True,
                                index=True, tracking=True)
    user_id = fields.Many2one("res.users", "Assigned to", index=True, tracking=True,
                              ondelete="set null")
    state = fields.Selection(STATES, "Status", default="new", required=True, index=True,
                             copy=False)
    # -- dates -------------------------------------------------------------------------------
    date_assigned = fields.Datetime("Assigned on", readonly=True, copy=False)
    date_first_response = fields.Datetime(
        "First Response", readonly=True, copy=False,
        help="When an agent first wrote to the customer.")
    date_resolved = fields.Datetime("Resolved on", readonly=True, copy=False, index=True)
    date_closed = fields.Datetime("Closed on", readonly=True, copy=False, index=True)
    reopen_count = fields.Integer("Reopened", readonly=True, copy=False, default=0)
    # -- time spent --------------------------------------------------------------------------
    time_entry_ids = fields.One2many("helpdesk.time.entry", "ticket_id", "Time Spent")
    total_hours = fields.Float("Hours Spent", digits=(8, 2), compute="_compute_total_hours",
                               store=True)

    # -- defaults and computes ---------------------------------------------------------------
    def _default_team_id(self) -> int | bool:
        """The first team the user belongs to (the customer's default: none)."""
        if self.env.su:
            return False
        team = self.env["helpdesk.team"].sudo().search(
            [("member_ids", "in", [self.env.uid])], limit=1)
        return team.id or False

    @api.depends("time_entry_ids.duration")
    def _compute_total_hours(self) -> None:
        for ticket in self:
            ticket.total_hours = round(sum(ticket.time_entry_ids.mapped("duration")), 2)

    @api.depends("region_id")
    def _compute_region_scope_ids(self) -> None:
        for ticket in self:
            territory = ticket.sudo().region_id
            ids: list[int] = []
            while territory and territory.id not in ids:
                ids.append(territory.id)
                territory = territory.parent_id
            ticket.region_scope_ids = self.env["crm.territory"].browse(ids)

    @api.depends("number", "name")
    def _compute_display_name(self) -> None:
        for ticket in self:
            ticket.display_name = f"{ticket.number} {ticket.name}" if ticket.number \
                else (ticket.name or "")

    # -- create / write ------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(v) for v in ([vals_list] if single else vals_list)]
        sequence = self.env["ir.sequence"].sudo()
        partners = self.env["res.partner"].sudo()
        for vals in vals_list:
            if not vals.get("number"):
                vals["number"] = sequence.next_by_code(SEQUENCE_CODE)
            if vals.get("user_id"):
                vals.setdefault("date_assigned", now_utc())
                if vals.get("state", "new") == "new":
                    vals["state"] = "assigned"
            if vals.get("partner_id") and not vals.get("email_from"):
                vals["email_from"] = partners.browse(vals["partner_id"]).email or False
        tickets = super().create(vals_list)
        tickets._auto_assign()
        return tickets[0] if single else tickets

    def write(self, vals: dict[str, Any]) -> bool:
        result = True
        for tickets, values in self._write_batches(dict(vals)):
            result = super(HelpdeskTicket, tickets).write(values) and result
        return result

    def _write_batches(self, vals: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
        """What to write on which tickets: an assignment change brings the state it
        implies, an agent moving unassigned tickets to assigned / in progress takes
        them, reopened tickets count it and lose their resolution dates. Split here, below
        the extensions' ``write`` (which see the caller's values once)."""
        batches: list[tuple[Any, dict[str, Any]]] = [(self, vals)]
        if "user_id" in vals and "state" not in vals:
            groups: dict[str, list[int]] = {}
            for ticket in self:
                groups.setdefault(self._assignment_move(ticket, vals), []).append(ticket.id)
            batches = [(self.browse(ids), {**vals, "state": move} if move else vals)
                       for move, ids in groups.items()]
        elif vals.get("state") in ("assigned", "in_progress") and "user_id" not in vals \
                and not self.env.su and self.env.user.has_group(AGENT_GROUP):
            # assigning or starting an unassigned ticket from its status bar is taking it
            unowned = self.filtered(lambda t: not t.user_id)
            batches = [(self - unowned, vals), (unowned, {**vals, "user_id": self.env.uid})]
        result: list[tuple[Any, dict[str, Any]]] = []
        for tickets, values in batches:
            if not tickets:
                continue
            if values.get("user_id"):
                values = {**values, "date_assigned": values.get("date_assigned") or now_utc()}
            reopened = tickets.filtered(lambda t: t.state in REOPENABLE) \
                if values.get("state") == "in_progress" else self.browse()
            if tickets - reopened:
                result.append((tickets - reopened, values))
            result.extend((ticket, {**values, "reopen_count": ticket.reopen_count + 1,
                                    "date_resolved": False, "date_closed": False})
                          for ticket in reopened)
        return result

    @staticmethod
    def _assignment_move(ticket: Any, vals: dict[str, Any]) -> str:
        """The state an assignment change implies: assigning a new ticket makes it
        assigned, unassigning an assigned one sends it back to the queue."""
        if vals.get("user_id") and ticket.state == "new":
            return "assigned"
        if not vals.get("user_id") and ticket.state == "assigned":
            return "new"
        return ""

    def _auto_assign(self) -> None:
        """Unassigned open tickets get an agent from their team's strategy."""
        pending = self.sudo().filtered(
            lambda t: t.team_id and not t.user_id and t.state in OPEN_STATES)
        for team in pending.mapped("team_id"):
            team._assign_tickets(pending.filtered(lambda t, team=team: t.team_id == team))
