import multiprocessing
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from calldesk.db import engine as engine_module
from calldesk.db.engine import SCHEMA_HEAD, StoreFault, open_store, schema_revision, to_url
from calldesk.db.models import Lead, include_in_autogenerate
from calldesk.errors import CalldeskError
from tests.conftest import NOW, orm
from tests.stored import campaign_id


def test_schema_head_constant_matches_alembic():
    script = ScriptDirectory.from_config(engine_module._alembic_config())
    assert script.get_current_head() == SCHEMA_HEAD


def test_new_store_is_migrated_to_head(store):
    assert schema_revision(store.engine) == SCHEMA_HEAD
    tables = set(sa.inspect(store.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_migrations_match_the_models(store):
    # A model change without a migration is caught here, on both databases.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_autogenerate})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_enums_stored_as_readable_values(store):
    from calldesk.db.models import Lead

    with orm(store) as session:
        session.add(Lead(phone_e164="+31612345678", stage="hot_lead", phone_type="mobile",
                         campaign_id=campaign_id(store), created_at=NOW, updated_at=NOW))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT stage, phone_type FROM leads").one() == ("hot_lead", "mobile")


def test_times_come_back_utc_aware(store):
    with orm(store) as session:
        session.add(Lead(phone_e164="+31612345678", campaign_id=campaign_id(store), created_at=NOW, updated_at=NOW))
    with orm(store) as session:
        lead = session.get(Lead, 1) or session.exec(sa.select(Lead)).scalars().first()
    assert lead.created_at == NOW and lead.created_at.utcoffset().total_seconds() == 0


def test_naive_times_are_refused(store):
    with pytest.raises(Exception, match="timezone"):
        with orm(store) as session:
            session.add(Lead(phone_e164="+31612345678", campaign_id=campaign_id(store),
                             created_at=NOW.replace(tzinfo=None), updated_at=NOW))


def test_sqlite_pragmas_in_effect_on_every_connection(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == engine_module.BUSY_TIMEOUT_MS


def test_write_transactions_begin_immediate(sqlite_store):
    # BEGIN IMMEDIATE takes the write lock at once: a second writer can't start meanwhile.
    import sqlite3

    with sqlite_store.write():
        other = sqlite3.connect(sqlite_store.path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_only_claims_skip_the_wait_for_the_disk(store, monkeypatch):
    """On SQLite a claim's commit may be lost to a power cut (the callers' apps, on the same
    machine, are down with it): synchronous NORMAL (1), else FULL (2). A release and an outcome
    may not be lost. A PostgreSQL server may crash under running apps: every commit there keeps
    the server's synchronous_commit."""
    from calldesk.db.calls import record_outcome
    from calldesk.db.leads import add_lead
    from calldesk.db.queue import claim_lead, claim_next, release_claim, renew_claim
    from calldesk.rules.config import Config
    from calldesk.rules.outcomes import Outcome

    ask = "PRAGMA synchronous" if store.is_sqlite else "SHOW synchronous_commit"
    if store.is_sqlite:
        light, full = 1, 2
    else:
        with store.engine.connect() as conn:
            light = full = conn.exec_driver_sql(ask).scalar()
    seen: list[tuple[str, object]] = []
    write = type(store).write

    def spy(self, *, durable=True):  # noqa: ANN001, ANN202
        context = write(self, durable=durable)

        class Spy:
            def __enter__(self):  # noqa: ANN202
                conn = context.__enter__()
                seen.append(("light" if not durable else "full", conn.exec_driver_sql(ask).scalar()))
                return conn

            def __exit__(self, *exc):  # noqa: ANN001, ANN202
                return context.__exit__(*exc)
        return Spy()

    with store.write(durable=False) as conn:
        assert conn.exec_driver_sql(ask).scalar() == light
    with store.write() as conn:
        assert conn.exec_driver_sql(ask).scalar() == full
    config = Config()
    lead_id = add_lead(store, phone="+31612345678", company="Bakkerij", now=NOW, config=config, by="anne")
    monkeypatch.setattr(type(store), "write", spy)
    assert claim_lead(store, lead_id, "anne", NOW) is None
    assert renew_claim(store, lead_id, "anne", NOW)
    release_claim(store, lead_id, "anne")
    entry, _why = claim_next(store, "anne", NOW, config)
    assert entry is not None
    assert seen == [("light", light), ("light", light), ("full", full), ("light", light)]
    seen.clear()
    record_outcome(store, lead_id, Outcome.interested, caller="anne", now=NOW, config=config)
    assert seen == [("full", full)]


def test_foreign_keys_enforced(sqlite_store):
    from calldesk.db.models import Signal

    with pytest.raises(StoreFault, match="FOREIGN KEY constraint failed") as fault:
        with orm(sqlite_store) as session:
            session.add(Signal(lead_id=999, kind="download", at=NOW))
    assert isinstance(fault.value.__cause__, sa.exc.IntegrityError)


def test_new_store_files_are_private(tmp_path):
    store = open_store(str(tmp_path / "private.db"))
    with store.engine.connect() as conn:  # WAL and shm exist while a connection is open
        conn.exec_driver_sql("SELECT 1")
        for path in tmp_path.glob("private.db*"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    store.close()


def _write_leads(path: str, worker: int, count: int, errors) -> None:  # noqa: ANN001
    store = open_store(path)
    try:
        campaign = campaign_id(store)
        for i in range(count):
            with orm(store) as session:
                # Read-then-write: the pattern that fails with deferred BEGIN under contention.
                existing = session.exec(sa.select(sa.func.count()).select_from(Lead)).scalar_one()
                session.add(Lead(phone_e164=f"+316{worker}{i:07d}", company=str(existing),
                                 campaign_id=campaign, created_at=NOW, updated_at=NOW))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")
    finally:
        store.close()


def test_several_processes_write_one_file_without_locked_errors(tmp_path):
    path = str(tmp_path / "shared.db")
    open_store(path).close()
    errors = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_write_leads, args=(path, w, 40, errors)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert errors.empty(), errors.get()
    store = open_store(path)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM leads").scalar() == 160
    store.close()


def test_store_from_a_newer_calldesk_is_refused(store_target):
    store = open_store(store_target)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    store.close()
    with pytest.raises(CalldeskError, match=r"written by a newer calldesk \(schema 9999\)"):
        open_store(store_target)


def test_not_a_database(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a database, just some notes " * 50)
    with pytest.raises(CalldeskError, match="not a calldesk store"):
        open_store(str(junk))


def test_missing_folder(tmp_path):
    with pytest.raises(CalldeskError, match="folder .* does not exist"):
        open_store(str(tmp_path / "nope" / "calldesk.db"))


def _open_as_nobody(path: str, results) -> None:  # noqa: ANN001
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)  # root would write anything: be an ordinary user
    try:
        open_store(path).close()
        results.put("opened")
    except CalldeskError as exc:
        results.put(str(exc))


def test_read_only_store_is_a_clear_error():
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="calldesk-ro-"))
    try:
        path = folder / "ro.db"
        open_store(str(path)).close()
        path.chmod(0o444)
        folder.chmod(0o755)
        results = multiprocessing.get_context("fork").Queue()
        child = multiprocessing.get_context("fork").Process(target=_open_as_nobody, args=(str(path), results))
        child.start()
        child.join(30)
        assert "is read-only" in results.get(timeout=5)
    finally:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()


def test_unreachable_postgres_is_one_line():
    with pytest.raises(CalldeskError, match="cannot use PostgreSQL store") as error:
        open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert "\n" not in str(error.value)


def test_urls():
    assert to_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert to_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert to_url("some/file.db").database == str(Path("some/file.db").absolute())
    with pytest.raises(CalldeskError, match="unsupported store mysql"):
        to_url("mysql://u@h/db")


def test_tables_are_the_models_tables():
    from calldesk.db import tables

    named = {name: table for name, table in vars(tables).items() if isinstance(table, sa.Table)}
    assert {table.name for table in named.values()} == set(SQLModel.metadata.tables)  # every table, once
    for table in named.values():
        assert SQLModel.metadata.tables[table.name] is table


def test_rows_have_their_tables_columns():
    """What lead_detail and dnc_list hand out: a new column needs its field (and the other way)."""
    from dataclasses import fields

    from calldesk.db import rows, tables

    for row, table in ((rows.LeadRow, tables.leads), (rows.CallRow, tables.calls),
                       (rows.CallbackRow, tables.callbacks), (rows.SignalRow, tables.signals),
                       (rows.ActivityRow, tables.activities), (rows.SuppressionRow, tables.suppression)):
        assert [f.name for f in fields(row)] == [c.key for c in table.columns], row


def _window_keys() -> sa.Select:
    from calldesk.db.tables import window_keys

    return sa.select(window_keys)


@pytest.mark.parametrize("way", ["read", "write", "cursor", "write_cursor", "raw"])
def test_a_driver_error_ends_the_transaction_as_one_line_naming_the_store(store, way):
    """No caller of the db layer handles SQLAlchemy's exceptions: a store failing mid-command
    (here: a table gone) is a CalldeskError with the line the command line prints."""
    from calldesk.db.queue import queue
    from calldesk.rules.config import Config

    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE window_keys")
    missing = "no such table: window_keys" if store.is_sqlite else 'relation "window_keys" does not exist'
    with pytest.raises(StoreFault) as fault:
        if way == "raw":
            queue(store, "anne", NOW, Config())  # the queue reads on the driver's own connection
        else:
            with getattr(store, way)() as conn:
                if way in ("read", "write"):
                    conn.execute(sa.text("SELECT * FROM window_keys"))
                else:
                    conn.all(_window_keys)  # the plans cursor: the driver's own error, raised as SQLAlchemy's
    assert str(fault.value) == f"store {store.describe()}: {missing}"
    assert isinstance(fault.value, CalldeskError) and isinstance(fault.value.__cause__, sa.exc.DBAPIError)
