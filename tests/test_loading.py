"""Install, upgrade and uninstall on both engines, with addons written on the fly.

Each test writes real addon packages (manifest, models, data, migrations) into a temporary
folder on ``sys.path``, then drives :class:`core.modules.loading.Database` on a database
of its own.
"""
from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.exceptions import DataFileError, UserError
from core.modules.discovery import discover_addons
from core.modules.loading import Database
from core.modules.manifest import load_manifest


class AddonFactory:
    """Writes addon packages and forgets imported versions between 'releases'."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = f"tadd_{uuid.uuid4().hex[:8]}"
        sys.path.insert(0, str(root))

    def write(self, name: str, files: dict[str, str]) -> None:
        package = self.root / f"{self.prefix}_{name}"
        for relative, content in files.items():
            path = package / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
        for folder in [package, *[p for p in package.rglob("*") if p.is_dir()]]:
            if folder.name not in ("data", "migrations", "security") and not (
                    folder.parent.name == "migrations"):
                (folder / "__init__.py").touch()
        for key in [k for k in sys.modules if k.startswith(f"{self.prefix}_{name}")]:
            del sys.modules[key]

    def available(self, *names: str) -> dict:
        manifests = dict(discover_addons())
        for name in names:
            manifests[name] = load_manifest(self.root / f"{self.prefix}_{name}",
                                            f"{self.prefix}_{name}", name)
        return manifests

    def close(self) -> None:
        sys.path.remove(str(self.root))
        for key in [k for k in sys.modules if k.startswith(self.prefix)]:
            del sys.modules[key]


@pytest.fixture
def addons(tmp_path: Path):
    factory = AddonFactory(tmp_path / "site")
    yield factory
    factory.close()


LIBRARY_V1 = {
    "addon.toml": """
        name = "library"
        version = "1.0"
        summary = "Books"
        data = ["data/library_data.xml"]
        demo = ["data/library_demo.xml"]
    """,
    "models/library_book.py": """
        from core import Model, fields

        class LibraryBook(Model):
            _name = "library.book"
            _description = "Book"
            name = fields.Char(required=True)
            pages = fields.Integer()
            author_id = fields.Many2one("res.partner", ondelete="set null")

        class ResPartner(Model):
            _inherit = "res.partner"
            book_ids = fields.One2many("library.book", "author_id")
            reader_level = fields.Selection([("new", "New"), ("avid", "Avid")])
    """,
    "data/library_data.xml": """
        <comptoir>
          <record id="book_kept" model="library.book">
            <field name="name">Kept</field><field name="pages" eval="100"/>
          </record>
          <record id="book_dropped" model="library.book">
            <field name="name">Dropped later</field>
          </record>
          <data noupdate="1">
            <record id="book_noupdate" model="library.book">
              <field name="name">Loaded once</field>
            </record>
          </data>
        </comptoir>
    """,
    "data/library_demo.xml": """
        <comptoir>
          <record id="book_demo" model="library.book"><field name="name">Demo</field></record>
        </comptoir>
    """,
}


def library_v2() -> dict[str, str]:
    files = dict(LIBRARY_V1)
    files["addon.toml"] = files["addon.toml"].replace('"1.0"', '"1.1"')
    files["models/library_book.py"] = files["models/library_book.py"].replace(
        "pages = fields.Integer()", "pages = fields.Integer()\n            isbn = fields.Char(index=True)")
    files["data/library_data.xml"] = """
        <comptoir>
          <record id="book_kept" model="library.book">
            <field name="name">Kept v2</field><field name="pages" eval="200"/>
          </record>
          <data noupdate="1">
            <record id="book_noupdate" model="library.book">
              <field name="name">Changed in v2 (must not apply)</field>
            </record>
          </data>
        </comptoir>
    """
    files["migrations/1.1/pre_rename.py"] = """
        def migrate(conn, from_version):
            conn.exec_driver_sql("UPDATE library_book SET name = name || ' (pre)' "
                                 "WHERE name = 'Demo'")
    """
    files["migrations/1.1/post_isbn.py"] = """
        def migrate(env, from_version):
            assert from_version == "1.0"
            env["library.book"].search([("isbn", "=", False)]).write({"isbn": "n/a"})
    """
    return files


def test_install_upgrade_uninstall_roundtrip(addons: AddonFactory, fresh_db_url: str) -> None:
    addons.write("library", LIBRARY_V1)
    db = Database(fresh_db_url, available=addons.available("library"))
    assert db.install(["library"], demo=True) == ["base", "library"]
    with db.environment() as env:
        assert env.ref("library.book_kept").pages == 100
        assert env.ref("library.book_demo").name == "Demo"
        assert "reader_level" in env["res.partner"]._fields
        # an admin edits a field the addon loaded: upgrades must keep it
        env.ref("library.book_kept").write({"pages": 111})
        env.ref("library.book_dropped")  # exists in 1.0
    assert db.installed()["library"] == "1.0"

    addons.write("library", library_v2())
    db = Database(fresh_db_url, available=addons.available("library"))
    assert db.upgrade(["library"]) == ["library"]
    with db.environment() as env:
        kept = env.ref("library.book_kept")
        assert kept.name == "Kept v2"            # untouched by the admin: updated
        assert kept.pages == 111                 # edited by the admin: kept
        assert env.ref("library.book_noupdate").name == "Loaded once"
        assert env.ref("library.book_dropped", raise_if_not_found=False) is None
        assert env.ref("library.book_demo").name == "Demo (pre)"
        assert set(env["library.book"].search([]).mapped("isbn")) == {"n/a"}
        columns = {c["name"] for c in sa.inspect(env.conn).get_columns("library_book")}
        assert "isbn" in columns
    assert db.installed()["library"] == "1.1"

    with pytest.raises(UserError, match="delete data"):
        db.uninstall(["library"])
    assert db.uninstall(["library"], drop_data=True) == ["library"]
    with db.environment() as env:
        inspector = sa.inspect(env.conn)
        assert not inspector.has_table("library_book")
        assert "reader_level" not in {c["name"] for c in inspector.get_columns("res_partner")}
        assert not env["ir.model"].search([("model", "=", "library.book")])
        assert not env["ir.model.data"].search([("module", "=", "library")])
        assert "reader_level" not in env["res.partner"]._fields
    assert "library" not in db.installed()


def test_failed_install_leaves_database_unchanged(addons: AddonFactory,
                                                  fresh_db_url: str) -> None:
    addons.write("broken", {
        "addon.toml": 'name = "broken"\nversion = "1.0"\ndata = ["data/bad.xml"]\n',
        "models/thing.py": """
            from core import Model, fields
            class Thing(Model):
                _name = "broken.thing"
                name = fields.Char()
        """,
        "data/bad.xml": """
            <comptoir>
              <record id="t1" model="broken.thing"><field name="name">ok</field></record>
              <record id="t2" model="broken.thing"><field name="nmae">typo</field></record>
            </comptoir>
        """,
    })
    db = Database(fresh_db_url, available=addons.available("broken"))
    db.install(["base"])
    with pytest.raises(DataFileError, match=r"bad.xml:3: field 'nmae' does not exist on "
                                            r"broken.thing; did you mean 'name'\?"):
        db.install(["broken"])
    with db.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("broken_thing")
    assert list(db.installed()) == ["base"]


def test_uninstall_refused_while_dependents_installed(addons: AddonFactory,
                                                      fresh_db_url: str) -> None:
    addons.write("library", LIBRARY_V1)
    addons.write("loans", {
        "addon.toml": 'name = "loans"\nversion = "1.0"\ndepends = ["library"]\n',
        "models/loan.py": """
            from core import Model, fields
            class Loan(Model):
                _name = "library.loan"
                book_id = fields.Many2one("library.book", required=True, ondelete="cascade")
        """,
    })
    db = Database(fresh_db_url, available=addons.available("library", "loans"))
    assert db.install(["loans"]) == ["base", "library", "loans"]
    with pytest.raises(UserError, match="loans"):
        db.uninstall(["library"], drop_data=True)
    assert db.uninstall(["library", "loans"], drop_data=True) == ["loans", "library"]
    assert list(db.installed()) == ["base"]


def test_uninstall_base_is_refused(fresh_db_url: str) -> None:
    db = Database(fresh_db_url)
    db.install(["base"])
    with pytest.raises(UserError, match="kernel"):
        db.uninstall(["base"])


def test_install_unknown_addon_is_a_clear_error(fresh_db_url: str) -> None:
    db = Database(fresh_db_url)
    with pytest.raises(Exception, match="not available|Unknown addon"):
        db.install(["no_such_addon"])
    assert db.installed() == {}


def test_reinstall_after_uninstall(addons: AddonFactory, fresh_db_url: str) -> None:
    addons.write("library", LIBRARY_V1)
    db = Database(fresh_db_url, available=addons.available("library"))
    db.install(["library"])
    db.uninstall(["library"], drop_data=True)
    assert db.install(["library"]) == ["library"]
    with db.environment() as env:
        assert env.ref("library.book_kept").pages == 100
