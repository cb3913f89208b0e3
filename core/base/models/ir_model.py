"""``ir.model`` and ``ir.model.fields``: the registry's metadata, readable as records.

The loader keeps these rows in step with the registry after every install and upgrade
(see :mod:`core.modules.reflect`). Rows with ``state='manual'`` are the other way round:
custom fields an admin added, which the registry is built from (see
:mod:`core.modules.custom_fields`). Creating, changing or removing one changes the
schema and the registry of every worker; the environment that did it keeps its registry
(use ``core.modules.custom_fields.reload_env`` to go on in the same transaction).
"""
from __future__ import annotations

from typing import Any

from core import Model, _, api, fields
from core.exceptions import UserError, ValidationError
from core.i18n.translate import _lt
from core.modules import custom_fields as custom
from core.modules.custom_fields_usages import field_usages

_TYPE_LABELS = {
    "char": _lt("Text (single line)"), "text": _lt("Text (multi-line)"),
    "integer": _lt("Integer"), "float": _lt("Decimal Number"), "monetary": _lt("Amount"),
    "boolean": _lt("Checkbox"), "date": _lt("Date"), "datetime": _lt("Date and Time"),
    "selection": _lt("Selection"), "many2one": _lt("Link (many2one)"),
    "many2many": _lt("Links (many2many)"), "html": "HTML", "binary": _lt("Binary"),
    "json": "JSON", "one2many": "One2many", "reference": _lt("Reference"),
}


class IrModel(Model):
    _name = "ir.model"
    _description = "Model"
    _order = "model"
    _rec_name = "name"
    _journal = False  # metadata kept in step with the registry, not user changes

    name = fields.Char("Model Description", required=True, translate=True)
    model = fields.Char("Model", required=True, index=True)
    info = fields.Text("Information")
    modules = fields.Char("In Addons")
    abstract = fields.Boolean("Abstract")
    field_id = fields.One2many("ir.model.fields", "model_id", "Fields")

    _sql_constraints = [("model_unique", "unique(model)", "Each model must be unique.")]


class IrModelFields(Model):
    _name = "ir.model.fields"
    _description = "Field"
    _order = "model, name"
    _rec_name = "field_description"
    _journal = False

    name = fields.Char("Field Name", required=True, index=True,
                       help="Custom fields start with x_ (added when missing).")
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    model = fields.Char("Model Name", required=True, index=True)
    field_description = fields.Char("Field Label", translate=True)
    help = fields.Text("Field Help", translate=True)
    ttype = fields.Selection("_selection_ttype", "Field Type", required=True)
    relation = fields.Char("Related Model")
    relation_model_id = fields.Many2one(
        "ir.model", "Linked Model", compute="_compute_relation_model_id",
        inverse="_inverse_relation_model_id", help="The model a link field points to.")
    relation_field = fields.Char("Relation Field")
    required = fields.Boolean("Required", help="Enforced on new records and on changes; "
                                               "existing records may stay empty.")
    readonly = fields.Boolean("Readonly")
    store = fields.Boolean("Stored", default=True)
    index = fields.Boolean("Indexed", help="Faster searches and sorting on this field.")
    translate = fields.Boolean("Translatable", help="One value per language (text fields).")
    groups = fields.Char("Groups", help="External ids of the groups that may see the "
                                        "field, comma-separated (base.group_system).")
    default_value = fields.Char("Default Value", help="For new records, written as text: "
                                "42, 3.5, true, 2024-12-31, an option's value...")
    selection_ids = fields.One2many("ir.model.fields.selection", "field_id", "Options",
                                    help="The choices of a selection field, in order.")
    state = fields.Selection([("base", "Base Field"), ("manual", "Custom Field")], "Type",
                             default="manual")
    modules = fields.Char("In Addons")
    value_count = fields.Integer("Records with a Value", compute="_compute_value_count")
    confirm_drop_data = fields.Boolean(
        "Delete the values when removing the field",
        help="Removing a field that records hold values in deletes those values: tick to "
             "confirm, save, then delete the field.")

    _sql_constraints = [("name_model_unique", "unique(model, name)",
                         "A model cannot have two fields with the same name.")]

    def _selection_ttype(self) -> list[tuple[str, str]]:
        """Admins choose among the types a custom field may have; the loader (superuser)
        reflects every type the ORM knows."""
        kinds = list(custom.FIELD_CLASSES)
        if self.env.su:
            kinds += sorted(_orm_types() - set(kinds))
        return [(kind, _TYPE_LABELS.get(kind, kind.capitalize())) for kind in kinds]

    def _compute_relation_model_id(self) -> None:
        names = {r.relation for r in self if r.relation}
        found = {m.model: m.id for m in self.env["ir.model"].sudo().search(
            [("model", "in", list(names))])} if names else {}
        for record in self:
            record.relation_model_id = found.get(record.relation or "", False)

    def _inverse_relation_model_id(self) -> None:
        for record in self:
            record.write({"relation": record.relation_model_id.sudo().model or False})

    def _compute_value_count(self) -> None:
        for record in self:
            record.value_count = custom.value_count(
                self.env, record.model, record.name, record.ttype) \
                if record.state == "manual" else 0

    # -- custom fields: create, change, remove ----------------------------------------------
    @api.model
    def create(self, vals_list):  # type: ignore[override]
        if not self.env.su:  # before looking at the schema on the caller's behalf
            self._check_access("create")
        single = isinstance(vals_list, dict)
        vals_list = [self._custom_values(dict(v)) for v in ([vals_list] if single else vals_list)]
        manual = [v for v in vals_list if v.get("state", "manual") == "manual"]
        for vals in manual:
            custom.check_new_field(self.env, vals)
            custom.check_groups(self.env, vals.get("groups"))
        with self.env.savepoint():  # all or nothing: rows, columns, tables
            records = super().create(vals_list)
            new = records.filtered(lambda r: r.state == "manual")
            if new:
                new._check_default()
                custom.add_to_schema(self.env, [(r.model, r.name) for r in new])
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        vals = self._custom_values(dict(vals), creating=False)
        manual = self.filtered(lambda r: r.state == "manual")
        frozen = [k for k in custom.FROZEN if k in vals]
        for record in manual if frozen else ():  # base rows follow the code (reflect)
            for key in frozen:
                if _comparable(record, key) != _comparable_value(key, vals[key]):
                    raise ValidationError(_("The %(what)s of a field cannot change: remove "
                                            "the field and add another one.",
                                            what=self._fields[key].string), field=key)
        if "groups" in vals and manual:
            custom.check_groups(self.env, vals["groups"])
        indexed = {r.id: r.index for r in manual} if "index" in vals else {}
        if not (manual and custom.REGISTRY_KEYS & set(vals)):
            return super().write(vals)
        with self.env.savepoint():
            result = super().write(vals)
            manual._check_default()
            for record in manual:
                if bool(record.index) != bool(indexed.get(record.id, record.index)):
                    custom.sync_index(self.env, record.model, record.name, record.index)
            custom.changed(self.env)
        return result

    def unlink(self, drop_data: bool = False) -> bool:
        """Remove fields; a custom field is refused while views, rules, saved searches,
        actions or addons (``comptoir_field_usages``) use it, and while records hold
        values in it unless ``drop_data`` (or its ``confirm_drop_data`` box) says so."""
        if not self.env.su:
            self._check_access("unlink")
        doomed = []
        for record in self.filtered(lambda r: r.state == "manual"):
            known = record.model in self.env and record.name in self.env[record.model]._fields
            if known:  # rows of fields the registry no longer has are only metadata
                record._check_removable(drop_data or record.confirm_drop_data)
            doomed.append((record.model, record.name, record.ttype))
        if not doomed:
            return super().unlink()
        options = self.mapped("selection_ids")
        with self.env.savepoint():  # all or nothing: rows, external ids, columns, tables
            self.env["ir.model.data"].sudo().search(
                ["|", "&", ("model", "=", self._name), ("res_id", "in", self.ids),
                 "&", ("model", "=", options._name), ("res_id", "in", options.ids)]).unlink()
            result = super().unlink()
            for model, name, ttype in doomed:
                custom.drop_from_schema(self.env, model, name, ttype)
        return result

    def _check_removable(self, drop_data: bool) -> None:
        usages = field_usages(self.env, self.model, self.name)
        if usages:
            raise UserError(_("The field %(field)s of %(model)s is still used; change "
                              "these first: %(usages)s.", field=self.name, model=self.model,
                              usages="; ".join(usages)))
        count = custom.value_count(self.env, self.model, self.name, self.ttype)
        if count and not drop_data:
            raise UserError(_("%(count)s record(s) hold a value in %(field)s: confirm "
                              "deleting them (the field's 'Delete the values' box, or "
                              "--drop-data).", count=count, field=self.name))

    def _custom_values(self, vals: dict[str, Any], creating: bool = True) -> dict[str, Any]:
        """What the admin screen and the CLI send, completed: the x_ prefix, the model's
        name from ``model_id``, the relation from ``relation_model_id``."""
        if "relation_model_id" in vals:
            target_id = _id(vals.pop("relation_model_id"))
            vals["relation"] = target_id and self.env["ir.model"].sudo().browse(
                target_id).exists().model or False
        if not creating or vals.get("state", "manual") != "manual":
            return vals
        name = (vals.get("name") or "").strip()
        if name and not name.startswith("x_"):
            vals["name"] = f"x_{name}"
        if vals.get("model_id") and not vals.get("model"):
            vals["model"] = self.env["ir.model"].sudo().browse(_id(vals["model_id"])).model
        elif vals.get("model") and not vals.get("model_id"):
            found = self.env["ir.model"].sudo().search([("model", "=", vals["model"])], limit=1)
            vals["model_id"] = found.id or False
        vals.setdefault("store", True)
        vals["state"] = "manual"
        return vals

    def _check_default(self) -> None:
        for record in self:
            if record.default_value not in (None, False, ""):
                custom.parse_default(record.ttype, record.default_value,
                                     record.selection_ids.mapped("value"))

    def _changed_fields(self) -> None:
        if self.filtered(lambda f: f.state == "manual"):
            custom.changed(self.env)

    def load_translations(self, record_id: int, texts: dict[str, dict[str, str]]) -> bool:
        """Write the label and help in other languages (``{lang: {field: text}}``), as
        exported custom-field data files do."""
        return _load_translations(self.browse(record_id), texts)


class IrModelFieldsSelection(Model):
    _name = "ir.model.fields.selection"
    _description = "Selection Option"
    _order = "sequence, id"
    _rec_name = "name"
    _journal = False

    field_id = fields.Many2one("ir.model.fields", "Field", required=True, ondelete="cascade",
                               index=True)
    value = fields.Char("Value", required=True, help="What is stored (never shown).")
    name = fields.Char("Label", required=True, translate=True)
    sequence = fields.Integer("Sequence", default=10)

    _sql_constraints = [("value_unique", "unique(field_id, value)",
                         "Each option of a field must have its own value.")]

    @api.model
    def create(self, vals_list):  # type: ignore[override]
        records = super().create(vals_list)
        records._changed()
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        if "value" in vals or "field_id" in vals:
            for option in self.filtered(lambda o: o.field_id.state == "manual"):
                if vals.get("field_id", option.field_id.id) != option.field_id.id:
                    raise ValidationError(_("An option cannot move to another field."),
                                          field="field_id")
                if vals.get("value", option.value) != option.value:
                    option._refuse_if_used(_("renamed"))
        result = super().write(vals)
        self._changed()
        return result

    def unlink(self) -> bool:
        fields_ = self.mapped("field_id")
        for option in self.filtered(lambda o: o.field_id.state == "manual"):
            option._refuse_if_used(_("removed"))
            if option.field_id.default_value == option.value:
                raise ValidationError(_("The option %(value)s is the field's default value: "
                                        "change the default first.", value=option.value),
                                      field="selection_ids")
        result = super().unlink()
        fields_.exists()._changed_fields()
        return result

    def _refuse_if_used(self, what: str) -> None:
        """Records holding an option keep meaning: it is not renamed or removed under
        them."""
        field = self.field_id
        model = self.env.registry.models.get(field.model)
        if model is None or field.name not in model._fields:
            return
        count = self.env[field.model].sudo().with_context(active_test=False).search_count(
            [(field.name, "=", self.value)])
        if count:
            raise ValidationError(_("The option %(value)s cannot be %(what)s: %(count)s "
                                    "record(s) hold it.", value=self.value, what=what,
                                    count=count), field="selection_ids")

    def _changed(self) -> None:
        self.mapped("field_id")._changed_fields()

    def load_translations(self, record_id: int, texts: dict[str, dict[str, str]]) -> bool:
        """Write the label in other languages (``{lang: {'name': text}}``)."""
        return _load_translations(self.browse(record_id), texts)


def _load_translations(record: Any, texts: dict[str, dict[str, str]]) -> bool:
    for lang, values in texts.items():
        record.with_context(lang=lang).write(values)
    return True



def _id(value: Any) -> int:
    if isinstance(value, (list, tuple)):
        value = value[0]
    return value.id if hasattr(value, "_name") else int(value or 0)


def _comparable(record: Any, key: str) -> Any:
    value = record[key]
    if hasattr(value, "_name"):
        return value.id or False
    return bool(value) if key == "translate" else (value or False)


def _comparable_value(key: str, value: Any) -> Any:
    if key == "model_id":
        return _id(value) or False
    return bool(value) if key == "translate" else (value or False)


def _orm_types() -> set[str]:
    found, pending = set(), [fields.Field]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.type:
            found.add(cls.type)
    return found
