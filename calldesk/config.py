"""Settings from a TOML file, validated; every key has a documented default.

Pure: takes the file's text, returns a Config or raises CalldeskError naming the bad key.
"""

from __future__ import annotations

import re
import tomllib
from datetime import time, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic import BeforeValidator, model_validator

from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.phones import is_region

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|min|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_duration(value: object) -> timedelta:
    """'20m', '3h', '2d' (also plain seconds as a number)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(_("expected a duration such as '20m', '3h' or '2d', got {value}").format(value=repr(value)))
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def _parse_clock(value: object) -> time:
    if isinstance(value, time):
        return value
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(_("expected a time as HH:MM, got {value}").format(value=repr(value)))
    return time(int(match[1]), int(match[2]))


def _check_region(value: str) -> str:
    if not is_region(value):
        raise ValueError(_("expected a two-letter country code such as NL, got {value}").format(value=repr(value)))
    return value.upper()


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Clock = Annotated[time, BeforeValidator(_parse_clock)]
Region = Annotated[str, AfterValidator(_check_region)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallingHours(_Section):
    """When a lead may be called, in the lead's own time zone."""

    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: Clock = time(9, 0)
    end: Clock = time(17, 30)
    skip_holidays: bool = True  # the lead's country's public holidays (holidays package)

    @model_validator(mode="after")
    def _start_before_end(self) -> CallingHours:
        if self.start >= self.end:
            raise ValueError(_("start must be before end"))
        return self


class ICP(_Section):
    """The ideal customer profile: what a well-fitting lead looks like."""

    industries: tuple[str, ...] = ()  # empty: any industry fits
    min_employees: int = Field(default=0, ge=0)
    max_employees: int | None = Field(default=None, ge=1)  # None: no upper bound
    roles: tuple[str, ...] = (
        "directeur",
        "eigenaar",
        "owner",
        "ceo",
        "cfo",
        "cto",
        "manager",
        "hoofd",
        "head",
        "founder",
        "oprichter",
        "partner",
        "inkoper",
    )


class WarmthWeights(_Section):
    """Points behind a lead's warmth: why it sits where it does in the queue."""

    # Stage: opportunities and customers score below hot leads, they come back via callbacks.
    stage_suspect: int = Field(default=0, ge=0)
    stage_prospect: int = Field(default=20, ge=0)
    stage_hot_lead: int = Field(default=40, ge=0)
    stage_opportunity: int = Field(default=30, ge=0)
    stage_customer: int = Field(default=10, ge=0)
    # ICP fit; the decision-making role weighs most.
    icp_industry: int = Field(default=10, ge=0)
    icp_size: int = Field(default=10, ge=0)
    icp_role: int = Field(default=15, ge=0)
    # Behaviour signals, points at age 0: the stronger the buying intent, the more.
    signal_demo_request: int = Field(default=30, ge=0)
    signal_contact_form: int = Field(default=25, ge=0)
    signal_download: int = Field(default=12, ge=0)
    signal_webinar: int = Field(default=12, ge=0)
    signal_email_reply: int = Field(default=10, ge=0)
    signal_email_click: int = Field(default=5, ge=0)
    signal_website_visit: int = Field(default=3, ge=0)
    signal_half_life_days: float = Field(default=14, gt=0)  # exponential decay
    signal_horizon_days: int = Field(default=90, ge=0)  # older signals count 0
    signal_cap: int = Field(default=40, ge=0)  # the signals' sum never exceeds this
    # BANT: points for a positive answer.
    bant_budget: int = Field(default=8, ge=0)
    bant_authority: int = Field(default=8, ge=0)
    bant_need: int = Field(default=10, ge=0)
    bant_timing: int = Field(default=6, ge=0)
    # Unanswered calls in a row cool a lead, up to the cap.
    no_answer_penalty: int = Field(default=5, ge=0)
    no_answer_penalty_cap: int = Field(default=25, ge=0)


class Retry(_Section):
    """Recycling: when an unanswered lead may be tried again, and how often."""

    no_answer: Duration = timedelta(hours=3)
    busy: Duration = timedelta(minutes=20)
    voicemail: Duration | Literal["next_working_day"] = "next_working_day"
    max_attempts: int = Field(default=6, ge=1, le=50)
    recent_contact: Duration = timedelta(hours=1)
    # After a conversation without a callback (interested, qualified, …): time for the info
    # sent to arrive before the lead is offered again.
    followup: Duration = timedelta(days=2)


class Qualification(_Section):
    """When a lead counts as a hot lead (the seeds' test: a concrete need, the right person,
    and ready to act). Values are the BANT answers' stored values."""

    need: tuple[str, ...] = ("yes",)  # need met
    authority: tuple[str, ...] = ("decision_maker", "involved")  # talking to the right person
    budget_ruled_out: tuple[str, ...] = ("no",)  # budget may be unknown, but not ruled out
    timing_within_months: int = Field(default=6, ge=0, le=120)  # ready to act within this


class Script(_Section):
    """The BANT call script: a TOML file of your own, or the built-in one for the language."""

    path: str = ""


class Stuck(_Section):
    """Days without any activity (call, stage change, e-mail or LinkedIn message) after which a
    lead counts as stuck in its stage, in the pipeline report. Customers and lost leads never do."""

    suspect: int = Field(default=30, ge=1)  # cold leads may wait longest
    prospect: int = Field(default=14, ge=1)
    hot_lead: int = Field(default=7, ge=1)  # a hot lead cools fast
    opportunity: int = Field(default=14, ge=1)


class Callbacks(_Section):
    """Personal callbacks still open this long after they fell due go to the whole team, so a
    missed callback can't rot on an absent caller's list."""

    release_after: Duration = timedelta(hours=2)


class Privacy(_Section):
    """Retention: `calldesk purge` removes lost leads this many months after they were lost."""

    retain_lost_months: int = Field(default=24, ge=1, le=1200)


class Config(_Section):
    region: Region = "NL"  # country for numbers typed without a country code
    # The app's and the script's language; None: --lang, else the environment's locale decides
    # (calldesk.i18n.resolve_language), and the CLI fills the result in.
    language: Literal["en", "nl"] | None = None
    database: str = ""  # a path or postgresql:// URL; --db and CALLDESK_DB win over it
    daily_goal: int = Field(default=60, ge=0)  # calls a caller aims for in a day (queue header)
    calling_hours: CallingHours = CallingHours()
    icp: ICP = ICP()
    warmth: WarmthWeights = WarmthWeights()
    retry: Retry = Retry()
    qualification: Qualification = Qualification()
    script: Script = Script()
    callbacks: Callbacks = Callbacks()  # [callbacks] release_after = "2h"
    stuck: Stuck = Stuck()  # [stuck] suspect = 30, prospect = 14, hot_lead = 7, opportunity = 14 (days)
    privacy: Privacy = Privacy()  # [privacy] retain_lost_months = 24


def parse_config(text: str, source: str = "config") -> Config:
    """Validate a TOML document; a CalldeskError names the first bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalldeskError(_("{source}: not valid TOML: {error}").format(source=source, error=exc)) from None
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or _("(top level)")
        message = _("unknown key") if error["type"] == "extra_forbidden" else error["msg"]
        message = message.removeprefix("Value error, ")
        raise CalldeskError(f"{source}: {key}: {message}") from None
