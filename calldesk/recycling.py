"""Recycling: when an unanswered lead may be tried again, and when it is parked as unreachable.

Pure: the caller passes `now` and the lead's calling window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from calldesk.config import CallingHours, Retry
from calldesk.outcomes import Outcome
from calldesk.windows import WindowKey, local_time, next_opening

UNANSWERED = frozenset({Outcome.no_answer, Outcome.busy, Outcome.voicemail})


def next_try(outcome: Outcome, streak: int, now: datetime, retry: Retry, key: WindowKey,
             hours: CallingHours, region: str) -> tuple[datetime | None, bool]:
    """(next callable moment, parked) after an unanswered call; streak counts this call too.

    After `max_attempts` unanswered calls in a row the lead is parked: no next moment.
    """
    if outcome not in UNANSWERED:
        raise ValueError(f"{outcome} is not an unanswered outcome")
    if streak >= retry.max_attempts:
        return None, True
    if outcome is Outcome.busy:
        return now + retry.busy, False
    if outcome is Outcome.no_answer:
        return now + retry.no_answer, False
    if isinstance(retry.voicemail, timedelta):
        return now + retry.voicemail, False
    # "next working day": the first opening from tomorrow's midnight in the lead's own zone.
    local = local_time(key[0], now, region)
    tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return next_opening(key, tomorrow, hours, region), False
    except ValueError:  # its zones never share calling hours: try it again in a day
        return now + timedelta(days=1), False
