"""Translations: extraction from Python, templates and XML; catalogue upkeep; the French
kernel catalogue is complete; messages come out in the user's language; locale formatting."""
from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.exceptions import AccessError, ValidationError
from core.i18n import extract as ext
from core.i18n import formatting as fmt
from core.i18n.translate import KERNEL_I18N, Catalogs, _, catalogs, po_language

ROOT = Path(__file__).resolve().parents[1]


def _messages(scope: ext.Scope) -> dict[str, list[tuple[str, int]]]:
    return {m.id: list(m.locations) for m in ext.extract(scope) if m.id}


@pytest.fixture
def addon(tmp_path: Path) -> Path:
    """A small addon with one source of every kind."""
    path = tmp_path / "helpdesk"
    (path / "models").mkdir(parents=True)
    (path / "views").mkdir()
    (path / "templates").mkdir()
    (path / "tests").mkdir()
    (path / "models" / "helpdesk_ticket.py").write_text(
        'from core import Model, _, fields\n\n\n'
        'class HelpdeskTicket(Model):\n'
        '    _name = "helpdesk.ticket"\n'
        '    _description = "Ticket"\n\n'
        '    name = fields.Char("Subject", required=True, help="What it is about.")\n'
        '    priority = fields.Selection([("0", "Low"), ("1", "High")], "Priority")\n'
        '    team_id = fields.Many2one("helpdesk.team", string="Team")\n'
        '    partner_id = fields.Many2one("res.partner")\n\n'
        '    def action_close(self):\n'
        '        raise UserError(_("Ticket %(name)s is closed.", name=self.name, lang="fr"))\n')
    (path / "views" / "helpdesk_ticket.xml").write_text(
        '<comptoir>\n  <record id="helpdesk_ticket_view_form" model="ir.ui.view">\n'
        '    <field name="arch" type="xml">\n      <form>\n'
        '        <button name="action_close" string="Close" confirm="Close it?"/>\n'
        '        <field name="name" placeholder="Printer on fire"/>\n'
        '      </form>\n    </field>\n  </record>\n</comptoir>\n')
    (path / "templates" / "portal.html").write_text(
        '<h1>{{ _("My tickets") }}</h1>\n<nav aria-label="{{ _(\'Tickets\') }}"></nav>\n'
        '<p>{{ _("%(count)s open", count=n) }}</p>\n')
    (path / "tests" / "test_ticket.py").write_text('x = _("Only in a test")\n')
    return path


# -- extraction ---------------------------------------------------------------------------
def test_extraction_reads_python_fields_templates_and_xml(addon: Path) -> None:
    found = _messages(ext.addon_scope("helpdesk", addon))
    assert found["Ticket %(name)s is closed."] == [("helpdesk/models/helpdesk_ticket.py", 14)]
    for label in ("Ticket", "Subject", "What it is about.", "Low", "High", "Priority", "Team",
                  "Partner"):  # the last one is the label a field without string gets
        assert label in found, label
    assert "helpdesk.team" not in found and "res.partner" not in found
    assert found["Close"] == [("helpdesk/views/helpdesk_ticket.xml", 5)]
    assert {"Close it?", "Printer on fire"} <= found.keys()
    assert found["My tickets"] == [("helpdesk/templates/portal.html", 1)]
    assert {"Tickets", "%(count)s open"} <= found.keys()
    assert "Only in a test" not in found


def test_extract_command_writes_a_pot_with_locations(addon: Path) -> None:
    scope = ext.addon_scope("helpdesk", addon)
    count, changed = ext.write_template(scope)
    assert changed and count >= 12
    text = scope.pot_path.read_text(encoding="utf-8")
    assert "#: helpdesk/models/helpdesk_ticket.py:14" in text
    assert 'msgid "Ticket %(name)s is closed."' in text
    assert ext.write_template(scope) == (count, False)  # unchanged: the file is left alone


def test_update_keeps_translations_and_marks_obsolete(addon: Path) -> None:
    scope = ext.addon_scope("helpdesk", addon)
    ext.write_template(scope)
    path, counts = ext.update(scope, "fr_FR")
    assert path == addon / "i18n" / "fr.po" and counts["new"] == counts["untranslated"]
    catalog = ext.read_catalog(path, "fr_FR")
    catalog["Subject"].string = "Objet"
    catalog["High"].string = "Haute"
    path.write_bytes(ext.render(catalog))
    source = addon / "models" / "helpdesk_ticket.py"
    source.write_text(source.read_text().replace('"High"', '"Urgent"'))
    ext.write_template(scope)
    _path, counts = ext.update(scope, "fr_FR")
    catalog = ext.read_catalog(path, "fr_FR")
    assert catalog["Subject"].string == "Objet"
    assert "High" in catalog.obsolete and catalog.get("High") is None
    problems = ext.check(scope, "fr_FR")
    assert {p.msgid for p in problems} >= {"Urgent", "Close"} and "Subject" not in {
        p.msgid for p in problems}
    assert all(p.location.startswith("helpdesk/") for p in problems)


def test_commands_extract_update_check_an_addon(addon: Path, monkeypatch) -> None:
    from types import SimpleNamespace

    from core.modules import discovery
    monkeypatch.setattr(discovery, "discover_addons",
                        lambda: {"helpdesk": SimpleNamespace(path=addon)})
    runner = CliRunner()
    result = runner.invoke(main, ["i18n", "extract", "helpdesk"])
    assert result.exit_code == 0 and (addon / "i18n" / "helpdesk.pot").is_file()
    result = runner.invoke(main, ["i18n", "update", "helpdesk", "--lang", "fr_FR"])
    assert result.exit_code == 0 and "untranslated" in result.output
    result = runner.invoke(main, ["i18n", "check", "helpdesk"])
    assert result.exit_code == 1
    assert "helpdesk/models/helpdesk_ticket.py:8: missing translation: 'Subject'" in \
        result.output
    result = runner.invoke(main, ["i18n", "extract", "nope"])
    assert result.exit_code == 1 and "Unknown addon(s): nope." in result.output


def test_check_reports_broken_placeholders(addon: Path) -> None:
    scope = ext.addon_scope("helpdesk", addon)
    ext.write_template(scope)
    path, _counts = ext.update(scope, "fr_FR")
    catalog = ext.read_catalog(path, "fr_FR")
    catalog["Ticket %(name)s is closed."].string = "Le ticket %(nom)s est clos."
    path.write_bytes(ext.render(catalog))
    kinds = {p.msgid: p.kind for p in ext.check(scope, "fr_FR")}
    assert kinds["Ticket %(name)s is closed."] == "placeholders"


def test_field_positions_match_the_field_signatures() -> None:
    from core.orm import fields
    for name, position in ext.FIELD_STRING_POSITION.items():
        parameters = list(inspect.signature(getattr(fields, name).__init__).parameters)
        assert parameters.index("string") - 1 == position, name


def test_real_tree_extraction_covers_every_source_kind() -> None:
    found = _messages(ext.kernel_scope())
    files = {path for locations in found.values() for path, _line in locations}
    assert "Wrong login or password." in found              # Python _()
    assert "Skip to content" in found                        # jinja2 template
    assert "Is a Company" in found and "Invoice Address" in found  # field label, selection
    assert "Contact" in found                                # model _description
    assert any(f.startswith("views/") for f in files)
    assert not any(f.startswith("tests/") for f in files)


# -- the French kernel catalogue ----------------------------------------------------------
def test_french_catalogues_are_complete() -> None:
    result = CliRunner().invoke(main, ["i18n", "check", "--lang", "fr_FR"])
    assert result.exit_code == 0, result.output


def test_check_fails_listing_a_missing_string(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "views").mkdir()
    (tmp_path / "core" / "thing.py").write_text('_("Brand new message")\n')
    problems = ext.check(ext.kernel_scope(tmp_path), "fr_FR")
    assert [(p.location, p.kind, p.msgid) for p in problems] == [
        ("core/thing.py:1", "missing", "Brand new message")]
    assert "core/thing.py:1: missing translation: 'Brand new message'" in str(problems[0])


def test_every_french_translation_keeps_its_placeholders() -> None:
    catalog = ext.read_catalog(KERNEL_I18N / "fr.po", "fr_FR")
    broken = [m.id for m in catalog if m.id and m.string
              and ext.placeholders(m.id) != ext.placeholders(m.string)]
    assert not broken


def test_po_file_names_give_the_language() -> None:
    assert po_language(Path("fr.po")) == po_language(Path("fr_FR.po")) == "fr_FR"
    assert ext.kernel_scope().po_path("fr_FR") == KERNEL_I18N / "fr.po"
    assert ext.kernel_scope().po_path("fr_CA") == KERNEL_I18N / "fr_CA.po"
    table = Catalogs()
    table.add("fr_FR", {"Log in": "Se connecter"})
    assert table.lookup("fr_FR", "Log in") == "Se connecter"
    assert table.lookup("en_US", "Log in") == "Log in"


def test_kernel_catalogue_is_loaded_with_the_registry(env) -> None:
    assert "fr_FR" in catalogs.languages()
    assert _("Wrong login or password.", lang="fr_FR") == "Identifiant ou mot de passe incorrect."
    assert _("Welcome, %(name)s", lang="fr_FR", name="Ann") == "Bienvenue, Ann"


def test_access_error_speaks_the_users_language(env) -> None:
    user = env["res.users"].create({"name": "Camille", "login": "camille.i18n",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    french = env(uid=user.id, su=False, context={"lang": "fr_FR"})
    with pytest.raises(AccessError) as caught:
        french["res.groups"].create({"name": "Équipe"})
    assert "Vous ne pouvez pas créer les enregistrements" in str(caught.value)
    assert "Autorisé pour" in str(caught.value)


# -- formatting ---------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "date_text", "number_text"), [
    ("en_US", "11/23/2026", "1,234.56"), ("fr_FR", "23/11/2026", "1\u202f234,56")])
def test_formatting_round_trips(lang: str, date_text: str, number_text: str) -> None:
    day = dt.date(2026, 11, 23)
    assert fmt.format_date(day, lang) == date_text
    assert fmt.parse_date(date_text, lang) == day
    assert fmt.format_number(1234.56, lang) == number_text
    assert fmt.parse_number(number_text, lang) == 1234.56
    assert fmt.parse_number(fmt.format_number(-0.5, lang, 2), lang) == -0.5
    assert fmt.parse_date("", lang) is None and fmt.parse_number("  ", lang) is None
    assert fmt.parse_date("2026-11-23", lang) == day


def test_french_input_and_display() -> None:
    assert fmt.parse_number("1 234,56", "fr_FR") == 1234.56
    assert fmt.format_number(2, "fr_FR", digits=2) == "2,00"
    assert fmt.format_currency(1234.5, "EUR", "fr_FR") == "1\u202f234,50\xa0€"
    assert fmt.format_currency(1234.5, "USD", "en_US") == "$1,234.50"
    # stored naive in UTC, shown in Paris time (UTC+1 in November)
    moment = dt.datetime(2026, 11, 23, 14, 30)
    assert fmt.format_datetime(moment, "fr_FR", "Europe/Paris") == "23/11/2026 15:30"
    assert fmt.format_datetime(moment, "en_US", None).startswith("11/23/2026, 2:30")
    assert fmt.format_date(None, "fr_FR") == "" and fmt.format_number(None, "fr_FR") == ""


@pytest.mark.parametrize("text", ["23/11", "31/02/2026", "demain", "1/2/3/4"])
def test_bad_dates_are_refused_clearly(text: str) -> None:
    with pytest.raises(ValidationError, match="n'est pas une date valide.*23/11/2026"):
        fmt.parse_date(text, "fr_FR")


@pytest.mark.parametrize(("lang", "text"), [
    ("en_US", "abc"), ("en_US", "nan"), ("fr_FR", "1.234,56"), ("fr_FR", "12,3,4")])
def test_bad_numbers_are_refused_clearly(lang: str, text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        fmt.parse_number(text, lang)
    assert text in str(caught.value)
    assert fmt.format_number(1234.56, lang, 2) in str(caught.value)  # an example to follow


def test_previous_text_of_fuzzy_entries_does_not_pile_up(tmp_path) -> None:
    from core.i18n.extract import read_catalog, render
    po = tmp_path / "fr.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  '#, fuzzy\n#| msgid "Old text"\nmsgid "New text"\nmsgstr "Ancien texte"\n',
                  encoding="utf-8")
    for _round in range(2):
        po.write_bytes(render(read_catalog(po, "fr_FR")))
    assert "# |" not in po.read_text(encoding="utf-8")
