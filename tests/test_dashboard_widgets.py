"""Dashboard widgets: the hook that registers them, and how a ``<widget>`` element of a
dashboard becomes tiles and tables (errors shown in place, never a traceback)."""
from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest
from lxml import etree

from core.exceptions import ConfigurationError, UserError
from core.modules import hookimpl, make_plugin_manager
from core.web.client.dashboard_widgets import (Column, DashboardWidget, Table, Tile,
                                               WidgetContext, widget_blocks, widgets_of)


def addon_module(name: str, **functions: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for attribute, function in functions.items():
        setattr(module, attribute, function)
    return module


def fake_env(*modules: types.ModuleType) -> Any:
    registry = types.SimpleNamespace(pm=make_plugin_manager(list(modules)))
    return types.SimpleNamespace(registry=registry, lang="en_US", uid=7)


def won_deals(context: WidgetContext) -> list[Tile | Table]:
    if context.options.get("fail"):
        raise UserError("No target this month.")
    scale = context.options.get("scale", 1)
    return [Tile(context.title, context.money(1234.5 * scale, "EUR"), 1234.5 * scale,
                 note=context.today.isoformat()),
            Table("By salesperson", [Column("name", "Salesperson"),
                                     Column("rate", "Achieved", progress=True)],
                  [{"name": "Alice", "rate": context.percent(130), "rate__value": 130}])]


WON = DashboardWidget("crm_won", "Won deals", won_deals, help="Won this month.")


def test_hook_comptoir_dashboard_widgets() -> None:
    @hookimpl
    def comptoir_dashboard_widgets() -> list[DashboardWidget]:
        return [WON]

    crm = addon_module("addons.crm", comptoir_dashboard_widgets=comptoir_dashboard_widgets)
    env = fake_env(crm)
    assert widgets_of(env.registry) == {"crm_won": WON}
    assert widgets_of(env.registry) is widgets_of(env.registry)  # once per registry

    @hookimpl
    def clashing() -> list[DashboardWidget]:
        return [DashboardWidget("crm_won", "Mine", won_deals)]

    rogue = addon_module("addons.rogue", comptoir_dashboard_widgets=clashing)
    with pytest.raises(ConfigurationError, match="two dashboard widgets have the key"):
        widgets_of(fake_env(crm, rogue).registry)

    @hookimpl
    def wrong() -> list:
        return ["not a widget"]

    bad = addon_module("addons.bad", comptoir_dashboard_widgets=wrong)
    with pytest.raises(ConfigurationError, match="not an DashboardWidget"):
        widgets_of(fake_env(bad).registry)


@pytest.fixture
def crm_env() -> Any:
    @hookimpl
    def comptoir_dashboard_widgets() -> list[DashboardWidget]:
        return [WON]

    return fake_env(addon_module("addons.crm",
                                 comptoir_dashboard_widgets=comptoir_dashboard_widgets))


def node(text: str) -> Any:
    return etree.fromstring(text)


def test_a_widget_gives_tiles_then_tables(crm_env) -> None:
    env = crm_env
    day = dt.date(2026, 3, 14)
    blocks = widget_blocks(env, node('<widget name="crm_won" string="Won this month" '
                                     'options="{\'scale\': 2}"/>'), day, "crm.lead", [])
    assert [b["kind"] for b in blocks] == ["kpis", "table"]
    tile = blocks[0]["tiles"][0]
    assert tile["label"] == "Won this month" and tile["raw"] == 2469.0
    assert "2,469.00" in tile["value"] and tile["note"] == "2026-03-14"
    table = blocks[1]
    assert table["title"] == "By salesperson" and table["rows"][0]["rate"] == "130 %"
    assert table["columns"][1].progress
    # without a title, the widget's label
    untitled = widget_blocks(env, node('<widget name="crm_won"/>'), day)
    assert untitled[0]["tiles"][0]["label"] == "Won deals"


@pytest.mark.parametrize("arch, message", [
    ('<widget name="crm_lost"/>', "No dashboard widget is called “crm_lost”."),
    ('<widget name="crm_won" options="[1, 2]"/>', "must be a dictionary"),
    ('<widget name="crm_won" options="{\'a\': open(1)}"/>', "may only use literals"),
    ('<widget name="crm_won" options="{\'fail\': True}"/>', "No target this month."),
])
def test_errors_are_shown_in_place(crm_env, arch, message) -> None:
    blocks = widget_blocks(crm_env, node(arch), dt.date(2026, 3, 14))
    assert [b["kind"] for b in blocks] == ["error"]
    assert message in blocks[0]["message"]


def test_an_embedded_view_narrows_the_dashboard_search(env) -> None:
    from werkzeug.datastructures import MultiDict

    from core.web.client.dashboard import narrowed
    from core.web.client.graph import Analysis
    env["res.partner"].create([{"name": "Dash Co", "is_company": True},
                               {"name": "Dash Person", "is_company": False}])
    action = env.ref("base.res_partner_action")
    analysis = Analysis.of(env, action, MultiDict([("q", "Dash")]))
    assert narrowed(analysis, node('<view type="list"/>')) is analysis
    simple = narrowed(analysis, node("<view type=\"list\" domain=\"[('is_company', '=', "
                                     "True)]\"/>"))
    assert simple.args.getlist("c") == ["is_company|=|True"]  # links keep it
    assert simple.args.get("q") == "Dash"
    assert simple.model.search(simple.domain).mapped("name") == ["Dash Co"]
    either = narrowed(analysis, node("<view type=\"list\" domain=\"['|', ('is_company', "
                                     "'=', True), ('name', '=', 'Dash Person')]\"/>"))
    assert not either.args.getlist("c")  # not a plain AND: the domain only
    assert sorted(either.model.search(either.domain).mapped("name")) == ["Dash Co",
                                                                         "Dash Person"]
