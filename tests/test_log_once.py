"""The same call told twice is recorded once: a repeat of caller + lead + outcome within a
minute, and a request id seen before, write nothing, also when the two arrive at once from
separate processes (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from calldesk.db.calls import REPEAT_WINDOW, record_outcome, undo_last
from calldesk.db.engine import open_store
from calldesk.db.leads import add_lead
from calldesk.db.models import Call, CallRequest
from calldesk.db.queue import claim_lead
from calldesk.errors import CalldeskError
from calldesk.rules.config import Config
from calldesk.rules.outcomes import Outcome
from tests.conftest import NOW

CONFIG = Config()
ROOT = Path(__file__).resolve().parent.parent
_numbers = iter(range(30_000_000, 99_999_999))


def lead(store, company="Acme BV"):
    return add_lead(store, phone=f"06{next(_numbers)}", now=NOW - timedelta(days=30), by="t", company=company)


def record(store, lead_id, outcome=Outcome.busy, caller="anne", now=NOW, **kwargs):
    return record_outcome(store, lead_id, outcome, caller=caller, now=now, config=CONFIG, **kwargs)


def calls(store, lead_id=None):
    with store.read() as conn:
        query = sa.select(Call.id, Call.lead_id, Call.caller, Call.outcome).order_by(Call.id)
        if lead_id is not None:
            query = query.where(Call.lead_id == lead_id)
        return conn.execute(query).all()


def everything(store):
    with store.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for t in SQLModel.metadata.sorted_tables}


# -- in one process -------------------------------------------------------------------------
def test_the_same_outcome_again_within_a_minute_is_the_same_call(store):
    lead_id = lead(store)
    first = record(store, lead_id)
    before = everything(store)
    again = record(store, lead_id, now=NOW + timedelta(seconds=40))
    assert everything(store) == before  # nothing written, not even the lead's times
    assert (again.call_id, again.already_at) == (first.call_id, NOW)
    assert first.already_at is None
    assert "already recorded" in again.summary() and "not recorded again" in again.summary()
    # Either side of `now`: a dialer on a clock a few seconds behind still sends the same call.
    assert record(store, lead_id, now=NOW - timedelta(seconds=5)).already_at == NOW
    assert len(calls(store, lead_id)) == 1


def test_what_is_not_a_repeat_is_recorded(store):
    lead_id = lead(store)
    record(store, lead_id)
    record(store, lead_id, Outcome.no_answer, now=NOW + timedelta(seconds=10))  # another outcome
    record(store, lead_id, caller="bram", now=NOW + timedelta(seconds=20))  # another caller
    record(store, lead_id, now=NOW + REPEAT_WINDOW + timedelta(seconds=30))  # more than a minute on
    # A --at long before is no repeat either, but no call goes back in time for a lead (issue 18).
    with pytest.raises(CalldeskError, match="a call is never recorded before it"):
        record(store, lead_id, now=NOW - timedelta(minutes=10))
    assert len(calls(store, lead_id)) == 4
    other = lead(store, "Other BV")
    assert record(store, other, now=NOW + timedelta(seconds=5)).already_at is None  # another lead


def test_again_records_a_second_call_within_the_minute(store):
    lead_id = lead(store)
    first = record(store, lead_id)
    second = record(store, lead_id, now=NOW + timedelta(seconds=20), again=True)
    assert second.already_at is None and second.call_id != first.call_id
    assert len(calls(store, lead_id)) == 2


def test_a_repeat_after_the_call_set_a_do_not_call_says_recorded_not_blocked(store):
    lead_id = lead(store)
    record(store, lead_id, Outcome.do_not_call)
    assert record(store, lead_id, Outcome.do_not_call, now=NOW + timedelta(seconds=3)).already_at == NOW


def test_a_repeat_is_answered_even_when_someone_claimed_the_lead_meanwhile(store):
    lead_id = lead(store)
    record(store, lead_id)
    assert claim_lead(store, lead_id, "bram", NOW + timedelta(seconds=1)) is None
    assert record(store, lead_id, now=NOW + timedelta(seconds=2)).already_at == NOW
    with pytest.raises(CalldeskError, match="bram has lead"):  # a new call still may not
        record(store, lead_id, Outcome.no_answer, now=NOW + timedelta(seconds=2))


def test_a_request_id_makes_a_retry_a_no_op_for_good(store):
    lead_id = lead(store)
    first = record(store, lead_id, request_id="dial-1")
    for later in (timedelta(seconds=5), timedelta(hours=5), timedelta(days=40)):
        retry = record(store, lead_id, now=NOW + later, request_id="dial-1", again=True)
        assert (retry.call_id, retry.already_at) == (first.call_id, NOW)
    assert len(calls(store, lead_id)) == 1
    # A new id is a new request; within the minute it is still the same call, and that id too
    # is kept for its retries.
    assert record(store, lead_id, now=NOW + timedelta(seconds=10), request_id="dial-2").call_id == first.call_id
    assert record(store, lead_id, now=NOW + timedelta(days=3), request_id="dial-2").already_at == NOW
    assert len(calls(store, lead_id)) == 1
    with store.read() as conn:
        keys = conn.execute(sa.select(CallRequest.key, CallRequest.call_id).order_by(CallRequest.key)).all()
    assert keys == [("dial-1", first.call_id), ("dial-2", first.call_id)]


def test_a_request_id_after_its_call_was_undone_still_records_nothing(store):
    lead_id = lead(store)
    record(store, lead_id, request_id="dial-9")
    undo_last(store, "anne", NOW + timedelta(minutes=2))
    retry = record(store, lead_id, now=NOW + timedelta(minutes=3), request_id="dial-9")
    assert retry.call_id is None and retry.already_at == NOW
    assert "undone since" in retry.summary()
    assert calls(store, lead_id) == []


def test_a_request_id_used_for_another_call_is_refused_and_writes_nothing(store):
    first, second = lead(store), lead(store, "Second BV")
    record(store, first, request_id="dial-3")
    before = everything(store)
    for lead_id, outcome, caller in ((second, Outcome.busy, "anne"), (first, Outcome.no_answer, "anne"),
                                     (first, Outcome.busy, "bram")):
        with pytest.raises(CalldeskError, match="request id dial-3 was already used for 'busy' on lead"):
            record(store, lead_id, outcome, caller=caller, now=NOW + timedelta(minutes=5), request_id="dial-3")
    assert everything(store) == before
    with pytest.raises(CalldeskError, match="request id is 1 to 200 characters"):
        record(store, first, request_id="  ")


# -- separate processes at once -------------------------------------------------------------
WORKER = textwrap.dedent("""
    import json, sys
    from datetime import datetime, timedelta
    from calldesk.rules.config import Config
    from calldesk.db.calls import record_outcome
    from calldesk.db.engine import open_store
    from calldesk.rules.outcomes import Outcome
    target, lead_id, now, request_id = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), sys.argv[4]
    store = open_store(target)
    print("ready", flush=True)
    sys.stdin.readline()
    done = record_outcome(store, lead_id, Outcome.busy, caller="anne", now=now, config=Config(),
                          request_id=request_id or None)
    print(json.dumps({"call": done.call_id, "already": done.already_at is not None}), flush=True)
""")


def _at_once(target: str, lead_id: int, moments: list, request_id: str = "") -> list[dict]:
    """One process per moment, all sending the same call the instant they are told to."""
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, target, str(lead_id), moment.isoformat(), request_id],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for moment in moments]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


@pytest.mark.parametrize("request_id", ["", "dialer-42"])
def test_processes_sending_the_same_call_at_once_record_it_once(store_target, request_id):
    store = open_store(store_target)
    try:
        lead_id = lead(store)
        # Each on its own clock, within the minute (with a request id: any moment at all).
        spread = timedelta(seconds=7) if not request_id else timedelta(hours=1)
        results = _at_once(store_target, lead_id, [NOW + n * spread for n in range(6)], request_id)
        recorded = calls(store, lead_id)
        assert len(recorded) == 1
        assert sorted(r["already"] for r in results) == [False] + [True] * 5
        assert {r["call"] for r in results} == {recorded[0].id}
    finally:
        store.close()


# -- the command ----------------------------------------------------------------------------
def _cli_env(tmp_path: Path, target: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), CALLDESK_DB=target, CALLDESK_CALLER="anne")
    return env


def _log(env, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "calldesk", "log", *args, "--at", NOW.isoformat()],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _done(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and not err, out + err
    return out


def test_a_dialer_firing_log_twice_records_once(store_target, tmp_path):
    store = open_store(store_target)
    try:
        lead_id = str(lead(store, "Dekker BV"))
        env = _cli_env(tmp_path, store_target)
        first = _done(_log(env, lead_id, "busy"))
        assert first.startswith("call ") and "already" not in first
        second = _done(_log(env, lead_id, "busy"))
        assert second.startswith(first.split(":")[0] + ":")  # the same call's number
        assert "already recorded" in second and "not recorded again" in second
        assert len(calls(store, int(lead_id))) == 1
        # Fired twice at the same instant: still once.
        both = [_log(env, lead_id, "no_answer"), _log(env, lead_id, "no_answer")]
        outputs = [_done(proc) for proc in both]
        assert sum("already recorded" in out for out in outputs) == 1
        assert len(calls(store, int(lead_id))) == 2
        # --again: the caller means a second call; --request-id: a retry of one request.
        _done(_log(env, lead_id, "busy", "--again"))
        assert len(calls(store, int(lead_id))) == 3
        _done(_log(env, lead_id, "voicemail", "--request-id", "r-1"))
        assert "already recorded" in _done(_log(env, lead_id, "voicemail", "--request-id", "r-1", "--again"))
        assert len(calls(store, int(lead_id))) == 4
        proc = _log(env, lead_id, "busy", "--request-id", "r-1")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 1 and err.startswith("calldesk: error: request id r-1 was already used")
        assert len(err.strip().splitlines()) == 1
        assert len(calls(store, int(lead_id))) == 4
    finally:
        store.close()


# -- the call screen ------------------------------------------------------------------------
async def test_the_call_screen_saving_one_outcome_twice_records_one_call(demo_store):
    """A double Enter that reaches the save twice: the store records the call once."""
    from calldesk.screens.call import CallScreen
    from calldesk.screens.queue import QueueScreen
    from tests.pilot import make_app, settle, take_next

    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        screen = app.screen
        assert isinstance(screen, CallScreen)
        before = len(calls(demo_store, lead_id))
        screen.saving = True
        screen.save(Outcome.no_answer, None, None)
        await settle(pilot)
        screen.save(Outcome.no_answer, None, None)
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert len(calls(demo_store, lead_id)) == before + 1
