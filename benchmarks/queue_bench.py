"""The queue at scale: top-50 against raw sqlite3, and `calldesk queue` at 1M vs 0 leads.

    python -m benchmarks.queue_bench [--leads 1000000] [--rounds 5] [--repeat 100]

Goals (issue: the call queue): the next 50 at 1M leads ≤ 2× a raw sqlite3 query with the
same ORDER BY/LIMIT on the same file; `calldesk queue --limit 50` at 1M ≤ 1.3× at 0 leads.
A second floor replays, through raw sqlite3, exactly the statements calldesk sent: what
calldesk adds on top of its own SQL. Two moments: the benchmark's Monday, when due callbacks
fill the top 50, and the Friday before, when no callback is due yet and warm leads fill it.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import MONDAY, NOW, Child, build_store, interleaved, run_child
from calldesk.db.engine import Store, open_store
from calldesk.db.queue import queue
from calldesk.db.scoring import refresh_if_due
from calldesk.rules.config import Config

RAW = ("SELECT id, company, contact_name, phone_e164, time_zone, country, stage, warmth, warmth_reasons, "
       "last_called_at, attempts, owner, claimed_by FROM leads "
       "ORDER BY warmth DESC, last_called_at ASC, id LIMIT 50")
BARE = "bare ORDER BY/LIMIT walk, raw sqlite3"
MOMENTS = {"Monday (callbacks due)": NOW, "Friday (warm leads only)": NOW - timedelta(days=3)}


Params = Sequence[Any] | Mapping[str, Any]
Sent = list[tuple[str, Params]]


class _Recorder:
    """A driver connection (or cursor) that notes each statement and its values."""

    def __init__(self, inner: Any, sent: Sent) -> None:  # any driver's connection or cursor
        self._inner, self._sent = inner, sent

    def cursor(self) -> _Recorder:
        return _Recorder(self._inner.cursor(), self._sent)

    def execute(self, sql: str, params: Params = ()) -> Any:
        self._sent.append((sql, params))
        return self._inner.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def sent_statements(store: Store, run: Callable[[], None]) -> Sent:
    """The SELECTs `run` sends, with their values (SQLAlchemy's connections come from
    raw_connection too, so this sees what goes through SQLAlchemy as well)."""
    sent: Sent = []
    engine = store.engine
    engine.raw_connection = lambda: _Recorder(type(engine).raw_connection(engine), sent)
    try:
        run()
    finally:
        del engine.raw_connection
    return [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]


OURS = "{}: calldesk queue() top 50"
OWN = "{}: its statements, raw sqlite3"


@dataclass
class QueueRuns:
    """The top-50 runs on one store: the bare walk, and per moment calldesk's queue() and its
    own statements replayed through raw sqlite3. Names: BARE, OURS/OWN formatted with a moment."""

    runs: dict[str, Callable[[], None]]
    statements: dict[str, int]  # per moment: how many SELECTs queue() sent
    close: Callable[[], None]


def queue_runs(path: Path, prefix: str = "") -> QueueRuns:
    config = Config()
    store = open_store(str(path))
    refresh_if_due(store, NOW, config)  # the day's decay refresh happens once, not per query
    raw = sqlite3.connect(path)

    def floor() -> None:
        assert len(raw.execute(RAW).fetchall()) == 50

    runs: dict[str, Callable[[], None]] = {prefix + BARE: floor}
    counts = {}
    for label, moment in MOMENTS.items():
        def ours(moment: datetime = moment) -> None:
            assert len(queue(store, "anne", moment, config, 50).entries) == 50

        statements = sent_statements(store, ours)

        def same_sql(statements: Sent = statements) -> None:
            for sql, params in statements:
                raw.execute(sql, params).fetchall()

        runs[prefix + OURS.format(label)] = ours
        runs[prefix + OWN.format(label)] = same_sql
        counts[label] = len(statements)

    def close() -> None:
        store.close()
        raw.close()

    return QueueRuns(runs, counts, close)


def cli_queue(path: Path) -> Child:
    """`calldesk queue --limit 50` in its own process: wall time to exit, peak memory."""
    return run_child([sys.executable, "-m", "calldesk", "queue", "--db", str(path), "--caller", "anne",
                      "--at", MONDAY, "--limit", "50"])


def cli_runs(paths: dict[str, Path], rss: dict[str, list[float]]) -> dict[str, Callable[[], None]]:
    """Per name, a run of the command on that store; each run's peak memory goes to rss[name]."""
    def run(name: str, path: Path) -> None:
        rss.setdefault(name, []).append(cli_queue(path).rss_mb)

    return {name: (lambda name=name, path=path: run(name, path)) for name, path in paths.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each gives its own medians and ratios")
    parser.add_argument("--repeat", type=int, default=100, help="runs of each measurement per round")
    parser.add_argument("--cli-repeat", type=int, default=5, help="runs of the command per round")
    args = parser.parse_args()

    big, empty = build_store(args.leads), build_store(0)
    top = queue_runs(big)
    times = interleaved(top.runs, args.rounds, args.repeat)
    top.close()
    big_name = f"`calldesk queue --limit 50`, {args.leads:,} leads"
    empty_name = "`calldesk queue --limit 50`, 0 leads"
    cli_times = interleaved(cli_runs({big_name: big, empty_name: empty}, {}), args.rounds, args.cli_repeat)

    print(f"leads: {args.leads:,}. {args.rounds} rounds; in each, every measurement ran {args.repeat} times "
          f"({args.cli_repeat} for the command), interleaved. Times: median over rounds of each round's "
          "median. Ratios: per round, then median [min–max] over rounds.")
    bare = times[BARE]
    rows: list[tuple[str, str, str, str]] = [(BARE, _ms(bare), "", "")]
    for label in MOMENTS:
        ours, own = times[OURS.format(label)], times[OWN.format(label)]
        rows.append((label, "", "", ""))
        rows.append(("  calldesk queue() top 50", _ms(ours), _ratio(ours, bare) + " goal ≤ 2×", _ratio(ours, own)))
        rows.append((f"  its {top.statements[label]} statements, raw sqlite3", _ms(own), _ratio(own, bare), ""))
    rows.append((big_name, _ms(cli_times[big_name]), "", ""))
    rows.append((empty_name, _ms(cli_times[empty_name]), "", ""))
    rows.append(("  ratio, 1M / 0 leads", "", _ratio(cli_times[big_name], cli_times[empty_name]) + " goal ≤ 1.3×",
                 ""))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"{'':{widths[0]}}  {'median':>{widths[1]}}  {'÷ bare walk':{widths[2]}}  ÷ its own SQL")
    for row in rows:
        print(f"{row[0]:{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:{widths[2]}}  {row[3]}".rstrip())


def _ms(values: list[float]) -> str:
    median = statistics.median(values) * 1000
    return f"{median:.0f} ms" if median >= 100 else f"{median:.2f} ms"


def _ratio(top: list[float], bottom: list[float]) -> str:
    ratios = [a / b for a, b in zip(top, bottom, strict=True)]
    return f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}]"


if __name__ == "__main__":
    main()
