"""``comptoir fields``: add, remove, list, export and import custom fields.

Thin commands over ``ir.model.fields`` (see :mod:`core.modules.custom_fields`), each in
one committed transaction: the column is added (or dropped) and every running worker
picks the change up before its next request. ``export`` prints a data file that
``import`` -- or an addon listing it in its data -- loads into another database.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .cli import _database
from .exceptions import UserError
from .i18n.translate import _


@click.group()
def fields() -> None:
    """Add, remove, list, export and import custom fields (x_...)."""


def _options(text: str | None) -> list[tuple[int, int, dict[str, Any]]]:
    """``key:Label,key2:Label 2`` as option lines (a bare key is its own label)."""
    lines = []
    for sequence, item in enumerate(p.strip() for p in (text or "").split(",")):
        if not item:
            continue
        value, _sep, label = item.partition(":")
        lines.append((0, 0, {"value": value.strip(), "name": (label or value).strip(),
                             "sequence": (sequence + 1) * 10}))
    return lines


def _label(name: str) -> str:
    """``x_sales_region_id`` → ``Sales region`` (what the ORM would show)."""
    words = name[2:]
    for suffix in ("_ids", "_id"):
        words = words[:-len(suffix)] if words.endswith(suffix) else words
    return words.replace("_", " ").strip().capitalize() or name


def _field(env: Any, model: str, name: str) -> Any:
    name = name if name.startswith("x_") else f"x_{name}"
    found = env["ir.model.fields"].search([("model", "=", model), ("name", "=", name),
                                           ("state", "=", "manual")])
    if not found:
        raise UserError(_("%(model)s has no custom field %(name)s (see 'comptoir fields "
                          "list %(model)s').", model=model, name=name))
    return found


@fields.command("add", context_settings={"help_option_names": ["-h"]})
@click.argument("model")
@click.argument("name")
@click.option("--type", "ttype", required=True, help="char, text, integer, float, monetary, "
              "boolean, date, datetime, selection, many2one or many2many.")
@click.option("--label", help="The label users see (default: from the name).")
@click.option("--help", "help_text", help="A longer explanation shown as a tooltip.")
@click.option("--required", is_flag=True, help="New and changed records must fill it.")
@click.option("--default", "default", help="Default for new records (42, true, 2024-12-31, "
              "an option's key...).")
@click.option("--index", is_flag=True, help="Index the column (faster searches).")
@click.option("--translate", is_flag=True, help="One value per language (char, text).")
@click.option("--groups", help="Comma-separated external ids of the groups that see it.")
@click.option("--selection", help="Options of a selection: key:Label,key2:Label 2.")
@click.option("--relation", help="The model a many2one or many2many links to.")
@click.pass_context
def fields_add(ctx: click.Context, model: str, name: str, ttype: str, label: str | None,
               help_text: str | None, required: bool, default: str | None, index: bool,
               translate: bool, groups: str | None, selection: str | None,
               relation: str | None) -> None:
    """Add the field NAME (prefixed with x_) to MODEL (usage: -h; --help is the field's
    help text)."""
    name = name if name.startswith("x_") else f"x_{name}"
    vals: dict[str, Any] = {
        "model": model, "name": name, "ttype": ttype, "required": required, "index": index,
        "translate": translate, "groups": groups or False, "relation": relation or False,
        "field_description": label or _label(name),
        "help": help_text or False, "default_value": default or False,
        "selection_ids": _options(selection)}
    with _database(ctx).environment() as env:
        if model not in env:
            raise UserError(env.registry.unknown_model_message(model))
        field = env["ir.model.fields"].create(vals)
        click.echo(f"Added {field.name} ({field.ttype}) to {model}.")


@fields.command("remove")
@click.argument("model")
@click.argument("name")
@click.option("--drop-data", is_flag=True, help="Also when records hold values in it "
              "(they are deleted).")
@click.pass_context
def fields_remove(ctx: click.Context, model: str, name: str, drop_data: bool) -> None:
    """Remove the custom field NAME of MODEL (refused while something uses it)."""
    with _database(ctx).environment() as env:
        field = _field(env, model, name)
        name, count = field.name, field.value_count
        field.unlink(drop_data=drop_data)
        click.echo(f"Removed {name} from {model}"
                   + (f" and its values on {count} record(s)." if count else "."))


@fields.command("list")
@click.argument("model", required=False)
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def fields_list(ctx: click.Context, model: str | None, as_json: bool) -> None:
    """The custom fields (of MODEL, or of every model)."""
    with _database(ctx).environment() as env:
        domain: list[Any] = [("state", "=", "manual")]
        if model:
            domain.append(("model", "=", model))
        records = env["ir.model.fields"].search(domain, order="model, name")
        rows = [{"model": f.model, "name": f.name, "type": f.ttype,
                 "label": f.field_description, "relation": f.relation or None,
                 "required": f.required, "index": f.index, "groups": f.groups or None,
                 "default": f.default_value or None,
                 "options": [[o.value, o.name] for o in f.selection_ids]}
                for f in records]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(_("No custom field."))
        return
    width = max(len(f"{r['model']}.{r['name']}") for r in rows)
    for row in rows:
        kind = row["type"] + (f" → {row['relation']}" if row["relation"] else "")
        flags = " [required]" if row["required"] else ""
        click.echo(f"{row['model'] + '.' + row['name']:<{width}}  {kind:<12} "
                   f"{row['label']}{flags}")


@fields.command("export")
@click.option("--model", "models", multiple=True, help="Only this model's fields "
              "(repeatable).")
@click.pass_context
def fields_export(ctx: click.Context, models: tuple[str, ...]) -> None:
    """Print the custom fields as a data file (redirect it to custom_fields.xml)."""
    from .modules.custom_fields_export import export_xml
    with _database(ctx).environment() as env:
        click.echo(export_xml(env, models), nl=False)


@fields.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def fields_import(ctx: click.Context, path: Path) -> None:
    """Load a data file of custom fields (what 'fields export' printed)."""
    from .modules.custom_fields_export import import_file
    with _database(ctx).environment() as env:
        count = import_file(env, path)
        click.echo(f"Loaded {count} record(s) from {path}.")
