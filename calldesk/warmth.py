"""Lead warmth: one number that orders the call queue, and the reasons behind it.

A warm lead fits the ideal customer profile (industry, company size, a decision-making
role), shows buying intent through recent behaviour signals (a demo request counts most,
and every signal fades with a half-life), has positive BANT answers, and sits in a stage
worth calling; a run of unanswered calls cools it. Every point comes with a short English
reason, so a caller sees why a lead is on top, and the reasons always add up to the score.
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

from calldesk.config import ICP, Config, WarmthWeights
from calldesk.stages import Stage

# Strongest buying intent first; the values of calldesk.db.models.SignalKind.
SIGNAL_KINDS: tuple[str, ...] = (
    "demo_request",
    "contact_form",
    "download",
    "webinar",
    "email_reply",
    "email_click",
    "website_visit",
)

_SIGNAL_LABELS = {
    "demo_request": "demo request",
    "contact_form": "contact form",
    "download": "download",
    "webinar": "webinar",
    "email_reply": "e-mail reply",
    "email_click": "e-mail click",
    "website_visit": "website visit",
}

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
        reasons.append(Reason(f"{facts.no_answer_streak} unanswered calls in a row", -penalty))
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
        reasons.append(Reason(f"fits ICP industry ({industry})", weights.icp_industry))
    employees = facts.employees
    if employees is not None and employees >= icp.min_employees:
        if icp.max_employees is None or employees <= icp.max_employees:
            reasons.append(Reason(f"company size {employees}", weights.icp_size))
    role = facts.role.strip()
    # Substrings, because Dutch titles compound: "IT-manager", "hoofdinkoper", "Algemeen directeur".
    lowered = role.lower()
    if role and any(word.strip().lower() and word.strip().lower() in lowered for word in icp.roles):
        reasons.append(Reason(f"decision-maker ({role})", weights.icp_role))
    return reasons


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
            text += f" (+{counts[kind] - 1} earlier)"
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
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def _bant(bant: Mapping[str, str], weights: WarmthWeights) -> list[Reason]:
    answers = {str(k).strip().lower(): str(v).strip().lower() for k, v in bant.items()}
    reasons = []
    if answers.get("budget", "") in _BUDGET_YES:
        reasons.append(Reason("budget confirmed", weights.bant_budget))
    authority = answers.get("authority", "")
    if authority in _AUTHORITY_YES:
        who = "someone involved in the decision" if authority == "involved" else "the decision-maker"
        reasons.append(Reason(f"talking to {who}", weights.bant_authority))
    if answers.get("need", "") in _NEED_YES:
        reasons.append(Reason("clear need", weights.bant_need))
    timing = _timing_text(answers.get("timing", ""))
    if timing:
        reasons.append(Reason(timing, weights.bant_timing))
    return reasons


def _timing_text(value: str) -> str:
    """The reason for a positive timing answer; "" when the start is too far off or unknown."""
    if value == "yes":
        return "timing fits"
    if value == "now":
        return "wants to start now"
    match = _TIMING_MONTHS.fullmatch(value)
    if not match:
        return ""
    months = int(match[1])
    if months == 0:
        return "wants to start now"
    if months > _TIMING_MAX_MONTHS:
        return ""
    return f"wants to start within {months} month{'s' if months > 1 else ''}"


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
