"""Stored warmth: computed by calldesk.rules.warmth, kept in the leads table so the queue sorts in SQL.

Warmth changes when its inputs change (import, outcome, signal) and as signals age; the age
decay is refreshed once a day, for leads with signals inside the horizon only, and in full
when the weights or ICP in the config change.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from calldesk.db.engine import Store
from calldesk.db.plans import Cursor
from calldesk.db.tables import bant_answers, leads, meta, signals
from calldesk.rules.config import Config
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import LeadFacts, reasons_json, score

REFRESH_KEY = "warmth_refresh"
_BATCH = 5000
_PG_REFRESH_LOCK = 0x0CA11DE6  # advisory lock id: one warmth refresh at a time (engine has ...E5)


def config_stamp(config: Config) -> str:
    """Changes when anything warmth depends on changes."""
    text = config.warmth.model_dump_json() + config.icp.model_dump_json()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rescore(conn: sa.Connection, lead_ids: Sequence[int], now: datetime, config: Config) -> None:
    """Recompute and store warmth for these leads from everything known about them."""
    for start in range(0, len(lead_ids), _BATCH):
        batch = list(lead_ids[start : start + _BATCH])
        rows = conn.execute(
            sa.select(leads.c.id, leads.c.stage, leads.c.industry, leads.c.employees, leads.c.role,
                      leads.c.no_answer_streak).where(leads.c.id.in_(batch))
        ).all()
        bant: dict[int, dict[str, str]] = defaultdict(dict)
        for lead_id, element, value in conn.execute(
            sa.select(bant_answers.c.lead_id, bant_answers.c.element, bant_answers.c.value)
            .where(bant_answers.c.lead_id.in_(batch))
        ):
            bant[lead_id][element] = value
        horizon = now - timedelta(days=config.warmth.signal_horizon_days)
        seen: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
        for lead_id, kind, at in conn.execute(
            sa.select(signals.c.lead_id, signals.c.kind, signals.c.at)
            .where(signals.c.lead_id.in_(batch), signals.c.at >= horizon)
        ):
            seen[lead_id].append((str(kind), at))
        updates = [{"_id": row.id, **warmth_of(row._mapping, bant[row.id], seen[row.id], now, config)}
                   for row in rows]
        if updates:
            conn.execute(
                sa.update(leads).where(leads.c.id == sa.bindparam("_id"))
                .values(warmth=sa.bindparam("warmth"), warmth_reasons=sa.bindparam("warmth_reasons")),
                updates,
            )


def warmth_of(lead: Mapping[str, Any] | sa.RowMapping, bant: Mapping[str, str], signals: Sequence[tuple[str, datetime]],
              now: datetime, config: Config) -> dict[str, Any]:
    """The warmth columns for a lead (a row of leads, or its values about to be written)."""
    facts = LeadFacts(stage=Stage(lead["stage"]), industry=lead["industry"], employees=lead["employees"],
                      role=lead["role"], bant=dict(bant), signals=tuple(signals),
                      no_answer_streak=lead["no_answer_streak"])
    warmth = score(facts, now, config.warmth, config.icp)
    return {"warmth": warmth.score, "warmth_reasons": reasons_json(warmth)}


def _lead_answers() -> sa.Select:
    return sa.select(bant_answers.c.element, bant_answers.c.value).where(
        bant_answers.c.lead_id == sa.bindparam("lead_id"))


def _lead_signals() -> sa.Select:
    return sa.select(signals.c.kind, signals.c.at).where(
        signals.c.lead_id == sa.bindparam("lead_id"), signals.c.at >= sa.bindparam("horizon", type_=signals.c.at.type))


def score_one(cur: Cursor, lead: Mapping[str, Any], now: datetime, config: Config) -> dict[str, Any]:
    """rescore for one lead inside a hot transaction (recording a call), on the driver's cursor:
    `lead` holds its values as they are about to be written; the answers are read as stored."""
    bant = {element: value for element, value in cur.all(_lead_answers, lead_id=lead["id"])}
    horizon = now - timedelta(days=config.warmth.signal_horizon_days)
    recent = [(str(kind), at) for kind, at in cur.all(_lead_signals, lead_id=lead["id"], horizon=horizon)]
    return warmth_of(lead, bant, recent, now, config)


def _read_stamp(conn: sa.Connection) -> str | None:
    return conn.execute(sa.select(meta.c.value).where(meta.c.key == REFRESH_KEY)).scalar()


def _write_stamp(conn: sa.Connection, value: str) -> None:
    updated = conn.execute(sa.update(meta).where(meta.c.key == REFRESH_KEY).values(value=value)).rowcount
    if not updated:
        conn.execute(sa.insert(meta).values(key=REFRESH_KEY, value=value))


def note_scored(conn: sa.Connection, now: datetime, config: Config) -> None:
    """After an import scored its leads with this config: a first stamp, so no full rescore follows."""
    if _read_stamp(conn) is None:
        _write_stamp(conn, f"{now.date().isoformat()}|{config_stamp(config)}")


def refresh_if_due(store: Store, now: datetime, config: Config) -> int:
    """Daily decay refresh (or a full one after a config change); returns leads rescored."""
    wanted = f"{now.date().isoformat()}|{config_stamp(config)}"
    with store.read() as conn:
        if _read_stamp(conn) == wanted:
            return 0  # the common case: one indexed read
    with store.write() as conn:
        if not store.is_sqlite:
            # Every caller's first command of the day gets here at once: one refreshes, the
            # rest wait and then find the stamp written (SQLite's BEGIN IMMEDIATE does the same).
            # Without it their UPDATEs of the same rows in different orders deadlock.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_REFRESH_LOCK})
        stamp = _read_stamp(conn)
        if stamp == wanted:
            return 0
        if stamp is None or stamp.split("|")[-1] != config_stamp(config):
            ids: Iterable[int] = conn.execute(sa.select(leads.c.id)).scalars()
        else:
            since = now - timedelta(days=config.warmth.signal_horizon_days + 1)
            ids = conn.execute(sa.select(signals.c.lead_id).where(signals.c.at >= since).distinct()).scalars()
        lead_ids = sorted(ids)  # a fixed order: rows are locked as they are updated
        rescore(conn, lead_ids, now, config)
        _write_stamp(conn, wanted)
        return len(lead_ids)
