import pytest

from calldesk.rules.stages import FUNNEL, Stage, is_forward, parse_stage


def test_funnel_order():
    assert [s.value for s in FUNNEL] == ["suspect", "prospect", "hot_lead", "opportunity", "customer"]


@pytest.mark.parametrize(
    ("current", "new", "forward"),
    [
        (Stage.suspect, Stage.prospect, True),
        (Stage.suspect, Stage.opportunity, True),
        (Stage.prospect, Stage.prospect, True),
        (Stage.hot_lead, Stage.prospect, False),
        (Stage.opportunity, Stage.suspect, False),
        (Stage.prospect, Stage.lost, True),
        (Stage.lost, Stage.prospect, False),
        (Stage.customer, Stage.lost, False),
        (Stage.customer, Stage.customer, True),
    ],
)
def test_outcomes_never_move_a_stage_back(current, new, forward):
    assert is_forward(current, new) is forward


def test_stored_values_are_readable():
    assert {s.value for s in Stage} == {"suspect", "prospect", "hot_lead", "opportunity", "customer", "lost"}
    assert all(s.name == s.value for s in Stage)


@pytest.mark.parametrize("word", ["Hot Lead", "hot_lead", "SQL", "Sales Qualified Lead", "heet"])
def test_parse_stage_words(word):
    assert parse_stage(word) is Stage.hot_lead
