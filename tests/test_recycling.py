from datetime import UTC, datetime, timedelta

import pytest

from calldesk.rules.config import CallingHours, Retry, parse_config
from calldesk.rules.outcomes import Outcome
from calldesk.rules.recycling import next_try

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 in Amsterdam
NL = ("Europe/Amsterdam", "NL")
HOURS = CallingHours()


@pytest.mark.parametrize(("outcome", "delay"), [(Outcome.no_answer, timedelta(hours=3)), (Outcome.busy, timedelta(minutes=20))])
def test_default_delays(outcome, delay):
    assert next_try(outcome, 1, NOW, Retry(), NL, HOURS, "NL") == (NOW + delay, False)


def test_voicemail_waits_for_the_next_working_day():
    assert next_try(Outcome.voicemail, 1, NOW, Retry(), NL, HOURS, "NL") == (datetime(2026, 11, 24, 8, 0, tzinfo=UTC), False)
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert next_try(Outcome.voicemail, 1, friday, Retry(), NL, HOURS, "NL")[0] == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    # Before King's Day (Tue 27 April 2027) the next working day is Wednesday.
    monday = datetime(2027, 4, 26, 12, 0, tzinfo=UTC)
    assert next_try(Outcome.voicemail, 1, monday, Retry(), NL, HOURS, "NL")[0] == datetime(2027, 4, 28, 7, 0, tzinfo=UTC)


def test_parked_after_max_attempts_in_a_row():
    assert next_try(Outcome.no_answer, 5, NOW, Retry(), NL, HOURS, "NL")[1] is False
    assert next_try(Outcome.no_answer, 6, NOW, Retry(), NL, HOURS, "NL") == (None, True)


def test_configured_rules():
    retry = parse_config('[retry]\nno_answer = "1h"\nvoicemail = "2d"\nmax_attempts = 2\n').retry
    assert next_try(Outcome.no_answer, 1, NOW, retry, NL, HOURS, "NL") == (NOW + timedelta(hours=1), False)
    assert next_try(Outcome.voicemail, 1, NOW, retry, NL, HOURS, "NL") == (NOW + timedelta(days=2), False)
    assert next_try(Outcome.busy, 2, NOW, retry, NL, HOURS, "NL") == (None, True)


def test_only_unanswered_outcomes():
    with pytest.raises(ValueError):
        next_try(Outcome.interested, 1, NOW, Retry(), NL, HOURS, "NL")


# Every next try is a calling moment in the lead's own zone (hours, days, holidays): issue 16.
@pytest.mark.parametrize(("outcome", "now", "expected"), [
    # 16:06 Amsterdam + 3 h = 19:06, after hours: 09:00 the next morning.
    (Outcome.no_answer, datetime(2026, 12, 3, 15, 6, tzinfo=UTC), datetime(2026, 12, 4, 8, 0, tzinfo=UTC)),
    # Friday 17:20 + 20 min: the window shut at 17:30, so Monday 09:00.
    (Outcome.busy, datetime(2026, 12, 4, 16, 20, tzinfo=UTC), datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
    # Christmas Eve 16:00 + 3 h: not Christmas nor Boxing Day (a Saturday), but Monday 28 Dec.
    (Outcome.no_answer, datetime(2026, 12, 24, 15, 0, tzinfo=UTC), datetime(2026, 12, 28, 8, 0, tzinfo=UTC)),
])
def test_a_retry_that_ends_outside_calling_hours_waits_for_the_next_opening(outcome, now, expected):
    assert next_try(outcome, 1, now, Retry(), NL, HOURS, "NL") == (expected, False)


def test_a_fixed_voicemail_delay_lands_on_a_calling_moment_in_the_leads_zone():
    retry = parse_config('[retry]\nvoicemail = "2d"\n').retry
    thursday = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 09:00 in New York; +2 d = Saturday
    new_york = ("America/New_York", "US")
    assert next_try(Outcome.voicemail, 1, thursday, retry, new_york, HOURS, "NL")[0] == datetime(
        2026, 12, 7, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
