"""The app: start to first queue paint, the `n` key to the next lead on screen, peak memory.

    python -m benchmarks.app_bench [--leads 1000000] [--small 10000] [--rounds 5] [--presses 30]

Start: a fresh process per run, timed by the parent from spawning it until the child prints
a marker, which it does from the first frame Textual composes (headless, 140×36) in which a
DataTable has rows: Python start, imports, opening the store, the queue's thread worker
(caller, decay refresh, queue of 150, desk status) and the paint. The floor is a bare
Textual app in the same harness whose DataTable gets 150 rows of the same columns on mount.
Memory: each start process's own peak RSS (VmHWM, see peak.py), calldesk at --leads vs --small.
Keys: in one headless process per round, `n` pressed on the queue, timed from the press to
the first frame showing the call screen with its lead card filled; Escape (which releases
the lead and reloads the queue) and a settle between presses. The first press of each
process (it loads the call screen's modules) is reported apart from the p95.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # children import only what their kind of app needs, when they need it
    from rich.console import RenderableType
    from textual.app import App
    from textual.pilot import Pilot
    from textual.screen import Screen

    from calldesk.screens.app import CalldeskApp

# Children import only what their kind of app needs: the bare app never loads calldesk.
PAINTED = "painted"
SIZE = (140, 36)
COLUMNS = (("Company", 24), ("Contact", 18), ("Local", 9), ("Stage", 9), ("Warmth", 6), ("Next", 13))


def _on_frame(app: App[Any], seen: Callable[[Screen[Any]], bool], then: Callable[[float], None]) -> None:
    """Call then(moment) for each frame Textual composes while seen(screen) holds. Headless,
    the frame is rendered (widgets' lines and all) but not written to a terminal."""
    display = app._display

    def _display(screen: Screen[Any], renderable: RenderableType | None) -> None:
        display(screen, renderable)
        if renderable is not None and seen(screen):
            then(time.perf_counter())

    app._display = _display


def _bare_app() -> App[None]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            table: DataTable[str] = DataTable(id="queue", cursor_type="row", zebra_stripes=True)
            for label, width in COLUMNS:
                table.add_column(label, width=width)
            yield table
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            for i in range(150):
                table.add_row(f"Company {i}", f"Contact {i}", "Mon 10:30", "prospect", str(90 - i % 50), "new",
                              key=str(i))

    return Bare()


def _calldesk_app(store_path: str, at: datetime) -> CalldeskApp:
    from calldesk.db.engine import open_store
    from calldesk.rules.config import Config
    from calldesk.screens.app import CalldeskApp

    store = open_store(store_path)  # as the CLI does before it starts the app
    return CalldeskApp(store=store, config=Config(), caller="anne", clock=lambda: at, ticks=lambda: 0.0,
                       freeze_startup=True)  # as the CLI starts it


def _has_rows(screen: Screen[Any]) -> bool:
    from textual.widgets import DataTable

    return any(table.row_count for table in screen.query(DataTable))


def child_start(kind: str, store_path: str, at: datetime) -> None:
    app = _bare_app() if kind == "bare" else _calldesk_app(store_path, at)
    done: list[float] = []

    def painted(_moment: float) -> None:
        if not done:
            done.append(_moment)
            print(PAINTED, flush=True)
            app.exit()

    _on_frame(app, _has_rows, painted)
    if kind == "bare":
        app.run(headless=True, size=SIZE)
        return
    from calldesk.cli import kept_holidays

    with kept_holidays():  # as the CLI runs the app: holiday dates kept between runs
        app.run(headless=True, size=SIZE)


async def _settle(pilot: Pilot[Any]) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(3):  # exclusive workers cancel the one they replace: wait again
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()


async def _until(check: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.0005)


def _vm_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next((int(line.split()[1]) for line in status if line.startswith(field + ":")), 0)


def child_keys(store_path: str, at: datetime, presses: int) -> None:
    """Prints one JSON line: the presses' times (s), and what the process held before and
    after them (tracked objects, RSS) with its longest full garbage collection."""
    import gc

    from calldesk.screens.call import CallScreen
    from calldesk.screens.queue import QueueScreen

    app = _calldesk_app(store_path, at)
    shown: list[float] = []
    pauses: list[float] = []
    began = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                began[0] = time.perf_counter()
            else:
                pauses.append(time.perf_counter() - began[0])

    gc.callbacks.append(on_gc)

    def card_filled(screen: Screen[Any]) -> bool:
        return isinstance(screen, CallScreen) and screen.detail is not None

    _on_frame(app, card_filled, shown.append)

    async def drive() -> dict[str, object]:
        took = []
        async with app.run_test(size=SIZE) as pilot:
            await _until(lambda: isinstance(app.screen, QueueScreen) and _has_rows(app.screen))
            await _settle(pilot)
            gc.collect()
            before = {"objects": len(gc.get_objects()), "rss_kb": _vm_kb("VmRSS")}
            pauses.clear()
            for _ in range(presses + 1):
                shown.clear()
                start = time.perf_counter()
                await pilot.press("n")
                await _until(lambda: bool(shown))
                took.append(shown[0] - start)
                await pilot.press("escape")
                await _until(lambda: isinstance(app.screen, QueueScreen))
                await _settle(pilot)
            during = list(pauses)  # not the collection of the count below
            gc.collect()
            after = {"objects": len(gc.get_objects()), "rss_kb": _vm_kb("VmRSS")}
        return {"took": took, "before": before, "after": after, "gc_pauses": during}

    print(json.dumps(asyncio.run(drive())), flush=True)


# -- in the runner's process ----------------------------------------------------------------
def start_runs(stores: dict[str, Path], at: datetime, rss: dict[str, list[float]]) -> dict[str, Callable[[], None]]:
    """Per name, a start of that app (store None: the bare app), for common.interleaved; each
    run's peak memory goes to rss[name]."""
    from benchmarks.common import run_child

    def run(name: str, path: Path | None) -> None:
        kind = ["bare"] if path is None else ["calldesk", str(path)]
        child = run_child([sys.executable, "-m", "benchmarks.app_bench", "--child", "start", *kind,
                           "--at", at.isoformat()], marker=PAINTED)
        rss.setdefault(name, []).append(child.rss_mb)

    return {name: (lambda name=name, path=path: run(name, path)) for name, path in stores.items()}


def key_presses(store: Path, at: datetime, presses: int) -> dict:
    """took: seconds from `n` to the lead on screen, first press first; before/after: the
    process's tracked objects and RSS around the presses; gc_pauses: full collections (s)."""
    from benchmarks.common import run_child

    child = run_child([sys.executable, "-m", "benchmarks.app_bench", "--child", "keys", "calldesk", str(store),
                       "--at", at.isoformat(), "--presses", str(presses)])
    return json.loads(child.out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1, help="starts of each app per round")
    parser.add_argument("--presses", type=int, default=30, help="`n` presses per round")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--at", type=datetime.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, kind, *path = args.child
        if what == "start":
            child_start(kind, path[0] if path else "", args.at)
        else:
            child_keys(path[0], args.at, args.presses)
        return

    import statistics

    from benchmarks.common import (
        NOW,
        build_store,
        interleaved,
        ms,
        percentile,
        ratios,
        spread,
    )

    big, small = build_store(args.leads), build_store(args.small)
    rss: dict[str, list[float]] = {}
    names = {"bare": None, "big": big, "small": small}
    times = interleaved(start_runs(names, NOW, rss), args.rounds, args.repeat)
    for name in names:
        print(f"start to first paint, {name}: {ms(statistics.median(times[name]))}, "
              f"peak RSS {statistics.median(rss[name]):.0f} MB")
    print(f"calldesk at {args.leads:,} / bare: {spread(ratios(times['big'], times['bare']))}")
    print(f"peak RSS {args.leads:,} / {args.small:,}: {statistics.median(rss['big']) / statistics.median(rss['small']):.2f}×")
    order = [big] * args.rounds
    random.shuffle(order)
    runs = [key_presses(path, NOW, args.presses) for path in order]
    rest = [t for run in runs for t in run["took"][1:]]
    print(f"n → lead on screen: p50 {ms(percentile(rest, .5))}, p95 {ms(percentile(rest, .95))}, "
          f"first press {ms(statistics.median(run['took'][0] for run in runs))}")
    for run in runs:
        print(f"objects {run['before']['objects']:,} → {run['after']['objects']:,}, RSS "
              f"{run['before']['rss_kb'] / 1024:.0f} → {run['after']['rss_kb'] / 1024:.0f} MB, longest full "
              f"collection {ms(max(run['gc_pauses'], default=0))} ({len(run['gc_pauses'])} full collections)")


if __name__ == "__main__":
    main()
