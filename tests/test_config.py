from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.rules.config import MAX_DAYS, Config, config_toml, format_duration, parse_config, parse_duration
from calldesk.rules.keys import ACTIONS


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
                          '[qualification]\nneed = []\n[privacy]\nretain_lost_months = 3\n[keys]\n"queue.next" = "x"\n')
    assert parse_config(config_toml(varied)) == varied


def test_the_desks_zone_is_the_timezone_key_else_the_regions():
    assert parse_config("").desk_zone == "Europe/Amsterdam"
    assert parse_config('region = "BE"').desk_zone == "Europe/Brussels"
    assert parse_config('region = "NL"\ntimezone = "Europe/London"').desk_zone == "Europe/London"
    for bad in ('"Europe/Amsterdamm"', '"../etc/passwd"', '"Mars/Olympus"'):
        with pytest.raises(CalldeskError, match=r"^config: timezone: expected an IANA time zone such as "
                                                r"Europe/Amsterdam, got '"):
            parse_config(f"timezone = {bad}")


# -- [keys]: action ids moved to other keys (rules.keys) --------------------------------------


def test_no_keys_section_keeps_every_default_and_moves_nothing():
    assert parse_config("").keys == ACTIONS == Config().keys
    assert Config().keymap == {}


def test_a_moved_key_is_read_in_any_toml_spelling():
    quoted = parse_config('[keys]\n"queue.next" = "x"\n"queue.help" = "!"\n')
    assert quoted.keys["queue.next"] == "x" and quoted.keys["queue.add"] == "a"
    assert quoted.keymap == {"queue.next": "x", "queue.help": "exclamation_mark"}  # Textual's key names
    assert parse_config('[keys]\nqueue.next = "x"\nqueue.help = "!"\n') == quoted  # a dotted key: nested tables
    assert parse_config('[keys.queue]\nnext = "x"\nhelp = "exclamation_mark"\n') == quoted
    assert parse_config('[keys]\n"queue.help" = "?"').keymap == {}  # the default, spelled as typed


def test_several_keys_and_a_swap_are_fine():
    config = parse_config('[keys]\n"queue.next" = "a, space"\n"queue.add" = "n"\n"confirm.yes" = "Y,y"\n')
    assert config.keymap == {"queue.next": "a,space", "queue.add": "n", "confirm.yes": "Y,y"}


def test_an_unknown_action_is_one_line_naming_it_and_some_known_ones():
    assert refused('[keys]\n"queue.nxt" = "x"') == (
        "cfg.toml: keys.queue.nxt: unknown action, expected one such as queue.next, queue.undo, queue.open "
        "(`calldesk config` lists them all)")
    assert refused('[keys]\n"nothing" = "x"').startswith("cfg.toml: keys.nothing: unknown action, expected one "
                                                         "such as app.quit, ")


@pytest.mark.parametrize(("text", "message"), [
    ('[keys]\n"queue.next" = "foo"', "cfg.toml: keys.queue.next: expected a key such as 'n', 'f5' or 'ctrl+s', got 'foo'"),
    ('[keys]\n"queue.next" = ""', "cfg.toml: keys.queue.next: expected a key such as 'n', 'f5' or 'ctrl+s', got ''"),
    ('[keys]\n"queue.next" = 3', "cfg.toml: keys.queue.next: expected a key such as 'n', 'f5' or 'ctrl+s', got 3"),
    ('[keys]\n"queue.next" = "x,hyper+ctrl+"', "cfg.toml: keys.queue.next: expected a key such as"),
    ("keys = 3", 'cfg.toml: keys: expected a table of action = key, such as "queue.next" = "n"'),
])
def test_a_key_that_is_no_key_is_refused(text, message):
    assert refused(text).startswith(message)


@pytest.mark.parametrize(("text", "message"), [
    # Onto another action's key of the same screen: the entry is named, and the action it meets.
    ('[keys]\n"queue.next" = "a"', "cfg.toml: keys.queue.next: 'a' is queue.add's key too, on the queue screen"),
    ('[keys]\n"schedule.refresh" = "g"',
     "cfg.toml: keys.schedule.refresh: 'g' is schedule.reassign's key too, on the schedule screen"),
    # Two entries on one key: the second is named.
    ('[keys]\n"queue.next" = "z"\n"queue.add" = "z"', "cfg.toml: keys.queue.add: 'z' is queue.next's key too, on the queue screen"),
    # The app's keys are on every screen that is not a modal; the call's script panel is on the call's.
    ('[keys]\n"app.quit" = "o"', "cfg.toml: keys.app.quit: 'o' is call.outcome's key too, on the call screen"),
    ('[keys]\n"call.card" = "m"', "cfg.toml: keys.call.card: 'm' is script.note's key too, on the call screen"),
    ('[keys]\n"queue.help" = "q"', "cfg.toml: keys.queue.help: 'q' is app.quit's key too, on the queue screen"),
    # Keys without an id (Textual's, the focused table's or script's) are not free either.
    ('[keys]\n"queue.next" = "down"', "cfg.toml: keys.queue.next: 'down' is taken by moving through the list on the queue screen"),
    ('[keys]\n"call.card" = "3"', "cfg.toml: keys.call.card: '3' is taken by the script's answers on the call screen"),
    ('[keys]\n"dashboard.period" = "ctrl+p"', "cfg.toml: keys.dashboard.period: 'ctrl+p' is taken by the command palette on the dashboard screen"),
    ('[keys]\n"outcome.cancel" = "k"', "cfg.toml: keys.outcome.cancel: 'k' is taken by the outcomes on the outcome screen"),
    # A box that takes the typing takes every character.
    ('[keys]\n"reason.cancel" = "?"', "cfg.toml: keys.reason.cancel: '?' is typed into the box on the reason screen"),
    ('[keys]\n"when.cancel" = "€"', "cfg.toml: keys.when.cancel: '€' is typed into the box on the when screen"),
])
def test_a_clash_names_both_actions(text, message):
    assert refused(text) == message


def test_same_screen_means_the_screen_its_widgets_and_the_app_unless_a_modal():
    # y is the confirm modal's yes; the app's keys do not reach into a modal, so quit may take it.
    assert parse_config('[keys]\n"app.quit" = "y"').keys["app.quit"] == "y"
    # A key of one screen is free on another: m moves a stage on the dashboard, notes on a call.
    assert parse_config('[keys]\n"queue.add" = "m"').keys["queue.add"] == "m"


def test_the_pickers_alternate_actions_move_together():
    keys = parse_config('[keys]\n"when.read" = "ctrl+r"').keys
    assert keys["when.read"] == keys["when.confirm"] == "ctrl+r"
    keys = parse_config('[keys]\n"when.read" = "ctrl+r"\n"when.confirm" = "ctrl+o"').keys
    assert (keys["when.read"], keys["when.confirm"]) == ("ctrl+r", "ctrl+o")


def test_moved_keys_are_written_back_by_calldesk_config():
    config = parse_config('[keys]\n"queue.next" = "x"\n"when.team" = "ctrl+e"\n')
    text = config_toml(config)
    assert '"queue.next" = "x"' in text and '"queue.add" = "a"' in text  # every action, as `config` shows all
    assert parse_config(text) == config
