"""Stored rows as the db layer hands them to the screens and the command line: frozen
dataclasses, one per table, with the table's columns as fields (tests/test_store.py checks
that they match). Nothing here is tied to a connection or a session, so a row read in a
worker thread can be shown anywhere. Everything else the db layer returns is a dataclass of
its own (QueueEntry, AgendaItem, CallerInfo, …) built the same way from Core rows.
ClientRow and CampaignRow have, after their table's columns, what calldesk.db.campaigns
counts and joins to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self

import sqlalchemy as sa

from calldesk.rules.kinds import ActivityKind, CallbackStatus, SignalKind
from calldesk.rules.outcomes import Outcome
from calldesk.rules.phones import PhoneType
from calldesk.rules.stages import Stage


@dataclass(frozen=True)
class _Row:
    @classmethod
    def of(cls, row: sa.Row[Any]) -> Self:
        """From a row that selected the whole table."""
        return cls(**row._mapping)

    @classmethod
    def all(cls, rows: Iterable[sa.Row[Any]]) -> list[Self]:
        return [cls.of(row) for row in rows]


@dataclass(frozen=True)
class LeadRow(_Row):
    id: int
    company: str
    contact_name: str
    role: str
    phone_raw: str
    phone_e164: str
    phone_extension: str
    phone_type: PhoneType
    phone_bad: bool
    time_zone: str | None
    country: str
    email: str
    linkedin_url: str
    industry: str
    company_size: str
    employees: int | None
    source: str
    owner: str | None
    stage: Stage
    lost_reason: str
    warmth: int
    warmth_reasons: str
    attempts: int
    no_answer_streak: int
    unreachable: bool
    last_outcome: Outcome | None
    last_called_at: datetime | None
    next_call_at: datetime | None
    claimed_by: str | None
    claim_expires_at: datetime | None
    import_id: int | None
    campaign_id: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CallRow(_Row):
    id: int
    lead_id: int
    caller: str
    started_at: datetime
    ended_at: datetime | None
    outcome: Outcome
    notes: str
    appointment_at: datetime | None
    undo: str | None


@dataclass(frozen=True)
class CallbackRow(_Row):
    id: int
    lead_id: int
    due_at: datetime
    caller: str | None
    created_by: str
    created_at: datetime
    status: CallbackStatus
    note: str
    released_from: str | None
    released_at: datetime | None
    assigned_at: datetime | None
    closed_by: str | None
    close_reason: str
    revision: int
    closed_seen_at: datetime | None


@dataclass(frozen=True)
class SignalRow(_Row):
    id: int
    lead_id: int
    kind: SignalKind
    at: datetime
    detail: str


@dataclass(frozen=True)
class ActivityRow(_Row):
    id: int
    lead_id: int
    kind: ActivityKind
    caller: str
    at: datetime
    note: str


@dataclass(frozen=True)
class SuppressionRow(_Row):
    phone_e164: str
    reason: str
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class ClientRow(_Row):
    id: int
    name: str
    notes: str
    settings: str  # TOML
    created_at: datetime
    campaign_count: int


@dataclass(frozen=True)
class CampaignRow(_Row):
    id: int
    name: str
    client_id: int
    status: str  # active | paused | archived (CampaignStatus's values)
    starts_on: date | None
    ends_on: date | None
    priority: int
    settings: str  # TOML
    script: str  # TOML
    created_at: datetime
    client: str  # the client's name
    lead_count: int
    callers: tuple[str, ...]  # who calls for it, by name
