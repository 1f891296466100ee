"""Recycling: when an unanswered lead may be tried again, and when it is parked as unreachable.

Pure: the caller passes `now` and the lead's calling window. Every next try is a calling moment
in the lead's zone: a delay that ends after hours, on a weekend or on a holiday waits for the next
opening (a no-answer at 16:06 with a 3 h delay is tried at 09:00 the next calling day, not 19:06).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from calldesk.rules.config import CallingHours, Retry
from calldesk.rules.outcomes import Outcome
from calldesk.rules.windows import WindowKey, local_time, next_opening, zones_of

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
        return next_opening(key, now + retry.busy, hours, region), False
    if outcome is Outcome.no_answer:
        return next_opening(key, now + retry.no_answer, hours, region), False
    if isinstance(retry.voicemail, timedelta):
        return next_opening(key, now + retry.voicemail, hours, region), False
    # "next working day": the first opening from tomorrow's midnight in the lead's own zone.
    local = local_time(key[0], now, region)
    tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return next_opening(key, tomorrow, hours, region), False
    except ValueError:  # its zones never share calling hours: try it again in a day
        return now + timedelta(days=1), False


def other_campaign_quiet_until(last_contact: datetime, zone: str | None, hours: CallingHours,
                               setting: timedelta | Literal["rest_of_day"], *, region: str = "NL") -> datetime:
    """Until when (aware UTC) a number contacted at `last_contact`, for any campaign, is not
    offered for another campaign ([retry] recent_contact_other_campaign).

    A duration counts from the contact. "rest_of_day": up to `end` of that day on the lead's
    clock (`zone` as stored on the lead; unknown: the home region's zone, as windows do), the
    latest of its clocks when the number could be in several zones; a contact at or after that
    day's end is quiet no longer than the contact itself, as the day's calling is over.
    """
    if isinstance(setting, timedelta):
        return local_time(zone, last_contact, region).astimezone(UTC) + setting
    ends = []
    for one in zones_of(zone) or (None,):
        local = local_time(one, last_contact, region)
        wall = datetime.combine(local.date(), hours.end)
        # The clock falling back over `end` (or skipping it): the later of its moments.
        ends.append(max(wall.replace(tzinfo=local.tzinfo, fold=fold).astimezone(UTC) for fold in (0, 1)))
    return max(*ends, last_contact.astimezone(UTC))
