"""The job queue and the scheduler on a committed database, both engines: jobs run once,
failures retry with backoff then fail, webhooks reach a local HTTP server, scheduled
actions run when due, the background thread, the CLI; on PostgreSQL, concurrent runners
never run the same job and round robin stays fair across transactions."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from core.automation import JobRunner, Scheduler, assign, start_background
from core.automation.jobs import backoff
from core.cli import main
from core.exceptions import AccessError, ValidationError
from core.modules.loading import Database
from core.orm import Environment
from core.orm.model_write import now_utc


@pytest.fixture(scope="module")
def jobs_db(engine_name, tmp_path_factory, comptoir_available):
    from core.testing.plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("jobs"), "jobs")
    database = Database(url, available=comptoir_available)
    database.install(["test_workflow"])
    yield database
    database.engine.dispose()
    drop()


@pytest.fixture
def clean(jobs_db):
    """No job, no ticket and no extra scheduled action left by another test."""
    with jobs_db.environment() as env:
        env["ir.job"].search([]).unlink()
        env["test.ticket"].search([]).unlink()
        env["ir.automation.rule"].search([]).unlink()
        env["ir.cron"].search([("model", "=", "test.ticket")]).unlink()
        env["ir.cron"].search([]).write({"nextcall": now_utc() + dt.timedelta(days=1)})
    return jobs_db


def new_ticket(database, **values) -> int:
    with database.environment() as env:
        return env["test.ticket"].create({"name": "job ticket", **values}).id


def enqueue(database, method, *args, **options) -> int:
    with database.environment() as env:
        return env["ir.job"].enqueue("test.ticket", method, args=list(args), **options).id


def job(database, job_id):
    with database.environment() as env:
        record = env["ir.job"].browse(job_id)
        return record.read(["state", "attempts", "error", "next_try", "date_done"])[0]


def ticket(database, ticket_id):
    with database.environment() as env:
        return env["test.ticket"].browse(ticket_id).read(["note", "escalated"])[0]


def test_a_job_runs_once(clean) -> None:
    ticket_id = new_ticket(clean)
    job_id = enqueue(clean, "_job_note", ticket_id, "done by the queue")
    runner = JobRunner(clean)
    assert runner.run_pending() == {"done": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert ticket(clean, ticket_id)["note"] == "done by the queue"
    assert job(clean, job_id)["state"] == "done"
    assert runner.run_pending()["done"] == 0


def test_delayed_jobs_wait_for_their_time(clean) -> None:
    ticket_id = new_ticket(clean)
    enqueue(clean, "_job_note", ticket_id, "later", delay=3600)
    assert JobRunner(clean).run_pending()["done"] == 0
    assert not ticket(clean, ticket_id)["note"]


def test_failures_retry_with_backoff_then_fail(clean) -> None:
    ticket_id = new_ticket(clean)
    job_id = enqueue(clean, "_job_fail", ticket_id, max_attempts=2)
    runner = JobRunner(clean, retry_base=60)
    before = now_utc()
    assert runner.run_pending()["retry"] == 1
    first = job(clean, job_id)
    assert first["state"] == "pending" and first["attempts"] == 1
    assert "RuntimeError: the printer is still on fire" in first["error"]
    assert first["next_try"] >= before + dt.timedelta(seconds=59)
    assert not ticket(clean, ticket_id)["note"]          # the job's work was rolled back
    assert runner.run_pending()["retry"] == 0            # not due yet
    with clean.environment() as env:
        env["ir.job"].browse(job_id).write({"next_try": now_utc()})
    assert runner.run_pending()["failed"] == 1
    assert job(clean, job_id)["state"] == "failed"
    # an administrator retries it: a full set of attempts again
    with clean.environment() as env:
        env["ir.job"].browse(job_id).action_retry()
    assert job(clean, job_id)["state"] == "pending" and job(clean, job_id)["attempts"] == 0
    assert backoff(1) == dt.timedelta(seconds=30) and backoff(3) == dt.timedelta(seconds=120)
    assert backoff(30) == dt.timedelta(hours=1)


def test_a_job_left_running_by_a_dead_worker_returns_to_the_queue(clean) -> None:
    ticket_id = new_ticket(clean)
    job_id = enqueue(clean, "_job_note", ticket_id, "rescued")
    dead = JobRunner(clean, worker="dead-worker")
    assert dead.claim() == [job_id]                       # ... and it never ran it
    assert JobRunner(clean).run_pending()["done"] == 0    # its lease is still valid
    assert JobRunner(clean, lease_seconds=0).run_pending()["done"] == 1
    assert ticket(clean, ticket_id)["note"] == "rescued"
    assert dead.run(job_id) == "skipped"                  # it came back too late


def test_only_code_creates_jobs(clean) -> None:
    with clean.environment() as env:
        admin = env.ref("base.user_admin")
        jobs = env(uid=admin.id, su=False)["ir.job"]
        with pytest.raises(AccessError):
            jobs.create({"model": "test.ticket", "method": "_job_note"})
        queued = env["ir.job"].enqueue("test.ticket", "_job_note", args=[0, "x"])
        with pytest.raises(AccessError, match="cannot be changed"):
            queued.with_env(jobs.env).write({"method": "unlink"})
        with pytest.raises(ValidationError, match="must start with '_job_'"):
            env["ir.job"].enqueue("test.ticket", "unlink")


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Receiver.received.append((self.path, body, self.headers["X-Comptoir-Event"]))
        self.send_response(500 if self.path == "/broken" else 204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def webhook_rule(database, url) -> None:
    with database.environment() as env:
        rule = env["ir.automation.rule"].create({
            "name": "Notify", "trigger": "on_create",
            "model_id": env.ref("test_workflow.model_test_ticket").id})
        env["ir.automation.action"].create({"rule_id": rule.id, "kind": "webhook",
                                            "webhook_url": url, "webhook_fields": "state",
                                            "webhook_attempts": 2})


def test_webhooks_are_posted_from_the_queue(clean, receiver) -> None:
    webhook_rule(clean, f"{receiver}/hook")
    ticket_id = new_ticket(clean)
    assert Receiver.received == []                        # not during the request
    assert JobRunner(clean).run_pending()["done"] == 1
    [(path, body, event)] = Receiver.received
    assert path == "/hook" and event == body["event_id"]
    assert body["records"] == [{"id": ticket_id, "display_name": "job ticket",
                                "state": "new"}]


def test_a_refused_webhook_is_retried(clean, receiver) -> None:
    webhook_rule(clean, f"{receiver}/broken")
    new_ticket(clean)
    assert JobRunner(clean).run_pending()["retry"] == 1
    with clean.environment() as env:
        queued = env["ir.job"].search([("method", "=", "_job_webhook")])
        assert "answered HTTP 500" in queued.error and queued.state == "pending"
    assert len(Receiver.received) == 1


def cron(database, method, **values) -> int:
    with database.environment() as env:
        return env["ir.cron"].create({"name": method, "model": "test.ticket",
                                      "method": method, **values}).id


def test_scheduled_actions_run_when_due(clean) -> None:
    overdue = new_ticket(clean, date_deadline=dt.date.today() - dt.timedelta(days=3))
    due = cron(clean, "_cron_escalate_overdue", args="['late!']", interval_number=2,
               interval_type="hours", nextcall=now_utc() - dt.timedelta(hours=5))
    failing = cron(clean, "_cron_fail", nextcall=now_utc() - dt.timedelta(minutes=1))
    later = cron(clean, "_cron_escalate_overdue", nextcall=now_utc() + dt.timedelta(hours=1))
    results = Scheduler(clean).run_due_crons()
    assert results == {due: "done", failing: "failed"}
    assert ticket(clean, overdue) == {"id": overdue, "note": "late!", "escalated": True}
    with clean.environment() as env:
        rows = {r.id: r for r in env["ir.cron"].browse([due, failing, later])}
        # missed calls are not replayed: the next one is the first after now
        assert now_utc() < rows[due].nextcall <= now_utc() + dt.timedelta(hours=2)
        assert rows[due].last_state == "done" and rows[due].last_call
        assert rows[failing].last_state == "failed"
        assert "RuntimeError: scheduled failure" in rows[failing].last_error
        assert not rows[later].last_call
    assert Scheduler(clean).run_due_crons() == {}         # nothing due any more


def test_scheduled_actions_name_cron_methods_only(clean) -> None:
    with clean.environment() as env:
        with pytest.raises(ValidationError, match="must start with '_cron_'"):
            env["ir.cron"].create({"name": "x", "model": "test.ticket", "method": "unlink"})
        with pytest.raises(ValidationError, match="has no method '_cron_nothing'"):
            env["ir.cron"].create({"name": "x", "model": "test.ticket",
                                   "method": "_cron_nothing"})
        with pytest.raises(ValidationError, match="must be a list"):
            env["ir.cron"].create({"name": "x", "model": "test.ticket",
                                   "method": "_cron_fail", "args": "{'a': 1}"})


def test_the_kernel_schedules_its_upkeep(clean) -> None:
    with clean.environment() as env:
        names = set(env["ir.cron"].search([]).mapped("method"))
        assert {"_cron_time_triggers", "_cron_purge_journal",
                "_cron_purge_automation"} <= names
        env.ref("base.ir_cron_automation_purge").action_run_now()
        assert env.ref("base.ir_cron_automation_purge").last_state == "done"


def test_the_background_thread_runs_the_queue(clean) -> None:
    ticket_id = new_ticket(clean)
    enqueue(clean, "_job_note", ticket_id, "from the thread")
    thread, stop = start_background(clean, interval=0.1)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not ticket(clean, ticket_id)["note"]:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert ticket(clean, ticket_id)["note"] == "from the thread"
    assert not thread.is_alive()


def test_cli_runs_one_round_and_lists_jobs(clean) -> None:
    ticket_id = new_ticket(clean)
    enqueue(clean, "_job_note", ticket_id, "from the CLI")
    enqueue(clean, "_job_fail", ticket_id, max_attempts=1)
    runner = CliRunner()

    def cli(*args: str):
        # the database object knows the test addons (the CLI alone discovers real ones)
        return runner.invoke(main, ["--db", clean.url, *args], obj={"database": clean})

    result = cli("jobs", "run", "--once", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["jobs"] == {"done": 1, "retry": 0, "failed": 1,
                                                  "skipped": 0}
    listed = cli("jobs", "list", "--state", "failed", "--json")
    assert listed.exit_code == 0, listed.output
    [failed] = json.loads(listed.output)
    assert failed["method"] == "_job_fail" and "still on fire" in failed["error"]
    text = cli("jobs", "run", "--once")
    assert "Jobs: 0 done" in text.output


@pytest.mark.postgresql_only
def test_concurrent_runners_never_run_the_same_job(clean) -> None:
    ticket_ids = [new_ticket(clean) for _ in range(3)]
    with clean.environment() as env:
        for n in range(60):
            env["ir.job"].enqueue("test.ticket", "_job_note",
                                  args=[ticket_ids[n % 3], f"run {n}"])
    outcomes: list[dict] = []
    start = threading.Barrier(4)

    def work(name: str) -> None:
        start.wait()
        outcomes.append(JobRunner(clean, worker=name).run_pending(batch=3))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(o["done"] for o in outcomes) == 60
    assert sum(o["skipped"] for o in outcomes) == 0
    with clean.environment() as env:
        jobs = env["ir.job"].search([])
        assert set(jobs.mapped("state")) == {"done"}
        assert set(jobs.mapped("attempts")) == {1}       # each job claimed exactly once
        assert sum(1 for o in outcomes if o["done"]) > 1  # the work was shared


def test_round_robin_turns_are_serialised_across_transactions(clean) -> None:
    with clean.environment() as env:
        group = env.ref("base.group_user")
        users = env["res.users"].search([("login", "in", ["rr-a", "rr-b"])]) or \
            env["res.users"].create([{"name": n, "login": n, "groups_id": [(6, 0, [group.id])]}
                                     for n in ("rr-a", "rr-b")])
        user_ids = users.ids
    first_ticket, second_ticket = new_ticket(clean), new_ticket(clean)
    locked = threading.Event()
    chosen: dict[str, int] = {}

    def first() -> None:
        with clean.engine.connect() as conn, conn.begin():
            env = Environment(clean.registry, conn)
            records = env["test.ticket"].browse(first_ticket)
            chosen["first"] = assign(records, "round_robin", env["res.users"].browse(
                user_ids), key="concurrency")[first_ticket]
            locked.set()
            time.sleep(0.5)          # hold the turn while the other transaction waits

    def second() -> None:
        locked.wait(10)
        with clean.engine.connect() as conn, conn.begin():
            env = Environment(clean.registry, conn)
            records = env["test.ticket"].browse(second_ticket)
            chosen["second"] = assign(records, "round_robin", env["res.users"].browse(
                user_ids), key="concurrency")[second_ticket]

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert {chosen["first"], chosen["second"]} == set(user_ids)


def test_rules_changed_by_another_process_reach_the_scheduler(clean, comptoir_available) -> None:
    worker = Database(clean.url, available=comptoir_available)   # another process's view
    scheduler = Scheduler(worker)
    first = new_ticket(clean)
    enqueue(clean, "_job_note", first, "before the rule")
    scheduler.tick()                                      # its plans are loaded: no rule
    assert ticket(clean, first)["escalated"] is False
    with clean.environment() as env:                      # an administrator adds one
        rule = env["ir.automation.rule"].create({
            "name": "Escalate noted tickets", "trigger": "on_write", "trigger_fields": "note",
            "model_id": env.ref("test_workflow.model_test_ticket").id})
        env["ir.automation.action"].create({"rule_id": rule.id, "kind": "set_values",
                                            "values": "{'escalated': True}"})
    second = new_ticket(clean)
    enqueue(clean, "_job_note", second, "after the rule")
    scheduler.tick()                                      # catches up, then runs the job
    assert ticket(clean, second)["escalated"] is True
    worker.engine.dispose()
