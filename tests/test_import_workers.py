"""A big import parses in worker processes: killed with -9, it must not leave them running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calldesk.db.imports import PARALLEL_BYTES
from tests.desk_worker import write_leads_csv


def _group(pgid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    path = write_leads_csv(tmp_path_factory.mktemp("big") / "big.csv", 150_000, seed=5)
    assert path.stat().st_size > PARALLEL_BYTES  # big enough for workers
    return path


@pytest.mark.parametrize("after", [0.0, 1.0, 2.5])  # seconds of work: at start-up, mid-file
def test_workers_die_with_a_killed_import(tmp_path, big_csv, after):
    csv = big_csv
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    importer = subprocess.Popen([sys.executable, "-m", "calldesk", "import", str(csv), "--db", str(tmp_path / "d.db"),
                                 "--caller", "tester"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(_group(importer.pid)) < 2:  # the import and at least one worker
            assert importer.poll() is None, "the import ended before its workers were seen"
            assert time.monotonic() < deadline, "no worker processes started"
            time.sleep(0.05)
        time.sleep(after)
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
        deadline = time.monotonic() + 10
        while left := _group(importer.pid):
            assert time.monotonic() < deadline, f"workers still running after the import was killed: {left}"
            time.sleep(0.1)
    finally:
        try:
            os.killpg(importer.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_killed_import_leaves_the_rejects_path_as_it_was(tmp_path, big_csv):
    # The file with bad rows spread through it: rejects are written from the first chunks on.
    bad = tmp_path / "bad.csv"
    with big_csv.open(encoding="cp1252") as source, bad.open("w", encoding="cp1252") as out:
        for number, line in enumerate(source):
            out.write(line)
            if number and number % 50 == 0:
                out.write(line.split(";")[0] + ";" * (line.count(";")) + "\n")  # a row without a number
    existing = tmp_path / "existing.csv"
    existing.write_text("yesterday's rejects\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    for rejects in (existing, tmp_path / "new.csv"):
        importer = subprocess.Popen([sys.executable, "-m", "calldesk", "import", str(bad), "--db",
                                     str(tmp_path / "d.db"), "--caller", "tester", "--rejects", str(rejects)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path,
                                    start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while not list(tmp_path.glob(f".{rejects.name}.*.partial")):  # rejects are being written
                assert importer.poll() is None, "the import ended before it was killed"
                assert time.monotonic() < deadline
                time.sleep(0.02)
            importer.send_signal(signal.SIGKILL)
            importer.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(importer.pid, signal.SIGKILL)
    assert existing.read_text() == "yesterday's rejects\n"
    assert not (tmp_path / "new.csv").exists()  # no rejects for rows never imported
