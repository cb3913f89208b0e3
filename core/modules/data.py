"""Data files: XML and CSV records with external ids, loaded at install and upgrade.

XML (validated with ``data.rng``)::

    <comptoir>
      <record id="stage_new" model="crm.stage">
        <field name="name">New</field>
        <field name="sequence" eval="1"/>
        <field name="team_id" ref="sales_team_default"/>
      </record>
      <data noupdate="1"> ...records an upgrade must not touch... </data>
      <delete model="crm.stage" id="stage_obsolete"/>
      <function model="res.partner" name="_demo_generate" eval="[200]"/>
      <menuitem id="menu_stages" name="Stages" parent="menu_config" action="stage_action"
                sequence="10" groups="base.group_system"/>
    </comptoir>

CSV: the file name is the model (``res.country.csv``; ``access.csv`` and ``access_*.csv``
are ``ir.model.access``, so an addon may keep one access file per area), column ``id`` the external id, ``field:id`` (or ``field/id``) an
external id reference.

On upgrade a record is updated field by field: a field whose value still equals what the
addon loaded last time takes the new value; a field an admin changed is kept. Records
flagged ``noupdate`` are left alone.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from lxml import etree

from ..exceptions import DataFileError, UserError

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

_logger = logging.getLogger(__name__)
_SCHEMA_FILE = Path(__file__).with_name("data.rng")
_schema: etree.RelaxNG | None = None
CSV_MODEL_ALIASES = {"access": "ir.model.access"}


def csv_model_name(path: Path) -> str:
    """The model a data CSV loads into: its file name, ``access.csv`` and ``access_*.csv``
    being ``ir.model.access``."""
    stem = "access" if path.stem.startswith("access_") else path.stem
    return CSV_MODEL_ALIASES.get(stem, stem)


def data_schema() -> etree.RelaxNG:
    global _schema
    if _schema is None:
        _schema = etree.RelaxNG(etree.parse(str(_SCHEMA_FILE)))
    return _schema


def safe_eval(expression: str, ref: Callable[[str], int], where: str) -> Any:
    """Evaluate a data-file expression: literals, lists, tuples, dicts, ``ref('xmlid')``,
    and simple arithmetic. Nothing else (no names, attributes or other calls)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise DataFileError(f"{where}: invalid expression {expression!r}: {exc.msg}") from None

    def visit(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return visit(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [visit(e) for e in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if isinstance(node, ast.Dict):
            return {visit(k): visit(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            value = visit(node.operand)
            return -value if isinstance(node.op, ast.USub) else (
                +value if isinstance(node.op, ast.UAdd) else not value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            left, right = visit(node.left), visit(node.right)
            return {ast.Add: lambda: left + right, ast.Sub: lambda: left - right,
                    ast.Mult: lambda: left * right}[type(node.op)]()
        if isinstance(node, ast.Name) and node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "ref" and len(node.args) == 1 and not node.keywords
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            return ref(node.args[0].value)
        raise DataFileError(f"{where}: expression {expression!r} may only use literals and "
                            "ref('xml_id')")

    return visit(tree)


class DataLoader:
    """Loads one addon's data files into an environment (superuser)."""

    def __init__(self, env: "Environment", addon: str, mode: str = "init") -> None:
        self.env = env(su=True)
        self.addon = addon
        self.mode = mode  # "init" (install) or "update" (upgrade)
        self.seen: set[str] = set()
        self.imd = self.env["ir.model.data"]

    # -- external ids ------------------------------------------------------------------
    def qualify(self, xml_id: str) -> str:
        return xml_id if "." in xml_id else f"{self.addon}.{xml_id}"

    def ref(self, xml_id: str, where: str = "") -> int:
        found = self.imd._xmlid_lookup(self.qualify(xml_id))
        if not found:
            raise DataFileError(f"{where}: external id '{self.qualify(xml_id)}' does not exist "
                                "(is it defined later, or in an addon not in 'depends'?)")
        return found[1]

    # -- files -------------------------------------------------------------------------
    def load_file(self, path: Path) -> None:
        if path.suffix == ".xml":
            self.load_xml(path)
        elif path.suffix == ".csv":
            self.load_csv(path)
        else:
            raise DataFileError(f"{path}: data files must be .xml or .csv")

    def load_xml(self, path: Path) -> None:
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError as exc:
            raise DataFileError(f"{path}:{exc.lineno}: invalid XML: {exc.msg}") from None
        schema = data_schema()
        if not schema.validate(tree):
            errors = "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)
            raise DataFileError(f"{path}: does not follow the data file schema: {errors}")
        for node in tree.getroot():
            if not isinstance(node.tag, str):
                continue  # comments
            self._xml_node(node, path, noupdate=False)

    def _xml_node(self, node: etree._Element, path: Path, noupdate: bool) -> None:
        where = f"{path}:{node.sourceline}"
        if node.tag == "data":
            flag = node.get("noupdate", "0") in ("1", "True", "true")
            for child in node:
                if isinstance(child.tag, str):
                    self._xml_node(child, path, noupdate or flag)
        elif node.tag == "record":
            self._xml_record(node, where, noupdate or node.get("noupdate") in ("1", "True"))
        elif node.tag == "delete":
            self._xml_delete(node, where)
        elif node.tag == "function":
            self._xml_function(node, where)
        elif node.tag == "menuitem":
            self._xml_menuitem(node, path, noupdate, None)
        else:
            raise DataFileError(f"{where}: unknown element <{node.tag}>")

    def _xml_record(self, node: etree._Element, where: str, noupdate: bool) -> None:
        model_name = node.get("model")
        if model_name not in self.env:
            raise DataFileError(f"{where}: unknown model '{model_name}'")
        model = self.env[model_name]
        values: dict[str, Any] = {}
        for field_node in node.iterchildren("field"):
            values[field_node.get("name")] = self._xml_value(
                model, field_node, f"{where.rsplit(':', 1)[0]}:{field_node.sourceline}")
            if field_node.get("type") == "xml" and len(field_node):
                # lets arch validation name lines of the file, not of the arch
                model = model.with_context(arch_line_offset=field_node[0].sourceline - 1)
        self.upsert(model, node.get("id"), values, noupdate, where)

    def _xml_menuitem(self, node: etree._Element, path: Path, noupdate: bool,
                      parent: int | None) -> None:
        """``<menuitem id name parent action sequence groups web_icon/>``: an
        ``ir.ui.menu`` record (its name defaults to the action's)."""
        where = f"{path}:{node.sourceline}"
        values: dict[str, Any] = {}
        if node.get("parent"):
            values["parent_id"] = self.ref(node.get("parent"), where)
        elif parent is not None:
            values["parent_id"] = parent
        if node.get("action"):
            values["action"] = self.ref(node.get("action"), where)
        if node.get("name") is not None:
            values["name"] = node.get("name")
        elif values.get("action"):
            values["name"] = self.env["ir.actions.act_window"].browse(values["action"]).name
        else:
            raise DataFileError(f"{where}: a <menuitem> needs a name or an action")
        if node.get("sequence") is not None:
            values["sequence"] = int(node.get("sequence"))
        if node.get("groups") is not None:
            values["groups_id"] = [(6, 0, [self.ref(g.strip(), where)
                                           for g in node.get("groups").split(",") if g.strip()])]
        if node.get("web_icon") is not None:
            values["web_icon"] = node.get("web_icon")
        menu = self.upsert(self.env["ir.ui.menu"], node.get("id"), values, noupdate, where)
        for child in node.iterchildren("menuitem"):
            self._xml_menuitem(child, path, noupdate, menu.id)

    def _xml_value(self, model: "BaseModel", node: etree._Element, where: str) -> Any:
        name = node.get("name")
        field = model._fields.get(name)
        if field is None:
            import difflib
            near = difflib.get_close_matches(name, list(model._fields), 1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise DataFileError(f"{where}: field '{name}' does not exist on {model._name}{hint}")
        if node.get("ref") is not None:
            ref = node.get("ref")
            if field.type in ("many2many", "one2many"):
                return [(6, 0, [self.ref(r.strip(), where) for r in ref.split(",")])]
            if field.type == "reference":
                found = self.imd._xmlid_lookup(self.qualify(ref))
                return f"{found[0]},{found[1]}" if found else False
            return self.ref(ref, where)
        if node.get("eval") is not None:
            return safe_eval(node.get("eval"), lambda x: self.ref(x, where), where)
        if node.get("type") == "xml":
            return "".join(etree.tostring(child, encoding="unicode") for child in node)
        text = node.text or ""
        return convert_text(field, text, where)

    def _xml_delete(self, node: etree._Element, where: str) -> None:
        xml_id = self.qualify(node.get("id"))
        found = self.imd._xmlid_lookup(xml_id)
        if found:
            self.env[found[0]].browse(found[1]).exists().unlink()
            self.imd.search([("module", "=", xml_id.split(".")[0]),
                             ("name", "=", xml_id.split(".", 1)[1])]).unlink()
            self.imd._forget_xmlids()

    def _xml_function(self, node: etree._Element, where: str) -> None:
        model = self.env[node.get("model")]
        method = getattr(model, node.get("name"), None)
        if not callable(method):
            raise DataFileError(f"{where}: {model._name} has no method '{node.get('name')}'")
        args = safe_eval(node.get("eval") or "[]", lambda x: self.ref(x, where), where)
        method(*args)

    def load_csv(self, path: Path) -> None:
        model_name = csv_model_name(path)
        if model_name not in self.env:
            raise DataFileError(f"{path}: the file name must be a model name "
                                f"('{model_name}' is not a model)")
        model = self.env[model_name]
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise DataFileError(f"{path}:1: a data CSV needs an 'id' column")
        for line, row in enumerate(reader, start=2):
            where = f"{path}:{line}"
            values: dict[str, Any] = {}
            for column, raw in row.items():
                if column == "id" or column is None:
                    continue
                raw = (raw or "").strip()
                name = column.replace("/id", ":id")
                if name.endswith(":id"):
                    name = name[:-3]
                    field = self._csv_field(model, name, where)
                    values[name] = self.ref(raw, where) if raw else False
                    if field.type == "many2many":
                        values[name] = [(6, 0, [self.ref(r.strip(), where)
                                                for r in raw.split(",") if r.strip()])]
                else:
                    field = self._csv_field(model, name, where)
                    values[name] = convert_text(field, raw, where)
            self.upsert(model, row["id"], values, False, where)

    def _csv_field(self, model: "BaseModel", name: str, where: str) -> Any:
        field = model._fields.get(name)
        if field is None:
            import difflib
            near = difflib.get_close_matches(name, list(model._fields), 1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise DataFileError(f"{where}: column '{name}' is not a field of {model._name}{hint}")
        return field

    # -- records -----------------------------------------------------------------------
    def upsert(self, model: "BaseModel", xml_id: str | None, values: dict[str, Any],
               noupdate: bool, where: str) -> "BaseModel":
        """Create or update the record named ``xml_id`` (see the module docstring)."""
        if not xml_id:
            try:
                return model.create(values)
            except UserError as exc:
                raise DataFileError(f"{where}: {exc}") from exc
        xml_id = self.qualify(xml_id)
        self.seen.add(xml_id)
        module, name = xml_id.split(".", 1)
        data = self.imd.search([("module", "=", module), ("name", "=", name)], limit=1)
        record = model.browse(data.res_id).exists() if data else model.browse(())
        try:
            if record:
                if data.model != model._name:
                    raise DataFileError(f"{where}: '{xml_id}' names a {data.model} record, "
                                        f"not {model._name}")
                if data.noupdate and self.mode == "update":
                    return record
                loaded = dict(data.values or {})
                current = snapshot(record, values)
                changes = {k: v for k, v in values.items()
                           if self.mode == "init" or k not in loaded or current.get(k) == loaded[k]}
                if changes:
                    record.write(changes)
                loaded.update(snapshot(record, changes))
                data.write({"values": loaded, "noupdate": data.noupdate or noupdate})
            else:
                record = model.create(values)
                imd_values = {"module": module, "name": name, "model": model._name,
                              "res_id": record.id, "noupdate": noupdate,
                              "values": snapshot(record, values)}
                if data:
                    data.write(imd_values)
                else:
                    self.imd.create(imd_values)
                self.imd._forget_xmlids()
        except UserError as exc:
            raise DataFileError(f"{where}: {exc}") from exc
        return record


def convert_text(field: Any, text: str, where: str) -> Any:
    """A value written as text in a data file, converted for ``field``."""
    if field.type == "boolean":
        return text.strip().lower() in ("1", "true", "yes")
    if field.type in ("integer", "many2one"):
        if not text.strip():
            return False if field.type == "many2one" else 0
        try:
            return int(text.strip())
        except ValueError:
            raise DataFileError(f"{where}: '{text}' is not a whole number for "
                                f"'{field.name}'") from None
    if field.type in ("float", "monetary"):
        try:
            return float(text.strip()) if text.strip() else 0.0
        except ValueError:
            raise DataFileError(f"{where}: '{text}' is not a number for '{field.name}'") from None
    if field.type in ("many2many", "one2many"):
        raise DataFileError(f"{where}: set '{field.name}' with ref= or eval=, not text")
    if field.type in ("date", "datetime", "selection") and not text.strip():
        return False
    return text


def snapshot(record: "BaseModel", names: Any) -> dict[str, Any]:
    """JSON-safe current values of ``names`` (what the loader compares on upgrade)."""
    result: dict[str, Any] = {}
    fields = [n for n in names if n in record._fields and
              record._fields[n].type not in ("binary", "one2many")]
    if not fields:
        return result
    row = record.read(fields, load="_classic_write")[0]
    for name in fields:
        value = row[name]
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif isinstance(value, (list, tuple)):
            value = sorted(value) if all(isinstance(v, int) for v in value) else list(value)
        result[name] = value
    return result
