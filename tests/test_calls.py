"""Recording outcomes on real stores: all or nothing, undo restores exactly, do-not-call holds."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from calldesk.db import calls as calls_module
from calldesk.db.calls import CallbackRequest, dnc_add, dnc_list, dnc_remove, log_activity, undo_last
from calldesk.db.imports import import_csv
from calldesk.db.leads import lead_detail
from calldesk.db.models import BantAnswer, Call, Callback, Lead, StageChange, Suppression
from calldesk.db.queue import claim_lead, claim_next, queue
from calldesk.errors import CalldeskError
from calldesk.rules.kinds import ActivityKind
from calldesk.rules.outcomes import Outcome
from calldesk.rules.script import Answer
from tests.conftest import NOW, orm, write_csv
from tests.stored import CONFIG, everything, lead, record, row


def test_interested_moves_a_suspect_writes_history_and_releases_the_claim(store):
    lead_id = lead(store)
    assert claim_lead(store, lead_id, "anne", NOW) is None
    done = record(store, lead_id, Outcome.interested, notes="wants the brochure",
                  bant={"need": Answer("yes", "invoicing by hand"), "budget": Answer("unknown")})
    stored = row(store, lead_id)
    assert (stored.stage, stored.attempts, stored.last_outcome, stored.claimed_by) == ("prospect", 1, "interested", None)
    assert stored.next_call_at == NOW + CONFIG.retry.followup
    assert "prospect" in stored.warmth_reasons and "clear need" in stored.warmth_reasons
    with orm(store) as session:
        call = session.get(Call, done.call_id)
        assert (call.caller, call.outcome, call.notes) == ("anne", "interested", "wants the brochure")
        change = session.scalars(sa.select(StageChange).where(StageChange.lead_id == lead_id)).one()
        assert (change.from_stage, change.to_stage, change.changed_by) == ("suspect", "prospect", "anne")
        bant = {b.element: (b.value, b.note, b.call_id) for b in session.scalars(sa.select(BantAnswer))}
        assert bant == {"need": ("yes", "invoicing by hand", done.call_id), "budget": ("unknown", "", done.call_id)}
    assert done.stage_before == "suspect" and done.stage == "prospect" and "suspect → prospect" in done.summary()


def test_an_outcome_never_moves_a_hot_lead_back(store):
    lead_id = lead(store, "hot_lead")
    record(store, lead_id, Outcome.interested)
    assert row(store, lead_id).stage == "hot_lead"
    with orm(store) as session:
        assert session.scalars(sa.select(StageChange)).all() == []


def test_unanswered_calls_recycle_and_park(store):
    lead_id = lead(store)
    for n in range(1, 7):
        now = NOW + timedelta(hours=4 * n)
        done = record(store, lead_id, Outcome.no_answer, now=now)
        stored = row(store, lead_id)
        assert stored.no_answer_streak == n and stored.attempts == n
    assert done.parked and stored.unreachable and stored.next_call_at is None


def test_callback_personal_and_team(store):
    mine, team = lead(store), lead(store)
    due = NOW + timedelta(days=1)
    record(store, mine, Outcome.callback, callback=CallbackRequest(due, note="after the board meeting"))
    done = record(store, team, Outcome.callback, callback=CallbackRequest(due, team=True))
    assert "callback Tue 24 Nov 10:30" in done.summary("NL")
    with orm(store) as session:
        cbs = {c.lead_id: (c.caller, c.due_at, c.status, c.created_by) for c in session.scalars(sa.select(Callback))}
    assert cbs == {mine: ("anne", due, "open", "anne"), team: (None, due, "open", "anne")}
    assert mine not in [e.lead_id for e in queue(store, "anne", NOW + timedelta(hours=2), CONFIG).entries]
    later = [e.lead_id for e in queue(store, "anne", due + timedelta(minutes=1), CONFIG).entries]
    assert later[:2] == [mine, team]  # personal callback first, then the team's


def test_a_due_callback_is_settled_by_the_call(store):
    answered, unanswered = lead(store), lead(store)
    with orm(store) as session:
        for lead_id in (answered, unanswered):
            session.add(Callback(lead_id=lead_id, due_at=NOW - timedelta(minutes=5), caller="anne",
                                 created_by="anne", created_at=NOW - timedelta(days=1)))
    record(store, answered, Outcome.interested)
    record(store, unanswered, Outcome.busy)
    with orm(store) as session:
        cbs = {c.lead_id: (c.status, c.due_at, c.caller) for c in session.scalars(sa.select(Callback))}
    assert cbs[answered][0] == "done"
    # Unanswered: still anne's callback, due again at the next try.
    assert cbs[unanswered] == ("open", NOW + timedelta(minutes=20), "anne")


def test_appointment_won_lost_and_wrong_number(store):
    a, w, x, f, wrong = lead(store, "hot_lead"), lead(store, "opportunity"), lead(store), lead(store), lead(store)
    meeting = NOW + timedelta(days=3)
    done = record(store, a, Outcome.appointment, appointment_at=meeting)
    with orm(store) as session:
        assert session.get(Call, done.call_id).appointment_at == meeting
    record(store, w, Outcome.won)
    record(store, x, Outcome.not_interested)
    record(store, f, Outcome.no_fit)
    record(store, wrong, Outcome.wrong_number)
    stages = {i: (row(store, i).stage, row(store, i).lost_reason) for i in (a, w, x, f)}
    assert stages == {a: ("opportunity", ""), w: ("customer", ""), x: ("lost", "not interested"),
                      f: ("lost", "no fit (outside the ICP)")}
    assert row(store, wrong).phone_bad
    assert wrong not in [e.lead_id for e in queue(store, "anne", NOW + timedelta(days=1), CONFIG, 500).entries]


def test_do_not_call_suppresses_and_survives_delete_and_reimport(store, tmp_path):
    lead_id = lead(store, company="Bezwaar BV")
    phone = row(store, lead_id).phone_e164
    record(store, lead_id, Outcome.do_not_call)
    assert row(store, lead_id).stage == "lost"
    assert [s.phone_e164 for s in dnc_list(store)] == [phone]
    with store.write() as conn:  # the lead is deleted; the objection is not
        conn.execute(sa.delete(Lead).where(Lead.id == lead_id))
    csv = write_csv(tmp_path / "again.csv", f"Company;Phone\nBezwaar BV;{phone}\nAnder BV;0201234567\n")
    summary = import_csv(store, csv, now=NOW, by="t")
    assert (summary.imported, summary.suppressed) == (1, 1)
    with store.read() as conn:
        assert conn.scalars(sa.select(Lead.phone_e164)).all() == ["+31201234567"]


@pytest.mark.parametrize("outcome, kwargs, message", [
    (Outcome.callback, {}, "needs a callback time"),
    (Outcome.no_answer, {"appointment_at": NOW + timedelta(days=1)}, "goes with the appointment outcome"),
    (Outcome.appointment, {}, "needs the appointment's date and time"),
    (Outcome.do_not_call, {"callback": CallbackRequest(NOW + timedelta(days=1))}, "no callback can follow"),
    (Outcome.callback, {"callback": CallbackRequest(NOW - timedelta(hours=1))}, "in the past"),
    (Outcome.interested, {"bant": {"mood": Answer("good")}}, "unknown BANT element"),
])
def test_bad_requests_write_nothing(store, outcome, kwargs, message):
    lead_id = lead(store)
    before = everything(store)
    with pytest.raises(CalldeskError, match=message):
        record(store, lead_id, outcome, **kwargs)
    assert everything(store) == before


def test_another_callers_lead_and_unknown_leads_are_refused(store):
    lead_id = lead(store)
    assert claim_lead(store, lead_id, "bram", NOW) is None
    before = everything(store)
    with pytest.raises(CalldeskError, match="bram has lead"):
        record(store, lead_id, Outcome.interested)
    with pytest.raises(CalldeskError, match="no lead with id 999999"):
        record(store, 999999, Outcome.interested)
    assert everything(store) == before
    # Once bram's lease ran out, anne may record it.
    record(store, lead_id, Outcome.interested, now=NOW + timedelta(minutes=11))


def test_a_failure_in_the_middle_of_recording_writes_nothing(store, monkeypatch):
    lead_id = lead(store)
    with orm(store) as session:
        session.add(Callback(lead_id=lead_id, due_at=NOW - timedelta(minutes=1), caller="anne",
                             created_by="anne", created_at=NOW - timedelta(days=1)))
    assert claim_lead(store, lead_id, "anne", NOW) is None
    before = everything(store)

    def broken(*args, **kwargs):  # warmth is scored after the outcome's other writes, before the lead's
        raise RuntimeError("disk full")

    monkeypatch.setattr(calls_module, "score_one", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        record(store, lead_id, Outcome.do_not_call, notes="asked twice",
               bant={"need": Answer("no")})
    assert everything(store) == before  # no call, no suppression, no stage change; the claim still held


@pytest.mark.parametrize("outcome, kwargs", [
    (Outcome.no_answer, {}),
    (Outcome.voicemail, {}),
    (Outcome.callback, {"callback": CallbackRequest(NOW + timedelta(days=1), team=True)}),
    (Outcome.qualified, {"bant": {"need": Answer("yes"), "authority": Answer("decision_maker"),
                                  "timing": Answer("3m")}}),
    (Outcome.appointment, {"appointment_at": NOW + timedelta(days=2)}),
    (Outcome.do_not_call, {}),
    (Outcome.wrong_number, {}),
])
def test_undo_restores_the_lead_exactly(store, outcome, kwargs):
    lead_id = lead(store, "prospect", attempts=2, no_answer_streak=1)
    with orm(store) as session:
        session.add(BantAnswer(lead_id=lead_id, element="need", value="maybe", updated_at=NOW - timedelta(days=3)))
        session.add(Callback(lead_id=lead_id, due_at=NOW - timedelta(minutes=10), caller="anne",
                             created_by="anne", created_at=NOW - timedelta(days=1)))
    assert claim_lead(store, lead_id, "anne", NOW) is None
    before = everything(store)
    record(store, lead_id, outcome, **kwargs)
    assert everything(store) != before
    undone = undo_last(store, "anne", NOW + timedelta(minutes=4))
    assert (undone.lead_id, undone.outcome) == (lead_id, outcome)
    after = everything(store)
    # Exactly as before, and the caller holds the lead again to redo the call.
    claim_columns = [c.name for c in Lead.__table__.columns].index("claim_expires_at")
    strip = lambda rows: [r[:claim_columns] + r[claim_columns + 1:] for r in rows]  # noqa: E731
    assert strip(after["leads"]) == strip(before["leads"])
    assert {k: v for k, v in after.items() if k != "leads"} == {k: v for k, v in before.items() if k != "leads"}
    assert row(store, lead_id).claim_expires_at == NOW + timedelta(minutes=14)


def test_undo_only_within_five_minutes_only_ones_own_and_not_after_a_change(store):
    old, changed = lead(store), lead(store)
    record(store, old, Outcome.no_answer)
    with pytest.raises(CalldeskError, match="more than 5 minutes ago"):
        undo_last(store, "anne", NOW + timedelta(minutes=6))
    with pytest.raises(CalldeskError, match="nothing to undo"):
        undo_last(store, "bram", NOW)
    record(store, changed, Outcome.busy, now=NOW + timedelta(minutes=7))
    record(store, changed, Outcome.no_answer, caller="bram", now=NOW + timedelta(minutes=8))
    with pytest.raises(CalldeskError, match="changed since"):
        undo_last(store, "anne", NOW + timedelta(minutes=9))


def test_undo_twice_walks_back_through_the_callers_outcomes(store):
    first, second = lead(store), lead(store)
    record(store, first, Outcome.interested)
    record(store, second, Outcome.busy, now=NOW + timedelta(minutes=1))
    assert undo_last(store, "anne", NOW + timedelta(minutes=2)).lead_id == second
    assert undo_last(store, "anne", NOW + timedelta(minutes=3)).lead_id == first
    with pytest.raises(CalldeskError, match="nothing to undo"):
        undo_last(store, "anne", NOW + timedelta(minutes=3))


def test_next_then_record_then_next_gives_the_following_lead(store):
    first, second = lead(store, "hot_lead"), lead(store, "prospect")
    entry, _ = claim_next(store, "anne", NOW, CONFIG)
    assert entry.lead_id == first
    record(store, first, Outcome.no_answer)
    entry, _ = claim_next(store, "anne", NOW, CONFIG)
    assert entry.lead_id == second


def test_activities_and_dnc_commands(store):
    lead_id = lead(store)
    log_activity(store, lead_id, ActivityKind.email, caller="anne", now=NOW, note="sent the price list")
    log_activity(store, lead_id, ActivityKind.linkedin, caller="anne", now=NOW + timedelta(minutes=1))
    assert [(a.kind, a.note) for a in lead_detail(store, lead_id).activities] == [("linkedin", ""), ("email", "sent the price list")]
    with pytest.raises(CalldeskError, match="no lead with id"):
        log_activity(store, 999999, ActivityKind.email, caller="anne", now=NOW)
    assert dnc_add(store, "06-87654321", now=NOW, by="anne", region="NL") == ("+31687654321", True)
    assert dnc_add(store, "+31 6 8765 4321", now=NOW, by="anne", region="NL") == ("+31687654321", False)
    assert dnc_remove(store, "0687654321", region="NL") == ("+31687654321", True)
    assert dnc_remove(store, "0687654321", region="NL") == ("+31687654321", False)
    with orm(store) as session:
        assert session.scalars(sa.select(Suppression)).all() == []
