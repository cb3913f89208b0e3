"""Workflows enforced: a bound field only takes a workflow's states and only moves along
its transitions, whoever writes it (forms, kanban, the APIs, imports, code).

The kernel addon's ``base`` extension calls :func:`prepare_create` before every create
and :func:`check_write` before every write that touches a bound field, then
:func:`run_moves` after the write to run the actions of the transitions taken. A move is
allowed when a transition leads from the record's state (or from any state) to the new
one, the user is in one of its groups (none: everyone who may write the record; the
superuser always) and its condition domain holds for the record. Code that must put a
record in any state (a migration) writes as superuser with ``workflow_force=True`` in
the context.

:func:`statusbar` and :func:`board_columns` give the web client what it shows: the states
in order, the moves a user may make, the kanban columns.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import sqlalchemy as sa

from ..exceptions import ValidationError
from ..i18n.translate import _
from ..security.access import user_group_ids
from ..views import eval_literal, today
from .plan import ModelPlan, StateSpec, TransitionSpec, WorkflowSpec, plan_of, workflow_of

if TYPE_CHECKING:
    from ..orm import BaseModel

#: context key: run this transition (by id) rather than the first allowed one
TRANSITION_KEY = "workflow_transition"
#: context key honoured for the superuser only: write any state of the workflow
FORCE_KEY = "workflow_force"


@dataclass
class Move:
    """Records of one batch taking one transition."""

    workflow: WorkflowSpec
    transition: TransitionSpec
    ids: tuple[int, ...]


# -- create --------------------------------------------------------------------------------
def prepare_create(model: "BaseModel", vals_list: Sequence[dict], plan: ModelPlan
                   ) -> list[dict]:
    """Values for ``create`` with every bound field set to a state a new record may start
    in (an empty one gets the workflow's first initial state); refuses other states.
    The superuser may create records in any state of the workflow (data files)."""
    env = model.env
    result = [dict(vals) for vals in vals_list]
    for name, spec in plan.workflows.items():
        initial = spec.initial_states()
        if not initial:
            continue
        missing = [vals for vals in result if name not in vals]
        default = model.default_get([name]).get(name) if missing else None
        for vals in result:
            value = vals[name] if name in vals else default
            state = spec.state_for(value)
            if state is None and value not in (None, False, ""):
                raise _not_a_state(model, spec, value)
            if state is None:
                state = initial[0]
            elif not env.su and state not in initial:
                raise ValidationError(_(
                    "A new %(model)s starts in %(states)s, not in %(state)s.",
                    model=_model_label(model), states=_names(initial, env.lang),
                    state=state.label(env.lang)), field=name)
            vals[name] = spec.value_of(state)
    return result


# -- write ---------------------------------------------------------------------------------
def check_write(records: "BaseModel", vals: dict[str, Any], plan: ModelPlan) -> list[Move]:
    """The transitions this write takes, per bound field; raises ValidationError (naming
    the moves the user may make) when a record may not move to the written state."""
    env = records.env
    moves: list[Move] = []
    bound = [(name, spec) for name, spec in plan.workflows.items() if name in vals]
    if not bound:
        return moves
    if env.su and env.context.get(FORCE_KEY):
        for name, spec in bound:
            if spec.state_for(vals[name]) is None and vals[name] not in (None, False, ""):
                raise _not_a_state(records, spec, vals[name])
        return moves
    if not env.su:
        # an access error comes first: a workflow message would tell about the records
        records._check_access("write")
        records._check_rules("write")
    current = current_values(records, [name for name, _spec in bound])
    forced = env.context.get(TRANSITION_KEY)
    for name, spec in bound:
        target = spec.state_for(vals[name])
        if target is None:
            raise _not_a_state(records, spec, vals[name])
        by_source: dict[Any, list[int]] = {}
        for rec_id in records._ids:
            by_source.setdefault(current[name].get(rec_id), []).append(rec_id)
        for source_value, ids in by_source.items():
            source = spec.state_for(source_value)
            if source is not None and source.id == target.id:
                continue  # not a move
            moves.extend(_moves_for(records.browse(ids), spec, source, target, forced))
    return moves


def _moves_for(records: "BaseModel", spec: WorkflowSpec, source: StateSpec | None,
               target: StateSpec, forced: Any) -> list[Move]:
    env = records.env
    candidates = [t for t in spec.transitions_from(source) if t.to_id == target.id]
    if forced:
        candidates = [t for t in candidates if t.id == _as_int(forced)]
    remaining = list(records._ids)
    moves: list[Move] = []
    for transition in candidates:
        if not remaining:
            break
        if not group_allowed(env, transition):
            continue
        passing = condition_holds(records.browse(remaining), transition)
        if passing:
            moves.append(Move(spec, transition, tuple(passing)))
            remaining = [i for i in remaining if i not in set(passing)]
    if remaining and source is None and target in spec.initial_states():
        remaining = []  # a record without a state may be put in an initial one
    if remaining:
        raise refusal(records.browse(remaining[:1]), spec, source, target)
    return moves


def refusal(record: "BaseModel", spec: WorkflowSpec, source: StateSpec | None,
            target: StateSpec) -> ValidationError:
    """The error for a refused move, naming the moves the user may make instead."""
    lang = record.env.lang
    allowed = [spec.by_id[t.to_id].label(lang) for t in available(record, spec, source)]
    origin = source.label(lang) if source is not None else _("no state", lang=lang)
    message = _("%(record)s cannot move from %(source)s to %(target)s.",
                record=_record_label(record), source=origin, target=target.label(lang),
                lang=lang)
    if allowed:
        message += " " + _("Allowed moves: %(moves)s.", moves=", ".join(
            dict.fromkeys(allowed)), lang=lang)
    else:
        message += " " + _("You may not move it from %(source)s.", source=origin, lang=lang)
    return ValidationError(message, field=spec.field)


def available(record: "BaseModel", spec: WorkflowSpec, source: StateSpec | None
              ) -> list[TransitionSpec]:
    """The transitions the current user may take from ``source`` for this one record."""
    result = []
    for transition in spec.transitions_from(source):
        if group_allowed(record.env, transition) and condition_holds(record, transition):
            result.append(transition)
    return result


def group_allowed(env: Any, transition: TransitionSpec) -> bool:
    if env.su or not transition.group_ids:
        return True
    return bool(transition.group_ids & user_group_ids(env, env.uid))


def condition_holds(records: "BaseModel", transition: TransitionSpec) -> list[int]:
    """Ids of ``records`` for which the transition's condition holds (one query when it
    has one). The condition is the administrator's configuration, so it is evaluated as
    superuser: related records the user cannot read still count."""
    if not transition.condition:
        return list(records._ids)
    domain = eval_domain(transition.condition, records.env)
    matched = records.sudo().with_context(active_test=False).filtered_domain(domain)
    return list(matched._ids)


def eval_domain(text: str | None, env: Any) -> list:
    """A condition or filter domain of the configuration, evaluated with ``uid``,
    ``context_today`` (ISO date in the user's time zone) and ``now`` (ISO UTC datetime)."""
    names = {"uid": env.uid, "context_today": today(env.context.get("tz")),
             "now": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(" ",
                                                                                     "seconds")}
    domain = eval_literal(text, names, default=[])
    if not isinstance(domain, list):
        raise ValidationError(_("%(text)s is not a domain (a list of conditions).", text=text))
    return domain


def current_values(records: "BaseModel", names: Sequence[str]) -> dict[str, dict[int, Any]]:
    """The stored values of some columns, straight from the table (one query)."""
    table = records._sa_table
    rows = records.env.execute(sa.select(table.c.id, *[table.c[n] for n in names]).where(
        records._ids_in(table.c.id, records._ids))).all()
    return {name: {row[0]: row[index] for row in rows}
            for index, name in enumerate(names, start=1)}


def run_moves(records: "BaseModel", moves: list[Move]) -> None:
    """After the write: run the actions of the transitions taken (logged, never undoing
    the move when they fail)."""
    from .rules import run_actions_of
    for move in moves:
        if move.transition.has_actions:
            run_actions_of(records.browse(move.ids), "transition", move.transition.id,
                           move.transition.label("en_US"), "transition")


# -- moving on purpose ---------------------------------------------------------------------
def move(records: "BaseModel", target: Any, field_name: str | None = None,
         version: int | None = None) -> bool:
    """Move records along a transition: ``target`` is a transition id (its workflow and
    field follow) or, with ``field_name``, a state code / id / ``ir.workflow.state``."""
    plan = plan_of(records)
    if plan is None or not plan.workflows:
        raise ValidationError(_("%(model)s has no workflow.", model=_model_label(records)))
    context: dict[str, Any] = {}
    if field_name is None:
        found = [(spec, t) for spec in plan.workflows.values() for t in spec.transitions
                 if t.id == _as_int(target)]
        if not found:
            raise ValidationError(_("This transition does not exist or is not one of %(model)s.",
                                    model=_model_label(records)))
        spec, transition = found[0]
        field_name, value = spec.field, spec.value_of(spec.by_id[transition.to_id])
        context[TRANSITION_KEY] = transition.id
    else:
        spec = plan.workflows.get(field_name)
        if spec is None:
            raise ValidationError(_("The field '%(field)s' of %(model)s has no workflow.",
                                    field=field_name, model=_model_label(records)),
                                  field=field_name)
        state = spec.state_for(target)
        if state is None:
            raise _not_a_state(records, spec, target)
        value = spec.value_of(state)
    vals: dict[str, Any] = {field_name: value}
    if version is not None:
        vals["version"] = version
    return records.with_context(**context).write(vals)


# -- what the web client shows ----------------------------------------------------------------
def statusbar(record: "BaseModel", field_name: str, value: Any = None) -> dict[str, Any] | None:
    """The status bar of a form: states in order (folded ones only when current) and,
    for a saved record the user may change, the moves offered as buttons."""
    spec = workflow_of(record, field_name)
    if spec is None:
        return None
    lang = record.env.lang
    if isinstance(value, (list, tuple)) and value:
        value = value[0]  # a many2one as read() gives it
    current = spec.state_for(value)
    states = [{"key": spec.value_of(s), "label": s.label(lang), "kind": s.kind,
               "current": current is not None and s.id == current.id}
              for s in spec.states if not s.fold or (current is not None and s.id == current.id)]
    buttons = []
    if len(record._ids) == 1 and record._check_access("write", raise_exception=False):
        for transition in available(record, spec, current):
            target = spec.by_id[transition.to_id]
            buttons.append({"id": transition.id, "label": transition.label(lang)
                            or target.label(lang), "to": target.label(lang)})
    return {"workflow": spec.id, "field": field_name, "states": states, "buttons": buttons,
            "current": current.label(lang) if current is not None else ""}


def board_columns(model: "BaseModel", field_name: str) -> list[tuple[Any, str, bool]] | None:
    """Kanban columns of a workflow-bound field: ``(key, label, folded)`` per state in
    order; None when the field has no workflow."""
    spec = workflow_of(model, field_name)
    if spec is None:
        return None
    lang = model.env.lang
    return [(spec.value_of(s), s.label(lang), s.fold) for s in spec.states]


# -- helpers ---------------------------------------------------------------------------------
def _not_a_state(model: "BaseModel", spec: WorkflowSpec, value: Any) -> ValidationError:
    lang = model.env.lang
    return ValidationError(_("'%(value)s' is not a state of the workflow %(workflow)s "
                             "(states: %(states)s).", value=getattr(value, "id", value),
                             workflow=_spec_name(spec, lang),
                             states=_names(spec.states, lang), lang=lang), field=spec.field)


def _spec_name(spec: WorkflowSpec, lang: str) -> str:
    from ..orm.fields import translated_value
    return str(translated_value(spec.name, lang) or spec.model)


def _names(states: Sequence[StateSpec], lang: str) -> str:
    return ", ".join(s.label(lang) for s in states)


def _model_label(model: "BaseModel") -> str:
    return _(model._description or model._name, lang=model.env.lang)


def _record_label(record: "BaseModel") -> str:
    try:
        name = record.sudo().display_name
    except Exception:  # noqa: BLE001 - a message must not fail on a display name
        name = ""
    return f"{_model_label(record)} '{name}'" if name else _model_label(record)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
