"""sync_schema, add_column, drop_columns and drop_tables on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from core.exceptions import ConfigurationError
from core.orm.db import create_database, drop_database, make_engine
from core.orm.schema import add_column, drop_columns, drop_tables, live_foreign_keys, sync_schema
from tests.test_db import pg_url


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    url = pg_url()
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'schema.db'}"
        create_database(url)
    else:  # one database per module, emptied after each test: creating one takes a while
        url = request.getfixturevalue("pg_database")
    eng = make_engine(url)
    try:
        yield eng
    finally:
        if request.param == "postgresql":
            with eng.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        eng.dispose()
        if request.param == "sqlite":
            drop_database(url)


def metadata_v1() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("partner", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(64), nullable=False), sa.Column("ref", sa.String(16)))
    sa.Table("lead", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(64)),
             sa.Column("partner_id", sa.ForeignKey("partner.id", ondelete="SET NULL")))
    return md


def metadata_v2() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("partner", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(128), nullable=False), sa.Column("ref", sa.String(16)),
             sa.UniqueConstraint("ref", name="partner_ref_uniq"))
    sa.Table("stage", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(64), nullable=False))
    sa.Table("tag", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String))
    sa.Table("lead", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(64), index=True),
             sa.Column("partner_id", sa.ForeignKey("partner.id", ondelete="SET NULL")),
             sa.Column("stage_id", sa.ForeignKey("stage.id", ondelete="CASCADE"), index=True),
             sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
             sa.Column("data", sa.JSON),
             sa.CheckConstraint("priority >= 0", name="lead_priority_positive"))
    sa.Table("lead_tag_rel", md,
             sa.Column("lead_id", sa.ForeignKey("lead.id", ondelete="CASCADE"), primary_key=True),
             sa.Column("tag_id", sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))
    return md


def install_v1(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert sync_schema(conn, metadata_v1()) == ["created table partner", "created table lead"]
        assert sync_schema(conn, metadata_v1()) == []
        conn.exec_driver_sql("INSERT INTO partner (id, name, ref) "
                             "VALUES (1, 'Acme', 'A'), (2, 'Bolt', 'B')")
        conn.exec_driver_sql("INSERT INTO lead (id, name, partner_id) "
                             "VALUES (1, 'L1', 1), (2, 'L2', 2)")
        # another addon's table and an admin's custom column, unknown to this metadata
        conn.exec_driver_sql("CREATE TABLE other (id INTEGER PRIMARY KEY, lead_id INTEGER "
                             "REFERENCES lead (id) ON DELETE CASCADE)")
        conn.exec_driver_sql("INSERT INTO other VALUES (1, 1), (2, 2)")
        conn.exec_driver_sql("ALTER TABLE lead ADD COLUMN x_custom VARCHAR(20)")
        conn.exec_driver_sql("UPDATE lead SET x_custom = 'kept'")


def fks(bind: sa.Engine | sa.Connection, table: str) -> dict[tuple[str, ...], str]:
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return fks(conn, table)
    return {tuple(fk["constrained_columns"]): (fk["options"].get("ondelete") or "").upper()
            for fk in live_foreign_keys(bind, table)}


def test_sync_upgrade(engine: sa.Engine) -> None:
    install_v1(engine)
    with engine.begin() as conn:
        done = sync_schema(conn, metadata_v2())
        assert {"created table stage", "created table tag", "created table lead_tag_rel",
                "added column lead.stage_id", "added column lead.priority",
                "added column lead.data"} <= set(done), done
        assert not [line for line in done if line.startswith("skipped")], done
        assert sync_schema(conn, metadata_v2()) == []
    insp = sa.inspect(engine)
    columns = {c["name"]: c for c in insp.get_columns("lead")}
    assert {"stage_id", "priority", "data", "x_custom"} <= set(columns)
    assert not columns["priority"]["nullable"]
    assert fks(engine, "lead") == {("partner_id",): "SET NULL", ("stage_id",): "CASCADE"}
    assert fks(engine, "lead_tag_rel") == {("lead_id",): "CASCADE", ("tag_id",): "CASCADE"}
    assert insp.get_pk_constraint("lead_tag_rel")["constrained_columns"] == ["lead_id", "tag_id"]
    assert {ix["name"] for ix in insp.get_indexes("lead")} >= {"ix_lead_name", "ix_lead_stage_id"}
    assert [c["name"] for c in insp.get_check_constraints("lead")] == ["lead_priority_positive"]
    assert insp.get_columns("partner")[1]["type"].length == 128
    with engine.begin() as conn:
        run = conn.exec_driver_sql
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            run("INSERT INTO partner (id, name, ref) VALUES (3, 'Dup', 'A')")
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            run("UPDATE lead SET priority = -1")
        run("INSERT INTO stage (id, name) VALUES (1, 'New')")
        run("INSERT INTO tag (id, name) VALUES (1, 'hot')")
        run("UPDATE lead SET stage_id = 1 WHERE id = 1")
        run("INSERT INTO lead_tag_rel VALUES (1, 1), (2, 1)")
        run("DELETE FROM partner WHERE id = 2")  # SET NULL
        assert run("SELECT partner_id FROM lead WHERE id = 2").scalar() is None
        run("DELETE FROM stage")  # CASCADE lead 1, then its rel row and other row
        assert run("SELECT id, x_custom, priority FROM lead").all() == [(2, "kept", 0)]
        assert run("SELECT lead_id FROM lead_tag_rel").scalars().all() == [2]
        assert run("SELECT id FROM other").scalars().all() == [2]
        run("DELETE FROM tag")
        assert run("SELECT count(*) FROM lead_tag_rel").scalar() == 0


def test_sync_is_transactional(engine: sa.Engine) -> None:
    install_v1(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert sync_schema(conn, metadata_v2())
        raise RuntimeError("abort the upgrade")
    insp = sa.inspect(engine)
    assert set(insp.get_table_names()) == {"partner", "lead", "other"}
    assert {c["name"] for c in insp.get_columns("lead")} == {"id", "name", "partner_id", "x_custom"}
    assert insp.get_check_constraints("lead") == [] and insp.get_indexes("lead") == []
    assert insp.get_columns("partner")[1]["type"].length == 64
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM lead").scalar() == 2


def test_add_column_does_not_rewrite(engine: sa.Engine) -> None:
    install_v1(engine)
    md = metadata_v1()
    column = sa.Column("x_owner_id", sa.ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    md.tables["lead"].append_column(column)
    md.tables["lead"].append_column(sa.Column("x_required", sa.Integer, nullable=False))
    sql = ("SELECT pg_relation_filenode('lead')" if engine.dialect.name == "postgresql"
           else "SELECT rootpage FROM sqlite_master WHERE name = 'lead'")
    with engine.begin() as conn:
        before = conn.exec_driver_sql(sql).scalar()
        statements: list[str] = []
        sa.event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2]))
        add_column(conn, md.tables["lead"], column)
        assert any("ADD COLUMN" in s and "REFERENCES" in s for s in statements), statements
        assert not [s for s in statements if "INSERT" in s or "CREATE TABLE" in s]
        assert conn.exec_driver_sql(sql).scalar() == before
        done = sync_schema(conn, md)
        assert done == ["added column lead.x_required",
                        "skipped: NOT NULL on lead.x_required: some rows have no value"]
        conn.exec_driver_sql("UPDATE lead SET x_owner_id = 2")
        conn.exec_driver_sql("DELETE FROM partner WHERE id = 2")
        assert conn.exec_driver_sql("SELECT count(x_owner_id) FROM lead").scalar() == 0
    insp = sa.inspect(engine)
    assert fks(engine, "lead")[("x_owner_id",)] == "SET NULL"
    assert "ix_lead_x_owner_id" in {ix["name"] for ix in insp.get_indexes("lead")}


def test_changes_on_existing_columns(engine: sa.Engine) -> None:
    install_v1(engine)
    md = metadata_v1()
    lead = md.tables["lead"]
    lead.c.partner_id.foreign_keys.clear()
    lead.constraints = {c for c in lead.constraints if not isinstance(c, sa.ForeignKeyConstraint)}
    md.remove(lead)
    lead = sa.Table("lead", md, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(10), nullable=False),
                    sa.Column("partner_id", sa.ForeignKey("partner.id", ondelete="CASCADE")),
                    sa.Column("x_custom", sa.String(20), nullable=False))
    with engine.begin() as conn:
        done = sync_schema(conn, md)
        assert ("changed ON DELETE of foreign key lead(partner_id) -> partner "
                "ON DELETE CASCADE") in done
        assert "set NOT NULL on lead.name" in done and "set NOT NULL on lead.x_custom" in done
        assert any(line.startswith("skipped: unsafe type change of lead.name") for line in done)
        conn.exec_driver_sql("DELETE FROM partner WHERE id = 1")
        assert conn.exec_driver_sql("SELECT id FROM lead").scalars().all() == [2]
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO lead (id, name, x_custom) VALUES (9, NULL, 'x')")
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO lead (id, name, x_custom, partner_id) "
                                 "VALUES (9, 'n', 'x', 99)")
        assert [line for line in sync_schema(conn, md) if not line.startswith("skipped")] == []
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert fks(engine, "lead") == {("partner_id",): "CASCADE"}


def test_drop_columns(engine: sa.Engine) -> None:
    install_v1(engine)
    with engine.begin() as conn:
        sync_schema(conn, metadata_v2())
        conn.exec_driver_sql("INSERT INTO stage (id, name) VALUES (1, 'New')")
        conn.exec_driver_sql("UPDATE lead SET stage_id = 1")
        drop_columns(conn, "lead", ["stage_id", "priority", "x_custom", "missing"])
        drop_columns(conn, "partner", ["ref"])  # in a UNIQUE constraint
        drop_columns(conn, "nowhere", ["x"])
    insp = sa.inspect(engine)
    assert {c["name"] for c in insp.get_columns("lead")} == {"id", "name", "partner_id", "data"}
    assert [c["name"] for c in insp.get_columns("partner")] == ["id", "name"]
    assert "ix_lead_stage_id" not in {ix["name"] for ix in insp.get_indexes("lead")}
    assert fks(engine, "lead") == {("partner_id",): "SET NULL"}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM lead").scalar() == 2
        assert conn.exec_driver_sql("SELECT count(*) FROM other").scalar() == 2


def test_drop_tables(engine: sa.Engine) -> None:
    install_v1(engine)
    with engine.begin() as conn:
        sync_schema(conn, metadata_v2())
        conn.exec_driver_sql("INSERT INTO stage (id, name) VALUES (1, 'New')")
        conn.exec_driver_sql("UPDATE lead SET stage_id = 1")
        drop_tables(conn, ["tag", "stage", "lead_tag_rel", "missing"])
        assert set(sa.inspect(conn).get_table_names()) == {"partner", "lead", "other"}
        # like DROP ... CASCADE on PostgreSQL: the constraint goes, the rows stay
        assert conn.exec_driver_sql("SELECT count(*) FROM lead").scalar() == 2
        assert ("stage_id",) not in fks(conn, "lead")
        drop_tables(conn, ["partner", "lead"])
        assert sa.inspect(conn).get_table_names() == ["other"]
        assert conn.exec_driver_sql("SELECT count(*) FROM other").scalar() == 2


def test_sync_subset_and_unknown(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert sync_schema(conn, metadata_v1(), ["partner"]) == ["created table partner"]
        with pytest.raises(Exception, match="not in the metadata"):
            sync_schema(conn, metadata_v1(), [f"t_{uuid.uuid4().hex[:6]}"])


def test_drop_column_in_unique_constraint(engine: sa.Engine) -> None:
    md = sa.MetaData()
    sa.Table("code", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("value", sa.String(8), unique=True), sa.Column("label", sa.String))
    sa.Table("uses", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code_id", sa.ForeignKey("code.id", ondelete="CASCADE")))
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        sync_schema(conn, md)
        conn.exec_driver_sql("INSERT INTO code (id, value, label) VALUES (1, 'a', 'A')")
        conn.exec_driver_sql("INSERT INTO uses (id, code_id) VALUES (1, 1)")
        if sqlite:  # a rebuild would cascade into "uses": refused
            with pytest.raises(ConfigurationError, match="reference it"):
                drop_columns(conn, "code", ["value"])
            assert conn.exec_driver_sql("SELECT count(*) FROM uses").scalar() == 1
            drop_tables(conn, ["uses"])
        drop_columns(conn, "code", ["value"])
        assert [c["name"] for c in sa.inspect(conn).get_columns("code")] == ["id", "label"]
        assert conn.exec_driver_sql("SELECT label FROM code").scalar() == "A"
        if sqlite:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_every_field_type_is_idempotent(engine: sa.Engine) -> None:
    md = sa.MetaData()
    sa.Table("typed", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("flag", sa.Boolean, nullable=False, server_default=sa.false()),
             sa.Column("day", sa.Date), sa.Column("moment", sa.DateTime),
             sa.Column("ratio", sa.Float), sa.Column("amount", sa.Numeric(16, 2)),
             sa.Column("body", sa.Text), sa.Column("blob", sa.LargeBinary),
             sa.Column("data", sa.JSON), sa.Column("big", sa.BigInteger),
             sa.Column("state", sa.String(32), nullable=False, server_default="draft"),
             sa.Column("code", sa.String(8)),
             sa.Index("ix_typed_lower_code", sa.func.lower(sa.column("code"))))
    with engine.begin() as conn:
        sync_schema(conn, md)
        assert sync_schema(conn, md) == []
        bare = sa.MetaData()
        sa.Table("typed", bare, sa.Column("id", sa.Integer, primary_key=True))
        sync_schema(conn, bare)
        conn.exec_driver_sql("DROP TABLE typed")
        sync_schema(conn, bare)
        conn.exec_driver_sql("INSERT INTO typed (id) VALUES (1)")
        added = sync_schema(conn, md)
        assert len(added) == 12 and sync_schema(conn, md) == [], added
        assert conn.exec_driver_sql("SELECT state FROM typed").scalar() == "draft"
        drop_columns(conn, "typed", ["code", "state", "data"])
        assert "code" not in {c["name"] for c in sa.inspect(conn).get_columns("typed")}
