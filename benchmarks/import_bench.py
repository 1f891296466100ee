"""Import of a generated CSV vs the bare per-row phonenumbers cost, and memory at two sizes.

    python -m benchmarks.import_bench [--rows 100000] [--repeat 3]

Floor: parse + is_valid_number + E.164 format + time_zones_for_number for every row's phone,
with nothing else (no CSV, no database). Goal: import ≤ 1.3× the floor, memory flat.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
from phonenumbers.timezone import time_zones_for_number

from calldesk.rules.demo import DEMO_HEADERS, fake_phone_rows

# Keep this module's imports light: import workers (spawned) re-import the main module, and
# `calldesk import` itself doesn't load the database layer into them either.

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=DEMO_HEADERS, delimiter=";")
        writer.writeheader()
        writer.writerows(fake_phone_rows(rows))


def floor_seconds(phones: list[str]) -> float:
    start = time.perf_counter()
    for raw in phones:
        number = phonenumbers.parse(raw, "NL")
        if phonenumbers.is_valid_number(number):
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            time_zones_for_number(number)
    return time.perf_counter() - start


def import_once(csv_path: Path) -> dict[str, float]:
    """One import into a fresh SQLite file, in this process; seconds and peak RSS."""
    import resource

    from calldesk.db.engine import open_store
    from calldesk.db.imports import import_csv

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "bench.db"))
        start = time.perf_counter()
        summary = import_csv(store, csv_path, now=NOW, by="bench")
        seconds = time.perf_counter() - start
        store.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "imported": summary.imported, "peak_rss_mb": rss_mb,
            "worker_rss_mb": worker_mb}


def import_in_subprocess(csv_path: Path) -> dict[str, float]:
    # A fresh process per run: peak memory belongs to that import alone.
    out = subprocess.run([sys.executable, "-m", "benchmarks.import_bench", "--child", str(csv_path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def sqlite_utils_path() -> str | None:
    here = Path(sys.executable).parent / "sqlite-utils"  # the venv's own, else one on PATH
    return str(here) if here.exists() else shutil.which("sqlite-utils")


def empty_store(folder: Path) -> Path:
    """A migrated store with no leads: what a desk imports its first list into."""
    from calldesk.db.engine import open_store

    path = folder / "empty.db"
    open_store(str(path)).close()
    return path


def cli_import_seconds(csv_path: Path, template: Path, folder: Path) -> float:
    """`calldesk import` as a user runs it, into a copy of an empty store: wall time to exit."""
    from benchmarks.common import run_child

    target = folder / "cli.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    child = run_child([sys.executable, "-m", "calldesk", "import", str(csv_path), "--db", str(target),
                       "--caller", "bench", "--at", NOW.isoformat(), "--rejects", str(folder / "rejects.csv")])
    return child.seconds


def sqlite_utils_seconds(csv_path: Path, folder: Path) -> float | None:
    """`sqlite-utils insert --csv` of the same file into a new database (no phone work, no
    duplicate check): wall time to exit; None when sqlite-utils is not installed."""
    from benchmarks.common import run_child

    tool = sqlite_utils_path()
    if tool is None:
        return None
    target = folder / "sqlite-utils.db"
    target.unlink(missing_ok=True)
    return run_child([tool, "insert", str(target), "leads", str(csv_path), "--csv", "--delimiter", ";",
                      "--encoding", "cp1252"]).seconds


def measure(rows: int, rounds: int, folder: Path) -> dict[str, list[float]]:
    """Per round, in shuffled order: the phonenumbers floor (in this process), import_csv in a
    fresh process (its own timing), `calldesk import` and `sqlite-utils insert --csv` (wall
    time of each command). Seconds per round; a name missing when its tool is."""
    import random

    big = folder / "import.csv"
    write_csv(big, rows)
    with big.open(encoding="cp1252", newline="") as handle:
        phones = [row["Telefoonnummer"] for row in csv.DictReader(handle, delimiter=";")]
    template = empty_store(folder)
    runs = {
        "floor": lambda: floor_seconds(phones),
        "import_csv": lambda: import_in_subprocess(big)["seconds"],
        "calldesk import": lambda: cli_import_seconds(big, template, folder),
    }
    if sqlite_utils_path() is not None:
        runs["sqlite-utils insert"] = lambda: sqlite_utils_seconds(big, folder)
    order = list(runs.items())
    shuffle = random.Random(11).shuffle
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        shuffle(order)
        for name, run in order:
            times[name].append(run())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(import_once(args.child)))
        return

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.csv"
        small = Path(folder) / "small.csv"
        write_csv(big, args.rows)
        write_csv(small, args.rows // 5)
        with big.open(encoding="cp1252", newline="") as handle:
            phones = [row["Telefoonnummer"] for row in csv.DictReader(handle, delimiter=";")]
        floors, imports = [], []
        for _ in range(args.repeat):  # interleaved, so machine noise hits both alike
            floors.append(floor_seconds(phones))
            imports.append(import_in_subprocess(big))
        small_run = import_in_subprocess(small)

    floor = statistics.median(floors)
    ours = statistics.median(r["seconds"] for r in imports)
    big_rss = statistics.median(r["peak_rss_mb"] for r in imports)
    print(f"rows: {args.rows:,}  (repeats: {args.repeat}, medians)")
    print(f"floor (bare phonenumbers): {floor:6.2f} s  {args.rows / floor:10,.0f} rows/s")
    print(f"calldesk import:           {ours:6.2f} s  {args.rows / ours:10,.0f} rows/s")
    print(f"ratio import / floor:      {ours / floor:6.2f}×  (goal ≤ 1.3×)")
    big_worker = statistics.median(r["worker_rss_mb"] for r in imports)
    print(f"peak RSS: {small_run['peak_rss_mb']:.0f} MB at {args.rows // 5:,} rows, "
          f"{big_rss:.0f} MB at {args.rows:,} rows  (ratio {big_rss / small_run['peak_rss_mb']:.2f}×, goal: flat)")
    print(f"peak RSS of a phone-parsing worker: {small_run['worker_rss_mb']:.0f} MB at {args.rows // 5:,} rows, "
          f"{big_worker:.0f} MB at {args.rows:,} rows")
    from calldesk.db.imports import PARALLEL_BYTES

    print(f"cores: {os.cpu_count()}; import uses worker processes for files over "
          f"{PARALLEL_BYTES >> 20} MiB, the floor one core")


if __name__ == "__main__":
    main()
