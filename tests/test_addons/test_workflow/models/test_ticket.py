"""A ticket whose ``state`` (selection) follows a workflow, and a task whose ``stage_id``
links to workflow states (admins may add states without code)."""
from __future__ import annotations

import datetime as dt

from core import Model, fields


class TestTask(Model):
    _name = "test.task"
    _description = "Test Task"
    _order = "id"

    name = fields.Char("Title", required=True)
    stage_id = fields.Many2one("ir.workflow.state", "Stage", ondelete="restrict")
    user_id = fields.Many2one("res.users", "Owner")


class TestTicket(Model):
    _name = "test.ticket"
    _description = "Test Ticket"
    _order = "id"

    name = fields.Char("Subject", required=True)
    state = fields.Selection([("new", "New"), ("progress", "In progress"),
                              ("waiting", "Waiting"), ("done", "Done"),
                              ("cancelled", "Cancelled")], "Status", default="new",
                             required=True)
    user_id = fields.Many2one("res.users", "Assigned to")
    priority = fields.Selection([("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")],
                                default="1")
    country_id = fields.Many2one("res.country", "Region")
    date_deadline = fields.Date("Deadline")
    date_closed = fields.Datetime("Closed on")
    escalated = fields.Boolean("Escalated")
    note = fields.Text("Note")

    # -- methods the job queue and the scheduler may call (tests/test_jobs.py) -------------
    def _job_note(self, ticket_id: int, note: str) -> None:
        self.browse(ticket_id).write({"note": note})

    def _job_fail(self, ticket_id: int) -> None:
        self.browse(ticket_id).write({"note": "half done"})
        raise RuntimeError("the printer is still on fire")

    def _cron_escalate_overdue(self, note: str = "overdue") -> int:
        overdue = self.search([("date_deadline", "<", dt.date.today()),
                               ("escalated", "=", False)])
        overdue.write({"escalated": True, "note": note})
        return len(overdue)

    def _cron_fail(self) -> None:
        raise RuntimeError("scheduled failure")
