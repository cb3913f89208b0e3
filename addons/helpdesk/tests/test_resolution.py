"""Known problems and standard resolutions: suggestions from a ticket's words (French and
English, products), applying one through the wizard, the knowledge-base publication
behind the hook ``comptoir_publish_resolution`` (button shown only when implemented),
and the library's access rights."""
from __future__ import annotations

import types

import pytest

from core import hookimpl
from core.exceptions import AccessError, UserError
from core.testing import count_queries


@pytest.fixture
def library(env):
    """Three problems, four resolutions (one shared)."""
    make = env["helpdesk.resolution"].create
    res = {
        "profile": make({"name": "Recreate the Outlook profile",
                         "steps": "<ol><li>Close Outlook</li><li>Control panel, Mail, "
                                  "Profiles</li></ol>"}),
        "password": make({"name": "Reset the mailbox password",
                          "steps": "<p>Reset it in the admin console.</p>"}),
        "spooler": make({"name": "Restart the print spooler",
                         "steps": "<p>services.msc, Print Spooler, Restart.</p>"}),
        "driver": make({"name": "Reinstall the printer driver",
                        "steps": "<p>Remove the device, install the vendor driver.</p>"}),
    }
    problems = env["helpdesk.problem"]
    probs = {
        "outlook": problems.create({
            "name": "Outlook keeps asking for the password",
            "keywords": "mot de passe, identifiants, password prompt",
            "symptoms": "<p>Outlook redemande le mot de passe sans arrêt.</p>",
            "resolution_ids": [(6, 0, [res["profile"].id, res["password"].id])]}),
        "printer": problems.create({
            "name": "Printer jobs stuck in the queue",
            "keywords": "imprimante, impression bloquée, spooler",
            "symptoms": "<p>Documents stay in the print queue.</p>",
            "resolution_ids": [(6, 0, [res["spooler"].id, res["driver"].id])]}),
        "no_res": problems.create({"name": "Printer out of toner", "keywords": "toner"}),
    }
    return {"res": res, "problems": probs}


def ticket(env, name, description="", **values):
    return env["helpdesk.ticket"].create({"name": name, "description": description,
                                          **values})


def test_suggestions_come_from_the_ticket_words(env, library):
    res = library["res"]
    found = ticket(env, "Impression bloquée",
                   "<p>Mon imprimante n'imprime plus, les documents restent dans la file."
                   "</p>")._suggest_resolutions()
    assert set(found[:2].ids) == {res["spooler"].id, res["driver"].id}
    outlook = ticket(env, "Outlook demande le mot de passe en boucle")
    assert set(outlook._suggest_resolutions(limit=2).ids) == {
        res["profile"].id, res["password"].id}
    assert outlook.suggested_resolution_ids[:2] == outlook._suggest_resolutions(limit=2)
    assert len(outlook._suggest_resolutions(limit=1)) == 1
    assert not ticket(env, "Bonjour")._suggest_resolutions()


def test_equal_matches_go_to_the_most_applied(env, library):
    res = library["res"]
    ticket(env, "Old one")._apply_resolution(res["driver"])
    ranked = ticket(env, "Printer jobs stuck")._suggest_resolutions()
    assert ranked[0] == res["driver"] and res["driver"].ticket_count == 1


def test_problems_of_other_products_are_left_out(env, library):
    res = library["res"]
    laptop, printer = env["product.product"].create([{"name": "Laptop"},
                                                     {"name": "Printer"}])
    library["problems"]["printer"].write({"product_ids": [(6, 0, [printer.id])]})
    query = "Printer jobs stuck in the queue"
    assert res["spooler"] in ticket(env, query, product_id=printer.id)._suggest_resolutions()
    # the printer's problem is not offered on a laptop ticket
    laptop_found = ticket(env, "Jobs stuck in the queue", product_id=laptop.id
                          )._suggest_resolutions()
    assert res["spooler"] not in laptop_found


def test_apply_wizard_logs_or_sends_the_steps(env, library):
    res = library["res"]
    record = ticket(env, "Spooler: impression bloquée")
    wizard = env["helpdesk.resolution.apply"].with_context(
        active_model="helpdesk.ticket", active_id=record.id).create({})
    assert wizard.ticket_id == record and wizard.resolution_id == res["spooler"]
    assert wizard.action_apply() is True and not wizard.exists()
    assert record.resolution_id == res["spooler"]
    note = record.message_ids.filtered(lambda m: "Resolution applied" in (m.body or ""))
    assert note and "services.msc" in note[0].body
    assert note[0].subtype_id == env.ref("mail.mt_note")
    wizard = env["helpdesk.resolution.apply"].create({
        "ticket_id": record.id, "resolution_id": res["driver"].id, "send_to_customer": True})
    wizard.action_apply()
    sent = record.message_ids.filtered(lambda m: m.subtype_id == env.ref("mail.mt_comment"))
    assert sent and "vendor driver" in sent[0].body
    assert record.resolution_id == res["driver"]
    with pytest.raises(UserError, match="Choose the resolution"):
        env["helpdesk.resolution.apply"].create({"ticket_id": record.id}).action_apply()


def publisher(calls, result=None):
    @hookimpl
    def comptoir_publish_resolution(env, ticket, resolution):
        calls.append((ticket.id, resolution.id, env.uid))
        return result(env, resolution) if result else None
    plugin = types.ModuleType("test_publish_plugin")
    plugin.comptoir_publish_resolution = comptoir_publish_resolution
    return plugin


@pytest.fixture
def registered(env):
    pm = env.registry.pm
    names = []

    def register(plugin):
        pm.register(plugin, name=plugin.__name__)
        names.append(plugin.__name__)
    yield register
    for name in names:
        pm.unregister(name=name)


def test_publish_button_needs_a_knowledge_addon(env, library, registered):
    record = ticket(env, "Printer jobs stuck", resolution_id=library["res"]["spooler"].id,
                    state="resolved")
    assert not record.can_publish_resolution
    with pytest.raises(UserError, match="No knowledge base is installed"):
        record.action_publish_resolution()
    calls = []
    registered(publisher(calls, lambda env, resolution: env["res.partner"].create(
        {"name": f"KB: {resolution.name}"})))
    env.invalidate_all()  # the computed flag is read afresh
    assert record.can_publish_resolution
    result = record.action_publish_resolution()
    assert calls == [(record.id, library["res"]["spooler"].id, env.uid)]
    assert result["res_model"] == "res.partner"
    assert env["res.partner"].browse(result["res_id"]).name == \
        "KB: Restart the print spooler"
    assert record.resolution_published
    assert "published to the knowledge base: KB: Restart the print spooler" in \
        record.message_ids[0].body


def test_publish_refusals(env, library, registered):
    calls = []
    registered(publisher(calls))
    open_ticket = ticket(env, "Printer jobs stuck", resolution_id=library["res"]["spooler"].id)
    assert not open_ticket.can_publish_resolution
    with pytest.raises(UserError, match="Only a resolved or closed"):
        open_ticket.action_publish_resolution()
    with pytest.raises(UserError, match="Apply a resolution"):
        ticket(env, "No resolution", state="resolved").action_publish_resolution()
    done = ticket(env, "Done", resolution_id=library["res"]["spooler"].id, state="closed")
    with pytest.raises(UserError, match="did not publish"):
        done.action_publish_resolution()
    assert calls and not done.resolution_published


def test_agents_read_the_library_managers_write_it(env, library):
    def user(login, group):
        return env["res.users"].create({"name": login, "login": f"hdr-{login}",
                                        "groups_id": [(6, 0, [env.ref(group).id])]})
    agent = user("agent", "helpdesk.group_helpdesk_agent")
    manager = user("manager", "helpdesk.group_helpdesk_manager")
    as_agent = env(uid=agent.id, su=False)
    assert as_agent["helpdesk.problem"].search_count([]) >= 3
    with pytest.raises(AccessError):
        as_agent["helpdesk.resolution"].create({"name": "Reboot"})
    env(uid=manager.id, su=False)["helpdesk.resolution"].create({"name": "Reboot"})


def test_suggestions_and_counts_do_not_grow_with_the_library(env):
    """As many queries for 2 matching problems as for 12 (no query per problem)."""
    def load(n):
        tag = f"zorglub{n}"
        problems = env["helpdesk.problem"].create([
            {"name": f"Zorg failure {tag} {i}", "keywords": tag,
             "resolution_ids": [(0, 0, {"name": f"Fix {tag} {i}"})]} for i in range(n)])
        record = ticket(env, f"The {tag} is broken")
        env.invalidate_all()
        with count_queries(env) as counter:
            found = record._suggest_resolutions(limit=n)
            found.read(["name", "ticket_count"])
            problems.read(["name", "resolution_count"])
        assert len(found) == n
        return counter.count

    assert load(2) == load(12)
