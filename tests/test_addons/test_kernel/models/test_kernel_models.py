"""Orders with lines, tags and a stage: enough to exercise every field type."""
from __future__ import annotations

from core import AbstractModel, Model, ValidationError, _, api, fields


class TestMixin(AbstractModel):
    _name = "test.mixin"
    _description = "Mixin adding a note"

    note = fields.Text("Note")

    def mixin_method(self) -> str:
        return "mixin"


class TestStage(Model):
    _name = "test.stage"
    _description = "Stage"
    _order = "sequence, id"

    name = fields.Char("Name", required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean()


class TestTag(Model):
    _name = "test.tag"
    _description = "Tag"

    name = fields.Char(required=True)
    color = fields.Integer()


class TestTeam(Model):
    _name = "test.team"
    _description = "Team"

    name = fields.Char(required=True)
    member_ids = fields.Many2many("res.users", string="Members")


class TestOrder(Model):
    _name = "test.order"
    _inherit = ["test.mixin"]
    _description = "Order"
    _order = "date desc, id"

    name = fields.Char("Reference", required=True, size=32)
    description = fields.Html()
    partner_id = fields.Many2one("res.partner", "Customer", ondelete="restrict")
    user_id = fields.Many2one("res.users", "Salesperson")
    team_id = fields.Many2one("test.team", "Team")
    internal_note = fields.Char("Internal Note", groups="test_kernel.group_manager")
    stage_id = fields.Many2one("test.stage", ondelete="set null")
    parent_id = fields.Many2one("test.order", ondelete="cascade")
    child_ids = fields.One2many("test.order", "parent_id")
    line_ids = fields.One2many("test.order.line", "order_id", "Lines")
    tag_ids = fields.Many2many("test.tag", string="Tags")
    state = fields.Selection([("draft", "Draft"), ("confirmed", "Confirmed"),
                              ("done", "Done")], default="draft", required=True)
    priority = fields.Selection("_priority_selection", default="1")
    date = fields.Date()
    deadline = fields.Datetime()
    quantity = fields.Integer()
    discount = fields.Float(digits=(5, 2))
    currency_id = fields.Many2one("res.currency")
    amount_total = fields.Monetary(compute="_compute_amount_total", store=True)
    line_count = fields.Integer(compute="_compute_line_count")
    partner_city = fields.Char(related="partner_id.city")
    partner_country_code = fields.Char(related="partner_id.country_id.code", store=True)
    upper_name = fields.Char(compute="_compute_upper_name", inverse="_inverse_upper_name")
    is_urgent = fields.Boolean()
    attachment = fields.Binary()
    picture = fields.Image("Picture")
    data = fields.Json()
    source = fields.Reference([("res.partner", "Contact"), ("test.tag", "Tag")])
    active = fields.Boolean(default=True)
    budget = fields.Monetary("Budget")
    ref_code = fields.Char("Internal Code", copy=False,
                           default=lambda self: f"REF-{self.env.uid}")

    _sql_constraints = [
        ("name_unique", "unique(name)", "The order reference must be unique."),
        ("quantity_positive", "check(quantity >= 0)", "The quantity cannot be negative."),
    ]

    def _priority_selection(self) -> list[tuple[str, str]]:
        return [("0", "Normal"), ("1", "Low"), ("2", "High"), ("3", "Urgent")]

    @api.depends("line_ids.subtotal", "discount")
    def _compute_amount_total(self) -> None:
        for order in self:
            total = sum(order.line_ids.mapped("subtotal"))
            order.amount_total = total * (1 - (order.discount or 0.0) / 100)

    @api.depends("line_ids")
    def _compute_line_count(self) -> None:
        for order in self:
            order.line_count = len(order.line_ids)

    @api.depends("name")
    def _compute_upper_name(self) -> None:
        for order in self:
            order.upper_name = (order.name or "").upper()

    def _inverse_upper_name(self) -> None:
        for order in self:
            order.name = (order.upper_name or "").lower()

    @api.constrains("date", "deadline")
    def _check_dates(self) -> None:
        for order in self:
            if order.date and order.deadline and order.deadline.date() < order.date:
                raise ValidationError(_("The deadline cannot be before the order date."),
                                      field="deadline")

    def action_confirm(self) -> bool:
        self.write({"state": "confirmed"})
        return True


class TestOrderLine(Model):
    _name = "test.order.line"
    _description = "Order Line"
    _order = "sequence, id"

    order_id = fields.Many2one("test.order", required=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    product = fields.Char(required=True)
    quantity = fields.Float(default=1.0)
    price = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True)
    order_state = fields.Selection(related="order_id.state")

    @api.depends("quantity", "price")
    def _compute_subtotal(self) -> None:
        for line in self:
            line.subtotal = line.quantity * line.price
