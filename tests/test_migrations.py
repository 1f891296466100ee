"""Upgrades keep data: a store built at every earlier schema revision, filled with plain SQL as
that calldesk wrote it, is opened by this calldesk and every value is still there."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import calldesk.db.engine as engine_module
from calldesk.db.engine import (
    SCHEMA_HEAD,
    Store,
    StoreFault,
    downgrade,
    open_store,
    schema_revision,
    to_url,
    upgrade,
)
from calldesk.db.imports import import_csv
from tests.conftest import NOW, write_csv

# Times in a local zone with microseconds: they must come back as the same instant, in UTC.
T0 = datetime(2026, 3, 29, 1, 59, 59, 123456, tzinfo=ZoneInfo("Europe/Amsterdam"))
T1 = T0 + timedelta(days=1, hours=3)
T2 = T0 + timedelta(days=9)


def _revisions() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(Path(engine_module.__file__).parent / "migrations"))
    return [script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]


REVISIONS = _revisions()

# One or two rows per table as the head schema has them, every column away from its default.
# Row ids are left to the database (a fresh store numbers them 1, 2, …), as calldesk does.
ROWS: dict[str, list[dict]] = {
    "imports": [{"file_name": "beurs.csv", "source": "Beurs 2026", "started_at": T0, "run_by": "anne",
                     "rows_read": 6, "imported": 2, "updated": 1, "duplicates": 1, "rejected": 1, "suppressed": 1}],
    "suppression": [{"phone_e164": "+31687654321", "reason": "vroeg het zelf", "added_at": T1, "added_by": "bram"}],
    "leads": [
        {"company": "Café Zoë 'De Hoek'", "contact_name": "Zoë Peeters", "role": "Eigenaar",
             "phone_raw": "020-1234567", "phone_e164": "+31201234567", "phone_extension": "12", "phone_type": "fixed", "phone_bad": True,
             "time_zone": "Europe/Amsterdam", "country": "NL", "email": "zoe@hoek.nl",
             "linkedin_url": "https://www.linkedin.com/in/zoe", "industry": "Horeca", "company_size": "11-50",
             "employees": 11, "source": "beurs", "owner": "anne", "stage": "hot_lead", "lost_reason": "", "warmth": 57,
             "warmth_reasons": '[["stage", 40], ["icp_role", 15]]', "attempts": 3, "no_answer_streak": 2,
             "unreachable": True, "last_outcome": "callback", "last_called_at": T1, "next_call_at": T2,
             "claimed_by": "anne", "claim_expires_at": T1 + timedelta(minutes=20), "import_id": 1,
             "campaign_id": 2, "created_at": T0, "updated_at": T1},
        # Nulls where allowed; warmth NULL was allowed before 0002 (which makes it 0).
        {"company": "Brasserie Geneviève", "contact_name": "", "role": "", "phone_raw": "+32 2 512 34 56",
             "phone_e164": "+3225123456", "phone_extension": "", "phone_type": "unknown", "phone_bad": False, "time_zone": None,
             "country": "BE", "email": "", "linkedin_url": "", "industry": "", "company_size": "", "employees": None,
             "source": "", "owner": None, "stage": "lost", "lost_reason": "te duur", "warmth": None,
             "warmth_reasons": "[]", "attempts": 0, "no_answer_streak": 0, "unreachable": False, "last_outcome": None,
             "last_called_at": None, "next_call_at": None, "claimed_by": None, "claim_expires_at": None,
             "import_id": None, "campaign_id": 2, "created_at": T0, "updated_at": T0},
    ],
    "calls": [{"lead_id": 1, "caller": "anne", "started_at": T1, "ended_at": T1 + timedelta(minutes=3),
                   "outcome": "appointment", "notes": "Bel na de vakantie; \"echt\" geïnteresseerd",
                   "appointment_at": T2, "undo": '{"lead": {"stage": "prospect"}}'}],
    "callbacks": [{"lead_id": 1, "due_at": T2, "caller": "anne", "created_by": "anne", "created_at": T1,
                       "status": "cancelled", "note": "na 14:00", "released_from": "bram", "released_at": T1,
                       "assigned_at": T1, "closed_by": "tess", "close_reason": "dubbel",
                       "closed_seen_at": T2, "revision": 3}],
    "signals": [{"lead_id": 1, "kind": "demo_request", "at": T0, "detail": "formulier op de site"}],
    "stage_changes": [
        {"lead_id": 1, "from_stage": None, "to_stage": "suspect", "at": T0, "changed_by": "import", "reason": "", "manual": False},
        {"lead_id": 1, "from_stage": "suspect", "to_stage": "hot_lead", "at": T1, "changed_by": "tess", "reason": "BANT", "manual": True},
    ],
    "bant_answers": [{"lead_id": 1, "element": "budget", "value": "yes", "note": "€ 5k", "call_id": 1, "updated_at": T1}],
    "meta": [{"key": "scored", "value": "2026-03-29|abc123"}],
    "window_keys": [{"time_zone": "Europe/Berlin", "country": "DE"}],
    "activities": [{"lead_id": 1, "kind": "email", "caller": "anne", "at": T1, "note": "offerte gestuurd"}],
    "callers": [{"name": "anne", "role": "team_lead", "daily_goal": 80, "active": False, "created_at": T0}],
    "call_requests": [{"key": "dialer-7f3a", "lead_id": 1, "call_id": 1, "caller": "anne", "outcome": "appointment",
                       "at": T1}],
    # Ids from 2: the store's own "default" client and campaign come first (0009).
    "clients": [{"name": "Bakkerij Zoë", "notes": "belt graag 's ochtends", "settings": '[calling]\nend = "16:00"\n',
                 "created_at": T0}],
    "campaigns": [{"name": "Najaar 2026", "client_id": 2, "status": "paused", "starts_on": date(2026, 9, 1),
                   "ends_on": date(2026, 12, 31), "priority": 5, "settings": "[queue]\nrecycle = false\n",
                   "script": '[[step]]\nsay = "Goedemorgen"\n', "created_at": T1}],
    "campaign_callers": [{"campaign_id": 2, "caller": "anne"}],
}
# What 0009 gives every store, before any row of the tables' own.
DEFAULT_ROWS = {
    "clients": [{"id": 1, "name": "default", "notes": "", "settings": ""}],
    "campaigns": [{"id": 1, "name": "default", "client_id": 1, "status": "active", "starts_on": None, "ends_on": None,
                   "priority": 0, "settings": "", "script": ""}],
}
# Columns later revisions added: the value a row written before them has afterwards.
ADDED = {
    ("leads", "warmth_reasons"): "[]", ("leads", "no_answer_streak"): 0, ("leads", "unreachable"): False,
    ("leads", "claimed_by"): None, ("leads", "claim_expires_at"): None,
    ("calls", "appointment_at"): None, ("calls", "undo"): None,
    ("callbacks", "released_from"): None, ("callbacks", "released_at"): None,
    ("callbacks", "assigned_at"): None, ("callbacks", "closed_by"): None, ("callbacks", "close_reason"): "",
    ("stage_changes", "manual"): False,
    ("leads", "phone_extension"): "", ("callbacks", "closed_seen_at"): None, ("callbacks", "revision"): 0,
    ("leads", "campaign_id"): 1,  # 0009: the default campaign
}
TABLES = {table.name: table for table in SQLModel.metadata.sorted_tables}


def test_every_table_and_column_has_a_representative_value():
    # A new migration's table or column needs a value here (and its default in ADDED).
    assert set(ROWS) == set(TABLES)
    for name, table in TABLES.items():
        columns = {c.name for c in table.columns} - {"id"}
        for row in ROWS[name]:
            assert set(row) == columns, name


def test_revisions_end_at_the_head():
    assert REVISIONS[-1] == SCHEMA_HEAD


def _insert(conn: sa.Connection, name: str, present: set[str], rows: list[dict]) -> None:
    """INSERT as plain SQL, binding each value with its column's type (times in UTC)."""
    columns = [c for c in rows[0] if c in present]
    sql = sa.text(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})")
    sql = sql.bindparams(*(sa.bindparam(c, type_=TABLES[name].c[c].type) for c in columns))
    for row in rows:
        conn.execute(sql, {c: row[c] for c in columns})


def _fill(store: Store) -> dict[str, set[str]]:
    """Rows for the tables this revision has; returns its columns per table."""
    with store.engine.begin() as conn:
        inspector = sa.inspect(conn)
        present = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
        for table in SQLModel.metadata.sorted_tables:  # parents before children
            if table.name not in present:
                continue
            rows = [dict(row) for row in ROWS[table.name]]
            if table.name == "leads" and not next(
                    c for c in inspector.get_columns("leads") if c["name"] == "warmth")["nullable"]:
                rows[1]["warmth"] = 0
            _insert(conn, table.name, present[table.name], rows)
    return present


def _expected(present: dict[str, set[str]], revision: str) -> dict[str, list[dict]]:
    expected: dict[str, list[dict]] = {}
    for name, table in TABLES.items():
        expected[name] = [dict(row) for row in DEFAULT_ROWS.get(name, ())]
        if name not in present:
            continue
        first = 1 + len(DEFAULT_ROWS.get(name, ()))
        for number, row in enumerate(ROWS[name], start=first):
            want = {}
            if "id" in table.c:
                want["id"] = number
            for column in row:
                if column in present[name]:
                    want[column] = row[column]
                else:
                    assert (name, column) in ADDED, f"{name}.{column}: add the value old rows get to ADDED"
                    want[column] = ADDED[(name, column)]
            expected[name].append(want)
    # 0002 made warmth NOT NULL, and recorded each (time zone, country) pair the leads had.
    expected["leads"][1]["warmth"] = 0
    if "window_keys" not in present:
        expected["window_keys"] = [{"time_zone": tz or "", "country": country} for tz, country in
                                   {(r["time_zone"], r["country"]) for r in ROWS["leads"]}]
    if revision < "0007":  # 0007 gave leads without a zone the zones their number could be in (Brussels)
        expected["leads"][1]["time_zone"] = "Europe/Brussels"
        expected["window_keys"].append({"time_zone": "Europe/Brussels", "country": "BE"})
    expected["window_keys"].sort(key=lambda r: (r["time_zone"], r["country"]))
    return expected


def _stored(store: Store) -> dict[str, list[dict]]:
    with store.read() as conn:
        return {name: [dict(row) for row in conn.execute(
                    sa.select(table).order_by(*table.primary_key.columns)).mappings()]
                for name, table in TABLES.items()}


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_upgrade_keeps_every_value(store_target, tmp_path, revision):
    old = Store(to_url(store_target))
    try:
        upgrade(old, revision)
        assert schema_revision(old.engine) == revision
        present = _fill(old)
    finally:
        old.close()

    store = open_store(store_target)  # upgrades to the head
    try:
        assert schema_revision(store.engine) == SCHEMA_HEAD
        stored = _stored(store)
        # 0008 gives the store its id (in .ics UIDs), once.
        store_ids = [r["value"] for r in stored["meta"] if r["key"] == "store_id"]
        assert len(store_ids) == 1 and re.fullmatch("[0-9a-f]{12}", store_ids[0])
        stored["meta"] = [r for r in stored["meta"] if r["key"] != "store_id"]
        # 0009's default client and campaign are made when it runs.
        for name in DEFAULT_ROWS:
            made = stored[name][0].pop("created_at")
            assert made.utcoffset() == timedelta(0)
        for name, rows in _expected(present, revision).items():
            assert stored[name] == rows, name
        if store.is_sqlite:
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                # The upgrade turns foreign keys off for itself only: the pooled connection has them back.
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # Still a working store: new rows get fresh ids next to the old ones.
        new = write_csv(tmp_path / "new.csv", "Company,Phone\nNieuw BV,06-12345678\n")
        summary = import_csv(store, new, now=NOW, by="t")
        assert summary.imported == 1
        with store.read() as conn:
            ids = conn.execute(sa.text("SELECT id FROM leads ORDER BY id")).scalars().all()
        assert ids == [1, 2, 3]
    finally:
        store.close()


def test_upgrade_gives_leads_of_several_zones_all_of_them(store_target):
    """Before 0007 a number spanning zones was stored without one (and called on the desk's
    clock); the upgrade recomputes those from the number, both stores."""
    old = Store(to_url(store_target))
    try:
        upgrade(old, "0006")
        with old.engine.begin() as conn:
            for number, country, zone in [("+18005550199", "US", None), ("+77012345678", "KZ", ""),
                                          ("+31612345678", "NL", "Europe/Amsterdam")]:
                conn.execute(sa.text(
                    "INSERT INTO leads (company, contact_name, role, phone_raw, phone_e164, phone_type, phone_bad, "
                    "time_zone, country, email, linkedin_url, industry, company_size, source, stage, lost_reason, "
                    "warmth, warmth_reasons, attempts, no_answer_streak, unreachable, created_at, updated_at) "
                    "VALUES ('', '', '', :n, :n, 'mobile', false, :z, :c, '', '', '', '', '', 'suspect', '', 0, '[]', "
                    "0, 0, false, :t, :t)"), {"n": number, "z": zone, "c": country, "t": T0})
                conn.execute(sa.text("INSERT INTO window_keys (time_zone, country) VALUES (:z, :c)"),
                             {"z": zone or "", "c": country})
    finally:
        old.close()
    store = open_store(store_target)
    try:
        with store.read() as conn:
            zones = dict(conn.execute(sa.text("SELECT phone_e164, time_zone FROM leads")).all())
            keys = set(conn.execute(sa.text("SELECT time_zone, country FROM window_keys")).all())
    finally:
        store.close()
    us = zones["+18005550199"].split()
    assert us[0] == "America/New_York" and "Pacific/Honolulu" in us
    assert zones["+77012345678"] == "Asia/Almaty"
    assert zones["+31612345678"] == "Europe/Amsterdam"
    assert (zones["+18005550199"], "US") in keys and ("Asia/Almaty", "KZ") in keys


def _leads_as_stored(store: Store) -> list[dict]:
    with store.read() as conn:
        return [dict(row) for row in conn.execute(sa.text("SELECT * FROM leads ORDER BY id")).mappings()]


def _schema_diff(store: Store) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from calldesk.db.models import include_in_autogenerate

    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_autogenerate})
        return compare_metadata(context, SQLModel.metadata)


def _queue_index_sql(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_leads_queue'").scalar()


def test_0009_puts_every_lead_in_the_default_campaign_and_downgrades(store_target):
    old = Store(to_url(store_target))
    try:
        upgrade(old, "0008")
        _fill(old)
        before = _leads_as_stored(old)
        queue_index = _queue_index_sql(old) if old.is_sqlite else ""
    finally:
        old.close()
    assert len(before) == 2

    store = open_store(store_target)
    try:
        with store.read() as conn:
            clients = conn.execute(sa.text("SELECT id, name FROM clients")).all()
            campaigns = conn.execute(sa.text("SELECT id, name, client_id, status FROM campaigns")).all()
            per_campaign = conn.execute(sa.text("SELECT campaign_id, count(*) FROM leads GROUP BY campaign_id")).all()
        assert [name for _id, name in clients] == ["default"]
        assert [(name, client, status) for _id, name, client, status in campaigns] == [("default", clients[0][0], "active")]
        assert per_campaign == [(campaigns[0][0], 2)]
        # The copy SQLite's batch mode made of leads is the models' table, indexes and keys too.
        assert _schema_diff(store) == []
        if store.is_sqlite:
            assert _queue_index_sql(store) == queue_index and "warmth DESC" in queue_index
        with pytest.raises(StoreFault), store.write() as conn:  # every lead belongs to a campaign
            conn.execute(sa.text(
                "INSERT INTO leads (company, contact_name, role, phone_raw, phone_e164, phone_extension, phone_type, "
                "phone_bad, country, email, linkedin_url, industry, company_size, source, stage, lost_reason, "
                "warmth, warmth_reasons, attempts, no_answer_streak, unreachable, created_at, updated_at) "
                "VALUES ('', '', '', '', '+31201111111', '', 'fixed', false, 'NL', '', '', '', '', '', 'suspect', '', "
                "0, '[]', 0, 0, false, :t, :t)"), {"t": T0})

        downgrade(store, "0008")
        assert schema_revision(store.engine) == "0008"
        tables = set(sa.inspect(store.engine).get_table_names())
        assert not tables & {"clients", "campaigns", "campaign_callers"}
        assert _leads_as_stored(store) == before
        if store.is_sqlite:
            assert _queue_index_sql(store) == queue_index
    finally:
        store.close()

    again = open_store(store_target)  # and up once more
    try:
        assert schema_revision(again.engine) == SCHEMA_HEAD
        with again.read() as conn:
            assert conn.execute(sa.text("SELECT DISTINCT c.name FROM leads l JOIN campaigns c ON c.id = l.campaign_id")
                                ).scalars().all() == ["default"]
    finally:
        again.close()


def test_0009_fills_a_big_store_with_one_statement(tmp_path):
    """A million leads must not be updated row by row: the upgrade's UPDATE of leads is one."""
    old = Store(to_url(str(tmp_path / "big.db")))
    try:
        upgrade(old, "0008")
        with old.engine.begin() as conn:
            conn.exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                "INSERT INTO leads (company, contact_name, role, phone_raw, phone_e164, phone_extension, phone_type, "
                "phone_bad, country, email, linkedin_url, industry, company_size, source, stage, lost_reason, "
                "warmth, warmth_reasons, attempts, no_answer_streak, unreachable, created_at, updated_at) "
                "SELECT '', '', '', '', '+3120' || (1000000 + i), '', 'fixed', 0, 'NL', '', '', '', '', '', "
                "'suspect', '', 0, '[]', 0, 0, 0, '2026-11-01 00:00:00.000000', '2026-11-01 00:00:00.000000' FROM n")
        updates: list[bool] = []  # executemany, per UPDATE of leads

        def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
            if statement.lstrip().upper().startswith("UPDATE LEADS"):
                updates.append(executemany)

        sa.event.listen(old.engine, "before_cursor_execute", count)
        upgrade(old)
    finally:
        old.close()
    assert updates == [False]
    store = open_store(str(tmp_path / "big.db"))
    try:
        with store.read() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM leads WHERE campaign_id = 1")).scalar() == 5000
    finally:
        store.close()
