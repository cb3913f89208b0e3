"""``.ics`` import of every calendar in shared/testdata/ics (real clients, malformed files
included): what lands, what is repaired (warnings), what is skipped and why; idempotent
by UID with SEQUENCE respected; the ``comptoir calendar import`` command."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from core.calendar.ical_import import import_ics
from core.cli import main
from core.exceptions import UserError
from tests.conftest import SHARED_TESTDATA

ICS = SHARED_TESTDATA / "ics"
#: file: (created titles, skipped count, words expected in the warnings)
EXPECTED = {
    "android_etar_export_rrule_alarms.ics": (["event with alarms android"], 0, []),
    "blackberry_bis_allday_meeting_attendees.ics": (["Test meeting from BB"], 0, []),
    "davmail_exchange_freebusy_reply.ics": ([], 1, []),
    "exchange2010_allday_biweekly_rrule_exdate_vtimezone.ics": (
        ["test123", "test123 - edited event!!!!", "outlook event with alarm"], 0, []),
    "exchange_cdo_request_daily_rrule_custom_tzid.ics": (
        ["Sprint 25 Daily Standup"], 0, ["not a standard one", "spaces removed", "no UID"]),
    "google_calendar_event_attendee_alarms.ics": (["event with alarms"], 0, []),
    "google_calendar_weekly_rrule_apple_structured_location.ics": (["Daily Sync"], 0, []),
    "google_calendar_weekly_rrule_exdate_tzid.ics": (["Market East Live!"], 0, []),
    "kde_libkcal_vtimezone_europe_berlin.ics": (["Repeating"], 0, []),
    "khal_rdate_period_recurrence_id_attendee.ics": (
        ["(omitted)"], 0, ["not a standard one", "series is not in the file"]),
    "malformed_google_allday_rrule_empty_exdate.ics": (
        ["Perfectly OK event", "Wrong event"], 0, ["unreadable EXDATE", "no title"]),
    "malformed_stray_line_in_vcalendar.ics": (["Broken Eevnt"], 0, ["'X' is not an iCalendar"]),
    "meetup_group_events_publish_vtimezone.ics": (["DevOps DC Meetup"] * 3, 0, []),
    "mozilla_calendar_1.0_allday_odd_line_folding.ics": (
        ["Christmas Day", "Boxing Day", "Christmas again!"], 0, []),
    "outlook2010_meeting_request_attendees_vtimezone.ics": (["Team Meeting"], 0, []),
    "outlook2016_publish_x_alt_desc_html_alarm.ics": (["29.10. 8-8:30"], 0, []),
    "outlook_style_non_ascii_tzid_brasilia.ics": (
        ["Untitled event"], 0, ["(UTC-03:00) Brasília", "no title"]),
    "podio_export_altrep_html_description_de.ics": (['Termin 4353 und"so"'], 0, []),
    "sixt_rental_confirmation_french_vfreebusy_valarm.ics": (
        ["Sixt : détails de votre réservation"], 1, []),
    "thunderbird_event_huge_vtimezone_alarms.ics": (["event with alarms"], 0, []),
}


@pytest.fixture
def user_env(env):
    user = env["res.users"].create({"name": "Importer", "login": "importer",
                                    "tz": "Europe/Paris",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    return env(uid=user.id, su=False, context={"tz": "Europe/Paris"})


def test_every_testdata_file_is_covered() -> None:
    assert sorted(p.name for p in ICS.glob("*.ics")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_each_real_calendar_twice(user_env, name) -> None:
    created, skipped, notes = EXPECTED[name]
    data = (ICS / name).read_bytes()
    report = import_ics(user_env, data)
    assert sorted(report.created) == sorted(created) and not report.updated
    assert len(report.skipped) == skipped, report.skipped
    warnings = " | ".join(note for _item, note in report.warnings)
    for words in notes:
        assert words in warnings, warnings
    again = import_ics(user_env, data)          # idempotent: the same events, updated
    assert again.created == [] and sorted(again.updated) == sorted(created)
    events = user_env["calendar.event"].search([("name", "in", created)]) if created else []
    assert len(events) == len(created)


def test_imported_values(user_env) -> None:
    events = user_env["calendar.event"]
    import_ics(user_env, (ICS / "google_calendar_weekly_rrule_exdate_tzid.ics").read_bytes())
    market = events.search([("name", "=", "Market East Live!")])
    assert (market.start, market.stop) == (dt.datetime(2013, 9, 7, 16), dt.datetime(2013, 9, 7, 21))
    assert market.event_tz == "America/New_York"
    assert market.rrule == "FREQ=WEEKLY;UNTIL=20131025T035959Z;BYDAY=FR,SA"
    assert market.exdate == "20131011T160000Z,20131012T160000Z"
    starts = [o["start"] for o in events.occurrences(dt.datetime(2013, 10, 1),
                                                     dt.datetime(2013, 10, 31))]
    assert dt.datetime(2013, 10, 11, 16) not in starts and dt.datetime(2013, 10, 18, 16) in starts
    import_ics(user_env, (ICS / "outlook2010_meeting_request_attendees_vtimezone.ics")
               .read_bytes())
    meeting = events.search([("name", "=", "Team Meeting")])
    assert meeting.start == dt.datetime(2013, 6, 10, 16)          # 12:00 New York (EDT)
    assert meeting.location == "Auditorium 16"
    emails = set(meeting.attendee_ids.mapped("email"))
    assert {"johndoe@example.com", "janedoe@example.com", "bobsmith@example.com"} <= emails
    import_ics(user_env, (ICS / "blackberry_bis_allday_meeting_attendees.ics").read_bytes())
    allday = events.search([("name", "=", "Test meeting from BB")])
    assert allday.allday and allday.start_date == allday.stop_date == dt.date(2012, 8, 14)
    assert allday.sequence == 2
    # an attendee already in the address book is matched by e-mail, not duplicated
    partners = user_env["res.partner"].search([("email", "=", "rembrand@daxlab.com")])
    assert len(partners) == 1


def test_sequence_is_respected(user_env) -> None:
    data = (ICS / "blackberry_bis_allday_meeting_attendees.ics").read_bytes()
    import_ics(user_env, data)
    older = data.replace(b"SEQUENCE:2", b"SEQUENCE:1").replace(b"SUMMARY:Test meeting",
                                                               b"SUMMARY:Old meeting")
    report = import_ics(user_env, older)
    assert report.updated == [] and "SEQUENCE 1 < 2" in report.skipped[0][1]
    newer = data.replace(b"SEQUENCE:2", b"SEQUENCE:5").replace(b"SUMMARY:Test meeting",
                                                               b"SUMMARY:New meeting")
    assert import_ics(user_env, newer).updated == ["New meeting from BB"]


def test_not_a_calendar_is_one_clear_error(user_env) -> None:
    for data in (b"", b"hello", (SHARED_TESTDATA / "vcf" / "rfc6350_4.0_spec_example.vcf")
                 .read_bytes(), b"BEGIN:VCALENDAR\r\n\x00\x01garbage"):
        with pytest.raises(UserError):
            import_ics(user_env, data)


def test_cli_import(fresh_db_url) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--db", fresh_db_url, "db", "init", "--addons",
                                "calendar"]).exit_code == 0
    path = str(ICS / "meetup_group_events_publish_vtimezone.ics")
    result = runner.invoke(main, ["--db", fresh_db_url, "calendar", "import", path])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 skipped." in result.output
    result = runner.invoke(main, ["--db", fresh_db_url, "calendar", "import", path,
                                  "--user", "admin", "--json"])
    assert json.loads(result.output)["updated"] == ["DevOps DC Meetup"] * 3
    result = runner.invoke(main, ["--db", fresh_db_url, "calendar", "import", path,
                                  "--user", "nobody"])
    assert result.exit_code == 1 and "No user has the login 'nobody'" in result.output
    bad = str(SHARED_TESTDATA / "vcf" / "rfc6350_4.0_spec_example.vcf")
    result = runner.invoke(main, ["--db", fresh_db_url, "calendar", "import", bad])
    assert result.exit_code == 1 and "Traceback" not in result.output
