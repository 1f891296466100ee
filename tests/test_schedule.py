"""Choosing a moment: quick choices, free entry (English and Dutch), warnings; fixed clocks only."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.rules import schedule
from calldesk.rules.config import CallingHours
from calldesk.rules.schedule import Choice, check_when, parse_when, quick_choices, read_moment

HOURS = CallingHours()  # mon–fri 09:00–17:30, holidays skipped
AMS = ZoneInfo("Europe/Amsterdam")
LON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 in Amsterdam
FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # Friday 15:00 in Amsterdam
BEFORE_KINGS_DAY = datetime(2026, 4, 26, 10, 0, tzinfo=UTC)  # Sunday; Monday 27 April is Koningsdag
BEFORE_DST_END = datetime(2026, 10, 24, 8, 30, tzinfo=UTC)  # Saturday 10:30 CEST; clocks go back Sunday


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def by_key(choices: list[Choice]) -> dict[str, Choice]:
    return {choice.key: choice for choice in choices}


# --- quick choices -------------------------------------------------------------------------


def test_monday_morning_choices() -> None:
    choices = quick_choices(NOW, "Europe/Amsterdam", "NL", HOURS, "NL")
    assert [(c.key, c.label, c.at) for c in choices] == [
        ("1", "in 1 hour", utc(2026, 11, 23, 10, 30)),
        ("2", "tomorrow 09:00", ams(2026, 11, 24, 9, 0)),
        ("4", "in 2 days", ams(2026, 11, 25, 10, 30)),
        ("5", "next Monday 09:00", ams(2026, 11, 30, 9, 0)),
        ("6", "in a week", ams(2026, 11, 30, 10, 30)),
    ]  # tomorrow is a calling day: no "next calling day"
    assert all(c.at.tzinfo is UTC for c in choices)
    assert all(check_when(c.at, NOW, "Europe/Amsterdam", "NL", HOURS, "NL") == [] for c in choices)


def test_friday_afternoon_offers_saturday_literally_and_the_next_calling_day() -> None:
    choices = by_key(quick_choices(FRIDAY, "Europe/Amsterdam", "NL", HOURS, "NL"))
    assert choices["2"].at == ams(2026, 11, 28, 9, 0)
    assert check_when(choices["2"].at, FRIDAY, "Europe/Amsterdam", "NL", HOURS, "NL") == ["not a calling day (Sat)"]
    assert (choices["3"].label, choices["3"].at) == ("next calling day 09:00", ams(2026, 11, 30, 9, 0))
    assert check_when(choices["4"].at, FRIDAY, "Europe/Amsterdam", "NL", HOURS, "NL") == ["not a calling day (Sun)"]
    assert choices["6"].at == ams(2026, 12, 4, 15, 0)


def test_the_day_before_kings_day() -> None:
    choices = by_key(quick_choices(BEFORE_KINGS_DAY, "Europe/Amsterdam", "NL", HOURS, "NL"))
    tomorrow = choices["2"].at
    assert tomorrow == ams(2026, 4, 27, 9, 0)
    assert check_when(tomorrow, BEFORE_KINGS_DAY, "Europe/Amsterdam", "NL", HOURS, "NL") == [
        "a public holiday in NL: Koningsdag"
    ]
    assert choices["3"].at == ams(2026, 4, 28, 9, 0)  # Tuesday: the holiday is skipped
    assert choices["5"].at == tomorrow  # next Monday is the holiday too, offered literally
    # Belgium has no King's Day: tomorrow is an ordinary Monday there.
    belgian = by_key(quick_choices(BEFORE_KINGS_DAY, "Europe/Brussels", "BE", HOURS, "NL"))
    assert "3" not in belgian


def test_a_lead_in_london_seen_from_amsterdam() -> None:
    london = by_key(quick_choices(NOW, "Europe/London", "GB", HOURS, "NL"))
    amsterdam = by_key(quick_choices(NOW, "Europe/Amsterdam", "NL", HOURS, "NL"))
    assert london["2"].at == utc(2026, 11, 24, 9, 0)  # 09:00 London = 10:00 Amsterdam
    assert amsterdam["2"].at == utc(2026, 11, 24, 8, 0)
    assert london["4"].at == datetime(2026, 11, 25, 9, 30, tzinfo=LON)  # London's 09:30 now
    assert london["1"].at == amsterdam["1"].at  # an hour is an hour everywhere


def test_unknown_zone_uses_the_home_region() -> None:
    assert quick_choices(NOW, None, "", HOURS, "NL") == quick_choices(NOW, "Europe/Amsterdam", "", HOURS, "NL")
    assert by_key(quick_choices(NOW, None, "", HOURS, "GB"))["2"].at == utc(2026, 11, 24, 9, 0)
    assert quick_choices(NOW, "Not/AZone", "NL", HOURS, "NL") == quick_choices(NOW, "Europe/Amsterdam", "NL", HOURS, "NL")


def test_across_the_dst_switch_days_keep_the_wall_clock() -> None:
    choices = by_key(quick_choices(BEFORE_DST_END, "Europe/Amsterdam", "NL", HOURS, "NL"))
    assert choices["1"].at == utc(2026, 10, 24, 9, 30)
    assert choices["2"].at == utc(2026, 10, 25, 8, 0)  # Sunday 09:00 CET, after the switch
    assert choices["3"].at == utc(2026, 10, 26, 8, 0)  # Monday 09:00 CET
    assert choices["4"].at == utc(2026, 10, 26, 9, 30)  # 10:30 CET, not 09:30
    assert choices["6"].at == ams(2026, 10, 31, 10, 30)
    assert parse_when("+1d", BEFORE_DST_END, None, "NL") == ams(2026, 10, 25, 10, 30)
    assert parse_when("+24h", BEFORE_DST_END, None, "NL") == ams(2026, 10, 25, 9, 30)  # elapsed


def test_start_from_the_config_and_seconds_dropped() -> None:
    early = CallingHours(start=time(8, 15), end=time(16, 0))
    now = NOW + timedelta(seconds=42, microseconds=7)
    choices = by_key(quick_choices(now, "Europe/Amsterdam", "NL", early, "NL"))
    assert (choices["2"].label, choices["2"].at) == ("tomorrow 08:15", ams(2026, 11, 24, 8, 15))
    assert choices["5"].label == "next Monday 08:15"
    assert choices["1"].at == utc(2026, 11, 23, 10, 30)


def test_no_calling_day_configured_still_offers_the_literal_choices() -> None:
    weekend_only = CallingHours(days=("sat", "sun"))
    assert [c.key for c in quick_choices(NOW, None, "NL", weekend_only, "NL")] == ["1", "2", "3", "4", "5", "6"]
    never = CallingHours(days=())
    assert [c.key for c in quick_choices(NOW, None, "NL", never, "NL")] == ["1", "2", "4", "5", "6"]


# --- free entry ----------------------------------------------------------------------------

ACCEPTED = [
    ("2026-11-24 14:00", ams(2026, 11, 24, 14, 0)),
    ("2026-11-24T14:00", ams(2026, 11, 24, 14, 0)),
    ("2026-11-24T14:00:30", ams(2026, 11, 24, 14, 0, 30)),
    ("24-11 14:00", ams(2026, 11, 24, 14, 0)),
    ("24/11 14:00", ams(2026, 11, 24, 14, 0)),
    ("24-11-2026 14:00", ams(2026, 11, 24, 14, 0)),
    ("24/11/26 14:00", ams(2026, 11, 24, 14, 0)),
    ("24.11.2026 14:00", ams(2026, 11, 24, 14, 0)),
    ("24.11 14:00", ams(2026, 11, 24, 14, 0)),
    ("3-1 9:00", ams(2027, 1, 3, 9, 0)),  # already past this year: next year
    ("23-11 08:00", ams(2026, 11, 23, 8, 0)),  # today stays today (check_when says past)
    ("24 nov 14:00", ams(2026, 11, 24, 14, 0)),
    ("24 November 2026 14:00", ams(2026, 11, 24, 14, 0)),
    ("nov 24 14:00", ams(2026, 11, 24, 14, 0)),
    ("3 mrt 10:00", ams(2027, 3, 3, 10, 0)),
    ("14:00", ams(2026, 11, 23, 14, 0)),
    ("14.00", ams(2026, 11, 23, 14, 0)),
    ("9:30", ams(2026, 11, 23, 9, 30)),
    ("2pm", ams(2026, 11, 23, 14, 0)),
    ("2:30 PM", ams(2026, 11, 23, 14, 30)),
    ("12am", ams(2026, 11, 23, 0, 0)),
    ("16 uur", ams(2026, 11, 23, 16, 0)),
    ("14u30", ams(2026, 11, 23, 14, 30)),
    ("om 15:00", ams(2026, 11, 23, 15, 0)),
    ("today 16:00", ams(2026, 11, 23, 16, 0)),
    ("vandaag 16:00", ams(2026, 11, 23, 16, 0)),
    ("tomorrow 10:00", ams(2026, 11, 24, 10, 0)),
    ("Morgen 10:00", ams(2026, 11, 24, 10, 0)),
    ("morgen om 10", ams(2026, 11, 24, 10, 0)),
    ("morgen 10 uur", ams(2026, 11, 24, 10, 0)),
    ("tomorrow at 9", ams(2026, 11, 24, 9, 0)),
    ("10:00 tomorrow", ams(2026, 11, 24, 10, 0)),
    ("  tomorrow   10:00 ", ams(2026, 11, 24, 10, 0)),
    ("overmorgen 10:00", ams(2026, 11, 25, 10, 0)),
    ("day after tomorrow 10:00", ams(2026, 11, 25, 10, 0)),
    ("mon 10:00", ams(2026, 11, 30, 10, 0)),  # today is Monday: the next one
    ("ma 10:00", ams(2026, 11, 30, 10, 0)),
    ("ma. 10:00", ams(2026, 11, 30, 10, 0)),
    ("monday 10:00", ams(2026, 11, 30, 10, 0)),
    ("maandag 10:00", ams(2026, 11, 30, 10, 0)),
    ("next monday 10:00", ams(2026, 11, 30, 10, 0)),
    ("di 10:00", ams(2026, 11, 24, 10, 0)),
    ("wo 9:00", ams(2026, 11, 25, 9, 0)),
    ("do 9:00", ams(2026, 11, 26, 9, 0)),
    ("volgende vrijdag 11:00", ams(2026, 11, 27, 11, 0)),
    ("zo 12:00", ams(2026, 11, 29, 12, 0)),
    ("Tue 24 Nov 09:00", ams(2026, 11, 24, 9, 0)),  # as the picker shows a moment
    ("di 24-11 10:00", ams(2026, 11, 24, 10, 0)),
    ("+2h", utc(2026, 11, 23, 11, 30)),
    ("+30m", utc(2026, 11, 23, 10, 0)),
    ("+ 90 min", utc(2026, 11, 23, 11, 0)),
    ("+1h30m", utc(2026, 11, 23, 11, 0)),
    ("+3d", ams(2026, 11, 26, 10, 30)),
    ("+1w", ams(2026, 11, 30, 10, 30)),
    ("in 2 hours", utc(2026, 11, 23, 11, 30)),
    ("in an hour", utc(2026, 11, 23, 10, 30)),
    ("in 3 days", ams(2026, 11, 26, 10, 30)),
    ("over 2 uur", utc(2026, 11, 23, 11, 30)),
    ("over 1 uur en 30 minuten", utc(2026, 11, 23, 11, 0)),
    ("over een week", ams(2026, 11, 30, 10, 30)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text: str, expected: datetime) -> None:
    moment = parse_when(text, NOW, "Europe/Amsterdam", "NL")
    assert moment == expected
    assert moment.tzinfo is UTC


def test_read_on_the_leads_clock() -> None:
    assert parse_when("morgen 10:00", NOW, "Europe/London", "NL") == utc(2026, 11, 24, 10, 0)
    assert parse_when("morgen 10:00", NOW, None, "NL") == utc(2026, 11, 24, 9, 0)  # home zone
    # 01:30 UTC on Tuesday is still Monday evening in New York: "tomorrow" is Tuesday there.
    late = utc(2026, 11, 24, 1, 30)
    assert parse_when("tomorrow 9:00", late, "America/New_York", "US") == datetime(
        2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def test_now_in_any_zone() -> None:
    assert parse_when("+2h", NOW.astimezone(LON), None, "NL") == parse_when("+2h", NOW, None, "NL")


def test_dst_gap_moves_forward_and_overlap_takes_the_first() -> None:
    spring = utc(2026, 3, 27, 12, 0)
    assert parse_when("29-03 02:30", spring, "Europe/Amsterdam", "NL") == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    autumn = utc(2026, 10, 23, 12, 0)
    assert parse_when("25-10 02:30", autumn, "Europe/Amsterdam", "NL") == utc(2026, 10, 25, 0, 30)  # CEST


def test_hours_elapse_from_the_second_pass_of_an_overlap() -> None:
    second = utc(2026, 10, 25, 1, 30)  # 02:30 CET, the second 02:30 that night
    assert parse_when("+2h", second, "Europe/Amsterdam", "NL") == utc(2026, 10, 25, 3, 30)


REJECTED = [
    ("31-02 10:00", "can't read '31-02 10:00' as a moment: day is out of range for month"),
    ("24-13 10:00", "can't read '24-13 10:00' as a moment: month must be in 1..12"),
    ("25:00", "can't read '25:00' as a moment: hour must be in 0..23"),
    ("10:61", "can't read '10:61' as a moment: minute must be in 0..59"),
    ("13pm", "can't read '13pm' as a moment: hour must be 1–12 with pm"),
    ("morgen", "can't read 'morgen' as a moment: add a time, e.g. 'morgen 10:00'"),
    ("24-11", "can't read '24-11' as a moment: add a time, e.g. '24-11 10:00'"),
    ("vrijdag", "can't read 'vrijdag' as a moment: add a time, e.g. 'vrijdag 10:00'"),
    ("ma 24-11 10:00", "can't read 'ma 24-11 10:00' as a moment: 24-11-2026 is a Tue, not a Mon"),
    ("+5 parsecs", "can't read '+5 parsecs' as a moment: unknown unit 'parsecs': use minutes, hours, days or weeks"),
    ("+999999w", "can't read '+999999w' as a moment: more than ten years from now"),
    ("2040-01-01 10:00", "can't read '2040-01-01 10:00' as a moment: more than ten years from now"),
    ("0000-01-01 10:00", "can't read '0000-01-01 10:00' as a moment: more than ten years from now"),
    ("soon", "can't read 'soon' as a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
    ("10", "can't read '10' as a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
    ("in twee uur", "can't read 'in twee uur' as a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
    ("", "enter a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
    ("   ", "enter a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
    ("tomorrow\n10:00 and then some more words", "can't read 'tomorrow 10:00 and then some more words' as "
     "a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
    ("x" * 60, f"can't read '{'x' * 39}…' as a moment: expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'"),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_rejected_forms_say_why_in_one_line(text: str, message: str) -> None:
    with pytest.raises(CalldeskError) as raised:
        parse_when(text, NOW, "Europe/Amsterdam", "NL")
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("+2h", datetime(2026, 11, 23, 10, 30), None, "NL")


_PIECES = ["24-11", "31/02", "2026-11-24", "24.11.2026", "29-02", "0000-00-00", "9999-12-31", "14:00", "9.30",
           "99:99", "12pm", "0am", "10", "uur", "u", "om", "at", "@", "+", "+2h", "in", "over", "een", "an",
           "999999", "d", "w", "m", "morgen", "tomorrow", "ma", "next", "volgende", "nov", "mrt", "2026",
           "T", "-", "/", ".", ",", "é", "١٢", "\x00", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_PIECES), max_size=6).map(" ".join)),
       st.sampled_from([None, "Europe/Amsterdam", "America/New_York", "Pacific/Kiritimati", "Bad/Zone"]))
def test_any_text_is_a_moment_or_one_clear_error(text: str, zone: str | None) -> None:
    try:
        moment = parse_when(text, NOW, zone, "NL")
    except CalldeskError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert moment.tzinfo is UTC
        assert abs(moment - NOW) <= timedelta(days=3660)


# --- warnings ------------------------------------------------------------------------------


def test_warnings() -> None:
    def warn(at: datetime, zone: str | None = "Europe/Amsterdam", country: str = "NL",
             hours: CallingHours = HOURS, region: str = "NL") -> list[str]:
        return check_when(at, NOW, zone, country, hours, region)

    assert warn(ams(2026, 11, 24, 10, 0)) == []
    assert warn(ams(2026, 11, 23, 10, 0)) == ["in the past"]
    assert warn(ams(2026, 11, 24, 8, 59)) == ["outside calling hours (09:00–17:30 lead's time)"]
    assert warn(ams(2026, 11, 24, 17, 30)) == ["outside calling hours (09:00–17:30 lead's time)"]
    assert warn(ams(2026, 11, 28, 10, 0)) == ["not a calling day (Sat)"]
    assert warn(ams(2026, 11, 22, 20, 0)) == [
        "in the past", "not a calling day (Sun)", "outside calling hours (09:00–17:30 lead's time)"]
    assert warn(ams(2026, 12, 25, 10, 0)) == ["a public holiday in NL: Eerste kerstdag"]


def test_warnings_follow_the_leads_zone_country_and_config() -> None:
    # 09:30 Amsterdam is 08:30 in London: too early there.
    assert check_when(ams(2026, 11, 24, 9, 30), NOW, "Europe/London", "GB", HOURS, "NL") == [
        "outside calling hours (09:00–17:30 lead's time)"]
    christmas = ams(2026, 12, 25, 10, 0)
    assert check_when(christmas, NOW, "Europe/Amsterdam", "NL", CallingHours(skip_holidays=False), "NL") == []
    kings_day = ams(2027, 4, 27, 10, 0)  # a Tuesday
    assert check_when(kings_day, NOW, "Europe/Brussels", "BE", HOURS, "NL") == []
    # Nothing known about the number: the home region's holidays, as the queue does.
    assert check_when(kings_day, NOW, None, "", HOURS, "NL") == ["a public holiday in NL: Koningsdag"]
    assert check_when(ams(2026, 11, 28, 10, 0), NOW, None, "", CallingHours(days=("sat",)), "NL") == []
    late = CallingHours(start=time(12, 0), end=time(20, 0))
    assert check_when(ams(2026, 11, 24, 10, 0), NOW, None, "NL", late, "NL") == [
        "outside calling hours (12:00–20:00 lead's time)"]


def test_holiday_names_do_not_follow_the_process_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "en_US")
    schedule._holiday_names.cache_clear()
    try:
        assert check_when(ams(2027, 4, 27, 10, 0), NOW, "Europe/Amsterdam", "NL", HOURS, "NL") == [
            "a public holiday in NL: Koningsdag"]
    finally:
        schedule._holiday_names.cache_clear()


def test_unknown_holiday_country_gives_no_holiday_warning() -> None:
    assert check_when(ams(2026, 12, 25, 10, 0), NOW, "Europe/Amsterdam", "ZZ", HOURS, "NL") == []


# -- read_moment: the CLI's options read with the picker's parser (issue 16, issue 18) --------

_READ_NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2027, 1, 5), max_value=datetime(2030, 12, 31)))
def test_a_naive_iso_time_is_the_instant_the_picker_gives_for_that_wall_time(wall):
    """Gaps and overlaps included: the CLI and the app never disagree about a typed time."""
    wall = wall.replace(second=0, microsecond=0)
    typed = f"{wall:%Y-%m-%d %H:%M}"
    for zone in ("Europe/Amsterdam", "America/New_York"):
        assert read_moment(wall.isoformat(), _READ_NOW, zone, "NL") == parse_when(typed, _READ_NOW, zone, "NL")


def test_read_moment_keeps_an_offset_and_reads_the_pickers_forms():
    assert read_moment("2027-03-28T02:30+00:00", _READ_NOW, "Europe/Amsterdam", "NL") == datetime(
        2027, 3, 28, 2, 30, tzinfo=UTC)
    assert read_moment("2027-03-28T02:30Z", _READ_NOW, None, "NL") == datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    # The gap: 02:30 does not exist in Amsterdam that night, it moves on to 03:30 CEST.
    assert read_moment("2027-03-28T02:30", _READ_NOW, "Europe/Amsterdam", "NL") == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC)
    # The overlap: 02:30 on 31 October 2027 occurs twice; the first (CEST) is meant.
    assert read_moment("2027-10-31T02:30", _READ_NOW, "Europe/Amsterdam", "NL") == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC)
    assert read_moment("morgen 10:00", _READ_NOW, "Europe/Amsterdam", "NL") == datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    with pytest.raises(CalldeskError, match="can't read 'soon' as a moment"):
        read_moment("soon", _READ_NOW, "Europe/Amsterdam", "NL")
