"""Faults of the machine, the store or the input through the real `calldesk` command: one line
(`calldesk: error: …`, exit 1) or Click's usage error, never a traceback and never a hang."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from calldesk.db.engine import to_url
from tests.command import one_line_error
from tests.conftest import write_csv

SEED = "Company,Phone\nAcme,06-12345678\nBeta,06-12345679\n"


def seeded(cli, tmp_path) -> Path:
    cli("import", write_csv(tmp_path / "seed.csv", SEED))
    return tmp_path / "desk.db"


# -- ids and counts beyond what a store holds -----------------------------------------------

@pytest.mark.parametrize("args", [
    ["log", "{big}", "busy"], ["stage", "{big}", "lost", "--reason", "x"],
    ["assign", "--caller", "tester", "--lead", "{big}"], ["unassign", "--lead", "{big}"],
    ["assign", "--caller", "tester", "--count", "{big}"],
])
@pytest.mark.parametrize("big", [2**31, 2**63, 10**20], ids=["over-pg-int", "over-sqlite-int", "huge"])
def test_ids_beyond_the_store_are_usage_errors(cli, tmp_path, args, big):
    seeded(cli, tmp_path)
    result = cli(*(a.format(big=big) for a in args), code=2)
    assert "2147483647" in result.stderr


# -- text that is not text ------------------------------------------------------------------

def _raw(tmp_path, *args: bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    base.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
                CALLDESK_DB=str(tmp_path / "desk.db"), CALLDESK_CALLER="tester")
    base.update(env or {})
    return subprocess.run([sys.executable.encode(), b"-m", b"calldesk", *args], capture_output=True,
                          env={k.encode(): v if isinstance(v, bytes) else v.encode() for k, v in base.items()},
                          cwd=tmp_path, timeout=120)


@pytest.mark.parametrize("lang", ["C.UTF-8", "C"])
def test_bytes_that_are_not_text_in_arguments(cli, tmp_path, lang):
    seeded(cli, tmp_path)
    for args in ([b"log", b"1", b"busy", b"--note", b"\xff\xfe bad"], [b"queue", b"--caller", b"\xffan"]):
        result = _raw(tmp_path, *args, env={"LANG": lang, "LC_ALL": lang})
        err = result.stderr.decode("utf-8", "replace")
        assert result.returncode == 1 and "Traceback" not in err, err
        assert err.strip().startswith("calldesk: error: argument") and "not valid text" in err
    result = _raw(tmp_path, b"queue", env={"CALLDESK_CALLER": b"\xffan"})
    assert result.returncode == 1 and b"CALLDESK_CALLER is not valid text" in result.stderr


def test_accents_under_lang_c_are_kept(cli, tmp_path):
    seeded(cli, tmp_path)
    cli("log", "1", "busy", "--note", "Zoë belt terug", extra_env={"LANG": "C", "LC_ALL": "C"})
    with sqlite3.connect(tmp_path / "desk.db") as conn:
        assert conn.execute("SELECT notes FROM calls").fetchall() == [("Zoë belt terug",)]


# -- config files ---------------------------------------------------------------------------

def test_a_deeply_nested_toml_config(cli, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    one_line_error(cli("--config", path, "queue", code=1), "nested too deeply")


# -- stores ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["postgresql://u@localhost:notaport/db", "postgresql://u@[::1/db",
                                 "postgresql://u:secret@host:x/db"])
def test_malformed_postgresql_urls(cli, url):
    result = cli("--db", url, "queue", code=1)
    one_line_error(result, "is not a valid PostgreSQL URL")
    assert "secret" not in result.stderr


@pytest.mark.parametrize("table", ["callbacks", "calls", "leads"])
def test_a_store_with_a_table_dropped(cli, tmp_path, table):
    store = seeded(cli, tmp_path)
    with sqlite3.connect(store) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"DROP TABLE {table}")
    failed = 0
    at = ["--at", "2026-11-23T10:30"]  # a working moment: queue and next look at leads
    for args in (["queue", *at], ["next", *at], ["log", "1", "busy", *at], ["export"], ["report"], ["callbacks"]):
        result = _run_any(cli, *args)
        if result.returncode:
            one_line_error(result, "")
            failed += f"no such table: {table}" in result.stderr
    assert failed  # the table is needed by some of them, which say so


@pytest.fixture
def silent_server():
    """A server that accepts connections and never says a word (a hung PostgreSQL)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_server_that_never_answers_is_named_after_the_timeout(cli, tmp_path, silent_server):
    config = tmp_path / "store.toml"
    config.write_text('[store]\nconnect_timeout = "2s"\n')
    started = time.monotonic()
    result = cli("--db", f"postgresql://x@127.0.0.1:{silent_server}/db", "--config", config, "queue", code=1)
    assert time.monotonic() - started < 30
    one_line_error(result, f"PostgreSQL server 127.0.0.1:{silent_server} did not answer within 2 s")


@pytest.mark.postgres
def test_a_statement_waiting_past_the_timeout_fails_with_one_line(cli, pg_schema_url, tmp_path):
    config = tmp_path / "store.toml"
    config.write_text('[store]\nstatement_timeout = "1s"\n')
    cli("--db", pg_schema_url, "import", write_csv(tmp_path / "seed.csv", SEED))
    engine = sa.create_engine(to_url(pg_schema_url))
    try:
        with engine.connect() as blocker:
            blocker.exec_driver_sql("LOCK TABLE leads IN ACCESS EXCLUSIVE MODE")  # held until rollback
            started = time.monotonic()
            result = cli("--db", pg_schema_url, "--config", config, "log", "1", "busy", code=1)
            assert time.monotonic() - started < 30
            one_line_error(result, "statement timeout")
            blocker.rollback()
    finally:
        engine.dispose()
    assert "call " in cli("--db", pg_schema_url, "log", "1", "busy").stdout  # nothing lost


# -- a full disk ----------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A real file system that fills up: a 2 MB tmpfs (needs root and mount; skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small file system here: " + done.stderr.decode().strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:  # unbuffered: nothing left to fail at close
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_a_full_disk_gives_one_line_and_loses_nothing(cli, tmp_path, small_disk):
    store = small_disk / "desk.db"
    cli("--db", store, "import", write_csv(tmp_path / "seed.csv", SEED))
    with sqlite3.connect(store) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    more = write_csv(tmp_path / "more.csv", "Company,Phone\n" + "".join(
        f"Firma {i} met een lange naam,06-2{i:07d}\n" for i in range(3000)))
    filler = _fill(small_disk)
    for args in (["import", more], ["next"], ["log", "1", "busy", "--note", "x" * 900], ["erase", "2"],
                 ["queue"], ["export", "--out", small_disk / "out.csv"]):
        result = _run_any(cli, "--db", store, *args)
        if result.returncode != 0:
            assert result.returncode == 1
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("calldesk: error: "), result.stderr
    filler.unlink()
    with sqlite3.connect(store) as conn:  # the store is whole: the two seeded leads are there
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert {row[0] for row in conn.execute("SELECT company FROM leads")} >= {"Acme"}


def _run_any(cli, *args):
    """cli() with any exit status (the disk may or may not have had room)."""
    try:
        return cli(*args)
    except AssertionError:
        pass
    for code in (1, 3):
        try:
            return cli(*args, code=code)
        except AssertionError:
            continue
    raise AssertionError(f"calldesk {args}: neither success nor a one-line error")


@pytest.mark.postgres
def test_the_postgresql_connection_cut_mid_import_is_one_line_and_keeps_nothing(pg_schema_url, tmp_path):
    from tests.desk_worker import write_leads_csv

    big = write_leads_csv(tmp_path / "big.csv", 60_000, seed=9)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               CALLDESK_CALLER="tester", PGAPPNAME="calldesk-import-under-test")
    importer = subprocess.Popen([sys.executable, "-m", "calldesk", "--db", pg_schema_url, "import", str(big)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    engine = sa.create_engine(to_url(pg_schema_url))
    try:
        deadline = time.monotonic() + 120
        with engine.connect() as conn:
            while True:  # the import's own connection, once it is writing
                cut = conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    "'calldesk-import-under-test' AND state <> 'idle' AND query ILIKE 'INSERT INTO leads%%'").all()
                conn.rollback()
                if cut or importer.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
        out, err = importer.communicate(timeout=120)
        assert cut, "the import was never seen writing"
        assert importer.returncode == 1 and "Traceback" not in err, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("calldesk: error: store "), err
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM leads").scalar() == 0  # all or nothing
    finally:
        if importer.poll() is None:
            importer.kill()
        engine.dispose()
