"""next + log: N caller processes on one SQLite store, each claiming the top of its queue
(claim_next) and recording an outcome (record_outcome) as fast as it can.

    python -m benchmarks.cycle_bench [--leads 100000] [--procs 1,4,8] [--rounds 3] [--cycles 400]
                                     [--paced 8] [--pause 500]

Each run starts from a fresh copy of the store (so every N meets the same desk), with the N
processes released together once each has opened the store and made a few untimed calls.
--cycles is per run, shared among its processes, so that every N gives as many samples.
Flat out (no pause between calls) is the store's worst case; --paced N adds a run of N
processes that pause a random while (exponential, mean --pause ms) between calls: still far
busier than a desk, where a call takes minutes. Goal: p99 < 20 ms at 8 processes. The clock
is fixed (common.NOW, inside calling hours).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

WARMUP = 3  # untimed calls per process: first queries compile statements, load the holiday calendars
CALLBACK_AFTER = timedelta(days=1, hours=2)
APPOINTMENT_AFTER = timedelta(days=3)


def work(target: str, caller: str, cycles: int, now: datetime, seed: int, pause: float = 0.0) -> None:
    """One caller's process: prints `ready`, waits for a line on stdin, then one JSON line of
    cycle times (ms) and of the claim's share."""
    from calldesk.db.calls import CallbackRequest, record_outcome
    from calldesk.db.engine import open_store
    from calldesk.db.queue import claim_next
    from calldesk.rules.config import Config
    from calldesk.rules.outcomes import Outcome

    # A caller's day: mostly nobody answers; some callbacks, some interest, a few do-not-calls.
    mix = ((Outcome.no_answer, 50), (Outcome.callback, 15), (Outcome.interested, 20),
           (Outcome.appointment, 5), (Outcome.do_not_call, 10))
    outcomes, weights = zip(*mix, strict=True)
    rnd = random.Random(seed)
    config = Config()
    store = open_store(target)

    def cycle() -> float | None:
        started = time.perf_counter()
        entry, _why = claim_next(store, caller, now, config)
        claimed = time.perf_counter()
        if entry is None:
            return None
        outcome = rnd.choices(outcomes, weights)[0]
        callback = CallbackRequest(now + CALLBACK_AFTER, team=rnd.random() < 0.5) \
            if outcome is Outcome.callback else None
        appointment = now + APPOINTMENT_AFTER if outcome is Outcome.appointment else None
        record_outcome(store, entry.lead_id, outcome, caller=caller, now=now, config=config,
                       callback=callback, appointment_at=appointment)
        return claimed - started, time.perf_counter() - started

    for _ in range(WARMUP):
        cycle()
    # As a desk does once its first queue is up: without it, each process's one full garbage
    # collection of the run (~60 ms: the phonenumbers and holiday data, SQLAlchemy) fell inside
    # or outside the timed calls by chance, and made or spared the p99.
    from calldesk.screens.app import CalldeskApp

    CalldeskApp.settle_memory()
    print("ready", flush=True)
    sys.stdin.readline()
    claims, cycles_ms = [], []
    for _ in range(cycles):
        if pause:
            time.sleep(rnd.expovariate(1000 / pause))
        took = cycle()
        if took is None:
            break
        claims.append(took[0] * 1000)
        cycles_ms.append(took[1] * 1000)
    store.close()
    print(json.dumps({"cycle_ms": cycles_ms, "claim_ms": claims}), flush=True)


def run_once(source: Path, procs: int, cycles: int, folder: Path, now: datetime, seed: int,
             pause: float = 0.0) -> dict[str, list[float]]:
    """One run: a fresh copy of `source`, `procs` processes sharing `cycles` calls, pausing a
    random while of mean `pause` ms between them (0: flat out)."""
    from benchmarks.common import ROOT, copy_store

    target = copy_store(source, folder / f"cycle-{procs}.db")
    each = max(1, cycles // procs)
    workers = [subprocess.Popen(
        [sys.executable, "-m", "benchmarks.cycle_bench", "--child", str(target), "--caller", f"caller{i}",
         "--cycles", str(each), "--at", now.isoformat(), "--seed", str(seed * 100 + i), "--pause", str(pause)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT) for i in range(procs)]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        for worker in workers:  # all at once
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        result: dict[str, list[float]] = {"cycle_ms": [], "claim_ms": []}
        for worker in workers:
            out, _ = worker.communicate(timeout=600)
            if worker.returncode:
                raise RuntimeError(f"a caller process exited {worker.returncode}")
            got = json.loads(out.strip().splitlines()[-1])
            for key in result:
                result[key] += got[key]
        result["wall_s"] = [time.perf_counter() - started]
        return result
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)


Setup = tuple[int, float]  # processes, mean pause (ms) between a process's calls


def measure(source: Path, setups: list[Setup], rounds: int, cycles: int, now: datetime,
            folder: Path) -> dict[Setup, list[dict[str, list[float]]]]:
    """Per setup, one result per round; within a round the setups take turns in shuffled order."""
    order = list(setups)
    shuffle = random.Random(3).shuffle
    results: dict[Setup, list[dict[str, list[float]]]] = {setup: [] for setup in setups}
    for round_no in range(rounds):
        shuffle(order)
        for procs, pause in order:
            results[procs, pause].append(run_once(source, procs, cycles, folder, now, round_no, pause))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--procs", default="1,4,8")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=400, help="calls per run, shared among its processes")
    parser.add_argument("--paced", type=int, default=8, help="processes of the paced run (0: none)")
    parser.add_argument("--pause", type=float, default=500, help="mean pause between calls in the paced run, ms")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--caller", help=argparse.SUPPRESS)
    parser.add_argument("--at", type=datetime.fromisoformat, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work(args.child, args.caller, args.cycles, args.at, args.seed, args.pause)
        return

    from benchmarks.common import DATA, NOW, build_store, percentile, spread

    source = build_store(args.leads)
    with tempfile.TemporaryDirectory(dir=DATA) as folder:  # the store's own disk: fsyncs count
        setups = [(int(n), 0.0) for n in args.procs.split(",")] + ([(args.paced, args.pause)] if args.paced else [])
        results = measure(source, setups, args.rounds, args.cycles, NOW, Path(folder))
    for (n, pause), runs in results.items():
        cycles = [ms for run in runs for ms in run["cycle_ms"]]
        p99s = [percentile(run["cycle_ms"], 0.99) for run in runs]
        paced = f", pausing ~{pause:.0f} ms" if pause else ", flat out"
        print(f"{n} process(es){paced}: {len(cycles)} cycles, p50 {percentile(cycles, .5):.1f} ms, "
              f"p99 {percentile(cycles, .99):.1f} ms (per round {spread(p99s, '{:.1f}')}), "
              f"max {max(cycles):.1f} ms")


if __name__ == "__main__":
    main()
