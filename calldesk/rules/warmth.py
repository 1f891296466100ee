"""Lead warmth: one number that orders the call queue, and the reasons behind it.

A warm lead fits the ideal customer profile (industry, company size, a decision-making
role), shows buying intent through recent behaviour signals (a demo request counts most,
and every signal fades with a half-life), has positive BANT answers, and sits in a stage
worth calling; a run of unanswered calls cools it. Every point comes with a short English
reason, so a caller sees why a lead is on top, and the reasons always add up to the score.
Reasons are stored in English (the queue keeps them beside the score); `reason_text` reads one
back in the UI language.
Pure: no I/O and no wall clock (the caller passes `now`); signal kinds are plain strings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from calldesk.i18n import N_, _, ngettext
from calldesk.rules.config import ICP, Config, WarmthWeights
from calldesk.rules.kinds import SignalKind
from calldesk.rules.stages import Stage

# Strongest buying intent first.
SIGNAL_KINDS: tuple[str, ...] = tuple(kind.value for kind in SignalKind)

_SIGNAL_LABELS = {
    "demo_request": N_("demo request"),
    "contact_form": N_("contact form"),
    "download": N_("download"),
    "webinar": N_("webinar"),
    "email_reply": N_("e-mail reply"),
    "email_click": N_("e-mail click"),
    "website_visit": N_("website visit"),
}

# The reasons' English templates: formatted in English when scored (they are stored), and
# matched and translated when shown (reason_text). Plurals pair singular and plural.
_INDUSTRY = N_("fits ICP industry ({industry})")
_SIZE = N_("company size {employees}")
_ROLE = N_("decision-maker ({role})")
_STREAK = ("{n} unanswered call in a row", "{n} unanswered calls in a row")
_BUDGET = N_("budget confirmed")
_DECIDER = N_("talking to the decision-maker")
_INVOLVED = N_("talking to someone involved in the decision")
_NEED = N_("clear need")
_TIMING_FITS = N_("timing fits")
_START_NOW = N_("wants to start now")
_START_WITHIN = ("wants to start within {n} month", "wants to start within {n} months")
_TODAY, _YESTERDAY = N_("today"), N_("yesterday")
_DAYS_AGO, _WEEKS_AGO, _MONTHS_AGO = N_("{n} days ago"), N_("{n} weeks ago"), N_("{n} months ago")
_EARLIER = N_("{signal} (+{n} earlier)")

_DAY = 86400.0
_BUDGET_YES = frozenset({"yes", "approved", "available"})
_AUTHORITY_YES = frozenset({"decision_maker", "involved", "yes"})
_NEED_YES = frozenset({"yes", "clear"})
_TIMING_MONTHS = re.compile(r"(\d{1,3})\s*m")
_TIMING_MAX_MONTHS = 6  # a start further away is not buying intent yet


@dataclass(frozen=True, slots=True)
class Reason:
    text: str  # short, English: "demo request 3 days ago", "hot lead"
    points: int  # negative for what cools a lead


@dataclass(frozen=True, slots=True)
class Warmth:
    score: int  # the sum of the reasons' points, never below 0
    reasons: tuple[Reason, ...]  # largest absolute contribution first; no zero-point reasons


@dataclass(frozen=True, slots=True)
class LeadFacts:
    stage: Stage
    industry: str = ""
    employees: int | None = None
    role: str = ""
    bant: Mapping[str, str] = field(default_factory=dict)  # element -> value ("budget" -> "yes")
    signals: Sequence[tuple[str, datetime]] = ()  # (kind, when), aware datetimes
    no_answer_streak: int = 0  # unanswered attempts (no answer/busy/voicemail) since the last connect


def signal_points(kind: str, weights: WarmthWeights) -> int:
    """Points for a fresh signal of this kind; 0 for a kind the rules don't know."""
    if kind not in SIGNAL_KINDS:
        return 0
    return int(getattr(weights, f"signal_{kind}"))


def score(facts: LeadFacts, now: datetime, weights: WarmthWeights, icp: ICP) -> Warmth:
    """The lead's warmth at `now`, with the reasons that make it up."""
    reasons: list[Reason] = []
    reasons += _stage(facts.stage, weights)
    reasons += _icp(facts, weights, icp)
    reasons += _signals(facts.signals, now, weights)
    reasons += _bant(facts.bant, weights)
    warm = sum(r.points for r in reasons)
    # The penalty takes the score down to 0 at most, so the reasons still add up to it.
    streak = max(facts.no_answer_streak, 0)
    penalty = min(weights.no_answer_penalty * streak, weights.no_answer_penalty_cap, warm)
    if penalty > 0:
        reasons.append(Reason(_english(_STREAK, facts.no_answer_streak), -penalty))
    kept = [r for r in reasons if r.points != 0]
    kept.sort(key=lambda r: -abs(r.points))  # stable: equal contributions keep the rule order
    return Warmth(max(0, sum(r.points for r in kept)), tuple(kept))


def _stage(stage: Stage, weights: WarmthWeights) -> list[Reason]:
    if stage is Stage.lost:  # lost leads never enter the queue
        return []
    return [Reason(stage.label, int(getattr(weights, f"stage_{stage.value}")))]


def _icp(facts: LeadFacts, weights: WarmthWeights, icp: ICP) -> list[Reason]:
    reasons = []
    industry = facts.industry.strip()
    # An empty industries list fits everyone, so it distinguishes no one: no points.
    if industry and industry.casefold() in {i.strip().casefold() for i in icp.industries}:
        reasons.append(Reason(_INDUSTRY.format(industry=industry), weights.icp_industry))
    employees = facts.employees
    if employees is not None and employees >= icp.min_employees:
        if icp.max_employees is None or employees <= icp.max_employees:
            reasons.append(Reason(_SIZE.format(employees=employees), weights.icp_size))
    role = facts.role.strip()
    if role and role_fits(role, icp.roles):
        reasons.append(Reason(_ROLE.format(role=role), weights.icp_role))
    return reasons


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def role_fits(role: str, roles: Sequence[str]) -> bool:
    """Whether a job title names one of `roles`, on whole words: "IT-manager" and "Algemeen
    directeur" fit "manager" and "directeur", "Accountmanager" does not fit "manager" (a
    substring would make every compound a decision-maker). An entry of several words ("head of
    sales") fits those words in a row; a compound counts when it is listed itself."""
    words = _words(role)
    for entry in roles:
        wanted = _words(entry)
        n = len(wanted)
        if n and any(words[i:i + n] == wanted for i in range(len(words) - n + 1)):
            return True
    return False


def _signals(signals: Sequence[tuple[str, datetime]], now: datetime, weights: WarmthWeights) -> list[Reason]:
    raw: dict[str, float] = {}
    latest: dict[str, float] = {}  # youngest age per kind, in days
    counts: dict[str, int] = {}
    for kind, when in signals:
        points = signal_points(kind, weights)
        age = max((now - when).total_seconds() / _DAY, 0.0)  # a signal from the future is fresh
        if points == 0 or age > weights.signal_horizon_days:
            continue
        raw[kind] = raw.get(kind, 0.0) + points * 0.5 ** (age / weights.signal_half_life_days)
        latest[kind] = min(latest.get(kind, age), age)
        counts[kind] = counts.get(kind, 0) + 1
    total = sum(raw.values())
    if total <= 0:
        return []
    # Over the cap, every kind gives up the same share, so their order stays as it was.
    scale = min(1.0, weights.signal_cap / total)
    shares = {kind: raw[kind] * scale for kind in SIGNAL_KINDS if kind in raw}
    ints = _apportion(shares, math.floor(min(total, weights.signal_cap) + 0.5))
    reasons = []
    for kind, points in ints.items():
        text = f"{_SIGNAL_LABELS[kind]} {_ago(latest[kind])}"
        if counts[kind] > 1:
            text = _EARLIER.format(signal=text, n=counts[kind] - 1)
        reasons.append(Reason(text, points))
    return reasons


def _apportion(shares: dict[str, float], target: int) -> dict[str, int]:
    """Whole points per kind that sum to target (largest remainder), so the reasons add up."""
    ints = {kind: math.floor(value) for kind, value in shares.items()}
    left = target - sum(ints.values())
    # Ties go to the stronger kind: `shares` is in SIGNAL_KINDS order and sorted() is stable.
    by_remainder = sorted(shares, key=lambda kind: -(shares[kind] - ints[kind]))
    for kind in by_remainder[: max(left, 0)]:
        ints[kind] += 1
    return ints


def _ago(age_days: float) -> str:
    days = int(age_days)
    if days == 0:
        return _TODAY
    if days == 1:
        return _YESTERDAY
    if days < 14:
        return _DAYS_AGO.format(n=days)
    if days < 60:
        return _WEEKS_AGO.format(n=days // 7)
    return _MONTHS_AGO.format(n=days // 30)


def _bant(bant: Mapping[str, str], weights: WarmthWeights) -> list[Reason]:
    answers = {str(k).strip().lower(): str(v).strip().lower() for k, v in bant.items()}
    reasons = []
    if answers.get("budget", "") in _BUDGET_YES:
        reasons.append(Reason(_BUDGET, weights.bant_budget))
    authority = answers.get("authority", "")
    if authority in _AUTHORITY_YES:
        reasons.append(Reason(_INVOLVED if authority == "involved" else _DECIDER, weights.bant_authority))
    if answers.get("need", "") in _NEED_YES:
        reasons.append(Reason(_NEED, weights.bant_need))
    timing = _timing_text(answers.get("timing", ""))
    if timing:
        reasons.append(Reason(timing, weights.bant_timing))
    return reasons


def _timing_text(value: str) -> str:
    """The reason for a positive timing answer; "" when the start is too far off or unknown."""
    if value == "yes":
        return _TIMING_FITS
    if value == "now":
        return _START_NOW
    match = _TIMING_MONTHS.fullmatch(value)
    if not match:
        return ""
    months = int(match[1])
    if months == 0:
        return _START_NOW
    if months > _TIMING_MAX_MONTHS:
        return ""
    return _english(_START_WITHIN, months)


def _english(forms: tuple[str, str], n: int) -> str:
    return forms[n != 1].format(n=n)


# --- reasons on screen ----------------------------------------------------------------------


def _pattern(template: str) -> re.Pattern[str]:
    """A template's English text as a regex with a named group per {field}."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts)))


_STAGE_OF = {stage.label: stage for stage in Stage}
_SIGNAL_OF = {label: kind for kind, label in _SIGNAL_LABELS.items()}
_AGO_PATTERNS = [(_pattern(t), t) for t in (_TODAY, _YESTERDAY, _DAYS_AGO, _WEEKS_AGO, _MONTHS_AGO)]
_SIGNAL_REASON = re.compile(rf"(?P<signal>{'|'.join(map(re.escape, _SIGNAL_OF))}) (?P<ago>.+)")
_EARLIER_REASON = _pattern(_EARLIER)
_PLAIN = (_BUDGET, _DECIDER, _INVOLVED, _NEED, _TIMING_FITS, _START_NOW)
_FILLED = [(_pattern(t), t) for t in (_INDUSTRY, _SIZE, _ROLE)]
_COUNTED = [(_pattern(form), forms) for forms in (_STREAK, _START_WITHIN) for form in forms]


def _counted(forms: tuple[str, str], n: int) -> str:
    # Literal calls, so that Babel finds both forms (the templates above are the same English).
    if forms is _STREAK:
        return ngettext("{n} unanswered call in a row", "{n} unanswered calls in a row", n).format(n=n)
    return ngettext("wants to start within {n} month", "wants to start within {n} months", n).format(n=n)


def reason_text(text: str) -> str:
    """A stored (English) reason in the UI language; a text no rule makes is shown as stored."""
    if text in _STAGE_OF:
        return _STAGE_OF[text].ui_label
    if text in _PLAIN:
        return _(text)
    for pattern, template in _FILLED:
        if match := pattern.fullmatch(text):
            return _(template).format(**match.groupdict())
    for pattern, forms in _COUNTED:
        if (match := pattern.fullmatch(text)) and match["n"].isdigit():
            return _counted(forms, int(match["n"]))
    if match := _EARLIER_REASON.fullmatch(text):
        return _(_EARLIER).format(signal=_signal_text(match["signal"]), n=match["n"])
    return _signal_text(text)


def _signal_text(text: str) -> str:
    match = _SIGNAL_REASON.fullmatch(text)
    if match:
        for pattern, template in _AGO_PATTERNS:
            if ago := pattern.fullmatch(match["ago"]):
                return f"{_(match['signal'])} {_(template).format(**ago.groupdict())}"
    return text


# Stored form: the queue keeps each lead's reasons beside its score.
def reasons_json(warmth: Warmth) -> str:
    return json.dumps([[r.text, r.points] for r in warmth.reasons], ensure_ascii=False)


def parse_reasons(text: str) -> list[tuple[str, int]]:
    try:
        return [(str(t), int(p)) for t, p in json.loads(text or "[]")]
    except (ValueError, TypeError):
        return []


def score_new_lead(fields: dict[str, Any], now: datetime, config: Config) -> tuple[int, str]:
    """Warmth of a lead as imported: stage and ICP fit (no calls or signals yet)."""
    return _new_lead_warmth(fields["stage"], fields.get("industry") or "", fields.get("employees"),
                            fields.get("role") or "", now, config.warmth, config.icp)


@lru_cache(maxsize=65536)
def _new_lead_warmth(stage: str, industry: str, employees: int | None, role: str, now: datetime,
                     weights: WarmthWeights, icp: ICP) -> tuple[int, str]:
    # Imported leads repeat these four facts endlessly: score each combination once.
    facts = LeadFacts(stage=Stage(stage), industry=industry, employees=employees, role=role)
    warmth = score(facts, now, weights, icp)
    return warmth.score, reasons_json(warmth)
