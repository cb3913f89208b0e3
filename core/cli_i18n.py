"""``comptoir i18n``: extract messages into ``.pot`` files, merge them into ``.po`` files,
check that a language is complete (the test suite runs the check for French)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .i18n import extract as catalogs

LANG_OPTION = click.option("--lang", default="fr_FR", show_default=True,
                           help="Language of the .po files, e.g. fr_FR.")


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


@click.group()
def i18n() -> None:
    """Extract, update and check translation catalogues (the kernel's and each addon's)."""


@i18n.command("extract")
@click.argument("addons", nargs=-1)
def i18n_extract(addons: tuple[str, ...]) -> None:
    """Write the .pot template of the kernel and of each addon (all when none is named)."""
    for scope in catalogs.resolve_scopes(addons):
        count, changed = catalogs.write_template(scope)
        if not count and not scope.pot_path.is_file():
            click.echo(f"{scope.name}: no translatable message.")
            continue
        click.echo(f"{_shown(scope.pot_path)}: {count} message(s)"
                   + ("" if changed else ", unchanged") + ".")


@i18n.command("update")
@click.argument("addons", nargs=-1)
@LANG_OPTION
def i18n_update(addons: tuple[str, ...], lang: str) -> None:
    """Merge each .pot into its .po: translations kept, changed ones fuzzy, removed obsolete."""
    for scope in catalogs.resolve_scopes(addons):
        if not scope.pot_path.is_file():
            click.echo(f"{scope.name}: no .pot file (run 'comptoir i18n extract' first).")
            continue
        path, counts = catalogs.update(scope, lang)
        click.echo(f"{_shown(path)}: {counts['new']} new, {counts['fuzzy']} fuzzy, "
                   f"{counts['untranslated']} untranslated, {counts['obsolete']} obsolete.")


@i18n.command("check")
@click.argument("addons", nargs=-1)
@LANG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def i18n_check(ctx: click.Context, addons: tuple[str, ...], lang: str, as_json: bool) -> None:
    """Fail listing every message the language lacks (missing, fuzzy, broken placeholders)."""
    problems = [p for scope in catalogs.resolve_scopes(addons)
                for p in catalogs.check(scope, lang)]
    if as_json:
        click.echo(json.dumps([p.__dict__ for p in problems], indent=2))
    else:
        for problem in problems:
            click.secho(str(problem), fg="red")
        click.echo(f"{lang}: {len(problems)} message(s) to translate."
                   if problems else f"{lang}: every message is translated.")
    if problems:
        ctx.exit(1)
