"""Opening a store: a SQLite file (default) or a PostgreSQL URL, migrated to our schema.

SQLite settings follow SQLAlchemy's pysqlite recipe: the driver's own transaction handling is
switched off and we emit BEGIN ourselves, IMMEDIATE for writes, so that several caller
processes writing one file queue on the lock instead of failing with "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError

from calldesk.db.plans import Cursor
from calldesk.errors import CalldeskError
from calldesk.i18n import _

# The newest migration this calldesk knows; tests check it equals Alembic's head.
SCHEMA_HEAD = "0009"
BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT = 10.0  # seconds; the config's [store] section overrides both
STATEMENT_TIMEOUT = 120.0
WRITE_LOCK_POLL = 0.002  # seconds between tries for the write lock (see _sqlite_on_begin)
_PG_MIGRATION_LOCK = 0x0CA11DE5  # advisory lock id: one process migrates at a time

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


def default_store_path() -> Path:
    return platformdirs.user_data_path("calldesk", appauthor=False) / "calldesk.db"


def resolve_target(db: str | None, env: Mapping[str, str], config_database: str = "") -> str:
    """--db, else CALLDESK_DB, else the config's `database`, else the default file."""
    return db or env.get("CALLDESK_DB") or config_database or str(default_store_path())


def to_url(target: str) -> sa.URL:
    if "://" not in target:
        return sa.URL.create("sqlite", database=str(Path(target).expanduser().absolute()))
    scheme, _sep, rest = target.partition("://")
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        try:
            url = make_url(f"postgresql+psycopg://{rest}")
            url.port  # noqa: B018 (parsed lazily: ':notaport' fails only here)
        except (ValueError, sa.exc.ArgumentError):
            raise CalldeskError(_("{target} is not a valid PostgreSQL URL (expected "
                                  "postgresql://user@host:port/database)").format(target=_hide_password(target))) from None
        return url
    if scheme == "sqlite":
        return make_url(target)
    raise CalldeskError(_("unsupported store {scheme}://…: give a file path or a postgresql:// URL").format(scheme=scheme))


def _hide_password(target: str) -> str:
    head, at, tail = target.rpartition("@")
    if not at or ":" not in head.partition("://")[2]:
        return target
    scheme, _sep, credentials = head.partition("://")
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{tail}"


class StoreFault(CalldeskError):
    """The store failed while it was used: a full disk, a server gone or restarted, a store
    damaged by hand. One line naming the store, as the command line prints it; the driver's
    error is its __cause__. Raised where a read or write transaction ends, so no caller of the
    db layer handles SQLAlchemy's exceptions."""


def fault(store: str, exc: DBAPIError) -> StoreFault:
    """A driver error met mid-command → StoreFault: the store (as Store.describe gives it) and
    the driver's first line."""
    orig = exc.orig
    detail = str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else type(orig).__name__
    return StoreFault(_("store {store}: {error}").format(store=store, error=detail))


class Store:
    """One database. Every way into it: `read()` and `write()` give a connection in one
    transaction, `cursor()` and `write_cursor()` the plans cursor of the hot paths on one
    (calldesk.db.plans), `raw()` the driver's own connection. Each turns driver errors into
    StoreFault."""

    def __init__(self, url: sa.URL, *, connect_timeout: float = CONNECT_TIMEOUT,
                 statement_timeout: float = STATEMENT_TIMEOUT) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self.is_sqlite = url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            # Thread workers share the pool, so connections may cross threads.
            self.engine = sa.create_engine(url, connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            try:
                # libpq's connect_timeout is whole seconds (psycopg enforces at least 2).
                self.engine = sa.create_engine(url, pool_pre_ping=True,
                                               connect_args={"connect_timeout": max(2, round(connect_timeout))})
            except (ModuleNotFoundError, NoSuchModuleError):
                raise CalldeskError(
                    _("PostgreSQL needs the postgres extra: pip install 'calldesk[postgres]'")
                ) from None
            event.listen(self.engine, "connect", _pg_on_connect(round(statement_timeout * 1000)))
        self._writer = self.engine.execution_options(calldesk_begin="IMMEDIATE")
        self._light_writer = self.engine.execution_options(calldesk_begin="IMMEDIATE", calldesk_durable=False)

    @property
    def path(self) -> Path | None:
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    def describe(self) -> str:
        return str(self.path) if self.path else self.url.render_as_string(hide_password=True)

    @property
    def name(self) -> str:
        """Short, for a header: the file name, or database@host."""
        return self.path.name if self.path else f"{self.url.database}@{self.url.host}"

    def fault(self, exc: DBAPIError) -> StoreFault:
        return fault(self.describe(), exc)

    @contextmanager
    def faults(self) -> Iterator[None]:
        """Driver errors inside the block become StoreFault (for a transaction begun by hand)."""
        try:
            yield
        except DBAPIError as exc:
            raise self.fault(exc) from exc

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reading: its statements share one transaction, rolled back at the end."""
        with self.faults(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sa.Connection]:
        """One all-or-nothing transaction: commits at the end, rolls back on any error.

        durable=False, for claims: on SQLite a power cut may undo it after the commit (never half
        of it), and the commit skips its wait for the disk, which it would spend holding the write
        lock other callers wait for. The callers' apps share the file's machine, so they go down
        with the claim. A PostgreSQL server can crash while the apps run on: there every commit
        stays durable, or a lost claim could give a lead being called to a second caller.
        """
        with self.faults(), (self._writer if durable else self._light_writer).begin() as conn:
            yield conn

    @contextmanager
    def cursor(self) -> Iterator[Cursor]:
        """The plans cursor on a read connection (see read())."""
        with self.read() as conn, Cursor(conn) as cur:
            yield cur

    @contextmanager
    def write_cursor(self, *, durable: bool = True) -> Iterator[Cursor]:
        """The plans cursor on one write transaction (see write())."""
        with self.write(durable=durable) as conn, Cursor(conn) as cur:
            yield cur

    @contextmanager
    def raw(self) -> Iterator[PoolProxiedConnection]:
        """The driver's own connection, no SQLAlchemy connection around it: for a read whose
        statements each run on their own (the queue, read every few seconds per caller: a
        Connection would add ~15 µs to its ~250)."""
        with self.faults():
            connection = self.engine.raw_connection()
            try:
                yield connection
            finally:
                connection.close()

    def revision(self) -> str | None:
        """The schema revision the store is at, without migrating it; CalldeskError (as
        open_store's) when it can't be read."""
        try:
            return schema_revision(self.engine)
        except DBAPIError as exc:
            raise store_error(self, exc) from None

    def close(self) -> None:
        self.engine.dispose()


def _pg_on_connect(statement_ms: int) -> Callable[[DBAPIConnection, ConnectionPoolEntry], None]:
    def on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # The server cancels a statement running longer (a lock waited on forever, a runaway query).
        cursor = dbapi_conn.cursor()
        cursor.execute(f"SET statement_timeout = {int(statement_ms)}")
        cursor.close()
        dbapi_conn.commit()
    return on_connect


def driver_connection(conn: sa.Connection) -> Any:
    """The driver's own connection (sqlite3's, psycopg's) under a live SQLAlchemy one."""
    raw = conn.connection.driver_connection
    assert raw is not None  # None only once the connection was closed or invalidated
    return raw


def _sqlite_on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")  # with WAL: a committed call survives power loss
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    options = conn.get_execution_options()
    raw = driver_connection(conn)
    # Per transaction (a pooled connection serves both kinds), and before BEGIN: SQLite refuses
    # it inside one. NORMAL with WAL: the commit is not synced; the next FULL commit syncs it too.
    raw.execute("PRAGMA synchronous = " + ("FULL" if options.get("calldesk_durable", True) else "NORMAL"))
    mode = options.get("calldesk_begin", "DEFERRED")
    if mode != "IMMEDIATE":
        conn.exec_driver_sql(f"BEGIN {mode}")
        return
    # SQLite's own busy wait backs off to one try per 100 ms: the longer a writer has waited,
    # the less often it tries, and writers that just came take the lock first. Eight callers
    # writing without pause starved one past the timeout ("database is locked") while the
    # rest recorded hundreds of calls. Trying every few ms gives every waiter the same chance.
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    break
            time.sleep(WRITE_LOCK_POLL)
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # raises what stopped it, as SQLAlchemy does
    finally:
        raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def open_store(target: str, *, create_parent: bool = False, connect_timeout: float = CONNECT_TIMEOUT,
               statement_timeout: float = STATEMENT_TIMEOUT) -> Store:
    """Open (creating if need be) and migrate a store; CalldeskError when that can't be done."""
    url = to_url(target)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        _create_private_file(Path(url.database), create_parent)
    store = Store(url, connect_timeout=connect_timeout, statement_timeout=statement_timeout)
    try:
        revision = schema_revision(store.engine)
        if revision is None and store.is_sqlite and _has_tables(store.engine):
            # Another program's database: calldesk must not add its tables to it (a mistyped
            # --db), and its own data could collide with what is there.
            raise CalldeskError(_("{store} is another program's database, not a calldesk store: "
                                  "give a new file").format(store=store.describe()))
        if revision != SCHEMA_HEAD:
            if revision is not None and revision not in known_revisions():
                raise CalldeskError(
                    _("store {store} was written by a newer calldesk (schema {revision}); "
                      "upgrade calldesk to open it").format(store=store.describe(), revision=revision)
                )
            upgrade(store)
    except DBAPIError as exc:
        store.close()
        raise store_error(store, exc) from None
    except BaseException:
        store.close()
        raise
    return store


def _create_private_file(path: Path, create_parent: bool) -> None:
    """New stores hold personal data: create the file readable by its owner only."""
    if path.exists():
        # SQLite would open it and fail at the first write, mid-call: say so now.
        if not os.access(path, os.W_OK):
            raise CalldeskError(_("store {path} is read-only: calldesk needs to write to it and its folder").format(path=path))
        if path.is_file() and not os.access(path.parent, os.W_OK):
            raise CalldeskError(_("store {path} is in a read-only folder: calldesk needs to write its "
                                  "journal files beside it, in {folder}").format(path=path, folder=path.parent))
        return
    if create_parent:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CalldeskError(_("cannot create store {path}: cannot make folder {folder} ({error})").format(
                path=path, folder=path.parent, error=exc.strerror)) from None
    if not path.parent.is_dir():
        raise CalldeskError(_("cannot create store {path}: folder {folder} does not exist").format(
            path=path, folder=path.parent))
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise CalldeskError(_("cannot create store {path}: {error}").format(path=path, error=exc.strerror)) from None


def store_error(store: Store, exc: DBAPIError) -> StoreFault:
    """A driver error while opening → one line a user can act on."""
    text = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    where = store.describe()
    if store.is_sqlite:
        if "readonly" in text or "read-only" in text:
            return StoreFault(_("store {store} is read-only: calldesk needs to write to it").format(store=where))
        if "not a database" in text:
            return StoreFault(_("{store} is not a calldesk store (not an SQLite database)").format(store=where))
        if "unable to open" in text:
            return StoreFault(_("cannot open store {store}: check the path and its permissions").format(store=where))
        return StoreFault(_("store {store}: {error}").format(store=where, error=text))
    if "timeout expired" in text:
        return StoreFault(_("PostgreSQL server {server} did not answer within {seconds} s "
                            "(the config's [store] connect_timeout)").format(
            server=f"{store.url.host or 'localhost'}:{store.url.port or 5432}", seconds=round(store.connect_timeout)))
    return StoreFault(_("cannot use PostgreSQL store {store}: {error}").format(store=where, error=text))


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").first() is not None


def _alembic_config() -> AlembicConfig:  # alembic imported lazily: it is slow and rarely needed
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def upgrade(store: Store, revision: str = "head") -> None:
    """Migrate under the write lock, so two processes opening a new store don't both migrate."""
    from alembic import command

    _migrate(store, command.upgrade, revision)


def downgrade(store: Store, revision: str) -> None:
    """Back to an earlier revision, as upgrade() goes forward (for tests and developers: an
    older calldesk refuses a newer store rather than downgrade it)."""
    from alembic import command

    _migrate(store, command.downgrade, revision)


def _migrate(store: Store, step: Callable[[AlembicConfig, str], None], revision: str) -> None:
    config = _alembic_config()
    with store.engine.connect() as conn:
        if store.is_sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
            # dropping `leads` would cascade to every call, callback and answer. The pragma is
            # ignored inside a transaction: off before BEGIN, links checked before COMMIT.
            driver_connection(conn).execute("PRAGMA foreign_keys = OFF")
        try:
            conn = conn.execution_options(calldesk_begin="IMMEDIATE")
            with conn.begin():
                if not store.is_sqlite:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                config.attributes["connection"] = conn
                step(config, revision)
                if store.is_sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").first()):
                    raise CalldeskError(_("store {store}: upgrading would leave rows of {table} "
                                          "pointing at nothing; the store was left as it was").format(
                        store=store.describe(), table=broken[0]))
        finally:
            if store.is_sqlite:
                driver_connection(conn).execute("PRAGMA foreign_keys = ON")
