"""Installing, upgrading and uninstalling addons; building a database's registry.

:class:`Database` is the kernel's handle on one database: its engine, the addons it has
installed (table ``ir_module_module``) and the registry composed from them. Each of
install, upgrade and uninstall runs in ONE transaction: the schema change (which
PostgreSQL and, with real transactions, SQLite both roll back), migrations, data files and
the addons' bookkeeping succeed together or leave the database exactly as it was.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator, Mapping

import sqlalchemy as sa

from ..exceptions import UserError
from ..i18n.translate import _, load_kernel_catalogs, load_po_folder
from ..orm import SUPERUSER_ID, BaseModel, Environment, Registry
from ..orm import signals
from ..orm.db import make_engine, optimize
from ..orm.schema import drop_columns, drop_tables, sync_schema
from .custom_fields import changed_in as custom_fields_changed, load_custom_fields
from .data import DataLoader
from .discovery import discover_addons
from .graph import dependents, resolve_order, sort_installed
from .manifest import Manifest
from .migrations import run_migrations
from .plugins import call_for_addon, make_plugin_manager
from .reflect import reflect_models

_logger = logging.getLogger(__name__)
MODULE_TABLE = "ir_module_module"
Progress = Callable[[str, str], None]


def _no_progress(addon: str, step: str) -> None:
    _logger.info("%s: %s", addon, step)


def addon_model_classes(module_name: str) -> list[type]:
    """Model classes an addon declares in its ``models`` package, in source order."""
    try:
        package = importlib.import_module(f"{module_name}.models")
    except ModuleNotFoundError as exc:
        if exc.name in (f"{module_name}.models", module_name):
            return []
        raise
    modules: list[ModuleType] = [package]
    if hasattr(package, "__path__"):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    classes = []
    for module in modules:
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseModel)
                    and value.__module__ == module.__name__
                    and ("_name" in value.__dict__ or "_inherit" in value.__dict__)):
                classes.append(value)
    return classes


def build_registry(available: Mapping[str, Manifest], addons: Iterable[str],
                   conn: sa.Connection | None = None) -> Registry:
    """Compose the registry of these addons (given in dependency order); with ``conn``,
    the database's custom fields too (as that connection's transaction sees them)."""
    registry = Registry()
    modules = []
    load_kernel_catalogs()
    for name in addons:
        manifest = available[name]
        modules.append(importlib.import_module(manifest.module))
        registry.add(name, addon_model_classes(manifest.module))
        load_po_folder(manifest.path / "i18n")
    if conn is not None:
        load_custom_fields(registry, conn)
    registry.setup()
    registry.pm = make_plugin_manager(modules)  # type: ignore[attr-defined]
    registry.manifests = {n: available[n] for n in addons}  # type: ignore[attr-defined]
    return registry


class Database:
    """One database: engine, installed addons, registry (rebuilt when addons change)."""

    def __init__(self, url: str, available: Mapping[str, Manifest] | None = None,
                 engine: sa.Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._available = dict(available) if available is not None else None
        self._registry: Registry | None = None

    # -- state ---------------------------------------------------------------------
    @property
    def available(self) -> dict[str, Manifest]:
        if self._available is None:
            self._available = discover_addons()
        return self._available

    @property
    def name(self) -> str:
        """The database name clients pass: PostgreSQL's name or the SQLite file's stem."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return Path(url.database or "memory").stem
        return url.database or ""

    def installed(self, conn: sa.Connection | None = None) -> dict[str, str]:
        """``{addon: installed version}``; empty for a database not initialised yet."""
        if conn is None:
            with self.engine.connect() as conn:
                return self.installed(conn)
        if not sa.inspect(conn).has_table(MODULE_TABLE):
            return {}
        rows = conn.execute(sa.text(
            f"SELECT name, latest_version FROM {MODULE_TABLE} WHERE state = 'installed'"))
        return {name: version or "" for name, version in rows}

    def is_initialised(self) -> bool:
        return "base" in self.installed()

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            with self.engine.begin() as conn:
                installed = self.installed(conn)
                if not installed:
                    raise UserError(_("The database is not initialised: run "
                                      "'comptoir db init'."))
                signals.ensure(conn)  # databases made before the counters existed
                current = signals.versions(conn)  # read first: a change meanwhile rebuilds
                registry = build_registry(self.available,
                                          sort_installed(self.available, installed), conn)
            signals.mark_seen(registry, current)
            self._registry = registry
        return self._registry

    def check_signals(self, conn: sa.Connection) -> None:
        """At the start of a request: drop caches another worker invalidated, forget the
        registry when the models changed (it is rebuilt on next use). One small query."""
        if self._registry is None:
            return
        if signals.stale(self._registry, signals.versions(conn)) == "registry":
            self._registry = None

    def _installed_registry(self, registry: Registry, conn: sa.Connection) -> None:
        """After install, upgrade or uninstall: every other worker rebuilds its registry."""
        signals.mark_seen(registry, signals.bump_registry(conn))

    @contextmanager
    def environment(self, uid: int = SUPERUSER_ID, context: dict | None = None
                    ) -> Iterator[Environment]:
        """An environment in a transaction committed at the end (rolled back on error)."""
        with self.engine.begin() as conn:
            self.check_signals(conn)
            yield Environment(self.registry, conn, uid=uid, context=context or {})

    # -- install -------------------------------------------------------------------
    def install(self, names: Iterable[str], demo: bool = False,
                progress: Progress = _no_progress) -> list[str]:
        """Install addons and their dependencies; returns what was installed, in order."""
        names = list(names)
        with self.engine.begin() as conn:
            installed = self.installed(conn)
            unknown = [n for n in names if n not in self.available]
            if unknown:
                raise UserError(_("Unknown addon(s): %(names)s. Available: %(available)s.",
                                  names=", ".join(unknown),
                                  available=", ".join(sorted(self.available))))
            new = resolve_order(self.available, ["base", *names], installed)
            if not new:
                return []
            order = sort_installed(self.available, [*installed, *new])
            registry = build_registry(self.available, order, conn)
            progress("schema", "synchronising tables")
            sync_schema(conn, registry.metadata)
            env = Environment(registry, conn)
            demo_db = demo or self._demo_loaded(conn)
            for addon in new:
                manifest = self.available[addon]
                progress(addon, "loading data")
                if addon == "base":
                    from ..base.bootstrap import create_countries_and_currencies, create_superuser
                    create_superuser(env)
                    create_countries_and_currencies(env)
                self._load_addon(env, registry, manifest, "init", demo_db)
                self._set_module(env, manifest, demo_db)
                call_for_addon(registry.pm, "comptoir_post_install",  # type: ignore[attr-defined]
                               manifest.module, env=env, addon=addon)
                env.flush()
            optimize(conn)
            self._installed_registry(registry, conn)
            if custom_fields_changed(env):  # data files added custom fields: rebuild
                registry = build_registry(self.available, order, conn)
                signals.mark_seen(registry, signals.versions(conn))
        self._registry = registry
        return new

    @staticmethod
    def _load_addon(env: Environment, registry: Registry, manifest: Manifest, mode: str,
                    demo: bool) -> DataLoader:
        """Metadata rows, then data files, then demo files (when the database has demo)."""
        reflect_models(env, registry, [manifest.name])
        loader = DataLoader(env, manifest.name, mode=mode)
        for relative in (*manifest.data, *(manifest.demo if demo else ())):
            loader.load_file(manifest.path / relative)
        return loader

    def _demo_loaded(self, conn: sa.Connection) -> bool:
        if not sa.inspect(conn).has_table(MODULE_TABLE):
            return False
        return bool(conn.execute(sa.text(
            f"SELECT 1 FROM {MODULE_TABLE} WHERE name = 'base' AND demo")).first())

    def _set_module(self, env: Environment, manifest: Manifest, demo: bool) -> None:
        modules = env["ir.module.module"]
        values = {"name": manifest.name, "state": "installed", "summary": manifest.summary,
                  "latest_version": manifest.version, "demo": demo,
                  "license": manifest.license, "category": manifest.category}
        existing = modules.search([("name", "=", manifest.name)])
        if existing:
            existing.write(values)
        else:
            modules.create(values)

    # -- upgrade -------------------------------------------------------------------
    def upgrade(self, names: Iterable[str] | None = None,
                progress: Progress = _no_progress) -> list[str]:
        """Upgrade addons (all installed ones by default): migrations, schema, data."""
        with self.engine.begin() as conn:
            installed = self.installed(conn)
            wanted = list(names) if names else list(installed)
            missing = [n for n in wanted if n not in installed]
            if missing:
                raise UserError(_("Not installed: %(names)s.", names=", ".join(missing)))
            order = sort_installed(self.available, installed)
            targets = [n for n in order if n in wanted]
            for addon in targets:
                run_migrations(conn, self.available[addon], installed[addon], "pre")
            registry = build_registry(self.available, order, conn)
            progress("schema", "synchronising tables")
            sync_schema(conn, registry.metadata)
            env = Environment(registry, conn)
            demo = self._demo_loaded(conn)
            for addon in targets:
                manifest = self.available[addon]
                progress(addon, "updating data")
                loader = self._load_addon(env, registry, manifest, "update", demo)
                self._remove_obsolete(env, addon, loader.seen)
                run_migrations(env, manifest, installed[addon], "post")
                self._set_module(env, manifest, demo)
                call_for_addon(registry.pm, "comptoir_post_upgrade",  # type: ignore[attr-defined]
                               manifest.module, env=env, addon=addon,
                               from_version=installed[addon])
                env.flush()
            optimize(conn)
            self._installed_registry(registry, conn)
            if custom_fields_changed(env):  # data files added custom fields: rebuild
                registry = build_registry(self.available, order, conn)
                signals.mark_seen(registry, signals.versions(conn))
        self._registry = registry
        return targets

    def _remove_obsolete(self, env: Environment, addon: str, seen: set[str]) -> None:
        """Records the addon loaded before but no longer ships (noupdate ones are kept)."""
        imd = env["ir.model.data"]
        stale = imd.search([("module", "=", addon), ("noupdate", "=", False),
                            ("model", "not in", ["ir.model", "ir.model.fields"])])
        for data in stale:
            if f"{addon}.{data.name}" in seen:
                continue
            record = env[data.model].browse(data.res_id).exists() if data.model in env else None
            try:
                with env.savepoint():
                    if record:
                        record.unlink()
                    data.unlink()
            except UserError as exc:
                _logger.warning("%s.%s is no longer in the addon's data but could not be "
                                "deleted: %s", addon, data.name, exc)
        imd._forget_xmlids()

    # -- uninstall -----------------------------------------------------------------
    def uninstall_plan(self, names: Iterable[str]) -> dict[str, Any]:
        """What uninstalling would remove: ``{'addons', 'tables', 'columns', 'rows'}``."""
        names = list(names)
        installed = self.installed()
        for name in names:
            if name == "base":
                raise UserError(_("'base' is the kernel: it cannot be uninstalled."))
            if name not in installed:
                raise UserError(_("'%(name)s' is not installed.", name=name))
        blockers = sorted({d for n in names for d in dependents(self.available, n, installed)}
                          - set(names))
        if blockers:
            raise UserError(_("Cannot uninstall %(names)s: installed addon(s) %(blockers)s "
                              "depend on it; uninstall them too.", names=", ".join(names),
                              blockers=", ".join(blockers)))
        old = self.registry
        remaining = [n for n in sort_installed(self.available, installed) if n not in names]
        with self.engine.connect() as conn:  # custom fields stay, unless on what goes
            new = build_registry(self.available, remaining, conn)
        tables = [t for t in old.metadata.tables if t not in new.metadata.tables]
        columns = {t: [c for c in old.metadata.tables[t].c.keys()
                       if c not in new.metadata.tables[t].c]
                   for t in old.metadata.tables if t in new.metadata.tables}
        columns = {t: cols for t, cols in columns.items() if cols}
        rows: dict[str, int] = {}
        with self.engine.connect() as conn:
            inspector = sa.inspect(conn)
            for table in tables:
                if inspector.has_table(table):
                    count = conn.execute(sa.select(sa.func.count()).select_from(
                        old.metadata.tables[table])).scalar_one()
                    if count:
                        rows[table] = count
            for table, cols in columns.items():
                t = old.metadata.tables[table]
                count = conn.execute(sa.select(sa.func.count()).select_from(t).where(
                    sa.or_(*[t.c[c].is_not(None) for c in cols]))).scalar_one()
                if count:
                    rows[f"{table}({', '.join(cols)})"] = count
        order = [n for n in reversed(sort_installed(self.available, installed)) if n in names]
        return {"addons": order, "tables": tables, "columns": columns, "rows": rows,
                "registry": new}

    def uninstall(self, names: Iterable[str], drop_data: bool = False) -> list[str]:
        """Uninstall addons. When that would delete data, ``drop_data`` must be True."""
        plan = self.uninstall_plan(names)
        if plan["rows"] and not drop_data:
            details = ", ".join(f"{k}: {v}" for k, v in plan["rows"].items())
            raise UserError(_("Uninstalling would delete data (%(details)s); confirm to "
                              "proceed.", details=details))
        old = self.registry
        with self.engine.begin() as conn:
            env = Environment(old, conn)
            for addon in plan["addons"]:
                manifest = self.available[addon]
                call_for_addon(old.pm, "comptoir_pre_uninstall",  # type: ignore[attr-defined]
                               manifest.module, env=env, addon=addon)
                self._delete_owned_records(env, addon, set(plan["tables"]))
            for table, cols in plan["columns"].items():
                drop_columns(conn, table, cols)
            drop_tables(conn, plan["tables"])
            new_env = Environment(plan["registry"], conn)
            reflect_models(new_env, plan["registry"], [], prune=True)
            modules = new_env["ir.module.module"]
            modules.search([("name", "in", plan["addons"])]).write(
                {"state": "uninstalled", "latest_version": False, "demo": False})
            self._installed_registry(plan["registry"], conn)
        self._registry = plan["registry"]
        return plan["addons"]

    def _delete_owned_records(self, env: Environment, addon: str, dropped: set[str]) -> None:
        imd = env["ir.model.data"]
        owned = imd.search([("module", "=", addon)])
        by_model: dict[str, list[int]] = {}
        for data in owned:
            model = env.registry.models.get(data.model)
            if model is not None and not model._abstract and model._table not in dropped \
                    and data.model not in ("ir.model", "ir.model.fields"):
                by_model.setdefault(data.model, []).append(data.res_id)
        for model_name, ids in by_model.items():
            records = env[model_name].browse(ids).exists()
            try:
                with env.savepoint():
                    records.unlink()
            except UserError:
                if "active" in records._fields:
                    records.write({"active": False})
        owned.unlink()
        imd._forget_xmlids()
