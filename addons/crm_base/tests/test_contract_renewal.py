"""The daily contract run on both engines, on fixed days: renewal alerts (an activity for
the account manager, a message for the followers), tacit renewals with their history,
expiries, cancelled contracts left alone, the same day twice changing nothing."""
from __future__ import annotations

import datetime as dt

from zoneinfo import ZoneInfo

import pytest

from addons.crm_base.models.service_contract import add_months

from .test_contract_helpers import account, make_contract, users  # noqa: F401


def run(env, day):
    return env["service.contract"]._cron_contract_renewals(day)


@pytest.fixture
def contracts(env, account):
    """Contracts of the IT type (alert 90 days, notice 60, 12 months) ending on 30 June
    2026, one per situation."""
    return {
        "tacit": make_contract(env, account, state="active", title="tacit",
                               tacit_renewal=True),
        "fixed": make_contract(env, account, state="active", title="fixed",
                               tacit_renewal=False),
        "cancelled": make_contract(env, account, state="cancelled", title="cancelled",
                                   tacit_renewal=True),
        "draft": make_contract(env, account, title="draft"),
        "later": make_contract(env, account, state="active", title="later",
                               date_end="2027-06-30"),
    }


def test_contracts_are_alerted_before_their_end(env, contracts, users) -> None:
    assert contracts["tacit"].alert_date == dt.date(2026, 4, 1)
    assert run(env, "2026-03-31") == {"alerted": 0, "renewed": 0, "expired": 0}
    assert run(env, "2026-04-01") == {"alerted": 2, "renewed": 0, "expired": 0}
    states = {name: c.state for name, c in contracts.items()}
    assert states == {"tacit": "to_renew", "fixed": "to_renew", "cancelled": "cancelled",
                      "draft": "draft", "later": "active"}
    tacit = contracts["tacit"]
    activity = tacit.activity_ids
    assert len(activity) == 1
    assert activity.user_id == users["rep"]
    assert activity.date_deadline == dt.date(2026, 5, 1)  # the notice deadline
    assert activity.summary == f"Renewal of {tacit.name}"
    message = tacit.message_ids[0]
    assert "will renew itself for 12 months unless it is cancelled by" in message.body
    assert "will expire unless it is renewed" in contracts["fixed"].message_ids[0].body
    # the account manager follows the contract: the message reaches his inbox
    assert users["rep"].partner_id in tacit.message_follower_ids.mapped("partner_id")


def test_ending_contracts_renew_or_expire(env, contracts) -> None:
    run(env, "2026-04-01")
    assert run(env, "2026-06-29") == {"alerted": 0, "renewed": 0, "expired": 0}
    # renewed on its last day, so that the coverage never lapses
    assert run(env, "2026-06-30") == {"alerted": 0, "renewed": 1, "expired": 0}
    tacit, fixed = contracts["tacit"], contracts["fixed"]
    assert tacit.state == "active" and tacit.date_end == dt.date(2027, 6, 30)
    history = tacit.renewal_ids
    assert (history.date, history.old_date_end, history.new_date_end, history.automatic,
            history.user_id.id) == (dt.date(2026, 6, 30), dt.date(2026, 6, 30),
                                    dt.date(2027, 6, 30), True, False)
    assert "Renewed tacitly for 12 months" in tacit.message_ids[0].body
    # without tacit renewal: expired the day after its last day
    assert fixed.state == "to_renew"
    assert run(env, "2026-07-01") == {"alerted": 0, "renewed": 0, "expired": 1}
    assert fixed.state == "expired"
    assert "Expired: its term ended on" in fixed.message_ids[0].body
    assert contracts["cancelled"].state == "cancelled"
    assert not contracts["cancelled"].renewal_ids


def test_running_twice_the_same_day_changes_nothing(env, contracts) -> None:
    first = run(env, "2026-07-01")       # alerted, then renewed or expired at once
    assert first == {"alerted": 2, "renewed": 1, "expired": 1}
    snapshot = {name: (c.state, c.date_end, len(c.renewal_ids), len(c.message_ids),
                       len(c.activity_ids)) for name, c in contracts.items()}
    assert run(env, "2026-07-01") == {"alerted": 0, "renewed": 0, "expired": 0}
    env.invalidate_all()
    again = {name: (c.state, c.date_end, len(c.renewal_ids), len(c.message_ids),
                    len(c.activity_ids)) for name, c in contracts.items()}
    assert again == snapshot


def test_a_forgotten_contract_catches_up_term_by_term(env, account) -> None:
    contract = make_contract(env, account, state="to_renew", date_start="2022-04-01",
                             date_end="2023-03-31", renewal_duration=12)
    result = run(env, "2026-06-15")
    assert result["renewed"] == 1
    assert contract.date_end == dt.date(2026, 3, 31) + dt.timedelta(days=365)
    assert [str(r.new_date_end) for r in contract.renewal_ids.sorted("new_date_end")] == \
        ["2024-03-31", "2025-03-31", "2026-03-31", "2027-03-31"]
    # the new term's alert date (end minus 90 days) is not reached yet
    assert contract.state == "active"


def test_a_short_term_is_alerted_again_in_the_same_run(env, account) -> None:
    contract = make_contract(env, account, state="to_renew", date_end="2026-06-15",
                             renewal_duration=1, renewal_alert_days=45)
    assert run(env, "2026-06-15") == {"alerted": 1, "renewed": 1, "expired": 0}
    assert contract.date_end == dt.date(2026, 7, 15) and contract.state == "to_renew"
    assert run(env, "2026-06-15") == {"alerted": 0, "renewed": 0, "expired": 0}


def test_the_scheduled_action_runs_the_day_it_is_given(env, contracts) -> None:
    cron = env.ref("crm_base.ir_cron_contract_renewals")
    assert (cron.interval_number, cron.interval_type, cron.active) == (1, "days", True)
    cron.with_context(contract_today="2026-07-01").action_run_now()
    assert cron.last_state == "done"
    assert contracts["tacit"].date_end == dt.date(2027, 6, 30)
    assert contracts["fixed"].state == "expired"


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_the_day_comes_from_the_time_zone_not_the_server(env, account, tz) -> None:
    """Without a given day, the run works on today in the time zone (UTC+14 and UTC-11
    disagree on the date 22 hours a day), never on the server's date."""
    zone = ZoneInfo(tz)
    before = dt.datetime.now(zone).date()
    contracts = env["service.contract"].with_context(tz=tz)
    assert contracts._contract_today() in (before, dt.datetime.now(zone).date())
    contract = make_contract(env, account, state="to_renew",
                             date_start=before - dt.timedelta(days=365), date_end=before)
    contracts._cron_contract_renewals()
    assert contract.state == "active"
    assert contract.renewal_ids.old_date_end == before
    assert contract.date_end == add_months(before, 12)
