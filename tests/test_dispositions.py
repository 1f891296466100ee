"""The outcome → stage table and what each outcome does to a lead (pure rules)."""

from datetime import UTC, datetime, timedelta

import pytest

from calldesk.rules.config import Config
from calldesk.rules.dispositions import CONNECTED, LeadState, Settled, apply, new_stage, settle_callback
from calldesk.rules.kinds import CallbackStatus
from calldesk.rules.outcomes import KEY_OF, OUTCOME_KEYS, Outcome, parse_outcome
from calldesk.rules.stages import FUNNEL, Stage

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 in Amsterdam
CONFIG = Config()
S = Stage

# outcome: the stage it leads to from each starting stage (suspect, prospect, hot lead, opportunity, customer, lost)
TABLE = {
    Outcome.no_answer:      (S.suspect, S.prospect, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.busy:           (S.suspect, S.prospect, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.voicemail:      (S.suspect, S.prospect, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.wrong_number:   (S.suspect, S.prospect, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.callback:       (S.suspect, S.prospect, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.interested:     (S.prospect, S.prospect, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.qualified:      (S.hot_lead, S.hot_lead, S.hot_lead, S.opportunity, S.customer, S.lost),
    Outcome.appointment:    (S.opportunity, S.opportunity, S.opportunity, S.opportunity, S.customer, S.lost),
    Outcome.won:            (S.customer, S.customer, S.customer, S.customer, S.customer, S.lost),
    Outcome.not_interested: (S.lost, S.lost, S.lost, S.lost, S.customer, S.lost),
    Outcome.no_fit:         (S.lost, S.lost, S.lost, S.lost, S.customer, S.lost),
    Outcome.do_not_call:    (S.lost, S.lost, S.lost, S.lost, S.customer, S.lost),
}
STARTS = (*FUNNEL, S.lost)


def test_the_table_covers_every_outcome():
    assert set(TABLE) == set(Outcome) == set(OUTCOME_KEYS.values())


@pytest.mark.parametrize("outcome", list(Outcome))
def test_outcome_stage_table(outcome):
    assert tuple(new_stage(start, outcome) for start in STARTS) == TABLE[outcome]


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("start", STARTS)
def test_an_outcome_never_moves_a_stage_backwards(outcome, start):
    after = new_stage(start, outcome)
    if after is not start:
        assert after is S.lost or FUNNEL.index(after) > FUNNEL.index(start)


def state(stage=S.suspect, attempts=0, streak=0, zone="Europe/Amsterdam", country="NL"):
    return LeadState(stage, attempts, streak, zone, country)


def test_no_answer_recycles_after_three_hours_and_counts_the_attempt():
    effect = apply(Outcome.no_answer, state(attempts=2, streak=1), NOW, CONFIG)
    assert (effect.attempts, effect.no_answer_streak, effect.next_call_at) == (3, 2, NOW + timedelta(hours=3))
    assert not effect.unreachable and effect.stage is S.suspect and effect.lost_reason is None


def test_busy_and_voicemail_follow_the_recycling_rule():
    assert apply(Outcome.busy, state(), NOW, CONFIG).next_call_at == NOW + timedelta(minutes=20)
    # Voicemail on Monday: Tuesday 09:00 Amsterdam = 08:00 UTC.
    assert apply(Outcome.voicemail, state(), NOW, CONFIG).next_call_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_the_sixth_unanswered_call_in_a_row_parks_the_lead():
    effect = apply(Outcome.no_answer, state(attempts=5, streak=5), NOW, CONFIG)
    assert effect.unreachable and effect.next_call_at is None


def test_a_conversation_ends_the_streak_and_waits_for_the_followup():
    effect = apply(Outcome.interested, state(streak=4), NOW, CONFIG)
    assert effect.no_answer_streak == 0 and effect.stage is S.prospect
    assert effect.next_call_at == NOW + CONFIG.retry.followup
    with_callback = apply(Outcome.interested, state(), NOW, CONFIG, callback_at=NOW + timedelta(days=1))
    assert with_callback.next_call_at is None  # the callback brings it back


def test_lost_reasons_suppression_and_wrong_number():
    assert apply(Outcome.not_interested, state(), NOW, CONFIG).lost_reason == "not interested"
    assert apply(Outcome.no_fit, state(), NOW, CONFIG).lost_reason == "no fit (outside the ICP)"
    dnc = apply(Outcome.do_not_call, state(S.prospect), NOW, CONFIG)
    assert dnc.suppress and dnc.stage is S.lost and dnc.lost_reason == "do not call"
    # A customer who objects is suppressed but stays a customer.
    assert apply(Outcome.do_not_call, state(S.customer), NOW, CONFIG).stage is S.customer
    wrong = apply(Outcome.wrong_number, state(streak=2), NOW, CONFIG)
    assert wrong.phone_bad and wrong.no_answer_streak == 2 and wrong.next_call_at is None


def test_connected_outcomes_are_the_conversations():
    assert Outcome.callback in CONNECTED and Outcome.do_not_call in CONNECTED
    assert not {Outcome.no_answer, Outcome.busy, Outcome.voicemail, Outcome.wrong_number} & CONNECTED


@pytest.mark.parametrize("text, outcome", [("no_answer", Outcome.no_answer), ("no answer", Outcome.no_answer),
                                           ("Do-Not-Call", Outcome.do_not_call), ("h", Outcome.qualified)])
def test_parse_outcome(text, outcome):
    assert parse_outcome(text) is outcome


def test_parse_outcome_rejects_unknown_words_and_keys_are_unique():
    assert parse_outcome("maybe") is None and parse_outcome("") is None
    assert len(KEY_OF) == len(OUTCOME_KEYS) == len(Outcome)


@pytest.mark.parametrize("outcome", [Outcome.interested, Outcome.qualified])
def test_a_followup_that_falls_on_a_weekend_waits_for_monday(outcome):
    """Interested on Thursday 3 Dec + 2 days is Saturday: the next try is Monday 09:00 (issue 16)."""
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    effect = apply(outcome, state(), thursday, CONFIG)
    assert effect.next_call_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_a_followup_skips_the_leads_own_holidays():
    # 23 Dec 2026 + 2 days is Christmas Day in the UK; Boxing Day is a Saturday, made up for on
    # Monday 28 Dec: Tuesday 29 Dec 09:00 London.
    effect = apply(Outcome.interested, state(zone="Europe/London", country="GB"),
                   datetime(2026, 12, 23, 12, 0, tzinfo=UTC), CONFIG)
    assert effect.next_call_at == datetime(2026, 12, 29, 9, 0, tzinfo=UTC)


# -- what a call does to the lead's open callbacks ---------------------------------------------
def _effect(outcome, streak=0):
    return apply(outcome, LeadState(Stage.prospect, 2, streak, "Europe/Amsterdam", "NL"), NOW, CONFIG)


@pytest.mark.parametrize("outcome", sorted(CONNECTED | {Outcome.wrong_number}))
def test_a_conversation_or_a_wrong_number_closes_every_open_callback(outcome):
    for due in (NOW - timedelta(hours=1), NOW + timedelta(days=1)):  # due, or not yet
        assert settle_callback(outcome, _effect(outcome), due, NOW) == Settled(CallbackStatus.done, due)


@pytest.mark.parametrize("outcome", [Outcome.no_answer, Outcome.busy, Outcome.voicemail])
def test_an_unanswered_call_moves_a_due_callback_to_the_next_try_and_leaves_later_ones(outcome):
    effect = _effect(outcome)
    due = NOW - timedelta(minutes=5)
    assert settle_callback(outcome, effect, due, NOW) == Settled(CallbackStatus.open, effect.next_call_at)
    assert settle_callback(outcome, effect, NOW + timedelta(hours=1), NOW) is None  # not due yet: it stands


def test_the_unanswered_call_that_parks_the_lead_closes_its_callbacks():
    parked = _effect(Outcome.no_answer, streak=CONFIG.retry.max_attempts - 1)
    assert parked.parked and parked.next_call_at is None
    due = NOW - timedelta(minutes=5)
    assert settle_callback(Outcome.no_answer, parked, due, NOW) == Settled(CallbackStatus.done, due)
