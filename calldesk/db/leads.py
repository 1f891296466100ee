"""Reading leads for the screens."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, func, select

from calldesk.db.engine import Store
from calldesk.db.models import Lead


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
