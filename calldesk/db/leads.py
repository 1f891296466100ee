"""Leads: reading them for the screens, and adding one by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, func, select

from calldesk.config import Config
from calldesk.db.engine import Store
from calldesk.db.models import BantAnswer, Call, Callback, CallbackStatus, Lead, Signal, Suppression, WindowKey
from calldesk.warmth import score_new_lead
from calldesk.errors import CalldeskError
from calldesk.phones import normalize
from calldesk.stages import Stage


def count_leads(store: Store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(Lead)).one()


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


@dataclass(frozen=True)
class LeadDetail:
    lead: Lead
    signals: list[Signal]
    calls: list[Call]  # newest first
    callbacks: list[Callback]  # open ones, soonest first
    bant: dict[str, str]


def lead_detail(store: Store, lead_id: int, calls: int = 5) -> LeadDetail | None:
    with store.read() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            return None
        return LeadDetail(
            lead=lead,
            signals=list(session.exec(select(Signal).where(Signal.lead_id == lead_id)
                                      .order_by(col(Signal.at).desc()).limit(10))),
            calls=list(session.exec(select(Call).where(Call.lead_id == lead_id)
                                    .order_by(col(Call.started_at).desc()).limit(calls))),
            callbacks=list(session.exec(select(Callback).where(Callback.lead_id == lead_id,
                                                               Callback.status == CallbackStatus.open)
                                        .order_by(col(Callback.due_at)))),
            bant={a.element: a.value for a in session.exec(select(BantAnswer).where(BantAnswer.lead_id == lead_id))},
        )


@dataclass(frozen=True)
class DeskStatus:
    calls_today: int
    callbacks_due: int  # due now for this caller, personal or team


def desk_status(store: Store, caller: str, now: datetime, day_start: datetime) -> DeskStatus:
    """The queue header's figures; day_start is local midnight (UTC) of the desk's day."""
    with store.read() as session:
        calls = session.exec(select(func.count()).select_from(Call).where(
            Call.caller == caller, Call.started_at >= day_start, Call.started_at <= now)).one()
        due = session.exec(select(func.count()).select_from(Callback).where(
            Callback.status == CallbackStatus.open, Callback.due_at <= now,
            sa.or_(col(Callback.caller).is_(None), Callback.caller == caller))).one()
    return DeskStatus(calls, due)
