"""Assignment strategies: who among candidate users gets each record.

* ``round_robin``: each in turn, remembering the last one per *key* (a rule, a team...)
  in ``ir.automation.pointer``; the pointer row is locked by an UPDATE before it is read,
  so concurrent transactions take turns instead of picking the same user;
* ``load``: the candidate with the fewest records matching a domain (default: the
  model's workflow states of kind "open", else every record), counted in one query;
* ``field_match``: candidates whose value of ``user_match_field`` (a field or dotted path
  of ``res.users``: a region, skills, territories) meets the record's ``match_field``,
  then ``load`` (or ``fallback``) among them; records nobody matches stay unassigned.

Any code can call :func:`assign`; automation "assign" actions do. Addons add strategies
with the ``comptoir_assignment_strategies`` hook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import sqlalchemy as sa

from ..exceptions import ValidationError
from ..i18n.translate import _, _lt
from .catalogue import hook_catalogue
from .plan import plan_of

if TYPE_CHECKING:
    from ..orm import BaseModel, Registry

_CATALOGUE_KEY = "automation_strategies"


@dataclass
class AssignmentContext:
    """What a strategy chooses from: the records (in order), the candidate users (by
    id), the field to set, the round-robin key and the strategy's options."""

    records: "BaseModel"
    candidates: "BaseModel"
    field: str
    key: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssignmentStrategy:
    """``choose(context)`` returns ``{record id: user id or False}``."""

    key: str
    label: str
    choose: Callable[[AssignmentContext], dict[int, int | bool]]


def assign(records: "BaseModel", strategy: str, candidates: "BaseModel",
           field: str = "user_id", *, key: str | None = None, write: bool = True,
           **options: Any) -> dict[int, int | bool]:
    """Choose a user per record with ``strategy`` among ``candidates`` (``res.users``) and
    write it in ``field`` (one write per user chosen); returns the choice. ``key`` names
    the round-robin turn (default: one per model and field)."""
    strategies = strategies_of(records.env.registry)
    chosen_strategy = strategies.get(strategy)
    if chosen_strategy is None:
        raise ValidationError(_("Unknown assignment strategy '%(strategy)s' (known: "
                                "%(known)s).", strategy=strategy,
                                known=", ".join(sorted(strategies))), field="strategy")
    target = records._fields.get(field)
    if target is None or target.type != "many2one" or target.comodel_name != "res.users":
        raise ValidationError(_("%(model)s has no user field '%(field)s' to assign.",
                                model=records._name, field=field), field="assign_field")
    if not records:
        return {}
    candidates = candidates.sorted(lambda user: user.id)
    if not candidates:
        return {rec_id: False for rec_id in records._ids}
    context = AssignmentContext(records, candidates, field, key or f"{records._name},{field}",
                                options)
    chosen = chosen_strategy.choose(context)
    if write:
        by_user: dict[int, list[int]] = {}
        for rec_id, user_id in chosen.items():
            if user_id:
                by_user.setdefault(int(user_id), []).append(rec_id)
        for user_id, ids in by_user.items():
            records.browse(ids).write({field: user_id})
    return chosen


# -- round robin ---------------------------------------------------------------------------
def next_turns(env: Any, key: str, user_ids: list[int], count: int) -> list[int]:
    """``count`` users taken in turn after the last one used for ``key``; the turn is
    saved. Locking the pointer row first serialises concurrent callers."""
    table = env.registry.metadata.tables["ir_automation_pointer"]
    if env.execute(table.update().where(table.c.key == key).values(
            version=table.c.version + 1)).rowcount == 0:
        insert = _insert_ignore(env, table).values(key=key, version=1)
        env.execute(insert)
        env.execute(table.update().where(table.c.key == key).values(
            version=table.c.version + 1))
    last = env.execute(sa.select(table.c.last_user_id).where(table.c.key == key)).scalar()
    ordered = sorted(user_ids)
    start = next((i for i, uid in enumerate(ordered) if last is not None and uid > last), 0)
    turns = [ordered[(start + n) % len(ordered)] for n in range(count)]
    if turns:
        env.execute(table.update().where(table.c.key == key).values(last_user_id=turns[-1]))
    return turns


def _insert_ignore(env: Any, table: sa.Table) -> Any:
    if env.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=["key"])


def _round_robin(context: AssignmentContext) -> dict[int, int | bool]:
    ids = list(context.records._ids)
    turns = next_turns(context.records.env, context.key, list(context.candidates._ids),
                       len(ids))
    return dict(zip(ids, turns))


# -- load --------------------------------------------------------------------------------------
def open_domain(model: "BaseModel") -> list:
    """Records that count as workload: those in a workflow state of kind "open" (every
    record when the model has no workflow)."""
    plan = plan_of(model)
    if plan is None or not plan.workflows:
        return []
    spec = next(iter(plan.workflows.values()))
    return [(spec.field, "in", [spec.value_of(s) for s in spec.states if s.kind == "open"])]


def loads(context: AssignmentContext, user_ids: list[int]) -> dict[int, int]:
    """Open records per user, in one grouped query."""
    model = context.records.sudo()
    domain = context.options.get("load_domain")
    if domain is None:
        domain = open_domain(model)
    rows = model.with_context(active_test=True)._read_group_raw(
        list(domain) + [(context.field, "in", user_ids)], [context.field], ["__count"])
    counts = dict.fromkeys(user_ids, 0)
    for user_id, count in rows:
        if user_id in counts:
            counts[user_id] = count or 0
    return counts


def _load(context: AssignmentContext, user_ids: list[int] | None = None
          ) -> dict[int, int | bool]:
    user_ids = user_ids if user_ids is not None else list(context.candidates._ids)
    counts = loads(context, user_ids)
    result: dict[int, int | bool] = {}
    for rec_id in context.records._ids:
        user_id = min(user_ids, key=lambda uid: (counts[uid], uid))
        counts[user_id] += 1
        result[rec_id] = user_id
    return result


# -- field match -----------------------------------------------------------------------------
def _values(records: "BaseModel", path: str) -> dict[int, frozenset]:
    """Per record, the set of ids (or values) at ``path``: a many2one gives one id, an
    x2many its ids, a scalar its value."""
    result = {}
    for record in records.sudo():
        value: Any = record
        for step in path.split("."):
            value = value.mapped(step) if hasattr(value, "_ids") else value
        if hasattr(value, "_ids"):
            result[record.id] = frozenset(value._ids)
        elif isinstance(value, list):
            result[record.id] = frozenset(v for v in value if v not in (None, False, ""))
        else:
            result[record.id] = frozenset([value]) if value not in (None, False, "") else \
                frozenset()
    return result


def _field_match(context: AssignmentContext) -> dict[int, int | bool]:
    match_field = context.options.get("match_field")
    if not match_field:
        raise ValidationError(_("The field-match strategy needs the record field to match."),
                              field="match_field")
    user_field = context.options.get("user_match_field") or match_field
    wanted = _values(context.records, match_field)
    offered = _values(context.candidates, user_field)
    fallback = context.options.get("fallback") or "load"
    groups: dict[tuple[int, ...], list[int]] = {}
    result: dict[int, int | bool] = {}
    for rec_id in context.records._ids:
        eligible = tuple(uid for uid in context.candidates._ids
                         if wanted[rec_id] and offered[uid] & wanted[rec_id])
        if eligible:
            groups.setdefault(eligible, []).append(rec_id)
        else:
            result[rec_id] = False
    for eligible, ids in groups.items():
        sub = AssignmentContext(context.records.browse(ids), context.candidates.browse(eligible),
                                context.field, f"{context.key}:{','.join(map(str, eligible))}",
                                context.options)
        if fallback == "round_robin":
            result.update(_round_robin(sub))
        else:
            result.update(_load(sub))
    return result


BUILTIN_STRATEGIES: tuple[AssignmentStrategy, ...] = (
    AssignmentStrategy("round_robin", _lt("Round robin"), _round_robin),
    AssignmentStrategy("load", _lt("Fewest open records"), _load),
    AssignmentStrategy("field_match", _lt("Matching field (region, skill, territory)"),
                       _field_match),
)


def strategies_of(registry: "Registry") -> dict[str, AssignmentStrategy]:
    """Every strategy of this registry: the kernel's and the addons' (built once)."""
    return hook_catalogue(registry, _CATALOGUE_KEY, "comptoir_assignment_strategies",
                          BUILTIN_STRATEGIES, AssignmentStrategy, "assignment strategies")


def strategy_selection(env: Any) -> list[tuple[str, str]]:
    return [(s.key, s.label) for s in strategies_of(env.registry).values()]


__all__ = ["AssignmentContext", "AssignmentStrategy", "assign", "loads", "next_turns",
           "open_domain", "strategies_of", "strategy_selection"]
