"""``service.contract``: what a customer bought for a period (on-call, accounting or IT
service...), its terms, its prepaid balance and its life.

The ``state`` field follows the workflow shipped in ``data/contract_data.xml``:
draft → active (*Activate*) → to renew (the scheduler, ``renewal_alert_days`` before the
end) → active again (*Renew*: the end moves by the renewal term) / expired / cancelled.
Administrators may relabel the moves or change who may make them; two rules stay in code
because they are the contract's terms, not a preference:

* renewing a contract extends it (:meth:`_extend_term`, with a history line);
* cancelling an active contract after its notice deadline (end minus notice period) is
  refused, unless a sales manager forces it (:meth:`action_force_cancel`).

Balances and the API the helpdesk and field service call are in
``service_contract_balance.py``; the scheduler in ``service_contract_renewal.py``.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from markupsafe import escape

from core import AccessError, Model, UserError, ValidationError, _, api, fields
from core.i18n.formatting import format_date

from .product_product import default_currency

STATES = [("draft", "Draft"), ("active", "Active"), ("to_renew", "To Renew"),
          ("expired", "Expired"), ("cancelled", "Cancelled")]
#: states in which a contract is in force (consumed, covering, renewed)
IN_FORCE = ("active", "to_renew")
BILLING_PERIODS = [("monthly", "Monthly"), ("quarterly", "Quarterly"),
                   ("half_yearly", "Half-yearly"), ("yearly", "Yearly"), ("once", "Once")]
#: context keys: a fixed "today" (tests, replays), a forced cancellation, a renewal by the
#: scheduler (history lines say "automatic")
TODAY_KEY = "contract_today"
FORCE_CANCEL_KEY = "contract_force_cancel"
AUTO_RENEWAL_KEY = "contract_auto_renewal"
MANAGER_GROUP = "crm_base.group_sale_manager"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept within the month (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def as_date(value: Any) -> dt.date:
    """A date from a date, a datetime or an ISO text (a clear error otherwise)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a date (expected YYYY-MM-DD).",
                                value=value)) from None


class ServiceContract(Model):
    _name = "service.contract"
    _description = "Service Contract"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"

    name = fields.Char("Reference", required=True, readonly=True, copy=False, index=True,
                       help="Given from the sequence 'service.contract' when saved.")
    title = fields.Char("Title", help="What the contract is about, e.g. Lyon site support.")
    partner_id = fields.Many2one("res.partner", "Account", required=True, index=True,
                                 ondelete="restrict", tracking=True)
    contact_id = fields.Many2one("res.partner", "Contact", ondelete="set null",
                                 help="The customer's person in charge of the contract.")
    user_id = fields.Many2one("res.users", "Account Manager", index=True, tracking=True,
                              help="Alerted before renewals; default: the account's "
                                   "salesperson.")
    type_id = fields.Many2one("service.contract.type", "Contract Type", required=True,
                              ondelete="restrict", tracking=True)
    service_level_id = fields.Many2one("service.level", "Service Level", ondelete="restrict",
                                       tracking=True, help="Default: the type's.")
    date_start = fields.Date("Start Date", required=True, tracking=True,
                             default=lambda self: self._contract_today())
    date_end = fields.Date("End Date", tracking=True,
                           help="Default: the start date plus the renewal term.")
    tacit_renewal = fields.Boolean("Tacit Renewal", default=True, tracking=True,
                                   help="Renewed by the scheduler at its end unless "
                                        "cancelled before the notice deadline.")
    renewal_duration = fields.Integer("Renewal Term (months)",
                                      help="Default: the type's (12 months).")
    notice_days = fields.Integer("Notice Period (days)", tracking=True,
                                 help="Default: the type's.")
    renewal_alert_days = fields.Integer("Renewal Alert (days before end)",
                                        help="Default: the type's.")
    notice_deadline = fields.Date("Cancel Before", compute="_compute_deadlines", store=True,
                                  help="The last day the contract may be cancelled.")
    alert_date = fields.Date("Renewal Alert on", compute="_compute_deadlines", store=True)
    price = fields.Monetary("Price", currency_field="currency_id", tracking=True)
    currency_id = fields.Many2one("res.currency", "Currency", required=True,
                                  ondelete="restrict",
                                  default=default_currency)
    billing_period = fields.Selection(BILLING_PERIODS, "Billed", default="yearly",
                                      required=True)
    product_ids = fields.Many2many("product.product", "service_contract_product_rel",
                                   "contract_id", "product_id", "Covered Products")
    all_products = fields.Boolean("Covers Every Product",
                                  help="Ticked: any product is covered, not only those "
                                       "listed and the equipment.")
    equipment_ids = fields.One2many("service.contract.equipment", "contract_id",
                                    "Covered Equipment")
    covers_product_id = fields.Many2one(
        "product.product", "Covers the Product", compute="_compute_covers_product_id",
        search="_search_covers_product_id",
        help="For searching: the contracts covering a product (listed, installed as "
             "equipment, or every product covered).")
    renewal_ids = fields.One2many("service.contract.renewal", "contract_id", "Renewals")
    renewal_count = fields.Integer("Renewals", compute="_compute_renewal_count")
    state = fields.Selection(STATES, "Status", default="draft", required=True, index=True,
                             copy=False)
    date_cancelled = fields.Date("Cancelled on", readonly=True, copy=False)
    expiring_this_month = fields.Boolean("Ends This Month", compute="_compute_expiring",
                                         search="_search_expiring_this_month")
    note = fields.Html("Terms and Notes")
    active = fields.Boolean("Active", default=True)

    @api.depends("date_end", "notice_days", "renewal_alert_days")
    def _compute_deadlines(self) -> None:
        for contract in self:
            end = contract.date_end
            contract.notice_deadline = end - dt.timedelta(days=contract.notice_days) \
                if end else False
            contract.alert_date = end - dt.timedelta(days=contract.renewal_alert_days) \
                if end else False

    def _compute_covers_product_id(self) -> None:
        for contract in self:
            contract.covers_product_id = False  # a search criterion, not a value

    def _search_covers_product_id(self, operator: str, value: Any) -> list:
        """By product (ids with ``=``, ``in``, ``!=``, ``not in``; reference or name with
        ``ilike``, as the search bar does)."""
        if operator in ("ilike", "like", "=ilike"):
            products = self.env["product.product"].with_context(active_test=False)
            ids = products.search(["|", ("name", operator, value),
                                   ("default_code", operator, value)]).ids
            operator = "in"
        elif operator in ("=", "in", "!=", "not in"):
            ids = [value] if isinstance(value, int) else list(value or [])
        else:
            raise ValidationError(_("Contracts are searched by covered product with =, !=, "
                                    "in, not in or ilike."))
        covering = ["|", "|", ("all_products", "=", True), ("product_ids", "in", ids),
                    ("equipment_ids.product_id", "in", ids)]
        if operator in ("=", "in"):
            return covering
        return [("id", "not in", self.with_context(active_test=False).search(covering).ids)]

    @api.depends("renewal_ids")
    def _compute_renewal_count(self) -> None:
        groups = self.env["service.contract.renewal"].read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["contract_id"]) \
            if self.ids else []
        counts = {g["contract_id"][0]: g["contract_id_count"] for g in groups}
        for contract in self:
            contract.renewal_count = counts.get(contract.id, 0)

    def _compute_expiring(self) -> None:
        first, last = self._month_bounds()
        for contract in self:
            contract.expiring_this_month = bool(contract.date_end and
                                                first <= contract.date_end <= last)

    def _search_expiring_this_month(self, operator: str, value: Any) -> list:
        first, last = self._month_bounds()
        inside = ["&", ("date_end", ">=", first.isoformat()),
                  ("date_end", "<=", last.isoformat())]
        positive = (operator in ("=", "==")) == bool(value)
        if positive:
            return inside
        return ["|", "|", ("date_end", "=", False), ("date_end", "<", first.isoformat()),
                ("date_end", ">", last.isoformat())]

    def _month_bounds(self) -> tuple[dt.date, dt.date]:
        today = self._contract_today()
        last_day = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last_day)

    @api.model
    def name_search(self, name: str = "", domain: Sequence | None = None,
                    operator: str = "ilike", limit: int = 100) -> list[tuple[int, str]]:
        """By reference, title or account (what an agent knows when picking a contract)."""
        if not name or operator not in ("ilike", "like", "=ilike", "=like"):
            return super().name_search(name, domain, operator, limit)
        search = ["|", "|", ("name", operator, name), ("title", operator, name),
                  ("partner_id.name", operator, name)]
        return self.search(list(domain or []) + search, limit=limit).name_get()

    # -- "today" ---------------------------------------------------------------------------
    @api.model
    def _contract_today(self, value: Any = None) -> dt.date:
        """The date the contract rules apply on: ``value``, else the context's
        ``contract_today`` (tests, replays), else today in the user's time zone (the
        company's, then UTC). Never the server's clock alone: a date near midnight must
        not depend on where the server runs."""
        value = value or self.env.context.get(TODAY_KEY)
        if value:
            return as_date(value)
        tz = self.env.context.get("tz") or self.env.user.tz or \
            self.env.company.partner_id.tz or "UTC"
        try:
            zone: dt.tzinfo = ZoneInfo(tz)
        except (KeyError, ValueError):
            zone = dt.timezone.utc
        return dt.datetime.now(zone).date()

    # -- creating ----------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [vals_list] if single else list(vals_list)
        prepared = [self._prepare_create_vals(vals) for vals in vals_list]
        records = super().create(prepared)
        return records[0] if single else records

    def _prepare_create_vals(self, vals: dict[str, Any]) -> dict[str, Any]:
        """Fill what a new contract takes from its type, its account and the sequence
        (values left empty take these defaults; given ones are kept)."""
        vals = dict(vals)
        kind = self.env["service.contract.type"].sudo().browse(vals.get("type_id") or [])
        if kind:
            for name in ("notice_days", "renewal_alert_days", "renewal_duration"):
                if not vals.get(name):
                    vals[name] = kind[name]
            if not vals.get("service_level_id") and kind.service_level_id:
                vals["service_level_id"] = kind.service_level_id.id
            if "tacit_renewal" not in vals:
                vals["tacit_renewal"] = kind.tacit_renewal
        vals["renewal_duration"] = vals.get("renewal_duration") or 12
        if not vals.get("user_id") and vals.get("partner_id"):
            partner = self.env["res.partner"].sudo().browse(vals["partner_id"])
            manager = partner.user_id or partner.commercial_partner_id.user_id
            vals["user_id"] = manager.id or self.env.uid
        if not vals.get("date_start"):
            vals["date_start"] = self.default_get(["date_start"]).get("date_start")
        if not vals.get("date_end") and vals.get("date_start"):
            start = as_date(vals["date_start"])
            vals["date_end"] = add_months(start, int(vals["renewal_duration"])) - \
                dt.timedelta(days=1)
        if not vals.get("name") or vals["name"] == "/":
            vals["name"] = self.env["ir.sequence"].sudo().next_by_code("service.contract")
        return vals

    def copy(self, default: dict[str, Any] | None = None) -> Any:
        """A new contract (draft, new reference) for the same terms and equipment."""
        duplicate = super().copy(default)
        if "equipment_ids" not in (default or {}):
            for line in self.equipment_ids:
                line.copy({"contract_id": duplicate.id, "serial_number": line.serial_number})
        return duplicate

    # -- checks --------------------------------------------------------------------------------
    @api.constrains("date_start", "date_end", "tacit_renewal")
    def _check_dates(self) -> None:
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(_("The end date of %(contract)s cannot precede its "
                                        "start date.", contract=contract.name),
                                      field="date_end")
            if contract.tacit_renewal and not contract.date_end:
                raise ValidationError(_("A contract renewed tacitly needs an end date."),
                                      field="date_end")

    @api.constrains("renewal_duration", "notice_days", "renewal_alert_days", "price")
    def _check_figures(self) -> None:
        for contract in self:
            if contract.renewal_duration < 1:
                raise ValidationError(_("A renewal term is at least one month."),
                                      field="renewal_duration")
            if contract.notice_days < 0 or contract.renewal_alert_days < 0:
                raise ValidationError(_("Notice and alert periods cannot be negative."),
                                      field="notice_days")
            if contract.price < 0:
                raise ValidationError(_("A price cannot be negative."), field="price")

    @api.constrains("partner_id", "contact_id")
    def _check_contact(self) -> None:
        for contract in self:
            contact = contract.contact_id
            if contact and contact.commercial_partner_id != \
                    contract.partner_id.commercial_partner_id:
                raise ValidationError(_("%(contact)s does not belong to %(account)s: choose "
                                        "one of the account's contacts.",
                                        contact=contact.display_name,
                                        account=contract.partner_id.display_name),
                                      field="contact_id")

    # -- moves ---------------------------------------------------------------------------------
    def write(self, vals: dict[str, Any]) -> bool:
        target = vals.get("state")
        if not target:
            return super().write(vals)
        if not self.env.su:
            # an access error comes before what the terms say
            self._check_access("write")
            self._check_rules("write")
        current = {contract.id: contract.state for contract in self}
        forced = self.browse()
        if target == "cancelled":
            in_force = self.filtered(lambda c: current[c.id] in IN_FORCE)
            forced = in_force._check_notice()
            vals = {**vals, "date_cancelled": self._contract_today()}
        renewing = self.filtered(lambda c: current[c.id] == "to_renew") \
            if target == "active" else self.browse()
        result = super().write(vals)
        for contract in forced:
            contract._post_note(_("Cancelled after the notice deadline (%(date)s), forced by "
                                  "%(user)s.", date=format_date(contract.notice_deadline,
                                                               self.env.lang),
                                  user=self.env.user.name))
        if renewing:
            renewing._extend_term(automatic=bool(self.env.context.get(AUTO_RENEWAL_KEY)))
        return result

    def _check_notice(self) -> "ServiceContract":
        """Refuse to cancel contracts past their notice deadline, unless a sales manager
        forces it; returns the contracts cancelled that way (to log it)."""
        today = self._contract_today()
        late = self.filtered(lambda c: c.notice_deadline and today > c.notice_deadline)
        if not late:
            return self.browse()
        if self.env.context.get(FORCE_CANCEL_KEY) and self._is_manager():
            return late
        contract = late[0]
        raise UserError(_(
            "%(contract)s can no longer be cancelled: its notice period of %(days)s days "
            "ended on %(deadline)s (the contract ends on %(end)s). A sales manager can force "
            "the cancellation.", contract=contract.name, days=contract.notice_days,
            deadline=format_date(contract.notice_deadline, self.env.lang),
            end=format_date(contract.date_end, self.env.lang)))

    def _is_manager(self) -> bool:
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    def _extend_term(self, automatic: bool = False) -> None:
        """Move the end of each contract by its renewal term, with a history line and a
        message on its chatter."""
        today = self._contract_today()
        history = self.env["service.contract.renewal"].sudo()
        for contract in self:
            old_end = contract.date_end
            new_end = add_months(old_end, contract.renewal_duration)
            contract.write({"date_end": new_end})
            history.create({"contract_id": contract.id, "date": today, "old_date_end": old_end,
                            "new_date_end": new_end, "automatic": automatic,
                            "user_id": False if automatic else self.env.uid})
            lang = self.env.lang
            text = _("Renewed tacitly for %(months)s months: it now ends on %(date)s.",
                     months=contract.renewal_duration, date=format_date(new_end, lang)) \
                if automatic else _("Renewed for %(months)s months: it now ends on %(date)s.",
                                    months=contract.renewal_duration,
                                    date=format_date(new_end, lang))
            contract._post_note(text)

    def _post_note(self, text: str, notify: bool = False) -> Any:
        """Post a plain-text message on the chatter as the system (the user's move was
        allowed: telling about it needs no more rights); ``notify`` tells the followers."""
        self.ensure_one()
        return self.sudo().message_post(
            body=f"<p>{escape(text)}</p>", message_type="notification",
            subtype_xmlid="mail.mt_comment" if notify else "mail.mt_note",
            author_id=self.env.user.partner_id.id or None)

    # -- buttons --------------------------------------------------------------------------------
    def action_force_cancel(self) -> bool:
        """Cancel even past the notice deadline (sales managers only)."""
        if not self._is_manager():
            raise AccessError(_("Only a sales manager may cancel a contract past its notice "
                                "deadline."))
        return self.with_context(**{FORCE_CANCEL_KEY: True}).workflow_move("cancelled",
                                                                          "state")
