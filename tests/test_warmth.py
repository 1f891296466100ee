"""Warmth: what makes a lead warm, how signals fade, and that the reasons add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.rules.config import ICP, Config, WarmthWeights, parse_config
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import SIGNAL_KINDS, LeadFacts, Reason, Warmth, score, signal_points

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # fixed: no test reads the wall clock
W = WarmthWeights()
NO_ICP = ICP(roles=())  # nothing fits, so a test sees only what it sets up
ICT_ICP = ICP(industries=("ICT", "Zorg"), min_employees=10, max_employees=250)


def warmth(facts: LeadFacts, weights: WarmthWeights = W, icp: ICP = NO_ICP) -> Warmth:
    return score(facts, NOW, weights, icp)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def signal_score(*signals: tuple[str, datetime], weights: WarmthWeights = W) -> int:
    return warmth(LeadFacts(Stage.suspect, signals=signals), weights).score


def texts(w: Warmth) -> list[str]:
    return [r.text for r in w.reasons]


# --- stage


def test_hot_lead_beats_prospect_beats_suspect():
    hot, prospect, suspect = (warmth(LeadFacts(s)).score for s in (Stage.hot_lead, Stage.prospect, Stage.suspect))
    assert hot > prospect > suspect
    assert (hot, prospect, suspect) == (40, 20, 0)


def test_opportunity_and_customer_rank_below_hot_lead():
    assert warmth(LeadFacts(Stage.hot_lead)).score > warmth(LeadFacts(Stage.opportunity)).score
    assert warmth(LeadFacts(Stage.opportunity)).score > warmth(LeadFacts(Stage.customer)).score


def test_stage_reason_names_the_stage():
    assert warmth(LeadFacts(Stage.hot_lead)).reasons == (Reason("hot lead", 40),)


def test_lost_and_suspect_give_no_stage_reason():
    assert warmth(LeadFacts(Stage.lost)) == Warmth(0, ())
    assert warmth(LeadFacts(Stage.suspect)) == Warmth(0, ())


# --- signals


def test_stronger_intent_scores_higher():
    fresh = {kind: signal_score((kind, NOW)) for kind in SIGNAL_KINDS}
    assert fresh["demo_request"] > fresh["contact_form"] > fresh["download"]
    assert fresh["download"] == fresh["webinar"]
    assert fresh["webinar"] > fresh["email_reply"] > fresh["email_click"] > fresh["website_visit"] > 0
    assert list(fresh.values()) == sorted(fresh.values(), reverse=True)


def test_signal_points_reads_the_weights():
    assert signal_points("demo_request", W) == 30
    assert signal_points("email_click", W) == 5
    assert signal_points("demo_request", W.model_copy(update={"signal_demo_request": 7})) == 7
    assert signal_points("fax", W) == 0


def test_a_signal_halves_every_half_life():
    assert signal_score(("demo_request", NOW)) == 30
    assert abs(signal_score(("demo_request", days_ago(14))) - 15) <= 1
    assert abs(signal_score(("demo_request", days_ago(28))) - 7.5) <= 1


def test_half_life_comes_from_the_weights():
    quick = W.model_copy(update={"signal_half_life_days": 7.0})
    assert abs(signal_score(("demo_request", days_ago(7)), weights=quick) - 15) <= 1


def test_signals_beyond_the_horizon_count_nothing():
    slow = W.model_copy(update={"signal_half_life_days": 1000.0})  # so the old signal still rounds above 0
    assert signal_score(("demo_request", days_ago(89)), weights=slow) > 0
    assert signal_score(("demo_request", days_ago(91)), weights=slow) == 0
    short = W.model_copy(update={"signal_horizon_days": 30})
    assert signal_score(("demo_request", days_ago(31)), weights=short) == 0


def test_a_signal_from_the_future_counts_as_fresh():
    assert signal_score(("contact_form", NOW + timedelta(hours=5))) == 25


def test_unknown_signal_kinds_are_ignored():
    assert warmth(LeadFacts(Stage.suspect, signals=[("fax", NOW)])) == Warmth(0, ())


def test_signals_are_capped():
    many = [(kind, NOW) for kind in SIGNAL_KINDS] * 3
    w = warmth(LeadFacts(Stage.suspect, signals=many))
    assert w.score == W.signal_cap == 40
    assert sum(r.points for r in w.reasons) == 40
    # The cap keeps the order: the demo request still counts most.
    assert w.reasons[0].text.startswith("demo request")


def test_cap_comes_from_the_weights():
    signals = [("demo_request", NOW), ("contact_form", NOW)]
    assert signal_score(*signals) == 40
    assert signal_score(*signals, weights=W.model_copy(update={"signal_cap": 100})) == 55


def test_one_reason_per_kind_for_its_latest_signal():
    w = warmth(
        LeadFacts(
            Stage.suspect,
            signals=[("download", days_ago(20)), ("download", days_ago(3)), ("demo_request", days_ago(0.5))],
        ),
        W.model_copy(update={"signal_cap": 1000}),
    )
    assert texts(w) == ["demo request today", "download 3 days ago (+1 earlier)"]
    assert w.score == sum(r.points for r in w.reasons)


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "today"), (1.5, "yesterday"), (3, "3 days ago"), (15, "2 weeks ago"), (70, "2 months ago")],
)
def test_signal_age_is_readable(days, text):
    w = warmth(LeadFacts(Stage.suspect, signals=[("contact_form", days_ago(days))]))
    assert texts(w) == [f"contact form {text}"]


# --- ICP


def test_industry_fits_case_insensitively():
    w = warmth(LeadFacts(Stage.suspect, industry="ict"), icp=ICT_ICP)
    assert w.reasons == (Reason("fits ICP industry (ict)", 10),)
    assert warmth(LeadFacts(Stage.suspect, industry="Bouw"), icp=ICT_ICP).score == 0


def test_empty_industries_list_gives_no_industry_points():
    assert warmth(LeadFacts(Stage.suspect, industry="ICT"), icp=ICP(roles=())).score == 0


@pytest.mark.parametrize(("employees", "fits"), [(None, False), (9, False), (10, True), (250, True), (251, False)])
def test_company_size_fits_within_bounds(employees, fits):
    w = warmth(LeadFacts(Stage.suspect, employees=employees), icp=ICT_ICP)
    assert w.reasons == ((Reason(f"company size {employees}", 10),) if fits else ())


def test_no_upper_bound_when_max_is_none():
    assert warmth(LeadFacts(Stage.suspect, employees=50_000), icp=ICP()).score == 10


@pytest.mark.parametrize(
    ("role", "fits"),
    [
        ("Algemeen directeur", True),
        ("IT-manager", True),
        ("Hoofdinkoper", True),
        ("CEO", True),
        ("Stagiair", False),
        ("", False),
    ],
)
def test_decision_making_role_fits(role, fits):
    w = warmth(LeadFacts(Stage.suspect, role=role), icp=ICP())
    assert w.reasons == ((Reason(f"decision-maker ({role})", 15),) if fits else ())


@pytest.mark.parametrize(
    ("role", "fits"),
    [
        ("Accountmanager", False),  # a compound of manager is not a manager
        ("Managementassistent", False),
        ("Marketingmanager", True),  # listed itself
        ("Directeur-eigenaar", True),
        ("Head of Sales", True),
        ("Headhunter", False),
    ],
)
def test_roles_match_on_whole_words(role, fits):
    w = warmth(LeadFacts(Stage.suspect, role=role), icp=ICP())
    assert w.reasons == ((Reason(f"decision-maker ({role})", 15),) if fits else ())


def test_a_role_of_several_words_fits_them_in_a_row():
    icp = ICP(roles=("head of sales",))
    assert warmth(LeadFacts(Stage.suspect, role="Head of Sales EMEA"), icp=icp).score == 15
    assert warmth(LeadFacts(Stage.suspect, role="Sales head"), icp=icp).score == 0


def test_full_icp_fit_adds_every_part():
    facts = LeadFacts(Stage.prospect, industry="Zorg", employees=40, role="Eigenaar")
    w = warmth(facts, icp=ICT_ICP.model_copy(update={"roles": ("eigenaar",)}))
    assert w.score == 20 + 10 + 10 + 15
    assert texts(w) == ["prospect", "decision-maker (Eigenaar)", "fits ICP industry (Zorg)", "company size 40"]


# --- BANT


@pytest.mark.parametrize(
    ("element", "value", "text", "points"),
    [
        ("budget", "yes", "budget confirmed", 8),
        ("budget", "Approved", "budget confirmed", 8),
        ("budget", "available", "budget confirmed", 8),
        ("authority", "decision_maker", "talking to the decision-maker", 8),
        ("authority", "involved", "talking to someone involved in the decision", 8),
        ("need", "clear", "clear need", 10),
        ("need", "yes", "clear need", 10),
        ("timing", "now", "wants to start now", 6),
        ("timing", "1m", "wants to start within 1 month", 6),
        ("timing", "3m", "wants to start within 3 months", 6),
        ("timing", "6m", "wants to start within 6 months", 6),
        ("timing", "yes", "timing fits", 6),
    ],
)
def test_positive_bant_answers_score(element, value, text, points):
    assert warmth(LeadFacts(Stage.suspect, bant={element: value})).reasons == (Reason(text, points),)


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("budget", "no"),
        ("budget", "unknown"),
        ("authority", "no"),
        ("need", ""),
        ("timing", "12m"),
        ("timing", "7m"),
        ("timing", "unknown"),
        ("timing", "no"),
        ("colour", "yes"),
    ],
)
def test_other_bant_answers_give_nothing(element, value):
    assert warmth(LeadFacts(Stage.suspect, bant={element: value})).score == 0


def test_timing_3m_beats_12m():
    soon = warmth(LeadFacts(Stage.prospect, bant={"timing": "3m"})).score
    later = warmth(LeadFacts(Stage.prospect, bant={"timing": "12m"})).score
    assert soon - later == W.bant_timing


# --- unanswered calls


def test_unanswered_calls_cool_a_lead():
    warm = LeadFacts(Stage.hot_lead, bant={"need": "yes"})
    assert warmth(warm).score == 50
    cooled = warmth(LeadFacts(Stage.hot_lead, bant={"need": "yes"}, no_answer_streak=3))
    assert cooled.score == 35
    assert Reason("3 unanswered calls in a row", -15) in cooled.reasons


def test_no_answer_penalty_is_capped():
    w = warmth(LeadFacts(Stage.hot_lead, no_answer_streak=20))
    assert w.score == 40 - 25
    assert Reason("20 unanswered calls in a row", -25) in w.reasons


def test_penalty_never_takes_the_score_below_zero():
    w = warmth(LeadFacts(Stage.prospect, no_answer_streak=5))
    assert w.score == 0
    assert w.reasons == (Reason("prospect", 20), Reason("5 unanswered calls in a row", -20))
    assert warmth(LeadFacts(Stage.suspect, no_answer_streak=5)) == Warmth(0, ())


# --- weights from config


def test_weights_from_config_change_the_result():
    config = parse_config("[warmth]\nstage_hot_lead = 0\nno_answer_penalty = 1\n")
    assert config.warmth.stage_hot_lead == 0
    assert score(LeadFacts(Stage.hot_lead), NOW, config.warmth, config.icp).score == 0
    assert score(LeadFacts(Stage.hot_lead), NOW, Config().warmth, Config().icp).score == 40


def test_default_config_scores_the_default_icp():
    config = Config()
    facts = LeadFacts(Stage.hot_lead, role="Directeur", signals=[("demo_request", days_ago(3))])
    w = score(facts, NOW, config.warmth, config.icp)
    assert texts(w) == ["hot lead", "demo request 3 days ago", "decision-maker (Directeur)"]


@pytest.mark.parametrize(
    "text",
    ["[warmth]\nstage_prospect = -1", "[warmth]\nsignal_half_life_days = 0", "[warmth]\nheat = 3"],
)
def test_bad_weights_are_rejected(text):
    with pytest.raises(CalldeskError, match="warmth"):
        parse_config(text)


# --- properties over random facts

_weights = st.builds(
    WarmthWeights,
    stage_prospect=st.integers(0, 100),
    stage_hot_lead=st.integers(0, 100),
    icp_role=st.integers(0, 50),
    signal_demo_request=st.integers(0, 100),
    signal_download=st.integers(0, 100),
    signal_half_life_days=st.floats(0.5, 60),
    signal_horizon_days=st.integers(0, 200),
    signal_cap=st.integers(0, 200),
    bant_need=st.integers(0, 30),
    no_answer_penalty=st.integers(0, 20),
    no_answer_penalty_cap=st.integers(0, 100),
)
_signal = st.tuples(
    st.sampled_from((*SIGNAL_KINDS, "fax")),
    st.floats(-5, 150).map(lambda days: NOW - timedelta(days=days)),
)
_facts = st.builds(
    LeadFacts,
    stage=st.sampled_from(list(Stage)),
    industry=st.sampled_from(("", "ICT", "zorg", "Bouw")),
    employees=st.none() | st.integers(0, 2000),
    role=st.sampled_from(("", "Directeur", "IT-manager", "Stagiair")),
    bant=st.dictionaries(
        st.sampled_from(("budget", "authority", "need", "timing")),
        st.sampled_from(("yes", "no", "clear", "involved", "3m", "12m", "now", "")),
    ),
    signals=st.lists(_signal, max_size=12),
    no_answer_streak=st.integers(0, 15),
)

_SIGNAL_WORDS = ("demo request", "contact form", "download", "webinar", "e-mail", "website visit")


@given(_facts, _weights)
def test_reasons_add_up_to_the_score(facts, weights):
    icp = ICT_ICP.model_copy(update={"roles": ("directeur", "manager")})
    w = score(facts, NOW, weights, icp)
    assert w.score == sum(r.points for r in w.reasons)
    assert w.score >= 0
    assert all(r.points != 0 for r in w.reasons)
    sizes = [abs(r.points) for r in w.reasons]
    assert sizes == sorted(sizes, reverse=True)
    signal_total = sum(r.points for r in w.reasons if r.text.startswith(_SIGNAL_WORDS))
    assert signal_total <= weights.signal_cap
    assert score(facts, NOW, weights, icp) == w  # deterministic


@given(_facts)
def test_a_fresh_demo_request_never_cools_a_lead(facts):
    before = score(facts, NOW, W, ICP()).score
    after = score(LeadFacts(**{**_fields(facts), "signals": [*facts.signals, ("demo_request", NOW)]}), NOW, W, ICP())
    assert after.score >= before


def _fields(facts: LeadFacts) -> dict:
    return {name: getattr(facts, name) for name in LeadFacts.__slots__}
