"""``ir.rule``: record rules, domains restricting which records a user reaches."""
from __future__ import annotations

from core import Model, ValidationError, _, api, fields


class IrRule(Model):
    _name = "ir.rule"
    _description = "Record Rule"
    _order = "model_id, id"

    name = fields.Char("Name", required=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    groups = fields.Many2many("res.groups", "rule_group_rel", "rule_group_id", "group_id",
                              "Groups", help="Empty: a global rule, applied to everyone.")
    domain_force = fields.Text("Domain", help="Can use user.id, user.partner_id, ... e.g. "
                                              "[('user_id', '=', user.id)]")
    perm_read = fields.Boolean("Apply for Read", default=True)
    perm_write = fields.Boolean("Apply for Write", default=True)
    perm_create = fields.Boolean("Apply for Create", default=True)
    perm_unlink = fields.Boolean("Apply for Delete", default=True)
    is_global = fields.Boolean("Global", compute="_compute_is_global", store=True)
    active = fields.Boolean("Active", default=True)

    @api.depends("groups")
    def _compute_is_global(self) -> None:
        for rule in self:
            rule.is_global = not rule.groups

    @api.constrains("domain_force", "model_id")
    def _check_domain(self) -> None:
        """A rule must evaluate and compile now, not fail on a user's next search."""
        from core.security import eval_rule_domain
        user = self.env.user
        for rule in self:
            if rule.model_id.model not in self.env or rule.model_id.abstract:
                raise ValidationError(_("Record rules apply to stored models; %(model)s is "
                                        "abstract.", model=rule.model_id.model),
                                      field="model_id")
            domain = eval_rule_domain(rule.domain_force, user)
            model = self.env[rule.model_id.model].sudo()
            model._where(domain)
