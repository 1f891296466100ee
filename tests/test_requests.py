"""What a request to record a call must hold (calldesk.rules.requests): pure, before any write."""

from datetime import UTC, datetime, timedelta

import pytest

from calldesk.errors import CalldeskError
from calldesk.rules.outcomes import Outcome
from calldesk.rules.requests import CallbackRequest, check_request
from calldesk.rules.schedule import MAX_DISTANCE, PAST_GRACE
from calldesk.rules.script import Answer

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TOMORROW = NOW + timedelta(days=1)


def check(outcome, *, now=NOW, bant=None, callback=None, appointment_at=None):
    check_request(outcome, now, bant or {}, callback, appointment_at)


@pytest.mark.parametrize("outcome, kwargs", [
    (Outcome.no_answer, {}),
    (Outcome.callback, {"callback": CallbackRequest(TOMORROW, team=True, note="after lunch")}),
    (Outcome.interested, {"callback": CallbackRequest(NOW - PAST_GRACE)}),  # just now: not in the past
    (Outcome.appointment, {"appointment_at": NOW + MAX_DISTANCE}),
    (Outcome.qualified, {"bant": {"need": Answer("yes"), "budget": Answer("unknown", "ask again")}}),
])
def test_complete_requests_pass(outcome, kwargs):
    check(outcome, **kwargs)


@pytest.mark.parametrize("outcome, kwargs, message", [
    (Outcome.callback, {}, "a callback outcome needs a callback time"),
    (Outcome.appointment, {}, "an appointment outcome needs the appointment's date and time"),
    (Outcome.no_answer, {"appointment_at": TOMORROW}, "goes with the appointment outcome, not 'no answer'"),
    (Outcome.do_not_call, {"callback": CallbackRequest(TOMORROW)}, "no callback can follow 'do not call'"),
    (Outcome.wrong_number, {"callback": CallbackRequest(TOMORROW)}, "no callback can follow"),
    (Outcome.callback, {"callback": CallbackRequest(NOW - PAST_GRACE - timedelta(minutes=1))},
     "the callback time 2026-11-23 09:.. UTC is in the past"),
    (Outcome.callback, {"callback": CallbackRequest(NOW + MAX_DISTANCE + timedelta(days=1))},
     "the callback time .* is more than ten years ahead"),
    (Outcome.appointment, {"appointment_at": NOW + MAX_DISTANCE + timedelta(days=1)},
     "the appointment time .* is more than ten years ahead"),
    (Outcome.interested, {"bant": {"mood": Answer("good")}}, "unknown BANT element 'mood': expected one of budget"),
    (Outcome.interested, {"bant": {"need": Answer("  ")}}, "the need answer is empty"),
    (Outcome.interested, {"now": NOW.replace(tzinfo=None)}, "now must carry a time zone"),
    (Outcome.callback, {"callback": CallbackRequest(TOMORROW.replace(tzinfo=None))},
     "the callback time must carry a time zone"),
    (Outcome.appointment, {"appointment_at": TOMORROW.replace(tzinfo=None)},
     "the appointment time must carry a time zone"),
])
def test_incomplete_requests_say_what_is_missing(outcome, kwargs, message):
    with pytest.raises(CalldeskError, match=message):
        check(outcome, **kwargs)
