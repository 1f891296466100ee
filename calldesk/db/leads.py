"""Leads: reading them for the screens, and adding one by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, func, select

from calldesk.config import Config
from calldesk.db.engine import Store
from calldesk.db.models import Lead, Suppression, WindowKey
from calldesk.db.scoring import score_new_lead
from calldesk.errors import CalldeskError
from calldesk.phones import normalize
from calldesk.stages import Stage


def count_leads(store: Store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(Lead)).one()


def top_leads(store: Store, limit: int = 200) -> list[Lead]:
    """A window of leads, warmest first (never all of them: a list may hold a million)."""
    with store.read() as session:
        query = (
            select(Lead)
            .order_by(sa.nulls_last(col(Lead.warmth).desc()), col(Lead.id))
            .limit(limit)
        )
        return list(session.exec(query))


def add_lead(store: Store, *, phone: str, now: datetime, by: str, config: Config | None = None,
             region: str | None = None, **fields: Any) -> int:
    """One lead by hand, with the import's checks: a valid number, no duplicate, not suppressed."""
    config = config or Config()
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise CalldeskError(f"unknown lead fields: {', '.join(sorted(unknown))}")
    number = normalize(phone, region or config.region)
    values: dict[str, Any] = {
        "company": "", "contact_name": "", "role": "", "email": "", "linkedin_url": "", "industry": "",
        "company_size": "", "source": "manual", "owner": None, "stage": Stage.suspect.value, **fields,
        "phone_raw": number.raw, "phone_e164": number.e164, "phone_type": number.kind.value,
        "time_zone": number.time_zone, "country": number.region, "created_at": now, "updated_at": now,
    }
    values["stage"] = Stage(values["stage"]).value
    values["warmth"], values["warmth_reasons"] = score_new_lead(values, now, config)
    table = Lead.__table__
    with store.write() as session:
        conn = session.connection()
        if conn.execute(sa.select(Suppression.phone_e164).where(Suppression.phone_e164 == number.e164)).first():
            raise CalldeskError(f"{number.e164} is on the do-not-call list")
        existing = conn.execute(
            sa.select(table.c.id, table.c.company).where(table.c.phone_e164 == number.e164)).first()
        if existing:
            raise CalldeskError(f"{number.e164} already belongs to lead {existing.id} ({existing.company or 'no company'})")
        lead_id = conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar_one()
        key = {"time_zone": number.time_zone or "", "country": number.region}
        wk = WindowKey.__table__
        if not conn.execute(sa.select(wk).filter_by(**key)).first():
            conn.execute(sa.insert(wk).values(key))
    return lead_id


_EDITABLE = {"company", "contact_name", "role", "email", "linkedin_url", "industry", "company_size",
             "employees", "source", "owner", "stage"}
