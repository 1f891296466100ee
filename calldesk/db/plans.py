"""Statements compiled once per dialect and run on the driver's own cursor.

For every execution SQLAlchemy builds the statement, computes its cache key and wraps the
cursor and each row: ~0.2 ms a statement, ten times what SQLite takes to run the small indexed
statements of a claim or a recorded call. Those run inside the write lock that every other
caller waits for, so the hot paths (reading the queue, claiming, recording an outcome) compile
their statements once per dialect and run them here. Values go in and come out through the
columns' own types, as SQLAlchemy would do it. The cursor comes from the store
(`Store.cursor()`, `Store.write_cursor()`).

This leans on SQLAlchemy's compiler beyond its documented API: `SQLCompiler.binds` with
`BindParameter.required` and `construct_params()` (which values are fixed, which given per
call), `positional`/`positiontup` (a positional driver's parameter order),
`escaped_bind_names` and the `__[POSTCOMPILE` marker (statements a plan must refuse),
`TypeEngine.dialect_impl().bind_processor()/result_processor()`, `Dialect.is_disconnect()` and
`DBAPIError.instance()` (errors raised as SQLAlchemy raises them); queue._Reader and
imports._LeadInsert lean on the same. tests/test_plans.py guards it, on SQLite and PostgreSQL:
test_a_plan_sends_what_sqlalchemy_sends fails when a SQLAlchemy release changes what these
give; pyproject's `sqlalchemy<2.2` keeps an untested minor release out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.schema import ScalarElementColumnDefault

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIModule

# What a plan runs: a SELECT, or an INSERT/UPDATE/DELETE (with or without RETURNING).
Statement = sa.Select | sa.Insert | sa.Update | sa.Delete
Build = Callable[..., Statement]


def _is_time(type_: sa.types.TypeEngine[Any]) -> bool:
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    return isinstance(type_, sa.DateTime)


def sqlite_time(fallback: Callable[[Any], datetime]) -> Callable[[Any], datetime]:
    """A reader for the times SQLite gives back (naive UTC text) → aware UTC."""
    def read(text: Any) -> datetime:
        # SQLAlchemy's parser took six times as long.
        try:
            return datetime.fromisoformat(text + "+00:00")
        except (TypeError, ValueError):
            return fallback(text)
    return read


@dataclass(frozen=True)
class Plan:
    """A statement compiled for one dialect, with its fixed values already processed."""

    sql: str
    params: tuple[Any, ...] | dict[str, Any]  # the fixed values, processed (positional: in place)
    slots: tuple[tuple[int, str], ...]  # positional: where each value given per call goes
    convert: tuple[tuple[str, Callable[[Any], Any]], ...]  # values given per call the dialect processes
    columns: tuple[str, ...] = ()  # what a row holds, by name
    results: tuple[tuple[int, Callable[[Any], Any]], ...] = ()  # the row's values the dialect processes

    @classmethod
    def compile(cls, statement: Statement, dialect: Dialect) -> Plan:
        compiled = statement.compile(dialect=dialect)
        if "__[POSTCOMPILE" in compiled.string or compiled.escaped_bind_names:
            # Expanding or renamed binds need SQLAlchemy's own execution.
            raise AssertionError("a plan's statement must bind plain parameters")
        fixed: dict[str, Any] = {}
        convert: list[tuple[str, Callable[[Any], Any]]] = []
        # Binds made without a value (:caller, :now…) are given per call.
        runtime = {name: None for name, bind in compiled.binds.items() if bind.required}
        for name, value in compiled.construct_params(runtime).items():
            process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if name in runtime:
                if process is not None:
                    convert.append((name, process))
            else:
                fixed[name] = value if process is None else process(value)
        columns: list[str] = []
        results: list[tuple[int, Callable[[Any], Any]]] = []
        # A SELECT's columns, or what an INSERT/UPDATE … RETURNING gives back.
        for index, column in enumerate(statement.exported_columns):
            columns.append(column.key or "")  # an unnamed column (count()) is read by position
            read: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if dialect.name == "sqlite" and _is_time(column.type):
                read = sqlite_time(read or (lambda value: value))
            if read is not None:
                results.append((index, read))
        if not compiled.positional:
            return cls(compiled.string, fixed, (), tuple(convert), tuple(columns), tuple(results))
        names = compiled.positiontup or ()
        slots = tuple((i, name) for i, name in enumerate(names) if name in runtime)
        return cls(compiled.string, tuple(fixed.get(name) for name in names), slots, tuple(convert),
                   tuple(columns), tuple(results))

    def bind(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The statement's parameters, from values already processed."""
        if isinstance(self.params, dict):
            return {**self.params, **values}
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        return params

    def process(self, values: dict[str, Any]) -> dict[str, Any]:
        """Values given per call, as the columns' types store them."""
        for name, process in self.convert:
            values[name] = process(values[name])
        return values

    def row(self, raw: Sequence[Any]) -> list[Any]:
        row = list(raw)
        for index, process in self.results:
            row[index] = process(row[index])
        return row


_PLANS: dict[tuple[Any, ...], Plan] = {}


def dialect_key(dialect: Dialect) -> tuple[Any, ...]:
    """What compiling depends on, not the dialect object: every store has its own."""
    return (type(dialect), dialect.paramstyle, dialect.server_version_info)


def plan(dialect: Dialect, build: Build, *args: Any) -> Plan:
    """`build(*args)` compiled for this kind of dialect, once."""
    key = (dialect_key(dialect), build, args)
    found = _PLANS.get(key)
    if found is None:
        found = _PLANS[key] = Plan.compile(build(*args), dialect)
    return found


class Cursor:
    """The driver's cursor on a connection's transaction, running plans. Driver errors are
    raised as SQLAlchemy raises them, so callers handle both paths alike."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self._error: type[DBAPIModule.Error] = conn.dialect.loaded_dbapi.Error
        self._cursor = conn.connection.cursor()

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._cursor.close()

    def execute(self, build: Build, args: tuple[Any, ...] = (), /, **values: Any) -> Plan:
        """Run `build(*args)` with these values; the plan, to read its rows."""
        compiled = plan(self.dialect, build, *args)
        try:
            params = compiled.bind(compiled.process(values))
        except Exception as exc:  # a value its column's type refuses (a naive time…)
            raise sa.exc.StatementError(str(exc), compiled.sql, values, exc) from exc
        with self._raising(compiled):
            self._cursor.execute(compiled.sql, params)
        return compiled

    @contextmanager
    def _raising(self, compiled: Plan) -> Iterator[None]:
        """Driver errors as SQLAlchemy raises them; a lost connection leaves the pool."""
        try:
            yield
        except self._error as exc:
            lost = self.dialect.is_disconnect(exc, self.conn.connection.dbapi_connection, self._cursor)
            if lost:
                self.conn.invalidate(exc)
            raise sa.exc.DBAPIError.instance(compiled.sql, None, exc, self._error, dialect=self.dialect,
                                             connection_invalidated=lost) from exc

    def all(self, build: Build, args: tuple[Any, ...] = (), /, **values: Any) -> list[list[Any]]:
        compiled = self.execute(build, args, **values)
        with self._raising(compiled):
            raws = self._cursor.fetchall()
        return [compiled.row(raw) for raw in raws]

    def first(self, build: Build, args: tuple[Any, ...] = (), /, **values: Any) -> dict[str, Any] | None:
        """The first row by column name, or None."""
        compiled = self.execute(build, args, **values)
        if not compiled.columns:  # nothing to read (PostgreSQL's driver would raise)
            return None
        with self._raising(compiled):
            raw = self._cursor.fetchone()
            if raw is not None:
                self._cursor.fetchall()  # read to the end: the driver then finishes the statement
        return None if raw is None else dict(zip(compiled.columns, compiled.row(raw), strict=True))

    def scalar(self, build: Build, args: tuple[Any, ...] = (), /, **values: Any) -> Any:
        row = self.first(build, args, **values)
        return None if row is None else next(iter(row.values()))

    def count(self, build: Build, args: tuple[Any, ...] = (), /, **values: Any) -> int:
        """Rows written by an UPDATE or DELETE."""
        self.execute(build, args, **values)
        return self._cursor.rowcount

    def insert(self, table: sa.Table, /, **row: Any) -> Any:
        """Insert one row; its new id (None for a table without one)."""
        return self.scalar(_insert, (table, tuple(row)), **{f"v_{name}": value for name, value in row.items()})

    def update(self, table: sa.Table, row_id: Any, /, **values: Any) -> None:
        """Set these columns of the row with this id."""
        self.execute(_update, (table, tuple(values)), row_id=row_id,
                     **{f"v_{name}": value for name, value in values.items()})


# Binds named after a column are SQLAlchemy's own in INSERT and UPDATE: ours take a prefix.
def _new_values(table: sa.Table, names: tuple[str, ...]) -> dict[str, sa.BindParameter[Any]]:
    return {name: sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in names}


def _insert(table: sa.Table, names: tuple[str, ...]) -> sa.Insert:
    values: dict[str, Any] = {}
    for column in table.c:  # SQLAlchemy fills column defaults per execution: here, once
        if column.key not in names and column.default is not None:
            if not isinstance(column.default, ScalarElementColumnDefault):
                raise AssertionError(f"{table.name}.{column.key}: a plan takes scalar defaults only")
            values[column.key] = column.default.arg
    statement = sa.insert(table).values({**values, **_new_values(table, names)})
    return statement.returning(table.c.id) if "id" in table.c else statement


def _update(table: sa.Table, names: tuple[str, ...]) -> sa.Update:
    return sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(_new_values(table, names))
