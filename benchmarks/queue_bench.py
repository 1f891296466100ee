"""The queue at scale: top-50 against raw sqlite3, and `calldesk queue` at 1M vs 0 leads.

    python -m benchmarks.queue_bench [--leads 1000000] [--repeat 20]

Goals (issue: the call queue): the next 50 at 1M leads ≤ 2× a raw sqlite3 query with the
same ORDER BY/LIMIT on the same file; `calldesk queue --limit 50` at 1M ≤ 1.3× at 0 leads.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys

import sqlalchemy as sa

from benchmarks.common import MONDAY, NOW, build_store, median_seconds
from calldesk.config import Config
from calldesk.db.engine import open_store
from calldesk.db.queue import queue
from calldesk.db.scoring import refresh_if_due

RAW = ("SELECT id, company, contact_name, phone_e164, time_zone, country, stage, warmth, warmth_reasons, "
       "last_called_at, attempts, owner, claimed_by FROM leads "
       "ORDER BY warmth DESC, last_called_at ASC, id LIMIT 50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    big, empty = build_store(args.leads), build_store(0)
    config = Config()
    store = open_store(str(big))
    refresh_if_due(store, NOW, config)  # the day's decay refresh happens once, not per query
    raw = sqlite3.connect(big)

    def ours() -> None:
        assert len(queue(store, "anne", NOW, config, 50).entries) == 50

    def floor() -> None:
        assert len(raw.execute(RAW).fetchall()) == 50

    # A second floor: exactly the statements calldesk sends, replayed through raw sqlite3.
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    ours()
    sa.event.remove(store.engine, "before_cursor_execute", capture)
    statements = [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]

    def same_sql() -> None:
        for sql, params in statements:
            raw.execute(sql, params).fetchall()

    ours(), floor(), same_sql()  # warm the page cache for all
    ours_s, floor_s, same_s = [], [], []
    for _ in range(3):  # interleaved rounds: noise hits all alike
        ours_s.append(median_seconds(ours, args.repeat))
        floor_s.append(median_seconds(floor, args.repeat))
        same_s.append(median_seconds(same_sql, args.repeat))
    q, f, same = sorted(ours_s)[1], sorted(floor_s)[1], sorted(same_s)[1]
    store.close()

    def cli(path: str) -> None:
        subprocess.run([sys.executable, "-m", "calldesk", "queue", "--db", path, "--caller", "anne",
                        "--at", MONDAY, "--limit", "50"], check=True, capture_output=True)

    cli(str(big)), cli(str(empty))
    at_big, at_empty = [], []
    for _ in range(3):
        at_big.append(median_seconds(lambda: cli(str(big)), max(3, args.repeat // 4)))
        at_empty.append(median_seconds(lambda: cli(str(empty)), max(3, args.repeat // 4)))
    b, e = sorted(at_big)[1], sorted(at_empty)[1]

    print(f"leads: {args.leads:,}  (medians of {args.repeat} runs, middle of 3 interleaved rounds)")
    print(f"queue top-50, calldesk:          {q * 1000:8.2f} ms")
    print(f"raw sqlite3, same ORDER BY/LIMIT: {f * 1000:8.2f} ms")
    print(f"ratio:                            {q / f:8.2f}×  (goal ≤ 2×)")
    print(f"raw sqlite3, the {len(statements)} statements calldesk sends: {same * 1000:6.2f} ms  "
          f"(calldesk / these: {q / same:.2f}×)")
    print(f"`calldesk queue --limit 50` at {args.leads:,}: {b * 1000:7.0f} ms;  at 0 leads: {e * 1000:7.0f} ms")
    print(f"ratio:                            {b / e:8.2f}×  (goal ≤ 1.3×)")


if __name__ == "__main__":
    main()
