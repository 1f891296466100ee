"""kill -9 at random moments while importing and while recording outcomes: afterwards the file
is sound, the store opens, and the import or each call is wholly there or not at all."""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from calldesk.db.calls import record_outcome
from calldesk.db.engine import open_store
from calldesk.db.imports import COUNTS, import_csv
from calldesk.db.models import Call, ImportRun, Lead, Meta, WindowKey
from calldesk.db.queue import claim_next
from calldesk.rules.outcomes import Outcome
from tests.conftest import NOW
from tests.desk_worker import (
    CONFIG,
    Worker,
    check_calls,
    finish,
    go,
    kill,
    snapshot,
    start,
    wait_ready,
    write_leads_csv,
)


def _integrity(path: Path) -> None:
    """What SQLite itself says of the file, before calldesk opens it (this connection also
    replays the write-ahead log the killed process left)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _spread(start: float, end: float, trials: int, seed: int) -> list[float]:
    """Kill delays spread over [start, end): one in each slice, at a random point in it."""
    rnd = random.Random(seed)
    return [start + (end - start) * (i + rnd.random()) / trials for i in range(trials)]


def _run(worker: Worker, delay: float | None, timeout: float = 120) -> float:
    """Start the worker's work; kill -9 it after `delay` seconds (None: let it finish).
    Returns how long it ran. A worker that fails on its own fails the test."""
    wait_ready([worker])
    began = time.perf_counter()
    go([worker])
    if delay is not None:
        time.sleep(delay)
    if delay is None or worker.proc.poll() is not None:
        finish([worker], timeout)
        assert worker.proc.returncode == 0, worker.stderr()
    else:
        kill(worker)
    assert "Error" not in worker.stderr(), worker.stderr()  # nothing failed before the kill
    return time.perf_counter() - began


# -- an import killed ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store with no leads, copied for each trial (migrating each time costs more)."""
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    open_store(str(path)).close()  # the last connection closing folds the log into the file
    assert not path.with_name("empty.db-wal").exists()
    return path


def _import_state(path: Path) -> tuple[int, list[tuple[int, ...]], int, int]:
    store = open_store(str(path))
    try:
        with store.read() as conn:
            count = lambda table: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()  # noqa: E731
            runs = [tuple(getattr(row, name) for name in COUNTS)
                    for row in conn.execute(sa.select(ImportRun.__table__))]
            # The store's own id (migration 0006) is there before any import: not the import's.
            meta = conn.execute(sa.select(sa.func.count()).select_from(Meta.__table__)
                                .where(Meta.__table__.c.key != "store_id")).scalar()
            return count(Lead.__table__), runs, count(WindowKey.__table__), meta
    finally:
        store.close()


@pytest.mark.parametrize(("rows", "trials"), [
    pytest.param(8000, 3, id="8k-rows-3-trials"),
    # ~3 MB: the import parses in worker processes (which die with it)
    pytest.param(20_000, 24, marks=pytest.mark.slow, id="20k-rows-24-trials"),
])
def test_killed_import_is_all_or_nothing(tmp_path, empty_store, rows, trials):
    big_csv = write_leads_csv(tmp_path / "leads.csv", rows, seed=5)
    # One whole import first: what "all" is, and how long the kill delays should spread over.
    def importer(name: str) -> tuple[Worker, Path]:
        path = tmp_path / f"{name}.db"
        shutil.copy(empty_store, path)
        args = ["import", str(path), str(big_csv), "--now", (NOW - timedelta(days=1)).isoformat()]
        return start(name, args, tmp_path), path

    reference, whole = importer("whole")
    duration = _run(reference, None)
    all_leads, all_runs, all_keys, all_meta = _import_state(whole)
    assert all_leads > rows * 0.99 and len(all_runs) == 1 and all_keys and all_meta
    # Before its first write the import starts its parsing processes: fewer kills there.
    first_write = next(e["at"] for e in reference.events() if "progress" in e)

    seen = Counter()
    for trial, delay in enumerate(_spread(first_write / 2, duration * 1.05, trials, seed=trials)):
        worker, path = importer(f"trial{trial}")
        _run(worker, delay)
        _integrity(path)
        state = _import_state(path)
        events = worker.events()
        done = any("done" in event for event in events)
        if state[0] == 0:
            assert state == (0, [], 0, 0) and not done, (trial, delay, state)
            # Chunks written, then killed: the whole transaction was rolled back.
            seen["nothing, killed mid-import" if events else "nothing, killed before writing"] += 1
        else:
            assert state == (all_leads, all_runs, all_keys, all_meta), (trial, delay, state)
            seen["all" if done else "all, killed after the commit"] += 1
        # Killed or not, the store takes the next import.
        if trial == 0:
            store = open_store(str(path))
            try:
                again = import_csv(store, big_csv, now=NOW, by="test", config=CONFIG)
                assert again.rows_read == rows
            finally:
                store.close()
    print(f"\nimport of {rows} rows: {duration:.1f} s whole, first write at {first_write:.1f} s; "
          f"{trials} kills: {dict(seen)}")
    assert seen["nothing, killed mid-import"], "no kill landed inside the import"


# -- recording outcomes killed -----------------------------------------------------------
def _claims(store) -> list[tuple[int, str]]:
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(
            sa.select(Lead.id, Lead.claimed_by).where(Lead.claimed_by.is_not(None)))]


def _called(store) -> dict[int, int]:
    with store.read() as conn:
        return dict(conn.execute(sa.select(Call.id, Call.lead_id)).all())


def _server_done(store, name: str, timeout: float = 30) -> None:
    """Wait until PostgreSQL has ended the killed caller's session. A COMMIT sent just before
    the kill still completes on the server afterwards: checked earlier, its call would look
    missing and its claim still held."""
    deadline = time.monotonic() + timeout
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
    while True:
        with store.engine.connect() as conn:
            if not conn.execute(query, {"name": name}).scalar():
                return
        assert time.monotonic() < deadline, f"the server still runs {name}'s session"
        time.sleep(0.05)


@pytest.mark.parametrize(("backend", "trials", "rounds"), [
    pytest.param("sqlite", 3, 100, id="sqlite-3-trials"),
    pytest.param("postgres", 3, 100, marks=pytest.mark.postgres, id="postgres-3-trials"),
    pytest.param("sqlite", 24, 200, marks=pytest.mark.slow, id="sqlite-24-trials"),
    pytest.param("postgres", 20, 200, marks=[pytest.mark.postgres, pytest.mark.slow], id="postgres-20-trials"),
])
def test_killed_caller_records_each_call_whole_or_not_at_all(request, tmp_path, backend, trials, rounds):
    # Each run would make `rounds` calls; the trials' runs are killed somewhere inside.
    sqlite = backend == "sqlite"
    target = str(tmp_path / "desk.db") if sqlite else request.getfixturevalue("pg_schema_url")
    store = open_store(target)
    try:
        source = write_leads_csv(tmp_path / "leads.csv", int((trials + 1) * rounds / 0.85) + 50, seed=3)
        import_csv(store, source, now=NOW - timedelta(days=30), by="test", config=CONFIG)
        before = snapshot(store)

        def caller_run(name: str, seed: int, delay: float | None) -> tuple[Worker, float]:
            # On PostgreSQL the connection is named after the caller: see _server_done.
            where = target if sqlite else f"{target}&application_name={name}"
            worker = start(name, ["calls", where, "--caller", name, "--rounds", str(rounds),
                                  "--now", NOW.isoformat(), "--seed", str(seed)], tmp_path)
            return worker, _run(worker, delay)

        _, duration = caller_run("whole", 0, None)
        assert len(_called(store)) == rounds and _claims(store) == []

        seen = Counter()
        for trial, delay in enumerate(_spread(0, duration, trials, seed=trials)):
            name = f"caller{trial}"
            called_before = _called(store)
            worker, _ = caller_run(name, trial + 1, delay)
            if sqlite:
                _integrity(Path(target))
            else:
                _server_done(store, name)
            killed = open_store(target)  # as the next caller would, after the crash
            try:
                events = worker.events()
                printed = {e["call"] for e in events if "call" in e}
                mine = {call_id: lead_id for call_id, lead_id in _called(killed).items()
                        if call_id not in called_before}
                # Durable: every call the caller saw committed is there; at most one more
                # (committed, killed before it could say so).
                assert printed <= mine.keys() and len(mine) - len(printed) in (0, 1), (trial, delay)
                assert check_calls(killed, before, NOW) == [], (trial, delay)
                # The one claim left (if the kill came between next and log) is this caller's,
                # on a lead without a call, and it comes back to them.
                held = _claims(killed)
                assert len(held) <= 1 and all(who == name and lead not in mine.values() for lead, who in held)
                if held:
                    entry, _ = claim_next(killed, name, NOW, CONFIG)
                    assert entry is not None and entry.lead_id == held[0][0]
                    record_outcome(killed, entry.lead_id, Outcome.no_answer, caller=name, now=NOW, config=CONFIG)
                    assert _claims(killed) == []
                seen["claim held" if held else "no claim held"] += 1
                seen["unreported commit" if len(mine) > len(printed) else "reported"] += 1
            finally:
                killed.close()
        assert check_calls(store, before, NOW) == []
        print(f"\n{backend}: {rounds} calls in {duration:.1f} s whole; {trials} kills, "
              f"{len(_called(store)) - rounds} calls recorded in them: {dict(seen)}")
    finally:
        store.close()
