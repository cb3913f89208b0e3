"""An addon ships a workflow in XML; an administrator changes it; the addon's next version
is upgraded: the administrator's changes are kept, the addon's other changes applied."""
from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from core.exceptions import ValidationError
from core.modules.discovery import discover_addons
from core.modules.loading import Database
from core.modules.manifest import load_manifest

MODELS = """
    from core import Model, fields

    class RepairOrder(Model):
        _name = "repair.order"
        _description = "Repair"
        name = fields.Char(required=True)
        state = fields.Selection([("open", "Open"), ("fixed", "Fixed"),
                                  ("shipped", "Shipped")], default="open")
"""
ACCESS = """\
id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink
access_repair_order_user,repair.order user,model_repair_order,base.group_user,1,1,1,1
"""


def workflow_xml(version: int) -> str:
    fix_label = "Mark as fixed" if version == 1 else "Fixed at last"
    ship = """
      <record id="t_ship" model="ir.workflow.transition">
        <field name="workflow_id" ref="repair_workflow"/>
        <field name="name">Ship</field>
        <field name="from_state_id" ref="s_fixed"/>
        <field name="to_state_id" ref="s_shipped"/>
      </record>""" if version == 2 else ""
    return f"""
    <comptoir>
      <record id="repair_workflow" model="ir.workflow">
        <field name="name">Repair</field>
        <field name="model_id" ref="model_repair_order"/>
        <field name="field_name">state</field>
      </record>
      <record id="s_open" model="ir.workflow.state">
        <field name="workflow_id" ref="repair_workflow"/>
        <field name="name">Open</field><field name="code">open</field>
        <field name="sequence" eval="1"/>
      </record>
      <record id="s_fixed" model="ir.workflow.state">
        <field name="workflow_id" ref="repair_workflow"/>
        <field name="name">Fixed</field><field name="code">fixed</field>
        <field name="sequence" eval="2"/>
      </record>
      <record id="s_shipped" model="ir.workflow.state">
        <field name="workflow_id" ref="repair_workflow"/>
        <field name="name">Shipped</field><field name="code">shipped</field>
        <field name="sequence" eval="3"/>
      </record>
      <record id="t_fix" model="ir.workflow.transition">
        <field name="workflow_id" ref="repair_workflow"/>
        <field name="name">{fix_label}</field>
        <field name="sequence" eval="{10 if version == 1 else 5}"/>
        <field name="from_state_id" ref="s_open"/>
        <field name="to_state_id" ref="s_fixed"/>
        <field name="group_ids" eval="[(6, 0, [ref('base.group_user')])]"/>
      </record>{ship}
    </comptoir>
    """


def write_addon(root: Path, package: str, version: int) -> None:
    files = {
        "addon.toml": f"""
            name = "repair"
            version = "1.{version - 1}"
            summary = "Repairs"
            data = ["security/access.csv", "workflows/repair_workflow.xml"]
        """,
        "__init__.py": "",
        "models/__init__.py": "",
        "models/repair_order.py": MODELS,
        "security/access.csv": ACCESS,
        "workflows/repair_workflow.xml": workflow_xml(version),
    }
    for relative, content in files.items():
        path = root / package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if relative.endswith(".csv") else textwrap.dedent(content).lstrip()
        path.write_text(text, encoding="utf-8")
    for key in [k for k in sys.modules if k.startswith(package)]:
        del sys.modules[key]


@pytest.fixture
def addon_root(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    sys.path.insert(0, str(root))
    package = f"wfup_{uuid.uuid4().hex[:8]}"
    yield root, package
    sys.path.remove(str(root))
    for key in [k for k in sys.modules if k.startswith(package)]:
        del sys.modules[key]


def available(root: Path, package: str) -> dict:
    return {**discover_addons(), "repair": load_manifest(root / package, package, "repair")}


def test_upgrade_keeps_the_administrators_changes(addon_root, fresh_db_url) -> None:
    root, package = addon_root
    write_addon(root, package, 1)
    database = Database(fresh_db_url, available=available(root, package))
    database.install(["repair"])
    with database.environment() as env:
        fix = env.ref("repair.t_fix")
        admins = env.ref("base.group_system")
        # the administrator renames the button and keeps the move for administrators
        fix.write({"name": "Repaired", "group_ids": [(6, 0, [admins.id])]})
    write_addon(root, package, 2)
    database = Database(fresh_db_url, available=available(root, package))
    assert database.upgrade(["repair"]) == ["repair"]
    with database.environment() as env:
        fix = env.ref("repair.t_fix")
        assert fix.name == "Repaired"                               # the admin's label
        assert fix.group_ids == env.ref("base.group_system")        # the admin's groups
        assert fix.sequence == 5                                    # the addon's change
        assert env.ref("repair.t_ship").name == "Ship"              # the addon's new move
        # and the merged workflow is what the ORM enforces
        user = env["res.users"].create({"name": "Tech", "login": "tech", "groups_id": [
            (6, 0, [env.ref("base.group_user").id])]})
        order = env["repair.order"].create({"name": "Phone"})
        with pytest.raises(ValidationError, match="You may not move it from Open"):
            order.with_user(user).write({"state": "fixed"})
        order.write({"state": "fixed"})
        order.with_user(user).write({"state": "shipped"})
        assert order.state == "shipped"
