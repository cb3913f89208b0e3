"""Automation rules: when they fire, and running actions safely.

Triggers: ``on_create``; ``on_write`` of given fields (a value actually changed);
``on_state`` (the workflow-bound field entered a state, by a move or at creation);
``on_time`` (relative to a date field, run by the scheduler, see :func:`run_time_rules`);
``on_message`` (fired by the mail gateway through :func:`message_received`). A rule's
filter domain narrows the records it acts on.

Actions run in a savepoint: when one fails, what it and the actions before it did is
rolled back, the failure is logged in ``ir.automation.run`` and the change that
triggered the rule is kept. Every run (done or failed) is logged with its records,
trigger, duration and outcome. A rule never fires again on records it is acting on
(a "set values" action writing a watched field would otherwise loop).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import TYPE_CHECKING, Any, Iterable

import sqlalchemy as sa

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _
from ..orm.model_write import now_utc
from .actions import ActionRun, action_kinds
from .plan import ModelPlan, RuleSpec, plan_of
from .workflow import Move, current_values, eval_domain

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

_logger = logging.getLogger(__name__)
_RUNNING_KEY = "automation_running"
MAX_DEPTH = 8
TIME_BATCH = 500
UNITS = {"minutes": dt.timedelta(minutes=1), "hours": dt.timedelta(hours=1),
         "days": dt.timedelta(days=1), "weeks": dt.timedelta(weeks=1)}


# -- write-time triggers ---------------------------------------------------------------------
def after_create(records: "BaseModel", plan: ModelPlan) -> None:
    if not records or not plan.rules:
        return
    for rule in plan.rules_for("on_create"):
        run_rule(rule, records, "on_create")
    state_rules = plan.rules_for("on_state")
    if state_rules:
        values = current_values(records, list({r.state_field for r in state_rules}))
        for rule in state_rules:
            ids = [i for i in records._ids if values[rule.state_field].get(i) == rule.state_value]
            if ids:
                run_rule(rule, records.browse(ids), "on_state")


def before_write(records: "BaseModel", vals: dict[str, Any], plan: ModelPlan
                 ) -> dict[str, dict[int, Any]]:
    """Values of the watched stored fields this write changes, before it (one query)."""
    names = [n for n in plan.watched if n in vals and _is_column(records, n)
             and any(n in r.fields or n == r.state_field for r in plan.rules)]
    return current_values(records, names) if names else {}


def after_write(records: "BaseModel", vals: dict[str, Any], plan: ModelPlan,
                before: dict[str, dict[int, Any]], moves: list[Move]) -> None:
    if not plan.rules:
        return
    after = current_values(records, list(before)) if before else {}

    def changed(name: str) -> set[int]:
        if name not in vals:
            return set()
        if name not in before:  # not a column (x2many): written means changed
            return set(records._ids)
        return {i for i in records._ids if before[name].get(i) != after[name].get(i)}

    for rule in plan.rules_for("on_write"):
        ids: set[int] = set()
        for name in rule.fields:
            ids |= changed(name)
        if ids:
            run_rule(rule, records.browse([i for i in records._ids if i in ids]), "on_write")
    for rule in plan.rules_for("on_state"):
        if rule.state_field not in vals or rule.state_field not in before:
            continue
        entered = [i for i in records._ids if i in changed(rule.state_field)
                   and after[rule.state_field].get(i) == rule.state_value]
        if entered:
            run_rule(rule, records.browse(entered), "on_state")


def message_received(records: "BaseModel", message: Any = None) -> None:
    """Run the ``on_message`` rules of these records: the mail gateway calls this for the
    records an incoming message created or updated, passing the message along (actions
    find it in ``ActionRun.message``)."""
    plan = plan_of(records)
    if plan is None or not records:
        return
    for rule in plan.rules_for("on_message"):
        run_rule(rule, records, "on_message", message=message)


def _is_column(records: "BaseModel", name: str) -> bool:
    field = records._fields.get(name)
    return field is not None and field.stored_column


# -- running --------------------------------------------------------------------------------
def run_rule(rule: RuleSpec, records: "BaseModel", trigger: str, message: Any = None) -> None:
    """Filter the records, run the rule's actions on those left, log the run."""
    env = records.env
    running = env.transaction.__dict__.setdefault(_RUNNING_KEY, set())
    ids = [i for i in records._ids if ("rule", rule.id, i) not in running]
    if not ids:
        return
    targets = records.browse(ids).with_env(env(su=True))
    if rule.filter_domain:
        try:
            domain = eval_domain(rule.filter_domain, env)
            targets = targets.with_context(active_test=False).filtered_domain(domain)
        except UserError as exc:
            log_run(env, "rule", rule.id, rule.name, trigger, targets, "failed", str(exc), 0.0)
            return
        targets = targets.with_context(active_test=True)
    if targets:
        run_actions_of(targets, "rule", rule.id, rule.name, trigger, message=message)


def run_actions_of(records: "BaseModel", source: str, source_id: int, name: str,
                   trigger: str, message: Any = None) -> str:
    """Run the actions of a rule or a transition on ``records`` in a savepoint, log the
    outcome (``done`` or ``failed``) and return it."""
    env = records.env(su=True)
    records = records.with_env(env)
    running: set = env.transaction.__dict__.setdefault(_RUNNING_KEY, set())
    depth = env.transaction.__dict__.get("automation_depth", 0)
    keys = {(source, source_id, i) for i in records._ids}
    started = time.perf_counter()
    state, error = "done", ""
    if depth >= MAX_DEPTH:
        state, error = "failed", _("Too many automations triggering each other (more than "
                                   "%(depth)s levels); stopped.", depth=MAX_DEPTH)
    else:
        env.transaction.__dict__["automation_depth"] = depth + 1
        running |= keys
        try:
            with env.savepoint():
                domain = [("rule_id" if source == "rule" else "transition_id", "=", source_id)]
                kinds = action_kinds(env.registry)
                for action in env["ir.automation.action"].search(domain,
                                                                   order="sequence, id"):
                    kind = kinds.get(action.kind)
                    if kind is None:
                        raise ValidationError(_("Unknown action kind '%(kind)s' (is its addon "
                                                "installed?).", kind=action.kind))
                    kind.run(ActionRun(env, records.exists(), action, source, source_id,
                                       trigger, message))
        except Exception as exc:  # noqa: BLE001 - any failure is logged, the trigger kept
            state, error = "failed", describe(exc)
            if not isinstance(exc, UserError):
                _logger.exception("automation %s %s failed on %s%s", source, source_id,
                                  records._name, list(records._ids)[:20])
        finally:
            running -= keys
            env.transaction.__dict__["automation_depth"] = depth
    duration = (time.perf_counter() - started) * 1000
    log_run(env, source, source_id, name, trigger, records, state, error, duration)
    return state


def describe(exc: BaseException) -> str:
    """An administrator-readable line for a failure (tracebacks go to the log only)."""
    if isinstance(exc, UserError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:2000]


def log_run(env: "Environment", source: str, source_id: int, name: str, trigger: str,
            records: "BaseModel", state: str, message: str, duration: float) -> None:
    runs = env(su=True)["ir.automation.run"]
    runs.create({
        "rule_id": source_id if source == "rule" else False,
        "transition_id": source_id if source == "transition" else False,
        "name": name or "", "model": records._name, "res_ids": list(records._ids),
        "record_count": len(records._ids), "trigger": trigger, "state": state,
        "message": message or False, "date": now_utc(), "duration": round(duration, 3),
        "user_id": env.uid if env.uid and "res.users" in env.registry.models else False})


# -- time-relative triggers -------------------------------------------------------------------
def run_time_rules(env: "Environment", now: dt.datetime | None = None) -> int:
    """Fire every active ``on_time`` rule on the records whose trigger moment has come:
    each record once per rule and date value (a new date, e.g. a renewed contract's end,
    fires again). Returns how many records fired. Called by the scheduler."""
    env = env(su=True)
    now = now or now_utc()
    fired = 0
    for rule in env["ir.automation.rule"].search([("trigger", "=", "on_time")]):
        if rule.model not in env:
            continue
        try:
            fired += _run_time_rule(rule, now)
        except UserError as exc:
            log_run(env, "rule", rule.id, rule.name, "on_time", env[rule.model], "failed",
                    str(exc), 0.0)
    return fired


def trigger_window(rule: "BaseModel", now: dt.datetime) -> tuple[Any, Any]:
    """``(low, high)`` bounds of the date field for records due now.

    "N units before": due when ``date - N <= now`` and the date has not passed since the
    rule was activated; "N units after": due when ``date + N <= now`` and that moment
    came after the activation (a new rule does not fire on years of old records)."""
    delta = UNITS.get(rule.delay_unit or "days", UNITS["days"]) * int(rule.delay_amount or 0)
    since = rule.activated_on or rule.create_date or now
    if rule.delay_direction == "after":
        low, high = since - delta, now - delta
    else:
        low, high = since, now + delta
    if rule.env[rule.model]._fields[rule.date_field].type == "date":
        return low.date(), high.date()
    return low, high


def _run_time_rule(rule: "BaseModel", now: dt.datetime) -> int:
    env = rule.env
    model = env[rule.model]
    date_field = rule.date_field
    if date_field not in model._fields:
        raise ValidationError(_("Rule %(rule)s: %(model)s has no field '%(field)s'.",
                                rule=rule.name, model=rule.model, field=date_field))
    low, high = trigger_window(rule, now)
    domain = [(date_field, ">=", low), (date_field, "<=", high)]
    domain += eval_domain(rule.filter_domain, env) if rule.filter_domain else []
    marks = env["ir.automation.mark"]
    fired = 0
    offset = 0
    while True:
        batch = model.search(domain, order="id", limit=TIME_BATCH, offset=offset)
        if not batch:
            break
        offset += len(batch)
        dates = current_values(batch, [date_field])[date_field]
        done = marked_pairs(env, rule.id, batch.ids)
        due = [i for i in batch.ids if (i, _date_key(dates.get(i))) not in done]
        if due:
            marks.create([{"rule_id": rule.id, "res_id": i, "date_value": _date_key(dates[i])}
                          for i in due])
            run_actions_of(model.browse(due), "rule", rule.id, rule.name, "on_time")
            fired += len(due)
        if len(batch) < TIME_BATCH:
            break
    return fired


def _date_key(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def marked_pairs(env: "Environment", rule_id: int, ids: Iterable[int]) -> set[tuple[int, str]]:
    table = env.registry.metadata.tables["ir_automation_mark"]
    ids = list(ids)
    if not ids:
        return set()
    rows = env.execute(sa.select(table.c.res_id, table.c.date_value).where(
        table.c.rule_id == rule_id, table.c.res_id.in_(ids)))
    return {(r[0], r[1]) for r in rows}
