"""Test addon: a ticket workflow (selection field) and a task workflow (states as records),
an addon action kind and an addon assignment strategy registered through the hooks."""
from core import hookimpl
from core.automation import AssignmentStrategy, AutomationAction


def escalate(run):
    """Flag the tickets and note why (the action's parameters)."""
    reason = run.params.get("reason", "escalated")
    run.records.write({"escalated": True, "note": reason})


def last_candidate(context):
    """Everything to the candidate with the highest id."""
    last = max(context.candidates.ids)
    return {record_id: last for record_id in context.records.ids}


@hookimpl
def comptoir_automation_actions():
    return [AutomationAction("test_workflow_escalate", "Escalate (test)", escalate)]


@hookimpl
def comptoir_assignment_strategies():
    return [AssignmentStrategy("test_workflow_last", "Last candidate (test)", last_candidate)]
