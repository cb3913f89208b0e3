"""Demo volume of the helpdesk (``demo/report_demo.xml``): a few hundred tickets over the last
months, so that the dashboard, the analysis and the weekly recap show real figures.

:meth:`HelpdeskDemo._demo_generate` spreads the tickets over the demo teams, types, tags,
customers and products (loaded before, by the other demo files), more of them recently,
with realistic dates: a first response within hours (faster for urgent tickets), a
resolution within days; old tickets are mostly resolved or closed, recent ones still open;
some were reopened, some escalated. Agents' replies, time entries and escalations come
with them. It is deterministic (a seeded random generator) and fast: tickets, messages and
entries are created in batches through the ORM, and the dates of the past (creation,
response, resolution, the SLA's start) are then written in one statement, since the ORM
never backdates a record; the SLA figures are computed again from those dates.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa

from core import AbstractModel, api

SUBJECTS = {
    "network": ["VPN drops every hour", "No Wi-Fi on the second floor",
                "Slow network in the warehouse", "Cannot reach the file server",
                "Firewall blocks the supplier portal"],
    "printer": ["Printer jams on every page", "Scanner sends blank PDFs", "Toner not recognised",
                "Badge printing fails", "Label printer offline"],
    "accounting": ["Invoice export fails", "VAT report totals wrong", "Payment run stuck",
                   "Cannot post the month's closing", "Bank statement import error"],
    "other": ["Password reset", "New employee account", "Laptop will not start",
              "Outlook keeps asking for the password", "Screen flickers",
              "Install the new ERP client",
              "Phone line crackles", "Access to the shared calendar", "Backup failed last night",
              "Licence expired"],
}
REPLIES = ["Thank you, we are looking into it.",
           "Could you send us a screenshot of the error?",
           "We have applied a fix; can you try again?",
           "A technician will call you this afternoon.",
           "The problem is solved on our side."]
#: ticket priorities and how often they come
PRIORITY_WEIGHTS = (("0", 20), ("1", 50), ("2", 20), ("3", 10))
CHANNEL_WEIGHTS = (("email", 45), ("phone", 25), ("portal", 20), ("web_form", 10))


class HelpdeskDemo(AbstractModel):
    _name = "helpdesk.demo"
    _description = "Helpdesk Demo Data"

    @api.model
    def _demo_generate(self, count: int = 300, months: int = 6, seed: int = 42,
                       now: dt.datetime | None = None) -> Any:
        """Create ``count`` tickets over the last ``months`` (see the module); returns
        them. Nothing is created without a team."""
        env = self.env(su=True)
        teams = env["helpdesk.team"].search([])
        if not teams or count <= 0:
            return env["helpdesk.ticket"]
        rng = random.Random(seed)
        now = (now or dt.datetime.now(dt.timezone.utc)).replace(tzinfo=None, microsecond=0)
        pools = self._demo_pools(env)
        plan = [self._demo_plan(rng, now, months, teams, pools) for _i in range(count)]
        plan.sort(key=lambda item: item["created"])
        tickets = env["helpdesk.ticket"].with_context(
            mail_create_nolog=True, tracking_disable=True, mail_notrack=True).create(
            [item["values"] for item in plan])
        self._demo_backdate(env, tickets, plan)
        self._demo_chatter(env, rng, tickets, plan, pools)
        if hasattr(tickets, "_sla_refresh"):
            tickets._sla_refresh(now)
        self._demo_escalations(env, rng, tickets, plan, now)
        return tickets

    # -- what the tickets are made of --------------------------------------------------------
    @api.model
    def _demo_pools(self, env: Any) -> dict[str, Any]:
        partners = env["res.partner"].search([("parent_id", "!=", False),
                                              ("email", "!=", False)], limit=40)
        return {"types": env["helpdesk.ticket.type"].search([]),
                "tags": env["helpdesk.tag"].search([]),
                "partners": partners or env["res.partner"].search(
                    [("is_company", "=", True)], limit=20),
                "products": env["product.product"].search([], limit=12)
                if "product.product" in env else None}

    @staticmethod
    def _demo_plan(rng: random.Random, now: dt.datetime, months: int, teams: Any,
                   pools: dict[str, Any]) -> dict[str, Any]:
        """One ticket's values and story: when it came, was answered and resolved."""
        # more tickets recently: the age in days follows a triangular law
        age_days = rng.triangular(0, months * 30.5, 0)
        created = (now - dt.timedelta(days=age_days)).replace(
            hour=rng.randint(7, 17), minute=rng.choice((0, 10, 25, 40, 55)), second=0)
        created = min(created, now - dt.timedelta(minutes=30))
        team = rng.choice(teams)
        agents = (team.member_ids | team.user_id).filtered(lambda u: u.active)
        priority = rng.choices([p for p, _w in PRIORITY_WEIGHTS],
                               [w for _p, w in PRIORITY_WEIGHTS])[0]
        kind = rng.choice(pools["types"]) if pools["types"] else None
        topic = next((key for key in ("network", "printer", "accounting")
                      if kind and key in (kind.name or "").lower()), "other")
        values: dict[str, Any] = {
            "name": rng.choice(SUBJECTS[topic]), "team_id": team.id, "priority": priority,
            "channel": rng.choices([c for c, _w in CHANNEL_WEIGHTS],
                                   [w for _c, w in CHANNEL_WEIGHTS])[0],
            "description": "<p>Reported by the customer; details in the chatter.</p>"}
        if kind:
            values["ticket_type_id"] = kind.id
        if pools["partners"]:
            values["partner_id"] = rng.choice(pools["partners"]).id
        if pools["tags"] and rng.random() < 0.4:
            values["tag_ids"] = [(6, 0, [rng.choice(pools["tags"]).id])]
        if pools["products"] and rng.random() < 0.5:
            values["product_id"] = rng.choice(pools["products"]).id
        age_hours = (now - created).total_seconds() / 3600
        speed = {"0": 1.6, "1": 1.0, "2": 0.6, "3": 0.3}[priority]
        responded = rng.uniform(0.2, 10.0) * speed
        resolved = responded + rng.expovariate(1 / (30.0 * speed))
        # old tickets are mostly done; the last days' still open
        done = age_hours > resolved and rng.random() < (0.95 if age_days > 10 else 0.55)
        if done:
            state = "closed" if age_days > 7 and rng.random() < 0.6 else "resolved"
            if rng.random() < 0.03:
                state = "cancelled"
        elif age_hours > responded and not (age_days < 3 and rng.random() < 0.4):
            state = rng.choice(("assigned", "in_progress", "in_progress", "waiting"))
        else:
            state, responded = "new", None
        user = rng.choice(agents) if agents and state != "new" else None
        if user:
            values["user_id"] = user.id
        return {"values": values, "created": created, "state": state, "user": user,
                "responded": created + dt.timedelta(hours=responded)
                if responded is not None and state != "cancelled" else None,
                "resolved": created + dt.timedelta(hours=resolved)
                if state in ("resolved", "closed") else None,
                "reopened": 1 if state in ("resolved", "closed") and rng.random() < 0.08
                else 0,
                "escalated": priority in ("2", "3") and rng.random() < 0.15}

    # -- the past, written at once -------------------------------------------------------------
    @api.model
    def _demo_backdate(self, env: Any, tickets: Any, plan: list[dict[str, Any]]) -> None:
        """Dates, states and durations of the past, in one statement (see the module)."""
        env.flush()
        table = tickets._sa_table
        columns = {c.name for c in table.columns}
        rows = []
        for ticket, item in zip(tickets, plan):
            created, responded, resolved = item["created"], item["responded"], item["resolved"]
            row = {"b_id": ticket.id, "b_created": created, "b_state": item["state"],
                   "b_assigned": created + dt.timedelta(minutes=20) if item["user"] else None,
                   "b_responded": responded, "b_resolved": resolved,
                   "b_closed": resolved + dt.timedelta(days=3)
                   if item["state"] == "closed" else None,
                   "b_reopened": item["reopened"],
                   "b_user": item["user"].id if item["user"] else None,
                   "b_first": round((responded - created).total_seconds() / 3600, 2)
                   if responded else 0.0,
                   "b_handling": round((resolved - created).total_seconds() / 3600, 2)
                   if resolved else 0.0}
            rows.append(row)
        values = {"create_date": sa.bindparam("b_created"), "state": sa.bindparam("b_state"),
                  "date_assigned": sa.bindparam("b_assigned"),
                  "date_first_response": sa.bindparam("b_responded"),
                  "date_resolved": sa.bindparam("b_resolved"),
                  "date_closed": sa.bindparam("b_closed"),
                  "reopen_count": sa.bindparam("b_reopened"),
                  "user_id": sa.bindparam("b_user"),
                  "first_response_hours": sa.bindparam("b_first"),
                  "handling_hours": sa.bindparam("b_handling")}
        if "sla_start" in columns:
            values["sla_start"] = sa.bindparam("b_created")
        env.execute(table.update().where(table.c.id == sa.bindparam("b_id")).values(**values),
                    rows)
        env.cache.invalidate_model(tickets._name)

    @api.model
    def _demo_chatter(self, env: Any, rng: random.Random, tickets: Any,
                      plan: list[dict[str, Any]], pools: dict[str, Any]) -> None:
        """The agents' replies (one for most tickets solved at first contact, more for the
        others) and the time they spent."""
        comment = env.ref("mail.mt_comment")
        messages, entries = [], []
        for ticket, item in zip(tickets, plan):
            user, responded = item["user"], item["responded"]
            if not user or not responded:
                continue
            replies = 1 if rng.random() < 0.6 else rng.randint(2, 4)
            end = item["resolved"] or responded + dt.timedelta(hours=rng.uniform(1, 48))
            for index in range(replies):
                when = responded if index == 0 else responded + (end - responded) * (
                    index / replies)
                messages.append({"res_model": "helpdesk.ticket", "res_id": ticket.id,
                                 "model": "helpdesk.ticket", "message_type": "comment",
                                 "subtype_id": comment.id, "author_id": user.partner_id.id,
                                 "body": f"<p>{rng.choice(REPLIES)}</p>", "date": when})
            if item["resolved"] and rng.random() < 0.7:
                entries.append({"ticket_id": ticket.id, "user_id": user.id,
                                "date": item["resolved"].date(),
                                "duration": rng.choice((0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)),
                                "note": "Diagnosis and fix"})
        fields = env["mail.message"]._fields
        messages = [{k: v for k, v in m.items() if k in fields} for m in messages]
        env["mail.message"].create(messages)
        if entries:
            env["helpdesk.time.entry"].with_context(tracking_disable=True).create(entries)

    @api.model
    def _demo_escalations(self, env: Any, rng: random.Random, tickets: Any,
                          plan: list[dict[str, Any]], now: dt.datetime) -> None:
        """Escalation log entries of the urgent tickets that were escalated."""
        if "helpdesk.escalation.log" not in env:
            return
        logs = []
        for ticket, item in zip(tickets, plan):
            if not item["escalated"]:
                continue
            manager = ticket.team_id.user_id
            logs.append({"ticket_id": ticket.id, "kind": "escalation", "target": "resolution",
                         "date": min(item["created"] + dt.timedelta(hours=rng.uniform(4, 30)),
                                     now),
                         "manager_id": manager.id if manager else False,
                         "actions": "Manager notified; priority raised to Urgent"})
        if logs:
            env["helpdesk.escalation.log"].create(logs)
