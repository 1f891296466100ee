"""The tables. Enums are stored as their readable values; every time is UTC and aware."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from calldesk.rules.kinds import ActivityKind, CallbackStatus, Role, SignalKind
from calldesk.rules.outcomes import Outcome
from calldesk.rules.phones import PhoneType
from calldesk.rules.stages import Stage

# Stable constraint names, so Alembic's batch mode on SQLite can alter tables later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The queue index differs per dialect (NULLS FIRST), so the migration owns it, not the models.
MIGRATION_OWNED_INDEXES = frozenset({"ix_leads_queue"})


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    return not (type_ == "index" and name in MIGRATION_OWNED_INDEXES)


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR holding the enum's values (not a native PostgreSQL type: migrations stay easy)."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum) + 8,  # room for new members without a migration
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def _fk(target: str, *, cascade: bool = True) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="CASCADE" if cascade else "SET NULL")


class ImportRun(SQLModel, table=True):
    """One run of `calldesk import`: where leads came from, and its summary."""

    __tablename__ = "imports"
    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    source: str = ""
    started_at: datetime
    run_by: str = ""
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0


def _partial_index(name: str, column: str) -> sa.Index:
    """An index of the rows where column is set: most leads have no owner and no claim, so
    imports don't maintain entries for them, and lookups by value still use it."""
    where = sa.text(f"{column} IS NOT NULL")
    return sa.Index(name, column, sqlite_where=where, postgresql_where=where)


class Client(SQLModel, table=True):
    """A company the desk calls for (an agency works for several); its campaigns hold the leads."""

    __tablename__ = "clients"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # unique regardless of case too (checked by calldesk.db.campaigns)
    notes: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    # TOML: the client's layer of the desk's settings (calldesk.rules.campaigns reads it).
    settings: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    created_at: datetime


# The length enum_type gives CampaignStatus (active/paused/archived): the column can become
# enum_type(CampaignStatus, "campaign_status") without a migration.
CAMPAIGN_STATUS_LENGTH = len("archived") + 8


class Campaign(SQLModel, table=True):
    """One client's calling project: every lead belongs to one."""

    __tablename__ = "campaigns"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # unique regardless of case too, across clients
    client_id: int = Field(sa_column_args=[sa.ForeignKey("clients.id")], index=True)
    status: str = Field(default="active", sa_type=sa.String(CAMPAIGN_STATUS_LENGTH),
                        sa_column_kwargs={"server_default": "active"})
    starts_on: date | None = None
    ends_on: date | None = None
    priority: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # TOML texts, stored as given (the command line validates them first).
    settings: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    script: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    created_at: datetime


class CampaignCaller(SQLModel, table=True):
    """Who calls for a campaign."""

    __tablename__ = "campaign_callers"
    campaign_id: int = Field(primary_key=True, sa_column_args=[_fk("campaigns.id")])
    caller: str = Field(primary_key=True, sa_column_args=[_fk("callers.name")], index=True)


class Lead(SQLModel, table=True):
    __tablename__ = "leads"
    __table_args__ = (_partial_index("ix_leads_owner", "owner"),
                      _partial_index("ix_leads_claimed_by", "claimed_by"))
    id: int | None = Field(default=None, primary_key=True)
    company: str = ""
    contact_name: str = ""
    role: str = ""
    phone_raw: str = ""
    phone_e164: str = Field(unique=True)  # one lead per number: the duplicate key
    # Dialled once the call connects ("toestel 12"): beside the number, never part of it.
    phone_extension: str = Field(default="", sa_column_kwargs={"server_default": ""})
    phone_type: PhoneType = Field(default=PhoneType.unknown, sa_type=enum_type(PhoneType, "phone_type"))
    phone_bad: bool = False  # marked wrong number; out of the queue until fixed
    time_zone: str | None = None
    country: str = ""
    email: str = ""
    linkedin_url: str = ""
    industry: str = ""
    company_size: str = ""  # as the source wrote it ("11-50")
    employees: int | None = None  # parsed head count (low end of a range)
    source: str = ""
    owner: str | None = None  # caller name; None = shared pool (partial index below)
    stage: Stage = Field(default=Stage.suspect, sa_type=enum_type(Stage, "stage"), index=True)
    lost_reason: str = ""
    # Warmth is stored (the queue sorts 1M leads by it in SQL) with its reasons as JSON.
    warmth: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    warmth_reasons: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    attempts: int = 0
    no_answer_streak: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    unreachable: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    last_outcome: Outcome | None = Field(default=None, sa_type=enum_type(Outcome, "outcome"))
    last_called_at: datetime | None = None
    next_call_at: datetime | None = None
    # A claim is a lease: the caller holding it renews it; a crashed app's claim expires.
    claimed_by: str | None = None  # "what do I hold?" at resume (partial index below)
    claim_expires_at: datetime | None = None
    import_id: int | None = Field(default=None, sa_column_args=[_fk("imports.id", cascade=False)])
    # No ON DELETE: a campaign that still has leads can't be deleted.
    campaign_id: int = Field(sa_column_args=[sa.ForeignKey("campaigns.id")], index=True)
    created_at: datetime
    updated_at: datetime


class Meta(SQLModel, table=True):
    """Small facts about the store itself (e.g. when warmth decay was last refreshed)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str = ""


class WindowKey(SQLModel, table=True):
    """Every (time zone, country) pair leads have: calling windows are decided per pair in
    Python, then leads are filtered in SQL. '' stands for an unknown zone."""

    __tablename__ = "window_keys"
    time_zone: str = Field(primary_key=True)
    country: str = Field(primary_key=True)


class Signal(SQLModel, table=True):
    __tablename__ = "signals"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")], index=True)
    kind: SignalKind = Field(sa_type=enum_type(SignalKind, "signal_kind"))
    at: datetime = Field(index=True)  # the daily decay refresh looks up recent signals
    detail: str = ""


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")], index=True)
    caller: str = Field(index=True)
    started_at: datetime = Field(index=True)
    ended_at: datetime | None = None
    outcome: Outcome = Field(sa_type=enum_type(Outcome, "outcome"))
    notes: str = ""
    appointment_at: datetime | None = None  # the sales appointment an `appointment` outcome made
    # What recording this call changed, as JSON, so its caller can undo it for a few minutes.
    undo: str | None = Field(default=None, sa_type=sa.Text)


class CallRequest(SQLModel, table=True):
    """A request key a dialer gave `calldesk log --request-id`: the same key again records
    nothing, also after the call it made was undone (then call_id is NULL)."""

    __tablename__ = "call_requests"
    key: str = Field(primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")], index=True)
    call_id: int | None = Field(default=None, sa_column_args=[_fk("calls.id", cascade=False)])
    caller: str
    outcome: Outcome = Field(sa_type=enum_type(Outcome, "outcome"))
    at: datetime


class Activity(SQLModel, table=True):
    """Contact outside a call (an e-mail sent, a LinkedIn message): shows in the lead's history."""

    __tablename__ = "activities"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")], index=True)
    kind: ActivityKind = Field(sa_type=enum_type(ActivityKind, "activity_kind"))
    caller: str
    at: datetime
    note: str = ""


class BantAnswer(SQLModel, table=True):
    """The latest answer per lead and BANT element, and the call that set it."""

    __tablename__ = "bant_answers"
    __table_args__ = (sa.UniqueConstraint("lead_id", "element", name="uq_bant_answers_lead_element"),)
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")])
    element: str  # budget | authority | need | timing
    value: str
    note: str = ""
    call_id: int | None = Field(default=None, sa_column_args=[_fk("calls.id", cascade=False)])
    updated_at: datetime


class Callback(SQLModel, table=True):
    __tablename__ = "callbacks"
    __table_args__ = (
        sa.Index("ix_callbacks_status_due_at", "status", "due_at"),  # the agenda: open, by time
        # The queue: this caller's (or the team's, caller NULL) open callbacks that are due,
        # without walking everyone's.
        sa.Index("ix_callbacks_status_caller_due_at", "status", "caller", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")], index=True)
    due_at: datetime = Field(index=True)
    caller: str | None = None  # None: for the whole team
    created_by: str
    created_at: datetime
    status: CallbackStatus = Field(
        default=CallbackStatus.open, sa_type=enum_type(CallbackStatus, "callback_status")
    )
    note: str = ""
    # A personal callback left overdue past the grace period goes to the team; who it was for
    # stays visible in the schedule.
    released_from: str | None = None
    released_at: datetime | None = None
    # When a team lead last gave it to someone: their choice stands even if it is overdue then.
    assigned_at: datetime | None = None
    closed_by: str | None = None  # who cancelled it (team lead), and why
    close_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The iCalendar SEQUENCE: one up at every change of the row (done, moved, cancelled, given
    # to someone), by every UPDATE, so a calendar takes the newer event.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0",
                                                       "onupdate": sa.literal_column("revision + 1")})
    # When an .ics export first wrote it done or cancelled (cleared by any change): calendars
    # are told to remove it for agenda.CANCELLED_KEPT after that.
    closed_seen_at: datetime | None = Field(default=None, sa_column_kwargs={"onupdate": sa.null()})


class StageChange(SQLModel, table=True):
    __tablename__ = "stage_changes"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column_args=[_fk("leads.id")], index=True)
    from_stage: Stage | None = Field(default=None, sa_type=enum_type(Stage, "stage"))
    to_stage: Stage = Field(sa_type=enum_type(Stage, "stage"))
    at: datetime = Field(index=True)
    changed_by: str
    reason: str = ""
    # Moved by a team lead's hand (the only way back): not a caller's result in the report.
    manual: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class Caller(SQLModel, table=True):
    """Who works the desk. A name seen for the first time is added as a caller."""

    __tablename__ = "callers"
    name: str = Field(primary_key=True)  # lower-case, as --caller/CALLDESK_CALLER give it
    role: Role = Field(default=Role.caller, sa_type=enum_type(Role, "role"))
    daily_goal: int | None = None  # None: the config's daily_goal
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime


class Suppression(SQLModel, table=True):
    """Do-not-call, keyed by number: it outlives the lead and blocks re-imports."""

    __tablename__ = "suppression"
    phone_e164: str = Field(primary_key=True)
    reason: str = ""
    added_at: datetime
    added_by: str = ""
