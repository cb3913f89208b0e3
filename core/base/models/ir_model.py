"""``ir.model`` and ``ir.model.fields``: the registry's metadata, readable as records.

The loader keeps these rows in step with the registry after every install and upgrade
(see :mod:`core.modules.reflect`); custom fields will be rows here too.
"""
from __future__ import annotations

from core import Model, fields


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

    name = fields.Char("Field Name", required=True, index=True)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    model = fields.Char("Model Name", required=True, index=True)
    field_description = fields.Char("Field Label", translate=True)
    help = fields.Text("Field Help", translate=True)
    ttype = fields.Char("Field Type", required=True)
    relation = fields.Char("Related Model")
    relation_field = fields.Char("Relation Field")
    required = fields.Boolean("Required")
    readonly = fields.Boolean("Readonly")
    store = fields.Boolean("Stored", default=True)
    index = fields.Boolean("Indexed")
    translate = fields.Boolean("Translatable")
    groups = fields.Char("Groups")
    state = fields.Selection([("base", "Base Field"), ("manual", "Custom Field")], "Type",
                             default="base")
    modules = fields.Char("In Addons")

    _sql_constraints = [("name_model_unique", "unique(model, name)",
                         "A model cannot have two fields with the same name.")]
