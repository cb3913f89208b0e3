"""What the automation engine knows about each model: its workflows and write-time rules.

Every ``create`` and ``write`` of every model asks :func:`plan_of` whether the model has a
workflow-bound field or an automation rule; the answer must cost nothing for the (many)
models that have neither. The whole configuration (a few rows) is therefore read once, in
five queries, and kept per registry; a transaction that changes it (workflows, states,
transitions, rules, actions) switches to a private copy, and the shared one is dropped in
this process when it commits and, through the cache counter, in every other worker.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event

from ..orm import signals
from ..orm.fields import translated_value

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

_logger = logging.getLogger(__name__)

#: models whose changes change the plans
CONFIG_MODELS = frozenset({"ir.workflow", "ir.workflow.state", "ir.workflow.transition",
                           "ir.automation.rule", "ir.automation.action"})
#: bookkeeping models never bound to a workflow nor watched by rules (a rule logging its
#: runs on the run log would trigger itself for ever)
INTERNAL_MODELS = frozenset({"ir.automation.run", "ir.automation.mark", "ir.automation.pointer",
                             "ir.job", "ir.cron", "ir.journal", "ir.model.data",
                             "ir.model", "ir.model.fields", "ir.module.module",
                             "res.users.session", "res.users.login.attempt"}) | CONFIG_MODELS
#: field types a workflow can drive (a many2one must point to ``ir.workflow.state``)
BINDABLE_TYPES = ("selection", "char", "many2one")
STATE_MODEL = "ir.workflow.state"
WRITE_TRIGGERS = ("on_create", "on_write", "on_state", "on_message")
_CACHE_KEY = "automation_cache"
_CONN_KEY = "comptoir_automation_tx"


@dataclass(frozen=True)
class StateSpec:
    id: int
    code: str
    name: Any  #: stored value of a translated field: ``{lang: text}`` (or text)
    sequence: int
    fold: bool
    kind: str  #: ``open``, ``done`` or ``cancelled``
    initial: bool

    def label(self, lang: str) -> str:
        return str(translated_value(self.name, lang) or self.code)


@dataclass(frozen=True)
class TransitionSpec:
    id: int
    name: Any
    from_id: int | None  #: None: from any other state
    to_id: int
    group_ids: frozenset[int]
    condition: str | None
    sequence: int
    has_actions: bool

    def label(self, lang: str) -> str:
        return str(translated_value(self.name, lang) or "")


@dataclass
class WorkflowSpec:
    """One active workflow: the states a model's field takes and how it moves."""

    id: int
    name: Any
    model: str
    field: str
    field_type: str
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    by_id: dict[int, StateSpec] = field(default_factory=dict)
    by_value: dict[Any, StateSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.states}
        self.by_value = {self.value_of(s): s for s in self.states}

    def value_of(self, state: StateSpec) -> Any:
        """What the bound field stores for ``state``: its code, or its id (many2one)."""
        return state.id if self.field_type == "many2one" else state.code

    def state_for(self, value: Any) -> StateSpec | None:
        """The state a field value stands for (None: empty or not a state)."""
        if hasattr(value, "_ids"):
            value = value.id
        if value in (None, False, ""):
            return None
        if self.field_type == "many2one":
            try:
                value = int(value)
            except (TypeError, ValueError):
                return None
        return self.by_value.get(value)

    def initial_states(self) -> list[StateSpec]:
        flagged = [s for s in self.states if s.initial]
        return flagged or list(self.states[:1])

    def transitions_from(self, state: StateSpec | None) -> list[TransitionSpec]:
        """Transitions leaving ``state``: its own first, then the "from any state" ones."""
        own = [t for t in self.transitions if state is not None and t.from_id == state.id]
        anywhere = [t for t in self.transitions if t.from_id is None
                    and (state is None or t.to_id != state.id)]
        return own + anywhere


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    trigger: str
    fields: frozenset[str]
    filter_domain: str | None
    sequence: int
    state_field: str | None = None  #: on_state: the bound field and the value entered
    state_value: Any = None


@dataclass
class ModelPlan:
    workflows: dict[str, WorkflowSpec] = field(default_factory=dict)
    rules: list[RuleSpec] = field(default_factory=list)

    @property
    def watched(self) -> frozenset[str]:
        """Fields whose writes concern the engine (bound fields, rule trigger fields)."""
        cached = self.__dict__.get("_watched")
        if cached is None:
            names = set(self.workflows)
            for rule in self.rules:
                names |= rule.fields
                if rule.state_field:
                    names.add(rule.state_field)
            cached = self.__dict__["_watched"] = frozenset(names)
        return cached

    def rules_for(self, trigger: str) -> list[RuleSpec]:
        return [r for r in self.rules if r.trigger == trigger]


# -- the cache -----------------------------------------------------------------------------
def cache_of(env: "Environment") -> dict[str, Any]:
    """The plans this transaction sees. The shared ones are kept with the cache counter
    the worker last saw (:func:`core.orm.signals.seen`, read once per request or
    scheduler round): when another worker changed cached data, they are read again."""
    private = env.transaction.__dict__.get(_CACHE_KEY)
    if private is not None:
        return private
    registry = env.registry
    stamp = signals.seen(registry)
    shared = registry.__dict__.get(_CACHE_KEY)
    if shared is None or "stamp" not in shared or shared["stamp"] != stamp:
        shared = registry.__dict__[_CACHE_KEY] = {"stamp": stamp}
    return shared


def clear_cache(env: "Environment") -> None:
    """Configuration changed in this transaction: use a private cache until it ends; when
    it commits, the shared cache is dropped again (another transaction may have reloaded
    the old configuration meanwhile), and the cache counter of :mod:`core.orm.signals`
    tells every other worker to read it again."""
    signals.caches_changed(env)
    transaction = env.transaction
    transaction.__dict__[_CACHE_KEY] = {}
    conn = env.conn
    pending = conn.__dict__.get(_CONN_KEY)
    if pending is None:
        pending = conn.__dict__[_CONN_KEY] = []
        event.listen(conn, "commit", _committed)
        event.listen(conn, "rollback", _rolled_back)
        event.listen(conn, "rollback_savepoint", _savepoint_rolled_back)
    if transaction not in pending:
        pending.append(transaction)


def drop_shared(registry: Any) -> None:
    """Forget the shared plans (another process may have changed the configuration)."""
    registry.__dict__.pop(_CACHE_KEY, None)


def _committed(conn: sa.Connection) -> None:
    for transaction in conn.__dict__.get(_CONN_KEY) or ():
        transaction.registry.__dict__.pop(_CACHE_KEY, None)
        transaction.__dict__.pop(_CACHE_KEY, None)
    conn.__dict__.get(_CONN_KEY, []).clear()


def _rolled_back(conn: sa.Connection) -> None:
    for transaction in conn.__dict__.get(_CONN_KEY) or ():
        transaction.__dict__.pop(_CACHE_KEY, None)
    conn.__dict__.get(_CONN_KEY, []).clear()


def _savepoint_rolled_back(conn: sa.Connection, name: Any, context: Any) -> None:
    # what was loaded inside the savepoint may include the rolled-back change
    for transaction in conn.__dict__.get(_CONN_KEY) or ():
        transaction.__dict__[_CACHE_KEY] = {}


def plan_of(model: "BaseModel") -> ModelPlan | None:
    """The workflows and write-time rules of ``model`` (None: nothing to do)."""
    if model._name in INTERNAL_MODELS:
        return None
    env = model.env
    if "ir.workflow" not in env.registry.models:
        return None
    cache = cache_of(env)
    plans = cache.get("plans")
    if plans is None:
        plans = cache["plans"] = load_plans(env)
    return plans.get(model._name)


def workflow_of(model: "BaseModel", field_name: str) -> WorkflowSpec | None:
    plan = plan_of(model)
    return plan.workflows.get(field_name) if plan is not None else None


# -- loading -------------------------------------------------------------------------------
def load_plans(env: "Environment") -> dict[str, ModelPlan]:
    """Every active workflow and write-time rule, in at most five queries."""
    tables = env.registry.metadata.tables
    plans: dict[str, ModelPlan] = {}
    workflows = _load_workflows(env, tables)
    for spec in workflows:
        plans.setdefault(spec.model, ModelPlan()).workflows[spec.field] = spec
    state_index = {s.id: (spec, s) for spec in workflows for s in spec.states}
    rules = tables["ir_automation_rule"]
    rows = env.execute(sa.select(
        rules.c.id, rules.c.name, rules.c.model, rules.c.trigger, rules.c.trigger_fields,
        rules.c.state_id, rules.c.filter_domain, rules.c.sequence).where(
        rules.c.active.is_(True), rules.c.trigger.in_(WRITE_TRIGGERS)).order_by(
        rules.c.sequence, rules.c.id)).all()
    for row in rows:
        if row.model not in env.registry.models or row.model in INTERNAL_MODELS:
            continue
        state_field = state_value = None
        if row.trigger == "on_state":
            found = state_index.get(row.state_id)
            if found is None or found[0].model != row.model:
                continue  # the state's workflow is inactive or on another model
            state_field, state_value = found[0].field, found[0].value_of(found[1])
        names = frozenset(n.strip() for n in (row.trigger_fields or "").split(",") if n.strip())
        plans.setdefault(row.model, ModelPlan()).rules.append(RuleSpec(
            row.id, row.name, row.trigger, names, row.filter_domain, row.sequence or 0,
            state_field, state_value))
    return plans


def _load_workflows(env: "Environment", tables: Any) -> list[WorkflowSpec]:
    wf, st, tr = tables["ir_workflow"], tables["ir_workflow_state"], tables[
        "ir_workflow_transition"]
    rows = env.execute(sa.select(wf.c.id, wf.c.name, wf.c.model, wf.c.field_name).where(
        wf.c.active.is_(True)).order_by(wf.c.id)).all()
    usable = []
    for row in rows:
        model = env.registry.models.get(row.model)
        field_ = model._fields.get(row.field_name or "") if model is not None else None
        if field_ is None or field_.type not in BINDABLE_TYPES or (
                field_.type == "many2one" and field_.comodel_name != STATE_MODEL):
            _logger.warning("workflow %s: %s.%s cannot be bound; ignored", row.id, row.model,
                            row.field_name)
            continue
        usable.append((row, field_.type))
    if not usable:
        return []
    ids = [row.id for row, _type in usable]
    states: dict[int, list[StateSpec]] = {i: [] for i in ids}
    for s in env.execute(sa.select(
            st.c.id, st.c.workflow_id, st.c.code, st.c.name, st.c.sequence, st.c.fold,
            st.c.kind, st.c.is_initial).where(st.c.workflow_id.in_(ids)).order_by(
            st.c.sequence, st.c.id)):
        states[s.workflow_id].append(StateSpec(s.id, s.code or "", s.name, s.sequence or 0,
                                               bool(s.fold), s.kind or "open",
                                               bool(s.is_initial)))
    rel = tables["ir_workflow_transition_group_rel"]
    actions = tables["ir_automation_action"]
    transition_rows = env.execute(sa.select(
        tr.c.id, tr.c.workflow_id, tr.c.name, tr.c.from_state_id, tr.c.to_state_id,
        tr.c.condition, tr.c.sequence).where(tr.c.workflow_id.in_(ids),
                                             tr.c.active.is_(True)).order_by(
        tr.c.sequence, tr.c.id)).all()
    groups: dict[int, set[int]] = {}
    with_actions: set[int] = set()
    if transition_rows:
        transition_ids = [t.id for t in transition_rows]
        for tid, gid in env.execute(sa.select(rel.c.transition_id, rel.c.group_id).where(
                rel.c.transition_id.in_(transition_ids))):
            groups.setdefault(tid, set()).add(gid)
        with_actions = {r[0] for r in env.execute(sa.select(actions.c.transition_id).where(
            actions.c.transition_id.in_(transition_ids)).distinct())}
    transitions: dict[int, list[TransitionSpec]] = {i: [] for i in ids}
    for t in transition_rows:
        transitions[t.workflow_id].append(TransitionSpec(
            t.id, t.name, t.from_state_id, t.to_state_id, frozenset(groups.get(t.id, ())),
            (t.condition or "").strip() or None, t.sequence or 0, t.id in with_actions))
    return [WorkflowSpec(row.id, row.name, row.model, row.field_name, ftype,
                         tuple(states[row.id]), tuple(transitions[row.id]))
            for row, ftype in usable]
