"""Keep ``ir.model`` and ``ir.model.fields`` in step with the registry.

Metadata readable as records lets admins browse models and fields, lets access rules
refer to models by external id (``base.model_res_partner``) and is where custom fields
live. Batched: a constant number of queries per addon, whatever its number of fields.
Custom fields go the other way (rows to fields, :mod:`core.modules.custom_fields`): their
rows are never rewritten here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ..orm import Environment, Registry


def model_xmlid(model_name: str) -> str:
    return "model_" + model_name.replace(".", "_")


def field_xmlid(model_name: str, field_name: str) -> str:
    return f"field_{model_name.replace('.', '_')}__{field_name}"


def reflect_models(env: "Environment", registry: "Registry", addons: Iterable[str],
                   prune: bool = False) -> None:
    """Create or update the metadata rows of the models these addons touch; with
    ``prune``, also remove rows of models and fields the registry no longer has."""
    env = env(su=True)
    IrModel, IrFields, Imd = env["ir.model"], env["ir.model.fields"], env["ir.model.data"]
    addons = set(addons)
    names = [n for n, m in registry.models.items() if addons & set(m._addons)]
    existing = {m.model: m for m in IrModel.with_context(active_test=False).search(
        [("model", "in", names)])} if names else {}
    to_create = []
    for name in names:
        model = registry.models[name]
        values = {"model": name, "name": model._description or name,
                  "info": (model.__doc__ or "").strip(), "modules": ", ".join(model._addons),
                  "abstract": model._abstract}
        record = existing.get(name)
        if record is None:
            to_create.append(values)
        elif (record.name, record.modules, record.abstract) != (
                values["name"], values["modules"], values["abstract"]):
            record.write(values)
    created = IrModel.create(to_create) if to_create else IrModel.browse(())
    for record in created:
        existing[record.model] = record
    imd_rows = [{"module": registry.models[r.model]._addons[0], "name": model_xmlid(r.model),
                 "model": "ir.model", "res_id": r.id, "noupdate": True} for r in created]
    field_rows = IrFields.search([("model", "in", names)]) if names else IrFields.browse(())
    current = {(f.model, f.name): f for f in field_rows}
    new_fields = []
    for name in names:
        model = registry.models[name]
        for field in model._fields.values():
            if getattr(field, "manual", False):
                current.pop((name, field.name), None)
                continue  # custom fields: the row is the source, the field its copy
            values = {
                "name": field.name, "model": name, "model_id": existing[name].id,
                "field_description": field.string or field.name, "ttype": field.type,
                "relation": getattr(field, "comodel_name", None) or False,
                "relation_field": getattr(field, "inverse_name", None) or False,
                "required": bool(field.required), "readonly": bool(field.readonly),
                "store": bool(field.store), "index": bool(field.index),
                "translate": bool(field.translate), "groups": field.groups or False,
                "help": field.help or False, "modules": ", ".join(field.addons) or False,
                "state": "base",
            }
            record = current.pop((name, field.name), None)
            if record is None:
                new_fields.append(values)
            else:
                changed = {k: v for k, v in values.items() if k not in ("model_id",)
                           and (record[k] if k != "relation" else record[k] or False) != v}
                if changed:
                    record.write(changed)
    if new_fields:
        created_fields = IrFields.create(new_fields)
        imd_rows += [{"module": registry.models[f.model]._addons[0],
                      "name": field_xmlid(f.model, f.name), "model": "ir.model.fields",
                      "res_id": f.id, "noupdate": True} for f in created_fields]
    if imd_rows:
        known = {(d.module, d.name) for d in Imd.search(
            [("name", "in", [r["name"] for r in imd_rows])])}
        Imd.create([r for r in imd_rows if (r["module"], r["name"]) not in known])
        Imd._forget_xmlids()
    if prune:
        _prune(env, registry)


def _prune(env: "Environment", registry: "Registry") -> None:
    IrModel, IrFields, Imd = env["ir.model"], env["ir.model.fields"], env["ir.model.data"]
    gone_models = IrModel.search([("model", "not in", list(registry.models))])
    gone_fields = IrFields.browse([f.id for f in IrFields.search([]) if f.model in
                                   registry.models and f.name not in
                                   registry.models[f.model]._fields])
    gone_fields |= IrFields.search([("model_id", "in", gone_models.ids)])
    Imd.search(["|", "&", ("model", "=", "ir.model"), ("res_id", "in", gone_models.ids),
                "&", ("model", "=", "ir.model.fields"), ("res_id", "in", gone_fields.ids)]
               ).unlink()
    gone_fields.unlink()
    gone_models.unlink()
    Imd._forget_xmlids()
