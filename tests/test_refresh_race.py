"""Every caller's first command of the day refreshes warmth: on PostgreSQL several arriving at
once must not deadlock (they did: each UPDATE batch locked rows in its own order)."""

import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from calldesk.db.demo import load_demo
from calldesk.db.engine import open_store
from tests.conftest import NOW

pytestmark = pytest.mark.postgres

# A caller's first command of the day in its own process: ready, wait for the start line, go.
FIRST_COMMAND = textwrap.dedent("""
    import sys
    from datetime import datetime
    from calldesk.rules.config import Config
    from calldesk.db.engine import open_store
    from calldesk.db.scoring import refresh_if_due
    from calldesk.db.team import ensure_caller, release_overdue
    store = open_store(sys.argv[1])
    now, config = datetime.fromisoformat(sys.argv[2]), Config()
    print("ready", flush=True)
    sys.stdin.readline()
    # What every command that gives work starts with (the CLI's working_store, the queue screen).
    ensure_caller(store, sys.argv[3], now)
    print("rescored", refresh_if_due(store, now, config), flush=True)
    release_overdue(store, now, config)
""")


def _first_of_day_race(url: str, processes: int, day: int) -> tuple[list[str], int]:
    """(the errors of the processes that failed, how many of them rescored the leads)"""
    when = (NOW + timedelta(days=day)).isoformat()
    procs = [subprocess.Popen([sys.executable, "-c", FIRST_COMMAND, url, when, f"caller{n}"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(processes)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:  # all at once
        proc.stdin.write("go\n")
        proc.stdin.flush()
    failures, refreshed = [], 0
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}")
        refreshed += any(line.startswith("rescored ") and line != "rescored 0" for line in out.splitlines())
    return failures, refreshed


def _seeded(url: str, tmp_path) -> None:
    store = open_store(url)
    try:
        load_demo(store, NOW, count=3000)  # with calls, callbacks and signals, as a real desk
    finally:
        store.close()


@pytest.mark.parametrize("rounds", [
    2, pytest.param(10, marks=pytest.mark.slow, id="10-in-a-row"),
])
def test_sixteen_first_commands_of_the_day_at_once(pg_schema_url, tmp_path, rounds):
    _seeded(pg_schema_url, tmp_path)
    for day in range(1, rounds + 1):  # a new day each round: every process finds a refresh due
        # No deadlock, and the day's refresh done once: the others wait for it and find it done.
        assert _first_of_day_race(pg_schema_url, 16, day) == ([], 1), f"round {day}"
