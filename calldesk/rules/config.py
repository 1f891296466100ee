"""Settings from a TOML file, validated; every key has a documented default.

Pure: takes the file's text, returns a Config or raises CalldeskError naming the bad key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.keys import ACTIONS, KeysProblem, changed, check_keys
from calldesk.rules.phones import home_zone, is_region

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|min|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Durations and day counts are added to or taken from moments (years 1900-2999, see the CLI's
# --at): far beyond this, datetime arithmetic overflows. A century is more than any desk needs.
MAX_DAYS = 36500
# A daily goal, the config's and each caller's (`calldesk caller add --goal`, db.team).
MAX_DAILY_GOAL = 1000
# Each warmth weight; warmth, their sum, is an INTEGER column (32 bits on PostgreSQL): far inside.
MAX_POINTS = 1000


def parse_duration(value: object) -> timedelta:
    """'20m', '3h', '2d' (also plain seconds as a number)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        seconds = value
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(_("expected a duration such as '20m', '3h' or '2d', got {value}").format(
                value=repr(value)))
        seconds = int(match[1]) * _UNITS[match[2]]
    # Checked before building the timedelta: a huge one raises OverflowError, not a key's error.
    if seconds > MAX_DAYS * _UNITS["d"]:
        raise ValueError(_("expected a duration of at most {days}d, got {value}").format(
            days=MAX_DAYS, value=repr(value)))
    return timedelta(seconds=seconds)


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
Points = Annotated[int, Field(ge=0, le=MAX_POINTS)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallingHours(_Section):
    """When a lead may be called, in the lead's own time zone."""

    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: Clock = time(9, 0)
    end: Clock = time(17, 30)
    skip_holidays: bool = True  # the lead's country's public holidays (holidays package)

    # An empty `days` is refused by parse_config, not here: the window functions take any
    # CallingHours (and raise for no days), and their tests build one without days.
    @field_validator("days")
    @classmethod
    def _no_repeated_day(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        for day in days:
            if days.count(day) > 1:
                raise ValueError(_("{day} is listed twice").format(day=repr(day)))
        return days

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
        # Roles match on whole words (warmth.role_fits): compounds that decide are listed.
        "hoofdinkoper",
        "inkoopmanager",
        "marketingmanager",
        "salesmanager",
        "vestigingsmanager",
    )

    @model_validator(mode="after")
    def _min_not_above_max(self) -> ICP:
        # Otherwise no lead ever gets the size points, silently.
        if self.max_employees is not None and self.min_employees > self.max_employees:
            raise ValueError(_("min_employees ({min}) is above max_employees ({max})").format(
                min=self.min_employees, max=self.max_employees))
        return self


class WarmthWeights(_Section):
    """Points behind a lead's warmth: why it sits where it does in the queue."""

    # Stage: opportunities and customers score below hot leads, they come back via callbacks.
    stage_suspect: Points = 0
    stage_prospect: Points = 20
    stage_hot_lead: Points = 40
    stage_opportunity: Points = 30
    stage_customer: Points = 10
    # ICP fit; the decision-making role weighs most.
    icp_industry: Points = 10
    icp_size: Points = 10
    icp_role: Points = 15
    # Behaviour signals, points at age 0: the stronger the buying intent, the more.
    signal_demo_request: Points = 30
    signal_contact_form: Points = 25
    signal_download: Points = 12
    signal_webinar: Points = 12
    signal_email_reply: Points = 10
    signal_email_click: Points = 5
    signal_website_visit: Points = 3
    # Finite: NaN would reach math.floor in the signals' sum and crash the scoring.
    signal_half_life_days: float = Field(default=14, gt=0, allow_inf_nan=False)  # exponential decay
    signal_horizon_days: int = Field(default=90, ge=0, le=MAX_DAYS)  # older signals count 0
    signal_cap: Points = 40  # the signals' sum never exceeds this
    # BANT: points for a positive answer.
    bant_budget: Points = 8
    bant_authority: Points = 8
    bant_need: Points = 10
    bant_timing: Points = 6
    # Unanswered calls in a row cool a lead, up to the cap.
    no_answer_penalty: Points = 5
    no_answer_penalty_cap: Points = 25


class Retry(_Section):
    """Recycling: when an unanswered lead may be tried again, and how often."""

    no_answer: Duration = timedelta(hours=3)
    busy: Duration = timedelta(minutes=20)
    voicemail: Duration | Literal["next_working_day"] = "next_working_day"
    max_attempts: int = Field(default=6, ge=1, le=50)
    recent_contact: Duration = timedelta(hours=1)
    # A number contacted for one campaign is not offered for another within this: a duration,
    # or "rest_of_day", up to the end of that calling day on the lead's clock (recycling).
    recent_contact_other_campaign: Duration | Literal["rest_of_day"] = "rest_of_day"
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

    suspect: int = Field(default=30, ge=1, le=MAX_DAYS)  # cold leads may wait longest
    prospect: int = Field(default=14, ge=1, le=MAX_DAYS)
    hot_lead: int = Field(default=7, ge=1, le=MAX_DAYS)  # a hot lead cools fast
    opportunity: int = Field(default=14, ge=1, le=MAX_DAYS)


class Callbacks(_Section):
    """Personal callbacks still open this long after they fell due go to the whole team, so a
    missed callback can't rot on an absent caller's list. Calling time: only the lead's calling
    hours count (db.team.release_overdue), so nothing is handed over overnight."""

    release_after: Duration = timedelta(hours=2)

    @field_validator("release_after")
    @classmethod
    def _some_grace(cls, value: timedelta) -> timedelta:
        # 0 would hand every personal callback to the team the moment it falls due.
        if value <= timedelta(0):
            raise ValueError(_("must be longer than 0, such as '2h'"))
        return value


class Privacy(_Section):
    """Retention: `calldesk purge` removes lost leads this many months after they were lost."""

    retain_lost_months: int = Field(default=24, ge=1, le=1200)


class StoreTimeouts(_Section):
    """A PostgreSQL server that accepts but never answers must not hang a caller's command:
    connecting gives up after `connect_timeout`, a statement after `statement_timeout`."""

    connect_timeout: Duration = timedelta(seconds=10)
    statement_timeout: Duration = timedelta(minutes=2)  # a purge or report on a big store fits

    @field_validator("connect_timeout", "statement_timeout")
    @classmethod
    def _some_time(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError(_("must be at least 1s, such as '10s'"))
        return value


class Serve(_Section):
    """`calldesk serve`: each browser tab is a desk process of its own (~90 MB)."""

    max_desks: int = Field(default=20, ge=1, le=1000)  # tabs open at once; the next is told to wait


def _check_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = value.strip()
    if value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("expected an IANA time zone such as Europe/Amsterdam, got {value}").format(
                value=repr(value))) from None
    return value


class Config(_Section):
    region: Region = "NL"  # country for numbers typed without a country code
    # The desk's own zone: what a time typed without a zone means (the CLI's --at, --callback,
    # --appointment, --from/--to; "you" in the picker). Empty: the region's zone (desk_zone).
    timezone: Annotated[str, AfterValidator(_check_zone)] = ""
    # The app's and the script's language; None: --lang, else the environment's locale decides
    # (calldesk.i18n.resolve_language), and the CLI fills the result in.
    language: Literal["en", "nl"] | None = None
    database: str = ""  # a path or postgresql:// URL; --db and CALLDESK_DB win over it
    # Calls a caller aims for in a day (queue header). Strict: lax ints take TOML's 1e9 as 10**9.
    daily_goal: int = Field(default=60, ge=0, le=MAX_DAILY_GOAL, strict=True)
    calling_hours: CallingHours = CallingHours()
    icp: ICP = ICP()
    warmth: WarmthWeights = WarmthWeights()
    retry: Retry = Retry()
    qualification: Qualification = Qualification()
    script: Script = Script()
    callbacks: Callbacks = Callbacks()  # [callbacks] release_after = "2h"
    stuck: Stuck = Stuck()  # [stuck] suspect = 30, prospect = 14, hot_lead = 7, opportunity = 14 (days)
    privacy: Privacy = Privacy()  # [privacy] retain_lost_months = 24
    serve: Serve = Serve()  # [serve] max_desks = 20
    store: StoreTimeouts = StoreTimeouts()  # [store] connect_timeout = "10s", statement_timeout = "2m"
    # [keys] "queue.next" = "n": every action id → its key(s), the defaults with the file's changes.
    keys: dict[str, str] = Field(default_factory=lambda: dict(ACTIONS))

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: object) -> dict[str, str]:
        return check_keys(value)  # unknown ids, bad keys, two actions of one screen on one key

    @property
    def keymap(self) -> dict[str, str]:
        """The keys moved from their defaults: for the app's `set_keymap`."""
        return changed(self.keys)

    @property
    def desk_zone(self) -> str:
        """The `timezone` key, else the region's own zone (NL → Europe/Amsterdam)."""
        return self.timezone or home_zone(self.region)


def load_toml(text: str, source: str) -> dict[str, Any]:
    """The TOML document as a plain dict; a CalldeskError names `source` when it is not TOML."""
    try:
        return tomllib.loads(text)
    except RecursionError:  # tomllib recurses once per level of nesting
        raise CalldeskError(_("{source}: not valid TOML: nested too deeply").format(source=source)) from None
    except tomllib.TOMLDecodeError as exc:
        raise CalldeskError(_("{source}: not valid TOML: {error}").format(source=source, error=exc)) from None


def config_problem(exc: ValidationError, source: str) -> CalldeskError:
    """pydantic's first problem as one line naming the key: "SOURCE: calling_hours.start: …"."""
    error = exc.errors()[0]
    # Unions add their member's tag to the loc ("function-before[parse_duration(), …]"): not a key.
    key = ".".join(str(part) for part in error["loc"] if isinstance(part, int) or part.isidentifier())
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, KeysProblem) and cause.where:
        key = f"{key}.{cause.where}"  # the entry of [keys] (pydantic's loc stops at the section)
    key = key or _("(top level)")
    message = _("unknown key") if error["type"] == "extra_forbidden" else error["msg"]
    message = message.removeprefix("Value error, ")
    return CalldeskError(f"{source}: {key}: {message}")


def validate_config(data: Mapping[str, Any], source: str = "config") -> Config:
    """A Config from settings as a file holds them; a CalldeskError names the first bad key."""
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise config_problem(exc, source) from None
    if not config.calling_hours.days:
        # No lead could ever be called: `next` and `queue` would fail later, outside hours.
        message = _("expected at least one weekday, such as [\"mon\"]")
        raise CalldeskError(f"{source}: calling_hours.days: {message}")
    return config


def parse_config(text: str, source: str = "config") -> Config:
    """Validate a TOML document; a CalldeskError names the first bad key."""
    return validate_config(load_toml(text, source), source)


def format_duration(value: timedelta) -> str:
    """A duration as the config writes it: '20m', '3h', '2d' (the largest whole unit)."""
    seconds = int(value.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def config_data(config: Config, *, nulls: bool = False) -> dict[str, Any]:
    """The settings as a config file holds them (durations '3h', times 'HH:MM', lists), so that
    parse_config reads them back to the same Config. Unset keys (None) are left out, as TOML
    has no null, unless `nulls` (for JSON)."""
    def plain(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return {name: plain(getattr(value, name)) for name in type(value).model_fields
                    if nulls or getattr(value, name) is not None}
        if isinstance(value, timedelta):
            return format_duration(value)
        if isinstance(value, time):
            return f"{value:%H:%M}"
        if isinstance(value, tuple | list):
            return [plain(item) for item in value]
        return value

    return plain(config)


def config_toml(config: Config) -> str:
    """The settings as a TOML config file (see config_data)."""
    return tomli_w.dumps(config_data(config))
