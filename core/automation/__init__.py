"""Workflows, automation rules, assignment strategies, the job queue and the scheduler.

Usable by any addon:

* workflows (:mod:`.workflow`): a model's selection, char or ``ir.workflow.state``
  many2one field driven by an ``ir.workflow`` (states, transitions with groups,
  conditions and actions), enforced on every write; ``records.workflow_move(...)``;
* automation rules (:mod:`.rules`): triggers, filter, actions (:mod:`.actions`, a
  catalogue addons extend with ``comptoir_automation_actions``), every run logged;
  :func:`message_received` for the mail gateway;
* assignment (:mod:`.assignment`): :func:`assign` with round robin, load, field match or
  a strategy from ``comptoir_assignment_strategies``;
* jobs and scheduled actions (:mod:`.jobs`, :mod:`.scheduler`): ``env['ir.job'].enqueue``,
  ``ir.cron`` rows, ``comptoir jobs run``.

Layering: this package uses the ORM, security, views (safe literals) and i18n; it never
imports the web layer or the CLI. The kernel addon's ``base_workflow`` model extension
plugs it into every model's ``create`` and ``write``.
"""
from .actions import BUILTIN_ACTIONS, ActionRun, AutomationAction, action_kinds
from .assignment import (BUILTIN_STRATEGIES, AssignmentContext, AssignmentStrategy, assign,
                         strategies_of)
from .jobs import JobRunner
from .plan import clear_cache, plan_of
from .rules import message_received, run_time_rules
from .scheduler import Scheduler, start_background

__all__ = ["BUILTIN_ACTIONS", "BUILTIN_STRATEGIES", "ActionRun", "AssignmentContext",
           "AssignmentStrategy", "AutomationAction", "JobRunner", "Scheduler",
           "action_kinds", "assign", "clear_cache", "message_received", "plan_of",
           "run_time_rules", "start_background", "strategies_of"]
