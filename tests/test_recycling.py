from datetime import UTC, datetime, timedelta

import pytest

from calldesk.config import CallingHours, Retry, parse_config
from calldesk.outcomes import Outcome
from calldesk.recycling import next_try

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
