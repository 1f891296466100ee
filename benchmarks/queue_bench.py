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
import subprocess
import sys
from datetime import timedelta

from benchmarks.common import MONDAY, NOW, build_store, interleaved
from calldesk.config import Config
from calldesk.db.engine import Store, open_store
from calldesk.db.queue import queue
from calldesk.db.scoring import refresh_if_due

RAW = ("SELECT id, company, contact_name, phone_e164, time_zone, country, stage, warmth, warmth_reasons, "
       "last_called_at, attempts, owner, claimed_by FROM leads "
       "ORDER BY warmth DESC, last_called_at ASC, id LIMIT 50")
BARE = "bare ORDER BY/LIMIT walk, raw sqlite3"
MOMENTS = {"Monday (callbacks due)": NOW, "Friday (warm leads only)": NOW - timedelta(days=3)}


class _Recorder:
    """A driver connection (or cursor) that notes each statement and its values."""

    def __init__(self, inner, sent: list) -> None:  # noqa: ANN001
        self._inner, self._sent = inner, sent

    def cursor(self) -> _Recorder:
        return _Recorder(self._inner.cursor(), self._sent)

    def execute(self, sql: str, params=()):  # noqa: ANN001, ANN201
        self._sent.append((sql, params))
        return self._inner.execute(sql, params)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._inner, name)


def sent_statements(store: Store, run) -> list[tuple[str, object]]:  # noqa: ANN001
    """The SELECTs `run` sends, with their values (SQLAlchemy's connections come from
    raw_connection too, so this sees what goes through SQLAlchemy as well)."""
    sent: list[tuple[str, object]] = []
    engine = store.engine
    engine.raw_connection = lambda: _Recorder(type(engine).raw_connection(engine), sent)
    try:
        run()
    finally:
        del engine.raw_connection
    return [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each gives its own medians and ratios")
    parser.add_argument("--repeat", type=int, default=100, help="runs of each measurement per round")
    parser.add_argument("--cli-repeat", type=int, default=5, help="runs of the command per round")
    args = parser.parse_args()

    big, empty = build_store(args.leads), build_store(0)
    config = Config()
    store = open_store(str(big))
    refresh_if_due(store, NOW, config)  # the day's decay refresh happens once, not per query
    raw = sqlite3.connect(big)

    def floor() -> None:
        assert len(raw.execute(RAW).fetchall()) == 50

    runs = {BARE: floor}
    for label, moment in MOMENTS.items():
        def ours(moment=moment) -> None:  # noqa: ANN001
            assert len(queue(store, "anne", moment, config, 50).entries) == 50

        statements = sent_statements(store, ours)

        def same_sql(statements=statements) -> None:  # noqa: ANN001
            for sql, params in statements:
                raw.execute(sql, params).fetchall()

        runs[f"{label}: calldesk queue() top 50"] = ours
        runs[f"{label}: its {len(statements)} statements, raw sqlite3"] = same_sql
    times = interleaved(runs, args.rounds, args.repeat)
    store.close()

    def cli(path: str) -> None:
        subprocess.run([sys.executable, "-m", "calldesk", "queue", "--db", path, "--caller", "anne",
                        "--at", MONDAY, "--limit", "50"], check=True, capture_output=True)

    at = {f"`calldesk queue --limit 50`, {args.leads:,} leads": lambda: cli(str(big)),
          "`calldesk queue --limit 50`, 0 leads": lambda: cli(str(empty))}
    cli_times = interleaved(at, args.rounds, args.cli_repeat)

    print(f"leads: {args.leads:,}. {args.rounds} rounds; in each, every measurement ran {args.repeat} times "
          f"({args.cli_repeat} for the command), interleaved. Times: median over rounds of each round's "
          "median. Ratios: per round, then median [min–max] over rounds.")
    bare = times[BARE]
    rows: list[tuple[str, str, str, str]] = [(BARE, _ms(bare), "", "")]
    for label in MOMENTS:
        ours = times[f"{label}: calldesk queue() top 50"]
        own_name = next(name for name in times if name.startswith(f"{label}: its "))
        own = times[own_name]
        rows.append((label, "", "", ""))
        rows.append(("  calldesk queue() top 50", _ms(ours), _ratio(ours, bare) + " goal ≤ 2×", _ratio(ours, own)))
        rows.append((f"  {own_name.split(': ', 1)[1]}", _ms(own), _ratio(own, bare), ""))
    (big_name, big_cli), (empty_name, empty_cli) = cli_times.items()
    rows.append((big_name, _ms(big_cli), "", ""))
    rows.append((empty_name, _ms(empty_cli), "", ""))
    rows.append(("  ratio, 1M / 0 leads", "", _ratio(big_cli, empty_cli) + " goal ≤ 1.3×", ""))
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
