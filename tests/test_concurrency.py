"""Several callers in separate processes on one store, each looping next → record an outcome:
no lead held by two callers, no outcome lost, no "database is locked"."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from calldesk.db.engine import StoreFault, open_store
from calldesk.db.imports import import_csv
from calldesk.db.models import Call, Lead
from calldesk.db.plans import Cursor
from calldesk.db.queue import claim_next
from calldesk.rules.stages import Stage
from tests.conftest import NOW
from tests.desk_worker import CONFIG, check_calls, finish, go, percentile, snapshot, start, wait_ready, write_leads_csv

QUEUED = {Stage.suspect.value, Stage.prospect.value, Stage.hot_lead.value}


def _target(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return str(tmp_path / "desk.db")
    return request.getfixturevalue("pg_schema_url")


@pytest.mark.parametrize(("backend", "workers", "rounds"), [
    pytest.param("sqlite", 4, 50, id="sqlite-4x50"),
    pytest.param("postgres", 6, 40, marks=pytest.mark.postgres, id="postgres-6x40"),
    pytest.param("sqlite", 8, 500, marks=pytest.mark.slow, id="sqlite-8x500"),
    pytest.param("postgres", 32, 200, marks=[pytest.mark.postgres, pytest.mark.slow], id="postgres-32x200"),
])
def test_callers_in_separate_processes(request, tmp_path, backend, workers, rounds):
    target = _target(request, backend, tmp_path)
    wanted = workers * rounds
    store = open_store(target)
    try:
        # ~87 % of demo leads are in a queued stage; a fifth spare so nobody runs dry.
        source = write_leads_csv(tmp_path / "leads.csv", int(wanted * 1.2 / 0.85) + 20, seed=11)
        import_csv(store, source, now=NOW - timedelta(days=30), by="test", config=CONFIG)
        before = snapshot(store)
        assert sum(stage in QUEUED for stage, _, _ in before.values()) >= wanted * 1.1

        callers = [f"caller{w}" for w in range(workers)]
        procs = [start(caller, ["calls", target, "--caller", caller, "--rounds", str(rounds),
                                "--now", NOW.isoformat(), "--seed", str(w)], tmp_path)
                 for w, caller in enumerate(callers)]
        wait_ready(procs)
        began = time.perf_counter()
        go(procs)
        finish(procs, timeout=60 + wanted * 0.1)
        elapsed = time.perf_counter() - began

        errors = {p.name: p.stderr() for p in procs if p.proc.returncode != 0}
        assert not any("database is locked" in text for text in errors.values()), errors
        assert not errors, errors
        events = {p.name: p.events() for p in procs}

        # Every caller made all its rounds: the queue never came up empty.
        dry = {name: e["dry"] for name, got in events.items() for e in got if "dry" in e}
        assert not dry, dry
        recorded = {name: [e for e in got if "call" in e] for name, got in events.items()}
        assert {name: len(got) for name, got in recorded.items()} == dict.fromkeys(callers, rounds)
        assert all(got[-1] == {"done": rounds} for got in events.values())

        # No lead held by two callers: with `now` fixed a called lead is not callable again
        # (called within the hour), so each lead is claimed by one caller, once.
        holders: dict[int, list[str]] = defaultdict(list)
        for name, got in events.items():
            claims = [e["claim"] for e in got if "claim" in e]
            assert claims == [e["lead"] for e in recorded[name]]  # each claim ended in its call
            for lead_id in claims:
                holders[lead_id].append(name)
        shared = {lead_id: names for lead_id, names in holders.items() if len(names) > 1}
        assert not shared, shared

        # No outcome lost: the store holds exactly the calls the callers saw recorded.
        with store.read() as conn:
            stored = conn.execute(sa.select(Call.id, Call.caller, Call.lead_id)).all()
            claimed_left = conn.execute(sa.select(sa.func.count()).where(Lead.claimed_by.is_not(None))).scalar()
        assert Counter(row.caller for row in stored) == Counter({c: rounds for c in callers})
        assert {(row.id, row.caller, row.lead_id) for row in stored} == {
            (e["call"], name, e["lead"]) for name, got in recorded.items() for e in got}
        assert claimed_left == 0
        assert check_calls(store, before, NOW) == []
        outcomes = Counter(e["outcome"] for got in recorded.values() for e in got)
        assert len(outcomes) == 5  # the whole mix was exercised
    finally:
        store.close()

    cycles = [e["cycle_ms"] for got in recorded.values() for e in got]
    claims_ms = [e["claim_ms"] for got in recorded.values() for e in got]
    print(f"\n{backend} {workers}x{rounds}: {wanted} calls in {elapsed:.1f} s ({wanted / elapsed:.0f}/s); "
          f"next+log p50 {percentile(cycles, .5):.1f} ms p99 {percentile(cycles, .99):.1f} ms "
          f"max {max(cycles):.1f} ms; next p50 {percentile(claims_ms, .5):.1f} ms "
          f"p99 {percentile(claims_ms, .99):.1f} ms; outcomes {dict(outcomes)}")


@pytest.mark.postgres
def test_claims_walk_the_warmth_index_right_after_an_import(pg_schema_url, tmp_path, monkeypatch):
    """The import leaves PostgreSQL statistics: else every claim sorts all callable leads,
    which 32 callers felt as 1.5 s a claim at 9k leads (and autovacuum may be off, or late)."""
    store = open_store(pg_schema_url)
    try:
        source = write_leads_csv(tmp_path / "leads.csv", 3000, seed=2)
        import_csv(store, source, now=NOW - timedelta(days=30), by="test", config=CONFIG)
        claims: list[tuple[str, object]] = []
        execute = Cursor.execute

        def seen(cursor, build, args=(), /, **values):  # noqa: ANN001, ANN202
            # The claim runs on the driver's cursor (calldesk.db.plans): record what it sends.
            plan = execute(cursor, build, args, **values)
            if plan.sql.startswith("UPDATE leads SET claimed_by"):
                claims.append((plan.sql, plan.bind(plan.process(dict(values)))))
            return plan

        with monkeypatch.context() as patched:
            patched.setattr(Cursor, "execute", seen)
            entry, _why = claim_next(store, "anne", NOW, CONFIG)
        assert entry is not None and claims
        statement, parameters = claims[-1]  # the part that claimed: warm leads
        with store.engine.connect() as conn:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "ix_leads_queue" in plan and "Sort" not in plan, plan
    finally:
        store.close()


def test_a_waiting_writer_gets_the_lock_once_freed_or_says_locked(sqlite_store, monkeypatch):
    monkeypatch.setattr("calldesk.db.engine.BUSY_TIMEOUT_MS", 600)
    other = sqlite3.connect(sqlite_store.path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # another desk, writing
        threading.Timer(0.2, other.execute, ["COMMIT"]).start()
        began = time.perf_counter()
        with sqlite_store.write():
            pass
        assert 0.15 < time.perf_counter() - began < 0.55
        other.execute("BEGIN IMMEDIATE")  # and now it holds on
        began = time.perf_counter()
        with pytest.raises(StoreFault, match="database is locked"):
            with sqlite_store.write():
                pass
        assert 0.55 < time.perf_counter() - began < 2
        other.execute("COMMIT")
    finally:
        other.close()
    with sqlite_store.write() as conn:  # the connection's own wait is back as it was
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 600
