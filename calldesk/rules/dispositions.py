"""What an outcome does to a lead: its stage, attempts, recycling, and what else it sets.

Pure: the database layer passes the lead's state and `now`, and writes what comes back, all in
one transaction. An outcome never moves a stage backwards (only a team lead's explicit action
can); unanswered calls follow the recycling rule; conversations without a callback wait
`retry.followup` before the lead is offered again. Every next try is a calling moment in the
lead's zone (`windows.next_opening`), never a Saturday or a holiday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from calldesk.rules.config import Config
from calldesk.rules.kinds import CallbackStatus
from calldesk.rules.outcomes import Outcome
from calldesk.rules.recycling import UNANSWERED, next_try
from calldesk.rules.stages import Stage, is_forward
from calldesk.rules.windows import next_opening

# Where each outcome takes the lead (None: the stage stays).
TARGET: dict[Outcome, Stage | None] = {
    Outcome.no_answer: None,
    Outcome.busy: None,
    Outcome.voicemail: None,
    Outcome.wrong_number: None,
    Outcome.not_interested: Stage.lost,
    Outcome.no_fit: Stage.lost,
    Outcome.callback: None,
    Outcome.interested: Stage.prospect,
    Outcome.qualified: Stage.hot_lead,
    Outcome.appointment: Stage.opportunity,
    Outcome.won: Stage.customer,
    Outcome.do_not_call: Stage.lost,
}
LOST_REASON = {
    Outcome.not_interested: "not interested",
    Outcome.no_fit: "no fit (outside the ICP)",
    Outcome.do_not_call: "do not call",
}
# A person answered: the unanswered streak ends (the pipeline report counts these as connects).
CONNECTED = frozenset(TARGET) - UNANSWERED - {Outcome.wrong_number}
# Outcomes after which nobody calls the lead again by themselves: no callback may follow.
FINAL = frozenset({Outcome.not_interested, Outcome.no_fit, Outcome.do_not_call, Outcome.wrong_number})


@dataclass(frozen=True)
class LeadState:
    stage: Stage
    attempts: int
    no_answer_streak: int
    time_zone: str | None
    country: str


@dataclass(frozen=True)
class Effect:
    """The lead's new values after the outcome (the database writes exactly these)."""

    stage: Stage
    lost_reason: str | None  # None: unchanged
    attempts: int
    no_answer_streak: int
    unreachable: bool
    next_call_at: datetime | None
    phone_bad: bool
    suppress: bool  # add the number to the do-not-call list

    @property
    def parked(self) -> bool:
        return self.unreachable


def new_stage(current: Stage, outcome: Outcome) -> Stage:
    """The stage after an outcome: its target when that is forward, else unchanged."""
    target = TARGET[outcome]
    if target is None or not is_forward(current, target):
        return current
    return target


def apply(outcome: Outcome, lead: LeadState, now: datetime, config: Config, *,
          callback_at: datetime | None = None) -> Effect:
    """The effect of recording `outcome` on `lead` at `now` (callback_at: a callback was set)."""
    stage = new_stage(lead.stage, outcome)
    lost_reason = LOST_REASON.get(outcome) if stage is Stage.lost and lead.stage is not Stage.lost else None
    attempts = lead.attempts + 1
    streak, unreachable, next_at = lead.no_answer_streak, False, None
    if outcome in UNANSWERED:
        streak += 1
        next_at, unreachable = next_try(outcome, streak, now, config.retry, (lead.time_zone, lead.country),
                                        config.calling_hours, config.region)
    elif outcome in CONNECTED:
        streak = 0
        # With a callback the lead waits for it (the queue holds back leads with an open one).
        if callback_at is None and stage in (Stage.suspect, Stage.prospect, Stage.hot_lead):
            next_at = next_opening((lead.time_zone, lead.country), now + config.retry.followup,
                                   config.calling_hours, config.region)
    return Effect(stage=stage, lost_reason=lost_reason, attempts=attempts, no_answer_streak=streak,
                  unreachable=unreachable, next_call_at=next_at,
                  phone_bad=outcome is Outcome.wrong_number, suppress=outcome is Outcome.do_not_call)


@dataclass(frozen=True)
class Settled:
    """What a call did to one of the lead's open callbacks."""

    status: CallbackStatus  # done, or still open
    due_at: datetime  # moved to the next try, or as it was


def settle_callback(outcome: Outcome, effect: Effect, due_at: datetime, now: datetime) -> Settled | None:
    """A call settles the lead's open callbacks: after a conversation they are done; an
    unanswered due callback moves to the next try, so it stays with whoever it was for. None:
    it still stands as it is (not due yet, or no next try to move it to)."""
    if outcome in UNANSWERED and not effect.parked:
        if due_at > now or effect.next_call_at is None:
            return None
        return Settled(CallbackStatus.open, effect.next_call_at)
    return Settled(CallbackStatus.done, due_at)
