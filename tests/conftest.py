"""Shared fixtures: real stores (a SQLite file; PostgreSQL when CALLDESK_TEST_PG_URL is set)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from calldesk.db.engine import Store, open_store, to_url
from calldesk.i18n import set_language
from tests.command import cli_runner

PG_URL = os.environ.get("CALLDESK_TEST_PG_URL", "")
# CI sets this so that a PostgreSQL test can never pass by being skipped.
REQUIRE_PG = os.environ.get("CALLDESK_REQUIRE_PG") == "1"
# A Monday morning in Amsterdam; no test reads the wall clock.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The CLI's cache file (kept holiday dates) goes to a folder of the test run's own, also
    for the commands tests run in subprocesses."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts and ends in English: a Dutch test (or an app made with
    language="nl") must not change what the next test reads."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def dutch() -> Iterator[None]:
    """The UI speaks Dutch for this test."""
    set_language("nl")
    yield
    set_language("en")


def _pg_or_skip() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("CALLDESK_REQUIRE_PG=1 but CALLDESK_TEST_PG_URL is not set")
        pytest.skip("PostgreSQL tests need CALLDESK_TEST_PG_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    return PG_URL


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A fresh schema on the test server, dropped afterwards: tests never see each other's data."""
    base = _pg_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(to_url(base))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as exc:
        engine.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at {base} is not reachable: {exc.orig}")
        pytest.skip(f"PostgreSQL at {base} is not reachable")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "calldesk.db")
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(store_target: str) -> Iterator[Store]:
    opened = open_store(store_target)
    yield opened
    opened.close()


@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    """The demo's 300 leads with their history, at NOW (what the screens are tested on)."""
    from calldesk.db.demo import load_demo

    opened = open_store(str(tmp_path / "demo.db"))
    load_demo(opened, NOW, team_lead="tess")
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "calldesk.db"))
    yield opened
    opened.close()


@contextmanager
def orm(store: Store) -> Iterator[Session]:
    """Rows as model objects (Lead(...), session.get), in one of the store's write transactions:
    how tests build and inspect rows. calldesk itself reads and writes Core (store.read/write)."""
    with store.write() as conn, Session(conn) as session:
        yield session
        session.flush()


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The real `calldesk` command in a subprocess, on a store in tmp_path (tests/command.py)."""
    return cli_runner(tmp_path)
