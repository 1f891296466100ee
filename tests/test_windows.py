"""Calling windows: local hours per zone, weekdays, holidays, DST; fixed times, never the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calldesk.rules import windows
from calldesk.rules.config import CallingHours
from calldesk.rules.windows import (
    describe_next,
    holiday_dates,
    home_zone,
    is_open,
    local_time,
    next_opening,
    open_keys,
)

HOURS = CallingHours()  # mon–fri 09:00–17:30, holidays skipped
AMS = ZoneInfo("Europe/Amsterdam")
NL = ("Europe/Amsterdam", "NL")
BE = ("Europe/Brussels", "BE")
GB = ("Europe/London", "GB")
US = ("America/New_York", "US")


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- one zone: hours and weekdays ---------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (ams(2026, 11, 23, 10, 0), True),  # Monday morning
        (ams(2026, 11, 23, 8, 59), False),
        (ams(2026, 11, 23, 9, 0), True),  # start is inclusive
        (ams(2026, 11, 23, 17, 29), True),
        (ams(2026, 11, 23, 17, 30), False),  # end is exclusive
        (ams(2026, 11, 28, 11, 0), False),  # Saturday
        (ams(2026, 11, 29, 11, 0), False),  # Sunday
    ],
)
def test_amsterdam_hours(local: datetime, expected: bool) -> None:
    assert is_open(NL, local, HOURS, "NL") is expected
    assert is_open(NL, local.astimezone(UTC), HOURS, "NL") is expected  # any zone for now


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(NL, datetime(2026, 11, 23, 10, 0), HOURS, "NL")


# --- several zones at one moment ----------------------------------------------------------


def test_same_moment_differs_per_zone() -> None:
    morning = utc(2026, 11, 23, 8, 30)  # 09:30 Amsterdam, 08:30 London
    assert is_open(NL, morning, HOURS, "NL")
    assert not is_open(GB, morning, HOURS, "NL")
    evening = utc(2026, 11, 23, 16, 45)  # 17:45 Amsterdam, 16:45 London
    assert not is_open(NL, evening, HOURS, "NL")
    assert is_open(GB, evening, HOURS, "NL")


def test_next_opening_in_another_zone() -> None:
    now = utc(2026, 11, 23, 8, 30)  # 03:30 in New York
    assert next_opening(US, now, HOURS, "NL") == utc(2026, 11, 23, 14, 0)
    assert next_opening(GB, now, HOURS, "NL") == utc(2026, 11, 23, 9, 0)


def test_local_time() -> None:
    now = utc(2026, 11, 23, 8, 30)
    assert local_time("Europe/London", now, "NL").hour == 8
    assert local_time("Europe/Amsterdam", now, "NL").hour == 9
    assert local_time(None, now, "NL").tzinfo == AMS


# --- daylight saving ----------------------------------------------------------------------


def test_spring_forward_2026() -> None:
    saturday = ams(2026, 3, 28, 20, 0)  # clocks go forward on Sunday 29 March
    opening = next_opening(NL, saturday, HOURS, "NL")
    assert opening == utc(2026, 3, 30, 7, 0)  # 09:00 CEST
    assert opening.astimezone(AMS).utcoffset() == timedelta(hours=2)
    assert opening.tzinfo is UTC


def test_spring_forward_2027_meets_easter_monday() -> None:
    # Monday 29 March 2027 is 07:00Z by the clock but Easter Monday in NL: Tuesday instead.
    saturday = ams(2027, 3, 27, 20, 0)
    assert next_opening(NL, saturday, HOURS, "NL") == utc(2027, 3, 30, 7, 0)
    no_holidays = HOURS.model_copy(update={"skip_holidays": False})
    assert next_opening(NL, saturday, no_holidays, "NL") == utc(2027, 3, 29, 7, 0)


def test_fall_back_2026() -> None:
    saturday = ams(2026, 10, 24, 20, 0)  # clocks go back on Sunday 25 October
    opening = next_opening(NL, saturday, HOURS, "NL")
    assert opening == utc(2026, 10, 26, 8, 0)  # 09:00 CET
    assert opening.astimezone(AMS).utcoffset() == timedelta(hours=1)


def test_new_york_switches_on_its_own_date() -> None:
    # The US moves its clocks on 8 March 2026, Europe three weeks later.
    friday_evening = utc(2026, 3, 6, 23, 0)
    assert next_opening(US, friday_evening, HOURS, "NL") == utc(2026, 3, 9, 13, 0)  # 09:00 EDT


def test_start_inside_the_skipped_hour_opens_at_the_switch() -> None:
    night = CallingHours(days=("sun",), start=time(2, 30), end=time(5, 0), skip_holidays=False)
    opening = next_opening(NL, ams(2026, 3, 28, 12, 0), night, "NL")
    assert opening == utc(2026, 3, 29, 1, 0)  # 02:00 CET became 03:00 CEST
    assert is_open(NL, opening, night, "NL")
    assert not is_open(NL, opening - timedelta(seconds=1), night, "NL")


def test_start_inside_the_repeated_hour_opens_twice() -> None:
    night = CallingHours(days=("sun",), start=time(2, 30), end=time(2, 45), skip_holidays=False)
    first = next_opening(NL, ams(2026, 10, 24, 12, 0), night, "NL")
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    # Between the two 02:45s the clock reads 02:00–02:30 again: the second 02:30 opens.
    second = next_opening(NL, utc(2026, 10, 25, 1, 10), night, "NL")
    assert second == utc(2026, 10, 25, 1, 30)  # 02:30 CET


# --- holidays -----------------------------------------------------------------------------


def test_kings_day_closes_nl_but_not_be() -> None:
    kings_day = ams(2027, 4, 27, 10, 0)  # a Tuesday
    assert not is_open(NL, kings_day, HOURS, "NL")
    assert next_opening(NL, kings_day, HOURS, "NL") == ams(2027, 4, 28, 9, 0)
    assert is_open(BE, kings_day, HOURS, "NL")


def test_kings_day_open_without_skip_holidays() -> None:
    no_holidays = HOURS.model_copy(update={"skip_holidays": False})
    assert is_open(NL, ams(2027, 4, 27, 10, 0), no_holidays, "NL")


def test_christmas_2026() -> None:
    christmas = ams(2026, 12, 25, 10, 0)  # Friday; Boxing Day is a Saturday
    assert not is_open(NL, christmas, HOURS, "NL")
    assert next_opening(NL, christmas, HOURS, "NL") == ams(2026, 12, 28, 9, 0)


def test_non_geographic_and_unknown_countries_have_no_holidays() -> None:
    assert holiday_dates("001", 2027) == frozenset()
    assert holiday_dates("", 2027) == frozenset()
    assert holiday_dates("ZZ", 2027) == frozenset()
    assert len(holiday_dates("nl", 2027)) > 5  # case does not matter
    kings_day = ams(2027, 4, 27, 10, 0)
    assert is_open(("Europe/Amsterdam", "001"), kings_day, HOURS, "NL")
    assert is_open(("Europe/Amsterdam", ""), kings_day, HOURS, "NL")  # zone known: no country


# --- unknown zone: the home zone ----------------------------------------------------------


def test_home_zone() -> None:
    assert home_zone("NL") == "Europe/Amsterdam"
    assert home_zone("GB") == "Europe/London"
    assert home_zone("001") == "UTC"


def test_unknown_zone_uses_home_zone_and_holidays() -> None:
    morning = utc(2026, 11, 23, 8, 30)  # 09:30 Amsterdam, 08:30 London
    assert is_open((None, ""), morning, HOURS, "NL")
    assert not is_open((None, ""), morning, HOURS, "GB")
    # No country either: the home region's holidays.
    assert not is_open((None, ""), ams(2027, 4, 27, 10, 0), HOURS, "NL")
    assert is_open((None, ""), ams(2027, 4, 27, 10, 0), HOURS, "BE")
    assert not is_open((None, "NL"), ams(2027, 4, 27, 10, 0), HOURS, "BE")


def test_unknown_zone_name_falls_back_to_home_zone() -> None:
    morning = utc(2026, 11, 23, 8, 30)
    assert is_open(("Mars/Olympus_Mons", "NL"), morning, HOURS, "NL")


# --- many keys, custom hours, description -------------------------------------------------


def test_open_keys_filters_a_mixed_set() -> None:
    keys = [NL, BE, GB, US, (None, ""), (None, "001"), ("Asia/Tokyo", "JP")]
    now = utc(2026, 11, 23, 8, 30)  # Amsterdam/Brussels 09:30, London 08:30, NY 03:30, Tokyo 17:30
    assert open_keys(keys, now, HOURS, "NL") == {NL, BE, (None, ""), (None, "001")}
    assert open_keys([], now, HOURS, "NL") == set()


def test_custom_hours_saturday_only() -> None:
    saturday = CallingHours(days=("sat",), start=time(10, 0), end=time(16, 0))
    assert not is_open(NL, ams(2026, 11, 23, 11, 0), saturday, "NL")  # Monday
    assert is_open(NL, ams(2026, 11, 28, 10, 0), saturday, "NL")
    assert not is_open(NL, ams(2026, 11, 28, 16, 0), saturday, "NL")
    assert next_opening(NL, ams(2026, 11, 23, 11, 0), saturday, "NL") == ams(2026, 11, 28, 10, 0)
    assert next_opening(NL, ams(2026, 11, 28, 16, 0), saturday, "NL") == ams(2026, 12, 5, 10, 0)


def test_empty_days_raises() -> None:
    never = CallingHours(days=())
    assert not is_open(NL, ams(2026, 11, 23, 10, 0), never, "NL")
    with pytest.raises(ValueError, match="days"):
        next_opening(NL, ams(2026, 11, 23, 10, 0), never, "NL")


def test_next_opening_is_now_when_open() -> None:
    now = utc(2026, 11, 23, 9, 30)
    assert next_opening(NL, now, HOURS, "NL") == now


def test_describe_next() -> None:
    sunday = ams(2026, 11, 22, 12, 0)
    assert describe_next(NL, sunday, HOURS, "NL") == "09:00 Europe/Amsterdam on Mon 23 Nov"
    assert describe_next((None, ""), sunday, HOURS, "NL") == "09:00 Europe/Amsterdam on Mon 23 Nov"
    new_years_eve = ams(2026, 12, 31, 18, 0)  # 1 January is a holiday, then a weekend
    assert describe_next(NL, new_years_eve, HOURS, "NL") == "09:00 Europe/Amsterdam on Mon 4 Jan 2027"


# --- property -----------------------------------------------------------------------------

ZONES = [NL, GB, US, BE, ("Australia/Sydney", "AU"), ("Asia/Kolkata", "IN"), (None, "")]


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2028, 12, 31),
        timezones=st.just(UTC),
    ),
    key=st.sampled_from(ZONES),
)
def test_next_opening_is_open_and_not_before_now(now: datetime, key: tuple[str | None, str]) -> None:
    opening = next_opening(key, now, HOURS, "NL")
    assert opening >= now
    assert is_open(key, opening, HOURS, "NL")
    if is_open(key, now, HOURS, "NL"):
        assert opening == now
    else:
        # Nothing earlier is open: one second before the opening is still closed.
        assert not is_open(key, opening - timedelta(seconds=1), HOURS, "NL")


def test_holidays_given_from_an_earlier_run_are_used_and_computed_ones_are_known(monkeypatch):
    from datetime import date

    monkeypatch.setattr(windows, "_HOLIDAYS", {})
    windows.give_holidays({("nl", 2026): [date(2026, 11, 23)]})  # as kept by the CLI
    assert windows.holiday_dates("NL", 2026) == {date(2026, 11, 23)}
    assert date(2026, 12, 25) in windows.holiday_dates("BE", 2026)  # not given: computed
    assert windows.holidays_known().keys() == {("NL", 2026), ("BE", 2026)}


# -- calling_time_after: the overdue-release clock (issue 16) --------------------------------


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
       minutes=st.integers(min_value=1, max_value=60 * 40),
       zone=st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Tokyo"]))
def test_calling_time_after_counts_only_open_windows(start, minutes, zone):
    from calldesk.rules.windows import calling_time_after

    key, amount = (zone, ""), timedelta(minutes=minutes)
    end = calling_time_after(key, start, amount, CallingHours(), "NL")
    assert end - start >= amount  # calling time never runs faster than the clock
    # It ends inside a window (or at its very close), never at night or on a weekend.
    assert is_open(key, end - timedelta(seconds=1), CallingHours(), "NL")
    # Counted minute by minute (coarse, on whole minutes): the open time in between is the amount.
    step, moment, counted = timedelta(minutes=1), start, timedelta(0)
    if minutes <= 90:
        while moment < end:
            counted += step if is_open(key, moment, CallingHours(), "NL") else timedelta(0)
            moment += step
        assert abs(counted - amount) <= timedelta(minutes=2)


def test_calling_time_after_a_missed_evening_callback():
    from calldesk.rules.windows import calling_time_after

    # Due Thursday 17:25 Amsterdam: 5 minutes that day, 1 h 55 min from Friday 09:00.
    due = datetime(2026, 12, 3, 16, 25, tzinfo=UTC)
    assert calling_time_after(NL, due, timedelta(hours=2), CallingHours(), "NL") == datetime(
        2026, 12, 4, 9, 55, tzinfo=UTC)


# --- a number that could be in several zones: every one of them must be in hours ----------
from calldesk.rules.phones import normalize  # noqa: E402
from calldesk.rules.windows import their_span, their_time, zones_of  # noqa: E402

US_ANY = (normalize("+1 800 555 0199").time_zone, "US")  # toll-free: every US zone
EC_MOBILE = (normalize("099 123 4567", "EC").time_zone, "EC")


def test_us_toll_free_is_called_only_when_every_us_zone_is_in_hours():
    # Monday 23 Nov 2026, winter: Honolulu is UTC−10, New York UTC−5.
    assert not is_open(US_ANY, utc(2026, 11, 23, 8, 30), HOURS, "NL")  # 03:30 Eastern: the old bug
    assert not is_open(US_ANY, utc(2026, 11, 23, 15, 0), HOURS, "NL")  # 10:00 Eastern, 05:00 Honolulu
    assert not is_open(US_ANY, utc(2026, 11, 23, 18, 59), HOURS, "NL")  # 08:59 Honolulu
    assert is_open(US_ANY, utc(2026, 11, 23, 19, 0), HOURS, "NL")  # 09:00 Honolulu, 14:00 Eastern
    assert is_open(US_ANY, utc(2026, 11, 23, 22, 29), HOURS, "NL")  # 17:29 Eastern
    assert not is_open(US_ANY, utc(2026, 11, 23, 22, 30), HOURS, "NL")  # 17:30 Eastern: closed


def test_next_opening_of_several_zones_is_when_the_last_one_opens():
    assert next_opening(US_ANY, utc(2026, 11, 23, 8, 30), HOURS, "NL") == utc(2026, 11, 23, 19, 0)
    # Friday evening: the next Monday, not Saturday in Hawaii.
    assert next_opening(US_ANY, utc(2026, 11, 27, 23, 0), HOURS, "NL") == utc(2026, 11, 30, 19, 0)
    # Thanksgiving (US holiday, Thu 26 Nov) is skipped in every zone.
    assert next_opening(US_ANY, utc(2026, 11, 25, 23, 0), HOURS, "NL") == utc(2026, 11, 27, 19, 0)
    # Ecuador mainland (UTC−5) and Galápagos (UTC−6): 09:00 Galápagos is 15:00 UTC.
    assert next_opening(EC_MOBILE, utc(2026, 11, 23, 9, 30), HOURS, "NL") == utc(2026, 11, 23, 15, 0)


def test_describe_next_of_several_zones_uses_the_desks_clock_not_one_of_theirs():
    text = describe_next(US_ANY, utc(2026, 11, 23, 8, 30), HOURS, "NL")
    assert text == "20:00 Europe/Amsterdam on Mon 23 Nov"


def test_their_time_of_several_zones_is_the_span_never_one_label():
    text = their_time(US_ANY, utc(2026, 11, 23, 19, 0), "NL")
    assert text == f"09:00–14:00 in all {len(zones_of(US_ANY[0]))} US zones"
    assert "America/" not in text
    assert their_time(("Europe/London", "GB"), utc(2026, 11, 23, 9, 15), "NL") == "09:15 Europe/London"
    # Days differ across the zones: the weekday is shown on both ends.
    assert their_time(US_ANY, utc(2026, 11, 24, 8, 0), "NL", weekday=True).startswith("Mon 22:00–Tue 03:00")
    assert their_time(US_ANY, utc(2026, 11, 23, 19, 0), "NL", weekday=True).startswith("Mon 09:00–14:00 in")
    assert their_span(US_ANY[0], utc(2026, 11, 23, 19, 0), "NL") == "Mon 09:00–14:00"
    assert their_span(US_ANY[0], utc(2026, 11, 23, 19, 0), "NL", narrow=True) == "09:00+5h"  # a 9-wide column
    assert their_span(normalize("+61 412 345 678").time_zone, utc(2026, 11, 23, 1, 0), "NL", narrow=True) \
        == "09:00+3h"  # Perth to Lord Howe (UTC+11 in its summer)


RU_MOBILE = (normalize("+7 916 123 4567").time_zone, "RU")


def test_zones_whose_hours_never_overlap_are_never_open_and_say_so():
    # Moscow to Kamchatka is nine hours: 09:00–17:30 never holds in all of them.
    assert len(zones_of(RU_MOBILE[0])) > 5
    assert not any(is_open(RU_MOBILE, utc(2026, 11, 23) + timedelta(minutes=30 * i), HOURS, "NL")
                   for i in range(48 * 7))
    with pytest.raises(ValueError, match="never overlap"):
        next_opening(RU_MOBILE, utc(2026, 11, 23, 9), HOURS, "NL")


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 60 * 24 * 14), st.sampled_from([US_ANY, EC_MOBILE,
                                                      (normalize("+61 412 345 678").time_zone, "AU"),
                                                      (normalize("+34 612 345 678").time_zone, "ES")]))
def test_open_for_several_zones_means_open_in_each(minutes, key):
    now = utc(2026, 11, 23) + timedelta(minutes=minutes)
    each = all(is_open((zone, key[1]), now, HOURS, "NL") for zone in zones_of(key[0]))
    assert is_open(key, now, HOURS, "NL") == each
    opening = next_opening(key, now, HOURS, "NL")
    assert is_open(key, opening, HOURS, "NL")
    # Nothing opens before it: a minute earlier it was closed, unless that is before now.
    if opening > now:
        assert not is_open(key, opening - timedelta(minutes=1), HOURS, "NL")
