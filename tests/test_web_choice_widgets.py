"""The web client's generic pieces the pipeline brought: wizards (following a button's
returned action, the context a wizard URL may carry), the many2one status bar, priority
stars and activity badges, many2many defaults on new forms, ``search_default_*`` filters
opened by menus."""
from __future__ import annotations

from lxml import etree

from core.web.client.choice_widgets import (activity_state_display, priority_display,
                                            priority_input, statusbar_choices)
from core.web.client.controllers import _default_filters
from core.web.client.form import _default_ids
from core.web.client.wizard import clean_context, safe_path

PRIORITY = {"type": "selection", "string": "Priority",
            "selection": [["0", "Low"], ["1", "Medium"], ["2", "High"], ["3", "Very High"]]}


def test_a_wizard_url_carries_only_the_active_records_and_defaults():
    context = {"active_model": "crm.lead", "active_id": 3, "active_ids": [3, 4],
               "default_name": "x", "tz": "UTC", "active_test": False,
               "default_bad": {"nested": 1}, "uid": 1}
    assert clean_context(context) == {"active_model": "crm.lead", "active_id": 3,
                                      "active_ids": [3, 4], "default_name": "x"}
    assert clean_context({"active_ids": ["1; DROP"]}) == {}
    assert clean_context(["not", "a", "dict"]) == {}
    assert safe_path("/web/action/1") == "/web/action/1"
    assert safe_path("//evil.example/") == "/web"
    assert safe_path("https://evil.example/") == "/web"
    assert safe_path("/web\\evil") == "/web"


def test_priority_stars_read_as_their_label():
    shown = str(priority_display("2", PRIORITY))
    assert 'aria-label="Priority: High"' in shown
    assert shown.count("priority-star lit") == 2 and shown.count("★") == 3
    assert 'aria-label="Priority: "' not in str(priority_display(False, PRIORITY))
    typed = str(priority_input("field-priority", "priority", "1", PRIORITY, "Priority"))
    assert typed.count('type="radio"') == 4 and 'id="field-priority"' in typed
    assert 'value="1" checked' in typed and 'role="radiogroup"' in typed
    assert "disabled" in str(priority_input("f", "p", "1", PRIORITY, "P", disabled=True))
    badge = str(activity_state_display("overdue", {"selection": [["overdue", "Overdue"]]}))
    assert "activity-overdue" in badge and "Overdue" in badge
    assert str(activity_state_display(False, {})) == ""


def test_the_many2one_status_bar_lists_the_stages(env):
    stages = env["test.stage"]
    first = stages.create({"name": "SB first", "sequence": 1})
    folded = stages.create({"name": "SB folded", "sequence": 2, "fold": True})
    order = env["test.order"].create({"name": "SB order", "stage_id": first.id})
    node = etree.fromstring('<field name="stage_id" widget="statusbar" '
                            "options=\"{'clickable': '1'}\"/>")
    description = order.fields_get(["stage_id"])["stage_id"]
    bar = statusbar_choices(order, node, description, (first.id, "SB first"))
    labels = [state["label"] for state in bar["states"]]
    assert "SB first" in labels and "SB folded" not in labels, "folded: only when current"
    assert bar["clickable"] and bar["field"] == "statusbar__stage_id"
    bar = statusbar_choices(order, node, description, (folded.id, "SB folded"))
    assert [s["label"] for s in bar["states"] if s["current"]] == ["SB folded"]
    plain = etree.fromstring('<field name="stage_id" widget="statusbar"/>')
    assert not statusbar_choices(order, plain, description, False)["clickable"]
    assert statusbar_choices(None, plain, description, False)["states"] == []


def test_many2many_defaults_and_menu_filters():
    assert _default_ids([(6, 0, [3, 4])]) == [3, 4]
    assert _default_ids([(4, 5), (4, 6)]) == [5, 6]
    assert _default_ids([7, 8]) == [7, 8]

    class Action:
        def __init__(self, context):
            self.context = context

        def _eval_context(self):
            return self.context

    assert _default_filters(Action({"search_default_mine": 1, "search_default_off": 0,
                                    "default_type": "x"})) == "&f=mine"
    assert _default_filters(Action({"search_default_a&b=c": 1})) == ""
