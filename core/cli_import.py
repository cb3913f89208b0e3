"""``comptoir import MODEL FILE``: import records from a CSV or XLSX file.

A thin command over :mod:`core.imports`, in one committed transaction (none with
``--dry-run``). The mapping is the one remembered for the file's headers, else guessed
from them; ``--mapping`` changes some columns (a JSON object, or a JSON file, of
``{"header": "field"}``, ``""`` for a column not to import). Prints the mapping used, the
counts and the rejected rows; ``--rejects`` writes them to a file to correct and import
again.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .cli import _database
from .exceptions import UserError
from .i18n.translate import _
from .orm import SUPERUSER_ID

SHOWN_REJECTS = 20


def _mapping(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    path = Path(text)
    source = path.read_text(encoding="utf-8") if not text.lstrip().startswith("{") \
        and path.is_file() else text
    try:
        mapping = json.loads(source)
    except ValueError as exc:
        raise UserError(_("--mapping is neither a JSON object nor a JSON file: %(error)s",
                          error=str(exc))) from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(
            v, (str, type(None))) for k, v in mapping.items()):
        raise UserError(_('--mapping must map headers to field names: {"ville": "city"}.'))
    return {k: v or "" for k, v in mapping.items()}


def _defaults(model: Any, pairs: tuple[str, ...]) -> dict[str, Any]:
    """``--default field=value`` as context defaults, converted like a cell."""
    from .imports import CellError, Converter, importable_fields
    fields = importable_fields(model)
    converter = Converter(model)
    context: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or name not in fields:
            raise UserError(_("--default expects FIELD=VALUE with a field of %(model)s, not "
                              "“%(pair)s”.", model=model._name, pair=pair))
        try:
            context[f"default_{name}"] = converter.convert(name, value)
        except CellError as exc:
            raise UserError(f"--default {name}: {exc}") from None
    return context


@click.command("import")
@click.argument("model")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False,
                                                        path_type=Path))
@click.option("--mapping", help='Columns to map: {"header": "field"} as JSON or a JSON '
              "file (the others: remembered or guessed).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "create"]),
              help="For rows that are existing records: leave them, update them, or "
                   "create new ones anyway (default: remembered, else skip).")
@click.option("--key", "key", help="The column naming the rows (their external ids: a "
              "second run finds the same records).")
@click.option("--no-key", is_flag=True, help="Do not name the rows (no key column).")
@click.option("--prefix", help="External-id prefix (default: the file's name).")
@click.option("--default", "defaults", multiple=True, metavar="FIELD=VALUE",
              help="A value for new records (repeatable): --default is_company=yes.")
@click.option("--sheet", help="XLSX: the sheet to read (default: the first).")
@click.option("--encoding", help="CSV: the encoding (default: detected).")
@click.option("--delimiter", help="CSV: the delimiter (default: detected).")
@click.option("--user", "login", help="Import as this user (default: the superuser).")
@click.option("--rejects", "rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rejected rows with their line and reason to this file "
                   "(.csv or .xlsx).")
@click.option("--json", "as_json", is_flag=True, help="Output the result as JSON.")
@click.pass_context
def import_command(ctx: click.Context, model: str, path: Path, mapping: str | None,
                   dry_run: bool, on_duplicate: str | None, key: str | None, no_key: bool,
                   prefix: str | None, defaults: tuple[str, ...], sheet: str | None,
                   encoding: str | None, delimiter: str | None, login: str | None,
                   rejects: Path | None, as_json: bool) -> None:
    """Import records of MODEL from FILE (CSV or XLSX)."""
    from .imports import prepare, read_file, run_import
    changes = _mapping(mapping)
    table = read_file(path.read_bytes(), path.name, encoding=encoding,
                      delimiter=delimiter.replace("\\t", "\t") if delimiter else None,
                      sheet=sheet)
    with _database(ctx).environment() as env:
        if model not in env:
            raise UserError(env.registry.unknown_model_message(model))
        uid = _uid(env, login)
        records = env(uid=uid, su=uid == SUPERUSER_ID)[model]
        records = records.with_context(**_defaults(records, defaults))
        options = prepare(records, table)
        unknown = [h for h in changes if h not in table.headers]
        if unknown:
            raise UserError(_("--mapping names columns the file does not have: %(names)s "
                              "(columns: %(headers)s).", names=", ".join(unknown),
                              headers=", ".join(table.headers)))
        options.mapping.update(changes)
        if key is not None:
            options.key_column = key
        if no_key:
            options.key_column = None
        options.prefix = prefix or options.prefix
        options.on_duplicate = on_duplicate or options.on_duplicate
        options.dry_run = dry_run
        result = run_import(records, table, options)
        if rejects is not None and result.rejected:
            result.kind = "xlsx" if rejects.suffix.lower() == ".xlsx" else "csv"
            content, _extension = result.rejects_file()
            rejects.write_bytes(content)
    if as_json:
        click.echo(json.dumps({"mapping": options.mapping, "key": options.key_column,
                               "prefix": options.prefix, **result.to_dict(),
                               "counts": result.counts}, indent=2, default=str))
        return
    _print(table, options, result, rejects)


def _uid(env: Any, login: str | None) -> int:
    if not login:
        return SUPERUSER_ID
    user = env["res.users"].search([("login", "=", login)], limit=1)
    if not user:
        raise UserError(_("No user has the login '%(login)s'.", login=login))
    return user.id


def _print(table: Any, options: Any, result: Any, rejects: Path | None) -> None:
    source = f"{table.kind.upper()}" + (f", {table.encoding}, delimiter "
                                        f"{table.delimiter!r}" if table.kind == "csv" else
                                        f", sheet {table.sheet!r}")
    click.echo(f"{table.filename}: {len(table)} rows ({source})")
    width = max(len(h) for h in table.headers)
    for header in table.headers:
        target = options.mapping.get(header) or "-"
        mark = "  (key)" if header == options.key_column else ""
        click.echo(f"  {header:<{width}} -> {target}{mark}")
    prefix = "Dry run, nothing changed: " if result.dry_run else ""
    click.echo(prefix + result.summary() + ".")
    for outcome in result.rejected[:SHOWN_REJECTS]:
        click.secho(f"  line {outcome.line}: {outcome.reason}", fg="red")
    if len(result.rejected) > SHOWN_REJECTS:
        click.echo(f"  ... and {len(result.rejected) - SHOWN_REJECTS} more rejected rows")
    for duplicate in result.duplicates[:SHOWN_REJECTS]:
        others = ", ".join(f"#{i} {name}" for i, name in duplicate.others)
        click.secho(f"  line {duplicate.line}: #{duplicate.record_id} {duplicate.name} "
                    f"looks like {others}", fg="yellow")
    if rejects is not None and result.rejected:
        click.echo(f"Rejected rows written to {rejects}.")
