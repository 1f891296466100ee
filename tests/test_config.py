from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.rules.config import MAX_DAYS, Config, config_toml, format_duration, parse_config, parse_duration


def test_empty_file_gives_documented_defaults():
    config = parse_config("")
    assert config == Config()
    assert config.region == "NL"
    assert config.calling_hours.days == ("mon", "tue", "wed", "thu", "fri")
    assert (config.calling_hours.start, config.calling_hours.end) == (time(9), time(17, 30))
    assert config.retry.no_answer == timedelta(hours=3)
    assert config.retry.busy == timedelta(minutes=20)
    assert config.retry.voicemail == "next_working_day"
    assert config.retry.max_attempts == 6


def test_values_are_read():
    config = parse_config(
        'region = "be"\n[calling_hours]\nstart = "08:30"\nend = "20:00"\ndays = ["mon", "sat"]\n'
        '[retry]\nbusy = "5m"\nvoicemail = "1d"\n[icp]\nindustries = ["ICT"]\nmax_employees = 250\n'
    )
    assert config.region == "BE"
    assert config.calling_hours.start == time(8, 30)
    assert config.calling_hours.days == ("mon", "sat")
    assert config.retry.busy == timedelta(minutes=5)
    assert config.retry.voicemail == timedelta(days=1)
    assert config.icp.industries == ("ICT",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('region = "XX"', "cfg.toml: region: expected a two-letter country code"),
        ('[calling_hours]\nstart = "9am"', "cfg.toml: calling_hours.start: expected a time as HH:MM"),
        ('[calling_hours]\nstart = "18:00"', "cfg.toml: calling_hours: start must be before end"),
        ('[calling_hours]\ndays = ["mon", "funday"]', "cfg.toml: calling_hours.days.1:"),
        ('[retry]\nbusy = "soon"', "cfg.toml: retry.busy: expected a duration"),
        ("[retry]\nmax_attempts = 0", "cfg.toml: retry.max_attempts:"),
        ("colour = 1", "cfg.toml: colour: unknown key"),
        ("[icp]\nsize = 3", "cfg.toml: icp.size: unknown key"),
        ("region = ", "cfg.toml: not valid TOML"),
    ],
)
def test_bad_values_name_the_key(text, message):
    with pytest.raises(CalldeskError) as error:
        parse_config(text, "cfg.toml")
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def refused(text: str) -> str:
    """The one-line error parse_config gives for `text`."""
    with pytest.raises(CalldeskError) as error:
        parse_config(text, "cfg.toml")
    assert "\n" not in str(error.value)
    return str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # None: `next` and `queue` outside hours would crash in windows.next_opening.
        ("[calling_hours]\ndays = []", 'cfg.toml: calling_hours.days: expected at least one weekday, such as ["mon"]'),
        ('[calling_hours]\ndays = ["mon", "tue", "mon"]', "cfg.toml: calling_hours.days: 'mon' is listed twice"),
        ('[calling_hours]\nstart = "17:30"', "cfg.toml: calling_hours: start must be before end"),  # equal to end
        ('[calling_hours]\nstart = "10:00"\nend = "09:00"', "cfg.toml: calling_hours: start must be before end"),
    ],
)
def test_calling_hours_need_days_each_once_and_start_before_end(text, message):
    assert refused(text) == message


def test_calling_days_in_any_order_are_read():
    assert parse_config('[calling_hours]\ndays = ["sun", "mon"]').calling_hours.days == ("sun", "mon")


def test_daily_goal_bounds_match_caller_add():
    # Both ends of the bound `calldesk caller add --goal` shares (config.MAX_DAILY_GOAL).
    assert parse_config("daily_goal = 0").daily_goal == 0
    assert parse_config("daily_goal = 1000").daily_goal == 1000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[icp]\nmin_employees = 500\nmax_employees = 50",
         "cfg.toml: icp: min_employees (500) is above max_employees (50)"),
        ("[icp]\nmin_employees = -1", "cfg.toml: icp.min_employees: Input should be greater than or equal to 0"),
        ("[icp]\nmax_employees = -5", "cfg.toml: icp.max_employees: Input should be greater than or equal to 1"),
    ],
)
def test_icp_sizes_are_non_negative_and_min_not_above_max(text, message):
    assert refused(text) == message


def test_icp_min_may_equal_max():
    icp = parse_config("[icp]\nmin_employees = 50\nmax_employees = 50").icp
    assert (icp.min_employees, icp.max_employees) == (50, 50)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Too long to build a timedelta: this raised OverflowError, a traceback, at load.
        ('[retry]\nbusy = "99999999999999d"', "cfg.toml: retry.busy: expected a duration of at most 36500d"),
        ("[retry]\nno_answer = 999999999999999999", "cfg.toml: retry.no_answer: expected a duration of at most"),
        ('[retry]\nfollowup = "36501d"', "cfg.toml: retry.followup: expected a duration of at most 36500d"),
        ('[retry]\nrecent_contact = "9999999h"', "cfg.toml: retry.recent_contact: expected a duration of at most"),
        # A union: the error names the key, not pydantic's "function-before[…]" member tag.
        ('[retry]\nvoicemail = "99999999d"', "cfg.toml: retry.voicemail: expected a duration of at most 36500d"),
        ('[retry]\nvoicemail = "soon"', "cfg.toml: retry.voicemail: expected a duration"),
        ('[callbacks]\nrelease_after = "0m"', "cfg.toml: callbacks.release_after: must be longer than 0"),
        ("[callbacks]\nrelease_after = 0", "cfg.toml: callbacks.release_after: must be longer than 0"),
        ('[callbacks]\nrelease_after = "-2h"', "cfg.toml: callbacks.release_after: expected a duration"),
        ("[callbacks]\nrelease_after = -5", "cfg.toml: callbacks.release_after: expected a duration"),
    ],
)
def test_durations_are_bounded(text, message):
    assert refused(text).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Days taken from now: beyond the calendar they crashed the report and the rescoring.
        ("[stuck]\nsuspect = 99999999999", "cfg.toml: stuck.suspect: Input should be less than or equal to 36500"),
        ("[warmth]\nsignal_horizon_days = 1000000", "cfg.toml: warmth.signal_horizon_days: Input should be less"),
        ("[warmth]\nsignal_horizon_days = -1", "cfg.toml: warmth.signal_horizon_days: Input should be greater"),
        # NaN decay would reach math.floor in the scoring; inf is refused alike.
        ("[warmth]\nsignal_half_life_days = nan", "cfg.toml: warmth.signal_half_life_days: Input should be a finite"),
        ("[warmth]\nsignal_half_life_days = inf", "cfg.toml: warmth.signal_half_life_days: Input should be a finite"),
        ("[warmth]\nsignal_half_life_days = 0", "cfg.toml: warmth.signal_half_life_days: Input should be greater"),
        # Warmth, their sum, is stored as an integer column.
        ("[warmth]\nstage_prospect = 10000000000",
         "cfg.toml: warmth.stage_prospect: Input should be less than or equal to 1000"),
        ("[warmth]\nsignal_cap = 1001", "cfg.toml: warmth.signal_cap: Input should be less than or equal to 1000"),
        ("[warmth]\nbant_need = inf", "cfg.toml: warmth.bant_need: Input should be a finite number"),
        ("[warmth]\nno_answer_penalty = -1", "cfg.toml: warmth.no_answer_penalty: Input should be greater"),
        ("[retry]\nmax_attempts = 51", "cfg.toml: retry.max_attempts: Input should be less than or equal to 50"),
        ("[qualification]\ntiming_within_months = -1", "cfg.toml: qualification.timing_within_months: Input should be"),
        ("[privacy]\nretain_lost_months = 0", "cfg.toml: privacy.retain_lost_months: Input should be greater"),
        # A daily goal is a whole number within `caller add --goal`'s bound.
        ("daily_goal = 1e9", "cfg.toml: daily_goal: Input should be a valid integer"),
        ("daily_goal = 12.5", "cfg.toml: daily_goal: Input should be a valid integer"),
        ("daily_goal = 60.0", "cfg.toml: daily_goal: Input should be a valid integer"),
        ("daily_goal = true", "cfg.toml: daily_goal: Input should be a valid integer"),
        ("daily_goal = 1001", "cfg.toml: daily_goal: Input should be less than or equal to 1000"),
        ("daily_goal = 9223372036854775807", "cfg.toml: daily_goal: Input should be less than or equal to 1000"),
        ("daily_goal = -1", "cfg.toml: daily_goal: Input should be greater than or equal to 0"),
    ],
)
def test_numeric_settings_are_bounded(text, message):
    assert refused(text).startswith(message)


def test_largest_accepted_values_stay_on_the_calendar():
    # The CLI's moments span the years 1900-2999 (--at): the bounds leave room either way.
    config = parse_config(
        '[retry]\nbusy = "36500d"\nrecent_contact = "36500d"\n[callbacks]\nrelease_after = "36500d"\n'
        "[stuck]\nsuspect = 36500\n[warmth]\nsignal_horizon_days = 36500\n"
    )
    earliest, latest = datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, 23, 59, tzinfo=UTC)
    assert latest + config.retry.busy < datetime.max.replace(tzinfo=UTC)
    for back in (config.retry.recent_contact, config.callbacks.release_after,
                 timedelta(days=config.stuck.suspect), timedelta(days=config.warmth.signal_horizon_days + 1)):
        assert earliest - back > datetime.min.replace(tzinfo=UTC)


@given(st.integers(min_value=0, max_value=MAX_DAYS * 86400))
def test_a_written_duration_reads_back_the_same(seconds):
    assert parse_duration(format_duration(timedelta(seconds=seconds))) == timedelta(seconds=seconds)


def test_config_as_toml_reads_back_to_the_same_settings():
    assert parse_config(config_toml(Config())) == Config()
    varied = parse_config('language = "en"\n[calling_hours]\nend = "21:05"\nskip_holidays = false\n'
                          '[retry]\nvoicemail = "next_working_day"\nfollowup = "36h"\n[icp]\nindustries = ["ICT", "Zorg"]\n'
                          '[qualification]\nneed = []\n[privacy]\nretain_lost_months = 3\n')
    assert parse_config(config_toml(varied)) == varied


def test_the_desks_zone_is_the_timezone_key_else_the_regions():
    assert parse_config("").desk_zone == "Europe/Amsterdam"
    assert parse_config('region = "BE"').desk_zone == "Europe/Brussels"
    assert parse_config('region = "NL"\ntimezone = "Europe/London"').desk_zone == "Europe/London"
    for bad in ('"Europe/Amsterdamm"', '"../etc/passwd"', '"Mars/Olympus"'):
        with pytest.raises(CalldeskError, match=r"^config: timezone: expected an IANA time zone such as "
                                                r"Europe/Amsterdam, got '"):
            parse_config(f"timezone = {bad}")
