"""What a request to record a call must hold: an outcome's own requirements (a callback time,
an appointment time), times that carry a zone and are neither past nor years ahead, known BANT
elements. Checked before anything is written (db.calls.record_outcome), and again there inside
the transaction for what only the store knows (the claim, the owner, the do-not-call list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.dispositions import FINAL
from calldesk.rules.outcomes import Outcome
from calldesk.rules.schedule import MAX_DISTANCE, PAST_GRACE
from calldesk.rules.script import BANT, Answer


@dataclass(frozen=True)
class CallbackRequest:
    at: datetime  # aware
    team: bool = False  # True: any caller may take it; False: only the one who set it
    note: str = ""


def require_zone(moment: datetime | None, what: str) -> None:
    """CalldeskError unless `moment` (when given) carries a time zone."""
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise CalldeskError(_("{what} must carry a time zone").format(what=what))


def check_request(outcome: Outcome, now: datetime, bant: Mapping[str, Answer],
                  callback: CallbackRequest | None, appointment_at: datetime | None) -> None:
    """The outcome's own requirements; CalldeskError saying what is wrong."""
    require_zone(now, "now")
    require_zone(appointment_at, _("the appointment time"))
    if callback is not None:
        require_zone(callback.at, _("the callback time"))
    if outcome is Outcome.callback and callback is None:
        raise CalldeskError(_("a callback outcome needs a callback time"))
    if outcome is Outcome.appointment and appointment_at is None:
        raise CalldeskError(_("an appointment outcome needs the appointment's date and time"))
    if outcome is not Outcome.appointment and appointment_at is not None:
        raise CalldeskError(_("an appointment time goes with the appointment outcome, not '{outcome}'").format(
            outcome=outcome.ui_label))
    if callback is not None and outcome in FINAL:
        raise CalldeskError(_("no callback can follow '{outcome}': nobody calls this lead again").format(
            outcome=outcome.ui_label))
    if callback is not None and callback.at < now - PAST_GRACE:
        raise CalldeskError(_("the callback time {moment} UTC is in the past").format(
            moment=f"{callback.at:%Y-%m-%d %H:%M}"))
    for what, moment in ((_("the callback time"), callback.at if callback else None),
                         (_("the appointment time"), appointment_at)):
        if moment is not None and moment > now + MAX_DISTANCE:  # a typo'd year, as the picker says
            raise CalldeskError(_("{what} {moment} UTC is more than ten years ahead").format(
                what=what, moment=f"{moment:%Y-%m-%d %H:%M}"))
    for element, answer in bant.items():
        if element not in BANT:
            raise CalldeskError(_("unknown BANT element {element}: expected one of {elements}").format(
                element=repr(element), elements=", ".join(BANT)))
        if not answer.value.strip():
            raise CalldeskError(_("the {element} answer is empty").format(element=element))
