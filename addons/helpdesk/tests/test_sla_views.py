"""The SLA in the views (both engines): deadline and status on the ticket form with the SLA
page, list rows coloured by SLA status (one query per decoration), the search filters, the
configuration menus, the scheduled action shipped."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError
from core.web.client.controllers import row_decorations

from .sla_factories import MONDAY_9AM, H, make_policy, make_team, make_ticket, make_user


def test_the_ticket_form_shows_the_sla(env) -> None:
    arch = env["ir.ui.view"].get_view("helpdesk.ticket", "form").arch
    queue = arch.find(".//group[@name='queue']")
    names = [node.get("name") for node in queue.iter("field")]
    assert names.index("sla_deadline") == names.index("priority") + 1
    page = arch.find(".//page[@name='sla']")
    shown = {node.get("name") for node in page.iter("field")}
    assert {"sla_id", "sla_first_response_deadline", "sla_resolution_deadline",
            "sla_status", "sla_paused_hours", "sla_pause_ids",
            "escalation_log_ids"} <= shown


def test_list_rows_are_coloured_by_sla_status(env) -> None:
    team = make_team(env)
    make_policy(env, team, first=1, resolution=4)
    late, risky, fine, done = (make_ticket(env, team, when=MONDAY_9AM, name=name)
                               for name in ("late", "risky", "fine", "done"))
    env["helpdesk.ticket"]._cron_sla_update(MONDAY_9AM + 2 * H)
    fine.with_context(helpdesk_now=(MONDAY_9AM + H).isoformat()).write(
        {"date_first_response": MONDAY_9AM + H / 2})
    risky.write({"sla_status": "at_risk"})
    done.write({"state": "cancelled"})
    tickets = late | risky | fine | done
    assert late.sla_status == "breached" and fine.sla_status == "ok"
    arch = env["ir.ui.view"].get_view("helpdesk.ticket", "list").arch
    assert "sla_deadline" in {node.get("name") for node in arch.iter("field")}
    classes = row_decorations(arch, tickets)
    assert "decoration-danger" in classes[late.id]
    assert "decoration-warning" in classes[risky.id]
    assert "danger" not in classes.get(fine.id, "") and \
        "warning" not in classes.get(fine.id, "")
    assert "decoration-danger" not in classes.get(done.id, "")


def test_the_search_filters_and_the_menus(env) -> None:
    search = env["ir.ui.view"].get_view("helpdesk.ticket", "search").arch
    filters = {node.get("name") for node in search.iter("filter")}
    assert {"sla_breached", "sla_at_risk", "sla_overdue", "escalated"} <= filters
    config = env.ref("helpdesk.menu_config")
    assert env.ref("helpdesk.menu_config_sla").parent_id == config
    assert env.ref("helpdesk.menu_config_escalation").parent_id == config
    cron = env.ref("helpdesk.ir_cron_sla_update")
    assert (cron.model, cron.method, cron.interval_number, cron.interval_type) == \
        ("helpdesk.ticket", "_cron_sla_update", 10, "minutes")


def test_agents_read_policies_managers_configure_them(env) -> None:
    agent = make_user(env, "view-agent")
    team = make_team(env, members=agent)
    policy = make_policy(env, team)
    ticket = make_ticket(env, team, when=MONDAY_9AM)
    ticket.write({"state": "in_progress"})
    ticket.with_context(helpdesk_now=(MONDAY_9AM + H).isoformat()).write({"state": "waiting"})
    assert env["helpdesk.sla"].with_user(agent).search([("id", "=", policy.id)]) == policy
    seen = ticket.with_user(agent).read(["sla_deadline", "sla_status", "sla_pause_ids"])[0]
    assert seen["sla_status"] == "ok" and len(seen["sla_pause_ids"]) == 1
    with pytest.raises(AccessError):
        env["helpdesk.sla"].with_user(agent).create({"name": "Mine", "resolution_hours": 1})
    with pytest.raises(AccessError):
        env["helpdesk.escalation.rule"].with_user(agent).create({"name": "Mine"})
    manager = make_user(env, "view-manager", "helpdesk.group_helpdesk_manager")
    assert env["helpdesk.sla"].with_user(manager).create(
        {"name": "Theirs", "resolution_hours": 1})
    assert env["helpdesk.escalation.rule"].with_user(manager).create({"name": "Theirs"})
