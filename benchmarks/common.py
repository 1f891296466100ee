"""Shared by the benchmarks: generated stores, cached between runs, and timing helpers."""

from __future__ import annotations

import csv
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from calldesk.rules.demo import DEMO_HEADERS, fake_phone_rows

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


# -- the report's plumbing ------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the value below which `share` of the values fall."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def ratios(top: list[float], bottom: list[float]) -> list[float]:
    """Per round: both sides were measured in the same round, so they saw the same machine."""
    return [a / b for a, b in zip(top, bottom, strict=True)]


def spread(values: list[float], fmt: str = "{:.2f}×") -> str:
    """Median [min–max]."""
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}–{fmt.format(max(values))}]"


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1/5/15 min)"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import platform
    import sqlite3

    import sqlalchemy
    import textual

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "RAM": f"{total_kb / 1024 / 1024:.1f} GiB" if total_kb else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "SQLAlchemy": sqlalchemy.__version__,
        "Textual": getattr(textual, "__version__", "?"),
    }


@dataclass
class Child:
    seconds: float  # from start until it printed the marker line (or exited)
    rss_mb: float  # its peak resident set size (VmHWM, see benchmarks/peak.py), or nan
    out: str


def run_child(argv: list[str], marker: str | None = None) -> Child:
    """Run a command to its end; time it to `marker` (a line it prints) or to its exit. A
    `python -m MODULE` command runs under benchmarks.peak, which notes its peak memory."""
    env = None
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        if argv[:2] == [sys.executable, "-m"]:
            argv = [sys.executable, "-m", "benchmarks.peak", *argv[2:]]
            env = {**os.environ, "CALLDESK_BENCH_PEAK": peak.name}
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                text=True, cwd=ROOT, env=env)
        assert proc.stdout is not None
        seen, lines = None, []
        for line in proc.stdout:
            if seen is None and marker is not None and line.strip() == marker:
                seen = time.perf_counter()
            lines.append(line)
        proc.stdout.close()
        ended_code = proc.wait()
        ended = time.perf_counter()
        if ended_code:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} exited {ended_code}:\n{err.read().decode()[-3000:]}")
        if marker is not None and seen is None:
            raise RuntimeError(f"{' '.join(argv)} never printed {marker!r}")
        noted = peak.read().strip()
    return Child((seen or ended) - start, int(noted) / 1024 if noted else float("nan"), "".join(lines))


def copy_store(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup (the source may have a WAL beside it)."""
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        src.close()
        dst.close()
    target.chmod(0o600)
    return target
