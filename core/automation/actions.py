"""What automation rules and workflow transitions can do: a catalogue of action kinds.

An ``ir.automation.action`` row names a *kind* (``set_values``, ``assign``, ``webhook``,
or one an addon registered) and carries its parameters. The catalogue of a registry is the
kernel's kinds (:data:`BUILTIN_ACTIONS`) plus those returned by every installed addon's
``comptoir_automation_actions`` hook; the ``mail`` kernel addon adds "send a template",
"create an activity" and "add followers" through that hook (``core/mail/automation.py``).
A kind is a plain object: a key, a label and a function taking an
:class:`ActionRun`.

Actions run as superuser, keeping the id of the user who triggered them (``uid``): they
are the administrator's configuration, and the user who creates a ticket need not be
allowed to read every agent's workload for the ticket to be assigned.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..exceptions import ValidationError
from ..i18n.translate import _, _lt
from ..orm.model_write import MAGIC_FIELDS, now_utc
from ..views import eval_literal
from .catalogue import hook_catalogue

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment, Registry

_CATALOGUE_KEY = "automation_action_kinds"
#: names a "set values" expression may use besides literals
VALUE_NAMES = ("now", "today", "uid", "user")


@dataclass(frozen=True)
class ActionRun:
    """One action about to run on a batch of records."""

    env: "Environment"  #: superuser environment; ``env.uid`` is who triggered the run
    records: "BaseModel"  #: the records, in that environment
    action: "BaseModel"  #: the ``ir.automation.action`` row (its parameters)
    source: str  #: ``"rule"`` or ``"transition"``
    source_id: int
    trigger: str  #: ``on_create``, ``on_write``, ``on_state``, ``on_time``, ``on_message``,
    #: or ``transition``
    message: Any = None  #: the incoming message, for ``on_message`` rules

    @property
    def params(self) -> dict[str, Any]:
        """The action's free parameters (a dict literal, for addon kinds)."""
        value = eval_literal(self.action.params, _value_names(self.env), default={})
        if not isinstance(value, dict):
            raise ValidationError(_("The parameters of an action must be a dict."),
                                  field="params")
        return value


@dataclass(frozen=True)
class AutomationAction:
    """An action kind: ``run(action_run)`` does the work (raise to report a failure)."""

    key: str
    label: str
    run: Callable[[ActionRun], Any]
    help: str = ""


# -- the built-in kinds ------------------------------------------------------------------------
def evaluate_values(text: str | None, env: "Environment") -> dict[str, Any]:
    """The dict of a "set values" action: literals, plus ``now`` (UTC datetime),
    ``today`` (date) and ``uid`` / ``user`` (the id of the user who triggered it)."""
    value = eval_literal(text, _value_names(env), default={})
    if not isinstance(value, dict):
        raise ValidationError(_("The values to set must be a dict such as "
                                "{'user_id': uid, 'date_closed': now}."), field="values")
    return value


def check_values(text: str | None, model: "BaseModel") -> None:
    """Refuse values naming unknown, magic or computed fields (at configuration time)."""
    values = evaluate_values(text, model.env)
    for name in values:
        field = model._fields.get(name)
        if field is None or name in MAGIC_FIELDS or (field.compute and not field.inverse):
            raise ValidationError(_("'%(field)s' is not a field of %(model)s that can be set.",
                                    field=name, model=model._name), field="values")


def _value_names(env: "Environment") -> dict[str, Any]:
    now = now_utc()
    return {"now": now, "today": dt.date.today(), "uid": env.uid, "user": env.uid}


def _run_set_values(run: ActionRun) -> None:
    values = evaluate_values(run.action.values, run.env)
    if values:
        run.records.write(values)


def _run_assign(run: ActionRun) -> None:
    from .assignment import assign
    action = run.action
    candidates = (action.user_ids | action.group_id.users).filtered("active")
    options: dict[str, Any] = {}
    if action.load_domain:
        from .workflow import eval_domain
        options["load_domain"] = eval_domain(action.load_domain, run.env)
    if action.match_field:
        options["match_field"] = action.match_field
        options["user_match_field"] = action.user_match_field or action.match_field
    assign(run.records, action.strategy or "round_robin", candidates,
           field=action.assign_field or "user_id", key=f"ir.automation.action,{action.id}",
           **options)


def _run_webhook(run: ActionRun) -> None:
    from . import webhook
    action = run.action
    url = webhook.check_url(action.webhook_url)
    names = [n.strip() for n in (action.webhook_fields or "").split(",") if n.strip()]
    body = webhook.payload(run.records, names, trigger=run.trigger,
                           source=run.source, source_id=run.source_id, action_id=action.id,
                           user_id=run.env.uid)
    run.env["ir.job"].enqueue("ir.automation.action", "_job_webhook", args=[url, body],
                              name=_("Webhook %(url)s", url=url),
                              max_attempts=action.webhook_attempts or 5)


BUILTIN_ACTIONS: tuple[AutomationAction, ...] = (
    AutomationAction("set_values", _lt("Set values"), _run_set_values,
                     _lt("Write fields: literals, now, today, uid (the current user).")),
    AutomationAction("assign", _lt("Assign"), _run_assign,
                     _lt("Pick a user with an assignment strategy and set the field.")),
    AutomationAction("webhook", _lt("Call a webhook"), _run_webhook,
                     _lt("POST the records as JSON to an http(s) URL, from the job queue, "
                         "retried with backoff.")),
)


# -- the catalogue ---------------------------------------------------------------------------
def action_kinds(registry: "Registry") -> dict[str, AutomationAction]:
    """Every action kind of this registry, by key (built once per registry)."""
    return hook_catalogue(registry, _CATALOGUE_KEY, "comptoir_automation_actions",
                          BUILTIN_ACTIONS, AutomationAction, "automation actions")


def kind_selection(env: "Environment") -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in action_kinds(env.registry).values()]
