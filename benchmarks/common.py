"""Shared by the benchmarks: generated stores, cached between runs, and timing helpers."""

from __future__ import annotations

import csv
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from calldesk.demo import DEMO_HEADERS, fake_phone_rows

DATA = Path(__file__).parent / "data"  # gitignored: stores built here are reused
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 in Amsterdam
MONDAY = "2026-11-23T10:30+01:00"


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=DEMO_HEADERS, delimiter=";")
        writer.writeheader()
        writer.writerows(fake_phone_rows(rows))


def build_store(leads: int) -> Path:
    """A store with `leads` leads through the real import, plus some call history; cached."""
    from calldesk.db.engine import open_store
    from calldesk.db.imports import import_csv
    from calldesk.db.models import Callback, Lead, Suppression

    DATA.mkdir(exist_ok=True)
    path = DATA / f"leads-{leads}.db"
    if path.exists():
        return path
    partial = path.with_suffix(".building")
    for stale in DATA.glob(f"{partial.name}*"):
        stale.unlink()
    store = open_store(str(partial))
    if leads:
        source = DATA / f"leads-{leads}.csv"
        write_csv(source, leads)
        import_csv(store, source, now=NOW - timedelta(days=30), by="bench")
        source.unlink()
        rnd = random.Random(5)
        with store.write() as session:
            # A working desk: a tenth called before, some callbacks, some do-not-call numbers.
            table = Lead.__table__
            session.execute(sa.update(table).where(table.c.id % 10 == 0).values(
                last_called_at=NOW - timedelta(days=2), attempts=1, last_outcome="no_answer"))
            session.execute(sa.insert(Callback.__table__), [
                {"lead_id": rnd.randint(1, leads), "due_at": NOW + timedelta(hours=rnd.randint(-48, 48)),
                 "caller": rnd.choice(["anne", "bram", None]), "created_by": "bench",
                 "created_at": NOW - timedelta(days=3), "status": "open", "note": ""}
                for _ in range(min(2000, leads))])
            numbers = session.execute(sa.select(table.c.phone_e164).where(table.c.id % 997 == 0)).scalars().all()
            session.execute(sa.insert(Suppression.__table__), [
                {"phone_e164": n, "reason": "bench", "added_at": NOW, "added_by": "bench"} for n in numbers])
    store.close()
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{partial}{suffix}")
        if src.exists():
            src.rename(Path(f"{path}{suffix}"))
    return path


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(runs: dict[str, Callable[[], object]], rounds: int, repeat: int) -> dict[str, list[float]]:
    """Per name, one median of `repeat` runs per round. Within a round the runs take turns in
    shuffled order, so noise from other work on the machine falls on all of them alike."""
    for run in runs.values():
        run()  # warm the caches
    order = list(runs.items())
    shuffle = random.Random(7).shuffle
    medians: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        samples: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(repeat):
            shuffle(order)
            for name, run in order:
                start = time.perf_counter()
                run()
                samples[name].append(time.perf_counter() - start)
        for name, values in samples.items():
            medians[name].append(statistics.median(values))
    return medians
