"""Recording a call: the outcome, its stage change, answers, callback and suppression, in one
transaction; undoing it for a few minutes; contact outside calls; the do-not-call list.

Everything a recorded outcome changes is written by `record_outcome` in one write transaction,
and what it overwrote is kept as JSON on the call row, so `undo_last` can put the lead back
exactly as it was. Nothing here trusts the screen: the claim, the outcome's requirements and
the answers are checked again inside the transaction. That transaction holds the write lock
every other caller waits for: its statements run as plans on the driver's cursor
(calldesk.db.plans), ~1 ms a call instead of ~4 ms through SQLAlchemy's execution.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from calldesk.db.engine import Store
from calldesk.db.plans import Cursor
from calldesk.db.privacy import ERASED_LABEL, is_hashed, is_suppressed, suppression_keys
from calldesk.db.queue import CLAIM_LEASE
from calldesk.db.rows import SuppressionRow
from calldesk.db.scoring import score_one
from calldesk.db.tables import (
    activities,
    bant_answers,
    call_requests,
    callbacks,
    calls,
    leads,
    stage_changes,
    suppression,
)
from calldesk.db.team import _require_team_lead
from calldesk.errors import CalldeskError
from calldesk.i18n import _, format_day_time
from calldesk.rules.config import Config
from calldesk.rules.dispositions import Effect, LeadState, apply, settle_callback
from calldesk.rules.kinds import ActivityKind
from calldesk.rules.mapping import MAX_FIELD
from calldesk.rules.outcomes import Outcome
from calldesk.rules.phones import normalize
from calldesk.rules.requests import CallbackRequest, check_request, require_zone
from calldesk.rules.script import Answer
from calldesk.rules.stages import Stage
from calldesk.rules.windows import local_time

UNDO_WINDOW = timedelta(minutes=5)
# The same caller, lead and outcome again within this long is one call told twice (a dialer
# firing twice, a double Enter), not a second call: nobody redials and hangs up that fast.
REPEAT_WINDOW = timedelta(minutes=1)
MAX_REQUEST_ID = 200
# The lead's columns an outcome may change: saved before, restored by undo.
_RESTORED = ("stage", "lost_reason", "attempts", "no_answer_streak", "unreachable", "next_call_at", "phone_bad",
             "last_outcome", "last_called_at", "warmth", "warmth_reasons", "updated_at")


@dataclass(frozen=True)
class Recorded:
    call_id: int | None  # None only for a repeat of a call undone since (see already_at)
    lead_id: int
    company: str
    outcome: Outcome
    stage_before: Stage
    stage: Stage
    next_call_at: datetime | None
    parked: bool
    callback_id: int | None
    callback_at: datetime | None = None
    # Set when nothing was written: this call was recorded before, at that moment (a repeat
    # within REPEAT_WINDOW, or a request id seen before). call_id None: that call was undone.
    already_at: datetime | None = None

    def summary(self, region: str = "NL") -> str:
        """One line for the caller, in the UI language: what happened to the lead (times on the
        desk's clock)."""
        lead = self.company or _("lead {id}").format(id=self.lead_id)
        text = f"{self.outcome.ui_label} — {lead}"
        if self.already_at is not None:
            moment = format_day_time(local_time(None, self.already_at, region), pad=True)
            if self.call_id is None:
                return text + " · " + _("already recorded {moment} and undone since: not recorded again").format(
                    moment=moment)
            return text + " · " + _("already recorded {moment}: not recorded again").format(moment=moment)
        if self.stage is not self.stage_before:
            text += f": {self.stage_before.ui_label} → {self.stage.ui_label}"
        if self.callback_at is not None:
            moment = format_day_time(local_time(None, self.callback_at, region), pad=True)
            text += " · " + _("callback {moment}").format(moment=moment)
        if self.parked:
            text += " · " + _("parked as unreachable")
        elif self.next_call_at is not None and self.callback_id is None:
            moment = format_day_time(local_time(None, self.next_call_at, region), pad=True)
            text += " · " + _("next try {moment}").format(moment=moment)
        return text


def record_outcome(store: Store, lead_id: int, outcome: Outcome, *, caller: str, now: datetime,
                   config: Config, started_at: datetime | None = None, notes: str = "",
                   bant: Mapping[str, Answer] | None = None, callback: CallbackRequest | None = None,
                   appointment_at: datetime | None = None, again: bool = False,
                   request_id: str | None = None, clock: datetime | None = None,
                   as_team_lead: bool = False) -> Recorded:
    """Record one call's outcome and everything it implies; all or nothing.

    Raises CalldeskError (nothing written) for an unknown lead, a lead another caller holds,
    or an outcome without what it needs (a callback time, an appointment time).

    Recorded once: the same caller, lead and outcome within REPEAT_WINDOW of `now` (either
    side) writes nothing and returns that call with `already_at` set, unless `again`. A
    `request_id` seen before does the same for good (and is an error for another lead, outcome
    or caller). Both are decided under the lead's row lock, so two processes sending the same
    call at once record it once.

    `clock` is the real time (default `now`): another caller's claim is judged on it, so a
    `now` set ahead (--at) never records over a lead someone has open. A call is never recorded
    before the lead's last one, and on a lead another caller owns only by a team lead who says
    so (`as_team_lead`).
    """
    bant = dict(bant or {})
    check_request(outcome, now, bant, callback, appointment_at)
    for text in (notes, callback.note if callback else ""):
        if len(text.strip()) > MAX_FIELD:  # the one limit for a note, typed, logged or imported
            raise CalldeskError(_("a note is at most {most} characters (this one has {count})").format(
                most=MAX_FIELD, count=len(text.strip())))
    if request_id is not None:
        request_id = request_id.strip()
        if not request_id or len(request_id) > MAX_REQUEST_ID:
            raise CalldeskError(_("a request id is 1 to {most} characters").format(most=MAX_REQUEST_ID))
    started_at = started_at or now
    try:
        return _record(store, lead_id, outcome, caller, now, config, started_at, notes, bant, callback,
                       appointment_at, again, request_id, clock or now, as_team_lead)
    except _RequestTaken as taken:
        # The same request id, sent at the same moment for another lead (whose lock this one
        # did not wait for), won: the key's row says what to answer.
        with store.read() as conn:
            key = call_requests.c.key
            if conn.execute(sa.select(key).where(key == request_id)).first() is None:
                raise store.fault(taken.error) from taken.error
        return _record(store, lead_id, outcome, caller, now, config, started_at, notes, bant, callback,
                       appointment_at, again, request_id, clock or now, as_team_lead)


def _record(store: Store, lead_id: int, outcome: Outcome, caller: str, now: datetime, config: Config,
            started_at: datetime, notes: str, bant: dict[str, Answer], callback: CallbackRequest | None,
            appointment_at: datetime | None, again: bool, request_id: str | None, clock: datetime,
            as_team_lead: bool) -> Recorded:
    with store.write_cursor() as cur:
        lead = cur.first(_lead_for_update, lead_id=lead_id)
        if lead is None:
            raise CalldeskError(_("no lead with id {ids}").format(ids=lead_id))
        # Repeats first: the call they repeat may have changed what the checks below see (the
        # claim it released, the do-not-call entry it made).
        if request_id is not None and (seen := cur.first(_request, key=request_id)) is not None:
            if (seen["lead_id"], seen["outcome"], seen["caller"]) != (lead_id, outcome, caller):
                raise CalldeskError(_("request id {key} was already used for '{outcome}' on lead {id} by {caller}: "
                                      "a new call needs a new request id").format(
                    key=request_id, outcome=Outcome(seen["outcome"]).ui_label, id=seen["lead_id"],
                    caller=seen["caller"]))
            return _already(lead, outcome, seen["call_id"], seen["at"])
        if not again and (last := cur.first(_repeated_call, lead_id=lead_id, caller=caller, outcome=outcome,
                                             since=now - REPEAT_WINDOW, until=now + REPEAT_WINDOW)) is not None:
            if request_id is not None:
                _insert_request(cur, key=request_id, lead_id=lead_id, call_id=last["id"], caller=caller,
                                outcome=outcome.value, at=last["ended_at"])
            return _already(lead, outcome, last["id"], last["ended_at"])
        holder, expires = lead["claimed_by"], lead["claim_expires_at"]
        if holder and holder != caller and expires and expires > clock:
            raise CalldeskError(_("{holder} has lead {id} open: only they can record its outcome").format(
                holder=holder, id=lead_id))
        if lead["last_called_at"] is not None and now < lead["last_called_at"]:
            raise CalldeskError(_("lead {id}'s last call was recorded at {at}: a call is never recorded before "
                                  "it (check --at)").format(id=lead_id, at=format_day_time(
                                      local_time(None, lead["last_called_at"], config.region))))
        owner = lead["owner"]
        if owner and owner != caller:
            if not as_team_lead:
                raise CalldeskError(_("lead {id} is {owner}'s: only a team lead records a call on another caller's "
                                      "lead (with --as-team-lead)").format(id=lead_id, owner=owner))
            _require_team_lead(cur.conn, caller, _("record a call on another caller's lead"))
        if cur.first(_suppressed, phone=lead["phone_e164"]) is not None:  # (only reached by id: never queued)
            raise CalldeskError(_("lead {id}'s number is on the do-not-call list: no call is recorded on it "
                                  "(if they asked to be called again: calldesk dnc remove)").format(id=lead_id))
        before = Stage(lead["stage"])
        effect = apply(outcome, LeadState(before, lead["attempts"], lead["no_answer_streak"],
                                          lead["time_zone"], lead["country"]),
                       now, config, callback_at=callback.at if callback else None)
        undo: dict[str, Any] = {"lead": {name: _dump(lead[name]) for name in _RESTORED}}

        call_id = cur.insert(calls, lead_id=lead_id, caller=caller, started_at=min(started_at, now), ended_at=now,
                             outcome=outcome.value, notes=notes.strip(), appointment_at=appointment_at)
        undo["bant"] = _write_bant(cur, lead_id, call_id, bant, now)
        undo["callbacks"] = _settle_callbacks(cur, lead_id, outcome, effect, now)
        callback_id = None
        if callback is not None:
            callback_id = cur.insert(callbacks, lead_id=lead_id, due_at=callback.at,
                                     caller=None if callback.team else caller, created_by=caller,
                                     created_at=now, status="open", note=callback.note.strip())
        undo["callback_created"] = callback_id
        undo["stage_change"] = None
        if effect.stage is not before:
            undo["stage_change"] = cur.insert(stage_changes, lead_id=lead_id, from_stage=before.value,
                                              to_stage=effect.stage.value, at=now, changed_by=caller,
                                              reason=f"outcome: {outcome.label}")
        undo["suppressed"] = False
        if effect.suppress:  # not on the list yet: checked above
            cur.insert(suppression, phone_e164=lead["phone_e164"], reason="asked not to be called", added_at=now,
                       added_by=caller)
            undo["suppressed"] = True
        values: dict[str, Any] = {
            "stage": effect.stage.value, "attempts": effect.attempts, "no_answer_streak": effect.no_answer_streak,
            "unreachable": effect.unreachable, "next_call_at": effect.next_call_at,
            "phone_bad": lead["phone_bad"] or effect.phone_bad, "last_outcome": outcome.value,
            "last_called_at": now, "updated_at": now, "claimed_by": None, "claim_expires_at": None,
        }
        if effect.lost_reason is not None:
            values["lost_reason"] = effect.lost_reason
        # Warmth from the lead as it is about to be, and its answers as just written.
        values.update(score_one(cur, {**lead, **values}, now, config))
        cur.update(leads, lead_id, **values)
        cur.update(calls, call_id, undo=json.dumps(undo))
        if request_id is not None:
            _insert_request(cur, key=request_id, lead_id=lead_id, call_id=call_id, caller=caller,
                            outcome=outcome.value, at=now)
    return Recorded(call_id, lead_id, lead["company"], outcome, before, effect.stage,
                    effect.next_call_at, effect.parked, callback_id, callback.at if callback else None)


def _already(lead: Mapping[str, Any], outcome: Outcome, call_id: int | None, at: datetime) -> Recorded:
    """The answer for a call recorded before: the lead as it is now, nothing changed."""
    stage = Stage(lead["stage"])
    return Recorded(call_id, lead["id"], lead["company"], outcome, stage, stage,
                    lead["next_call_at"], lead["unreachable"], None, already_at=at)


# The statements of a recorded call, compiled once per dialect (calldesk.db.plans): they run
# inside the write lock that every other caller waits for.
def _lead_for_update() -> sa.Select:
    return sa.select(leads).where(leads.c.id == sa.bindparam("lead_id")).with_for_update()


def _request() -> sa.Select:
    request = call_requests.c
    return sa.select(request.lead_id, request.call_id, request.caller, request.outcome, request.at).where(
        request.key == sa.bindparam("key"))


def _repeated_call() -> sa.Select:
    """The caller's latest call on the lead with this outcome, ended in [since, until]."""
    return (sa.select(calls.c.id, calls.c.ended_at)
            .where(calls.c.lead_id == sa.bindparam("lead_id"), calls.c.caller == sa.bindparam("caller"),
                   calls.c.outcome == sa.bindparam("outcome", type_=calls.c.outcome.type),
                   calls.c.ended_at >= sa.bindparam("since", type_=calls.c.ended_at.type),
                   calls.c.ended_at <= sa.bindparam("until", type_=calls.c.ended_at.type))
            .order_by(calls.c.id.desc()).limit(1))


def _bant_answer() -> sa.Select:
    return sa.select(bant_answers).where(bant_answers.c.lead_id == sa.bindparam("lead_id"),
                                         bant_answers.c.element == sa.bindparam("element"))


def _open_callbacks() -> sa.Select:
    return sa.select(callbacks.c.id, callbacks.c.status, callbacks.c.due_at).where(
        callbacks.c.lead_id == sa.bindparam("lead_id"), callbacks.c.status == "open")


def _suppressed() -> sa.Select:
    return sa.select(suppression.c.phone_e164).where(suppression.c.phone_e164 == sa.bindparam("phone"))


def _write_bant(cur: Cursor, lead_id: int, call_id: int, bant: Mapping[str, Answer],
                now: datetime) -> list[list[Any]]:
    """Upsert the latest answer per element; returns what each replaced ([element, None] if new)."""
    before: list[list[Any]] = []
    for element, answer in bant.items():
        old = cur.first(_bant_answer, lead_id=lead_id, element=element)
        new = {"value": answer.value.strip(), "note": answer.note.strip(), "call_id": call_id, "updated_at": now}
        if old is None:
            cur.insert(bant_answers, lead_id=lead_id, element=element, **new)
            before.append([element, None])
        else:
            cur.update(bant_answers, old["id"], **new)
            before.append([element, {k: _dump(old[k]) for k in new}])
    return before


def _settle_callbacks(cur: Cursor, lead_id: int, outcome: Outcome, effect: Effect,
                      now: datetime) -> list[list[Any]]:
    """The lead's open callbacks as the call settles them (dispositions.settle_callback);
    returns what each was before."""
    before = []
    for cb_id, status, due_at in cur.all(_open_callbacks, lead_id=lead_id):
        settled = settle_callback(outcome, effect, due_at, now)
        if settled is None:
            continue
        cur.update(callbacks, cb_id, status=settled.status.value, due_at=settled.due_at)
        before.append([cb_id, status, _dump(due_at)])
    return before


class _RequestTaken(Exception):
    """Another transaction wrote this request id meanwhile (PostgreSQL: a call on another
    lead, whose row lock this one did not wait for)."""

    def __init__(self, error: sa.exc.IntegrityError) -> None:
        super().__init__(str(error))
        self.error = error


def _insert_request(cur: Cursor, **row: Any) -> None:
    try:
        cur.insert(call_requests, **row)
    except sa.exc.IntegrityError as exc:
        raise _RequestTaken(exc) from exc


@dataclass(frozen=True)
class Undone:
    lead_id: int
    company: str
    outcome: Outcome
    # What the caller had typed on the undone call, for the reopened call to start from.
    notes: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)


def undo_last(store: Store, caller: str, now: datetime, window: timedelta = UNDO_WINDOW) -> Undone:
    """Undo this caller's last outcome (within `window`), restore the lead exactly, and claim
    it for the caller again so the call can be redone. CalldeskError says why it can't."""
    with store.write_cursor() as cur:
        conn = cur.conn
        call = cur.first(_last_call, caller=caller)
        if call is None or call["undo"] is None:
            raise CalldeskError(_("nothing to undo"))
        lead = cur.first(_lead_for_update, lead_id=call["lead_id"])
        assert lead is not None  # a lead's calls go with it (ON DELETE CASCADE)
        what = _("'{outcome}' on {lead}").format(outcome=Outcome(call["outcome"]).ui_label,
                                                 lead=lead["company"] or _("lead {id}").format(id=lead["id"]))
        if now - call["ended_at"] > window:
            minutes = int(window.total_seconds() // 60)
            raise CalldeskError(_("{what} was recorded more than {minutes} minutes ago: it can't be undone").format(
                what=what, minutes=minutes))
        if lead["updated_at"] != call["ended_at"]:
            raise CalldeskError(_("{what} can't be undone: the lead has changed since").format(what=what))
        holder, expires = lead["claimed_by"], lead["claim_expires_at"]
        if holder and holder != caller and expires and expires > now:
            raise CalldeskError(_("{what} can't be undone now: {holder} has the lead open").format(
                what=what, holder=holder))
        state = json.loads(call["undo"])
        typed = {row.element: Answer(row.value, row.note) for row in conn.execute(
            sa.select(bant_answers.c.element, bant_answers.c.value, bant_answers.c.note)
            .where(bant_answers.c.call_id == call["id"]))}
        for element, old in state["bant"]:
            where = (bant_answers.c.lead_id == lead["id"]) & (bant_answers.c.element == element)
            if old is None:
                conn.execute(sa.delete(bant_answers).where(where))
            else:
                conn.execute(sa.update(bant_answers).where(where).values({k: _load(v) for k, v in old.items()}))
        for cb_id, status, due_at in state["callbacks"]:
            # The revision back too (the call's update raised it by one): exactly as before.
            conn.execute(sa.update(callbacks).where(callbacks.c.id == cb_id).values(
                status=status, due_at=_load(due_at), revision=callbacks.c.revision - 1))
        if state["callback_created"] is not None:
            conn.execute(sa.delete(callbacks).where(callbacks.c.id == state["callback_created"]))
        if state["stage_change"] is not None:
            conn.execute(sa.delete(stage_changes).where(stage_changes.c.id == state["stage_change"]))
        if state["suppressed"]:
            conn.execute(sa.delete(suppression).where(suppression.c.phone_e164 == lead["phone_e164"]))
        # BANT rows point at the call; they were restored above, so the call can go.
        conn.execute(sa.update(bant_answers).where(bant_answers.c.call_id == call["id"]).values(call_id=None))
        conn.execute(sa.delete(calls).where(calls.c.id == call["id"]))
        restored = {name: _load(value) for name, value in state["lead"].items()}
        conn.execute(sa.update(leads).where(leads.c.id == lead["id"]).values(
            **restored, claimed_by=caller, claim_expires_at=now + CLAIM_LEASE))
    return Undone(lead["id"], lead["company"], Outcome(call["outcome"]), call["notes"], typed)


def _last_call() -> sa.Select:
    """The caller's last call (undo_last: the only one that can be undone)."""
    return sa.select(calls).where(calls.c.caller == sa.bindparam("caller")).order_by(calls.c.id.desc()).limit(1)


def _dump(value: Any) -> Any:
    """JSON for a column value; datetimes keep their zone."""
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _load(value: Any) -> Any:
    return datetime.fromisoformat(value["t"]) if isinstance(value, dict) and "t" in value else value


def log_activity(store: Store, lead_id: int, kind: ActivityKind, *, caller: str, now: datetime,
                 note: str = "") -> int:
    """An e-mail sent or a LinkedIn message: part of the lead's history, not a call."""
    require_zone(now, "now")
    with store.write() as conn:
        if conn.execute(sa.select(leads.c.id).where(leads.c.id == lead_id)).first() is None:
            raise CalldeskError(_("no lead with id {ids}").format(ids=lead_id))
        return conn.execute(sa.insert(activities).values(lead_id=lead_id, kind=kind.value, caller=caller, at=now,
                                                   note=note.strip()).returning(activities.c.id)).scalar_one()


# -- the do-not-call list -----------------------------------------------------------------
def dnc_add(store: Store, phone: str, *, now: datetime, by: str, region: str,
            reason: str = "asked not to be called") -> tuple[str, bool]:
    """Suppress a number (E.164 after normalising); (number, False) when it already was."""
    number = normalize(phone, region).e164
    with store.write() as conn:
        if is_suppressed(conn, number):
            return number, False
        conn.execute(sa.insert(suppression).values(phone_e164=number, reason=reason, added_at=now, added_by=by))
    return number, True


def dnc_remove(store: Store, phone: str, *, region: str) -> tuple[str, bool]:
    number = normalize(phone, region).e164
    with store.write() as conn:
        # An erased person's number is kept hashed: it comes off the list too.
        keys = suppression_keys(conn, number)
        removed = conn.execute(sa.delete(suppression).where(suppression.c.phone_e164.in_(keys))).rowcount
    return number, bool(removed)


def dnc_list(store: Store) -> list[SuppressionRow]:
    """Every entry; an erased person's (a keyed hash) shows as ERASED_LABEL instead of a number."""
    with store.read() as conn:
        rows = SuppressionRow.all(conn.execute(
            sa.select(suppression).order_by(suppression.c.added_at, suppression.c.phone_e164)))
    return [replace(row, phone_e164=ERASED_LABEL) if is_hashed(row.phone_e164) else row for row in rows]
