"""Lead stages: suspect → prospect → hot lead → opportunity → customer, or lost."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from calldesk.i18n import N_, _


class Stage(StrEnum):
    # Member names equal their values so the database stores readable words either way.
    suspect = "suspect"
    prospect = "prospect"
    hot_lead = "hot_lead"
    opportunity = "opportunity"
    customer = "customer"
    lost = "lost"

    @property
    def label(self) -> str:
        """English, as stored and exported ("hot lead")."""
        return self.value.replace("_", " ")

    @property
    def ui_label(self) -> str:
        """The label in the UI language: for screens, never for what is stored."""
        return _(self.label)


# Every stage's label, for the catalog (Stage.ui_label translates them).
_LABELS = (N_("suspect"), N_("prospect"), N_("hot lead"), N_("opportunity"), N_("customer"), N_("lost"))

# The forward order of the funnel; lost stands outside it.
FUNNEL: tuple[Stage, ...] = (
    Stage.suspect,
    Stage.prospect,
    Stage.hot_lead,
    Stage.opportunity,
    Stage.customer,
)


def rank(stage: Stage) -> int:
    """Position in the funnel; lost ranks after customer (nothing moves out of it by itself)."""
    return FUNNEL.index(stage) if stage in FUNNEL else len(FUNNEL)


def is_forward(current: Stage, new: Stage) -> bool:
    """True when moving current → new never goes backwards (outcomes may only do that)."""
    if current is Stage.lost or current is Stage.customer:
        return new is current
    if new is Stage.lost:
        return True
    return rank(new) >= rank(current)


# Words people use for stages in CRM exports (HubSpot lifecycle stages, Dutch and English).
_STAGE_WORDS: dict[str, Stage] = {
    "suspect": Stage.suspect,
    "subscriber": Stage.suspect,
    "other": Stage.suspect,
    "cold": Stage.suspect,
    "koud": Stage.suspect,
    "prospect": Stage.prospect,
    "lead": Stage.prospect,
    "marketingqualifiedlead": Stage.prospect,
    "mql": Stage.prospect,
    "warm": Stage.prospect,
    "hotlead": Stage.hot_lead,
    "hot": Stage.hot_lead,
    "heet": Stage.hot_lead,
    "salesqualifiedlead": Stage.hot_lead,
    "sql": Stage.hot_lead,
    "qualified": Stage.hot_lead,
    "gekwalificeerd": Stage.hot_lead,
    "opportunity": Stage.opportunity,
    "kans": Stage.opportunity,
    "verkoopkans": Stage.opportunity,
    "customer": Stage.customer,
    "klant": Stage.customer,
    "evangelist": Stage.customer,
    "lost": Stage.lost,
    "verloren": Stage.lost,
}


@lru_cache(maxsize=256)
def parse_stage(text: str) -> Stage | None:
    """A stage from how a CRM export or a person writes it; None when not recognised."""
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    return _STAGE_WORDS.get(key)


STAGE_WORDS_HELP = "suspect, prospect, hot lead, opportunity, customer/klant, lost/verloren"
