"""A caller or an import in its own process, for the concurrency and crash tests.

    python -m tests.desk_worker calls TARGET --caller NAME --rounds N --now ISO --seed S --out FILE
    python -m tests.desk_worker import TARGET CSV --now ISO --out FILE

A worker prints `ready` once the store is open, then waits for a line on stdin (so that all
workers start at once, and a crash delay counts from real work). Each event is written to
FILE as a JSON line and flushed when it happens: after a kill -9 the file says exactly which
calls the worker saw committed. Errors are never swallowed: the traceback goes to stderr
and the exit status is 1.

The second half of this module is what the tests run in their own process: starting workers,
reading their events, and checking from the store alone that every call is whole.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from calldesk.db.calls import CallbackRequest, record_outcome
from calldesk.db.engine import Store, open_store
from calldesk.db.imports import import_csv
from calldesk.db.models import Call, Callback, Lead, StageChange, Suppression
from calldesk.db.queue import claim_next
from calldesk.rules.config import Config
from calldesk.rules.demo import DEMO_HEADERS, demo_rows
from calldesk.rules.dispositions import new_stage
from calldesk.rules.outcomes import Outcome
from calldesk.rules.stages import Stage

CONFIG = Config()
# The mix a caller's day might have; weights add up to 100.
MIX = ((Outcome.no_answer, 40), (Outcome.callback, 20), (Outcome.interested, 20),
       (Outcome.appointment, 10), (Outcome.do_not_call, 10))
CALLBACK_AFTER = timedelta(days=1, hours=2)
APPOINTMENT_AFTER = timedelta(days=3)


def _emit(out: IO[str], **event: Any) -> None:
    out.write(json.dumps(event) + "\n")
    out.flush()  # in the kernel now: survives a kill -9 of this process


def _wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def run_calls(target: str, caller: str, rounds: int, now: datetime, seed: int, out: IO[str]) -> None:
    rnd = random.Random(seed)
    outcomes, weights = zip(*MIX, strict=True)
    store = open_store(target)
    _wait_for_go()
    recorded = 0
    for seq in range(rounds):
        started = time.perf_counter()
        entry, why = claim_next(store, caller, now, CONFIG)
        claimed = time.perf_counter()
        if entry is None:
            _emit(out, dry=why, seq=seq)
            break
        _emit(out, claim=entry.lead_id, seq=seq)
        outcome = rnd.choices(outcomes, weights)[0]
        callback = appointment = None
        if outcome is Outcome.callback:
            callback = CallbackRequest(now + CALLBACK_AFTER, team=rnd.random() < 0.5, note=f"{caller} {seq}")
        elif outcome is Outcome.appointment:
            appointment = now + APPOINTMENT_AFTER
        done = record_outcome(store, entry.lead_id, outcome, caller=caller, now=now, config=CONFIG,
                              notes=f"{caller} {seq}", callback=callback, appointment_at=appointment)
        ended = time.perf_counter()
        recorded += 1
        _emit(out, call=done.call_id, lead=entry.lead_id, outcome=outcome.value, before=done.stage_before.value,
              stage=done.stage.value, callback=done.callback_id, seq=seq,
              claim_ms=round((claimed - started) * 1000, 3), cycle_ms=round((ended - started) * 1000, 3))
    _emit(out, done=recorded)
    store.close()


def run_import(target: str, csv_path: Path, now: datetime, out: IO[str]) -> None:
    store = open_store(target)
    _wait_for_go()
    began = time.perf_counter()

    def progress(done: int, total: int) -> None:  # after each chunk is parsed (written later, in one go)
        _emit(out, progress=round(done / total, 3), at=round(time.perf_counter() - began, 3))

    summary = import_csv(store, csv_path, now=now, by="crash-test", source="crash", config=CONFIG,
                         progress=progress)
    _emit(out, done=summary.imported, rows_read=summary.rows_read)  # after the commit
    store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="desk_worker")
    sub = parser.add_subparsers(dest="kind", required=True)
    calls = sub.add_parser("calls")
    calls.add_argument("target")
    calls.add_argument("--caller", required=True)
    calls.add_argument("--rounds", type=int, required=True)
    calls.add_argument("--seed", type=int, default=0)
    imports = sub.add_parser("import")
    imports.add_argument("target")
    imports.add_argument("csv", type=Path)
    for each in (calls, imports):
        each.add_argument("--now", type=datetime.fromisoformat, required=True)
        each.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.now.utcoffset() is None:
        parser.error("--now needs a time zone")
    with args.out.open("a", encoding="utf-8") as out:
        if args.kind == "calls":
            run_calls(args.target, args.caller, args.rounds, args.now, args.seed, out)
        else:
            run_import(args.target, args.csv, args.now, out)


# -- in the test process ------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[str]
    out: Path
    err: Path

    def events(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        lines = self.out.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace") if self.err.exists() else ""


def start(name: str, args: list[str], folder: Path) -> Worker:
    """Start a worker in its own session, so that the import's parsing processes can be
    killed with it; it says `ready` when its store is open (see wait_ready)."""
    out, err = folder / f"{name}.jsonl", folder / f"{name}.err"
    with err.open("w") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "tests.desk_worker", *args, "--out", str(out)],
                                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err_file,
                                text=True, start_new_session=True)
    return Worker(name, proc, out, err)


def wait_ready(workers: list[Worker], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        for worker in workers:
            assert worker.proc.stdout is not None
            sel.register(worker.proc.stdout, selectors.EVENT_READ, worker)
        waiting = len(workers)
        while waiting:
            ready = sel.select(max(0.0, deadline - time.monotonic()))
            if not ready:
                stop(workers)
                raise AssertionError("workers did not get ready in time")
            for key, _ in ready:
                worker = key.data
                line = worker.proc.stdout.readline()
                if line.strip() != "ready":
                    stop(workers)
                    raise AssertionError(f"{worker.name} did not start: {line!r}\n{worker.stderr()}")
                sel.unregister(key.fileobj)
                waiting -= 1


def go(workers: list[Worker]) -> None:
    for worker in workers:
        assert worker.proc.stdin is not None
        worker.proc.stdin.write("go\n")
        worker.proc.stdin.flush()


def finish(workers: list[Worker], timeout: float) -> None:
    """Wait for every worker; one that hangs is killed and fails the test."""
    deadline = time.monotonic() + timeout
    for worker in workers:
        try:
            worker.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            stop(workers)
            raise AssertionError(f"{worker.name} still running after {timeout:.0f} s") from None
    for worker in workers:
        _close_pipes(worker)


def kill(worker: Worker) -> None:
    """kill -9 the worker, then whatever it started (the import's parsing processes)."""
    with suppress(ProcessLookupError):
        os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait()
    with suppress(ProcessLookupError):
        os.killpg(worker.proc.pid, signal.SIGKILL)  # its own session: pgid == its pid
    _close_pipes(worker)


def stop(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.proc.poll() is None:
            kill(worker)
        _close_pipes(worker)


def _close_pipes(worker: Worker) -> None:
    for pipe in (worker.proc.stdin, worker.proc.stdout):
        if pipe is not None and not pipe.closed:
            try:
                pipe.close()
            except BrokenPipeError:
                pass


def write_leads_csv(path: Path, count: int, seed: int) -> Path:
    """Demo leads as Excel-NL writes them: cp1252, semicolons."""
    with path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=DEMO_HEADERS, delimiter=";")
        writer.writeheader()
        writer.writerows(demo_rows(count, seed))
    return path


_L, _C, _CB, _SC, _SUP = (Lead.__table__, Call.__table__, Callback.__table__, StageChange.__table__,
                          Suppression.__table__)


def snapshot(store: Store) -> dict[int, tuple[str, int, str]]:
    """Each lead's (stage, attempts, phone) before the callers start."""
    with store.read() as conn:
        rows = conn.execute(sa.select(_L.c.id, _L.c.stage, _L.c.attempts, _L.c.phone_e164))
        return {row.id: (row.stage, row.attempts, row.phone_e164) for row in rows}


def check_calls(store: Store, before: dict[int, tuple[str, int, str]], now: datetime) -> list[str]:
    """From the store alone: each call made at `now` is whole (call row, lead updated, stage
    change, callback, suppression, claim released) and every other lead is untouched.
    Returns the problems found, each a line."""
    with store.read() as conn:
        leads = {row.id: row for row in conn.execute(sa.select(_L))}
        calls = conn.execute(sa.select(_C).order_by(_C.c.id)).all()
        changes: dict[int, list[Any]] = {}
        for row in conn.execute(sa.select(_SC)):
            changes.setdefault(row.lead_id, []).append(row)
        callbacks: dict[int, list[Any]] = {}
        for row in conn.execute(sa.select(_CB)):
            callbacks.setdefault(row.lead_id, []).append(row)
        suppressed = set(conn.execute(sa.select(_SUP.c.phone_e164)).scalars())
    problems: list[str] = []
    per_lead = Counter(call.lead_id for call in calls)
    problems += [f"lead {lead_id} has {n} calls" for lead_id, n in per_lead.items() if n > 1]
    expected_dnc = set()
    for call in calls:
        lead = leads[call.lead_id]
        stage_was, attempts_was, phone = before[call.lead_id]
        outcome = Outcome(call.outcome)
        stage = new_stage(Stage(stage_was), outcome)
        where = f"call {call.id} ({outcome.value}, lead {lead.id})"
        if call.started_at != now or call.undo is None:
            problems.append(f"{where}: call row incomplete")
        if lead.claimed_by is not None or lead.claim_expires_at is not None:
            problems.append(f"{where}: claim not released ({lead.claimed_by})")
        if (lead.last_outcome, lead.last_called_at, lead.attempts) != (outcome.value, now, attempts_was + 1):
            problems.append(f"{where}: lead not updated ({lead.last_outcome}, {lead.last_called_at}, {lead.attempts})")
        if lead.stage != stage.value:
            problems.append(f"{where}: stage {lead.stage}, expected {stage.value}")
        moves = [(c.from_stage, c.to_stage, c.changed_by, c.at) for c in changes.get(lead.id, [])]
        wanted = [(stage_was, stage.value, call.caller, now)] if stage.value != stage_was else []
        if moves != wanted:
            problems.append(f"{where}: stage changes {moves}, expected {wanted}")
        set_back = [(c.created_by, c.due_at, c.status, c.caller in (None, call.caller))
                    for c in callbacks.get(lead.id, [])]
        wanted_cb = [(call.caller, now + CALLBACK_AFTER, "open", True)] if outcome is Outcome.callback else []
        if set_back != wanted_cb:
            problems.append(f"{where}: callbacks {set_back}, expected {wanted_cb}")
        if outcome is Outcome.do_not_call:
            expected_dnc.add(phone)
        if (call.appointment_at is not None) != (outcome is Outcome.appointment):
            problems.append(f"{where}: appointment {call.appointment_at}")
        elif call.appointment_at is not None and call.appointment_at != now + APPOINTMENT_AFTER:
            problems.append(f"{where}: appointment at {call.appointment_at}")
    if suppressed != expected_dnc:
        problems.append(f"do-not-call list: {len(suppressed - expected_dnc)} numbers without their call, "
                        f"{len(expected_dnc - suppressed)} calls without their number")
    for lead_id, lead in leads.items():
        if lead_id in per_lead:
            continue
        stage_was, attempts_was, _phone = before[lead_id]
        if (lead.stage, lead.attempts, lead.last_called_at) != (stage_was, attempts_was, None):
            problems.append(f"lead {lead_id} changed without a call")
        if lead_id in changes or lead_id in callbacks:
            problems.append(f"lead {lead_id} has a stage change or callback without a call")
    return problems


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


if __name__ == "__main__":
    main()
