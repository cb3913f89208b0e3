"""``res.users`` and ``res.groups``: who logs in, and the groups rights are granted to."""
from __future__ import annotations

from core import Model, api, fields
from core.i18n import catalogs

LANGUAGES = {"en_US": "English", "fr_FR": "Français"}


class ResGroups(Model):
    _name = "res.groups"
    _description = "Access Group"
    _order = "name"

    name = fields.Char("Name", required=True, translate=True)
    comment = fields.Text("Description", translate=True)
    category = fields.Char("Application")
    implied_ids = fields.Many2many("res.groups", "res_groups_implied_rel", "gid", "hid",
                                   "Inherits")
    users = fields.Many2many("res.users", "res_groups_users_rel", "gid", "uid", "Users")
    share = fields.Boolean("Portal (external users)", default=False)


class ResUsers(Model):
    _name = "res.users"
    _description = "User"
    _order = "name, login"
    _rec_name = "name"

    name = fields.Char("Name", required=True)
    login = fields.Char("Login", required=True)
    partner_id = fields.Many2one("res.partner", "Related Partner", ondelete="restrict")
    company_id = fields.Many2one("res.company", "Company")
    email = fields.Char("Email")
    lang = fields.Selection("_lang_selection", "Language", default="en_US")
    tz = fields.Char("Timezone", default="Europe/Paris")
    groups_id = fields.Many2many("res.groups", "res_groups_users_rel", "uid", "gid", "Groups")
    active = fields.Boolean("Active", default=True)

    _sql_constraints = [("login_unique", "unique(login)", "Another user already has this login.")]

    def _lang_selection(self) -> list[tuple[str, str]]:
        codes = dict(LANGUAGES)
        for code in catalogs.languages():
            codes.setdefault(code, code)
        return sorted(codes.items())

    @api.model
    def create(self, vals_list):  # type: ignore[override]
        """Every user gets a contact in the address book (created when not given)."""
        single = isinstance(vals_list, dict)
        vals_list = [vals_list] if single else list(vals_list)
        missing = [vals for vals in vals_list if not vals.get("partner_id")]
        if missing:
            partners = self.env["res.partner"].sudo().create([
                {"name": vals.get("name") or vals.get("login"), "email": vals.get("email")}
                for vals in missing])
            for vals, partner in zip(missing, partners):
                vals["partner_id"] = partner.id
        users = super().create(vals_list)
        return users[0] if single else users
