"""The BANT call script: the shipped scripts, the TOML format's checks, and the qualification rule."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.rules.config import Qualification, parse_config
from calldesk.rules.outcomes import Outcome
from calldesk.rules.script import (
    BANT,
    Script,
    Verdict,
    builtin_script,
    parse_script,
    qualify,
    render,
    timing_months,
)
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import LeadFacts, score

CANONICAL = {
    "budget": ("yes", "unknown", "no"),
    "authority": ("decision_maker", "involved", "no"),
    "need": ("yes", "maybe", "no"),
    "timing": ("now", "3m", "6m", "12m", "none"),
}
RULE = Qualification()
HOT = {"budget": "yes", "authority": "decision_maker", "need": "yes", "timing": "3m"}


def as_dict(script: Script) -> dict:
    return {
        "name": script.name,
        "language": script.language,
        "opener": script.opener,
        "questions": [
            {"element": q.element, "title": q.title, "prompt": q.prompt, "tips": list(q.tips),
             "options": [{"value": o.value, "label": o.label} for o in q.options]}
            for q in script.questions
        ],
        "closing": dict(script.closing),
    }


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _is_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dump(data: dict) -> str:
    """Just enough TOML for a script's shape (strings, lists, [[questions]], [closing])."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if k not in ("questions", "closing")]
    for key in ("questions", "closing"):
        if key in data and not _is_tables(data[key]) and not isinstance(data[key], dict):
            lines.append(f"{key} = {_toml_value(data[key])}")
    if isinstance(data.get("closing"), dict):
        lines.append("[closing]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in data["closing"].items()]
    if _is_tables(data.get("questions")):
        for question in data["questions"]:
            lines.append("[[questions]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in question.items() if not _is_tables(v)]
            for option in question.get("options") if _is_tables(question.get("options")) else []:
                lines.append("[[questions.options]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in option.items()]
    return "\n".join(lines) + "\n"


# --- the shipped scripts ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
def test_shipped_scripts_ask_bant_in_order_with_the_canonical_values(language):
    script = builtin_script(language)
    assert script.language == language
    assert tuple(q.element for q in script.questions) == BANT
    for question in script.questions:
        assert tuple(o.value for o in question.options) == CANONICAL[question.element]
        assert tuple(o.key for o in question.options) == tuple(str(n) for n in range(1, len(question.options) + 1))
        assert question.title and question.prompt and question.tips
    assert set(script.closing) == {"qualified", "interested", "not_qualified"}
    assert "{caller}" in script.opener and "{company}" in script.opener


def test_the_dutch_script_speaks_dutch_in_the_u_form():
    script = builtin_script("nl")
    assert script.opener.startswith("Goedemorgen/goedemiddag, u spreekt met {caller}.")
    assert "afspraak" in script.closing["qualified"]
    assert "terugbel" in script.closing["interested"]
    assert all(" je " not in f" {q.prompt} " for q in script.questions)


def test_other_languages_get_the_english_script():
    assert builtin_script("de") == builtin_script("en")
    assert builtin_script("NL") == builtin_script("nl")


def test_shipped_files_are_package_data_and_en_documents_the_format():
    folder = resources.files("calldesk").joinpath("scripts")
    en = folder.joinpath("en.toml").read_text(encoding="utf-8")
    assert en.startswith("#") and "[[questions.options]]" in en.split("\nname = ")[0]
    assert parse_script(folder.joinpath("nl.toml").read_text(encoding="utf-8")) == builtin_script("nl")


def test_a_script_survives_a_round_trip_through_toml():
    for language in ("en", "nl"):
        script = builtin_script(language)
        assert parse_script(dump(as_dict(script))) == script


def test_questions_may_come_in_any_order_and_are_kept_in_bant_order():
    data = as_dict(builtin_script("en"))
    data["questions"].reverse()
    assert tuple(q.element for q in parse_script(dump(data)).questions) == BANT


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_positive_answers_are_the_ones_warmth_scores(language):
    # The script's values feed calldesk.rules.warmth: each first option (and timing within 6 months)
    # must earn BANT points, the negative ones none.
    def bant_points(bant):
        facts = LeadFacts(stage=Stage.suspect, bant=bant)
        return sum(r.points for r in score(facts, datetime(2026, 1, 5, tzinfo=UTC), parse_config("").warmth,
                                           parse_config("").icp).reasons)

    script = builtin_script(language)
    for question in script.questions:
        assert bant_points({question.element: question.options[0].value}) > 0, question.element
        assert bant_points({question.element: question.options[-1].value}) == 0, question.element


# --- the format's checks ------------------------------------------------------------------


def _set(path, value):
    def change(data):
        *parents, last = path
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return change


def _delete(path):
    def change(data):
        *parents, last = path
        target = data
        for part in parents:
            target = target[part]
        del target[last]
    return change


BAD = [
    (_set(["questions", 2, "options"], []), "questions.need.options: expected at least one option"),
    (_delete(["questions", 2, "options"]), "questions.need.options: expected at least one option"),
    (_set(["colour"], "blue"), "colour: unknown key"),
    (_set(["questions", 1, "hint"], "x"), "questions.authority.hint: unknown key"),
    (_set(["questions", 0, "options", 0, "score"], 3), "questions.budget.options[1].score: unknown key"),
    (_set(["closing", "maybe"], "x"), "closing.maybe: unknown key"),
    (_delete(["closing", "interested"]), "closing.interested: required"),
    (_set(["closing"], "Bye"), "closing: expected a [closing] table"),
    (_delete(["closing"]), "closing: required"),
    (_delete(["questions", 3]), "questions: missing the timing question"),
    (_set(["questions"], "budget"), "questions: expected [[questions]] tables"),
    (_delete(["questions"]), "questions: required"),
    (_set(["questions", 2, "element"], "budget"), "questions[3].element: budget appears twice"),
    (_set(["questions", 0, "element"], "bugdet"), "questions[1].element: expected one of budget, authority, need, "
                                                  "timing, got 'bugdet'"),
    (_delete(["questions", 1, "element"]), "questions[2].element: required"),
    (_set(["questions", 3, "options"], [{"value": f"{n}m", "label": f"{n} months"} for n in range(1, 11)]),
     "questions.timing.options: at most 9 options (one per number key), got 10"),
    (_set(["questions", 2, "title"], "   "), "questions.need.title: must not be empty"),
    (_delete(["questions", 2, "prompt"]), "questions.need.prompt: required"),
    (_set(["opener"], ""), "opener: must not be empty"),
    (_delete(["name"]), "name: required"),
    (_set(["language"], "English"), "language: expected a language code such as 'en' or 'nl', got 'English'"),
    (_set(["questions", 2, "tips"], ["Why?", ""]), "questions.need.tips[2]: must not be empty"),
    (_set(["questions", 2, "tips"], "Why?"), "questions.need.tips: expected a list of texts"),
    (_set(["questions", 0, "options", 1, "label"], 2), "questions.budget.options[2].label: expected text, got int"),
    (_set(["questions", 0, "options", 0, "value"], "Yes!"), "questions.budget.options[1].value: expected a "
                                                            "lowercase word"),
    (_set(["questions", 2, "options", 1, "value"], "yes"), "questions.need.options[2].value: 'yes' appears twice"),
    (_set(["questions", 3, "options", 0, "value"], "soon"), "questions.timing.options[1].value: expected now, "
                                                            "months such as 3m"),
    (_set(["opener"], "Hello, this is {caler}."), "opener: unknown placeholder {caler} (known: {caller}, "
                                                  "{company}, {contact})"),
    (_set(["closing", "qualified"], "Bye {naam}"), "closing.qualified: unknown placeholder {naam}"),
]


@pytest.mark.parametrize(("change", "expected"), BAD, ids=[expected.split(":")[0] + f"-{n}" for n, (_, expected)
                                                           in enumerate(BAD)])
def test_a_bad_script_is_one_line_naming_the_key(change, expected):
    data = copy.deepcopy(as_dict(builtin_script("en")))
    change(data)
    with pytest.raises(CalldeskError) as caught:
        parse_script(dump(data), "myscript.toml")
    message = str(caught.value)
    assert message.startswith(f"myscript.toml: {expected}"), message
    assert "\n" not in message


def test_text_that_is_not_toml_is_refused():
    with pytest.raises(CalldeskError, match=r"^myscript.toml: not valid TOML: "):
        parse_script("name = ", "myscript.toml")


def test_a_script_may_leave_out_tips_and_use_its_own_values():
    data = as_dict(builtin_script("en"))
    del data["questions"][0]["tips"]
    data["questions"][0]["options"] = [{"value": "approved", "label": "Approved"}]
    data["questions"][3]["options"] = [{"value": "9m", "label": "In nine months"}, {"value": "unknown", "label": "?"}]
    script = parse_script(dump(data))
    assert script.questions[0].tips == ()
    assert [o.value for o in script.questions[0].options] == ["approved"]
    assert [(o.key, o.value) for o in script.questions[3].options] == [("1", "9m"), ("2", "unknown")]


_FRAGMENT_KEYS = st.sampled_from(["name", "language", "opener", "element", "title", "prompt", "tips", "options",
                                  "value", "label", "qualified", "interested", "not_qualified", "questions",
                                  "closing", "extra"])
_FRAGMENT_VALUES = st.one_of(
    st.text(max_size=12).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.integers().map(str),
    st.sampled_from(['"budget"', '"authority"', '"need"', '"timing"', '"yes"', '"3m"', '"now"', '"en"', "[]",
                     '["Why?", ""]', "[1, 2]", "true", "{}", '{ value = "yes" }', '"{company}"', '"{x}"', '""',
                     "1979-05-27", "3.5", '"""multi\nline"""']),
)
_LINES = st.one_of(
    st.sampled_from(["[[questions]]", "[[questions.options]]", "[closing]", "[questions]", "[[closing]]",
                     "[questions.options]", "[[options]]", "", "# comment"]),
    st.builds(lambda key, value: f"{key} = {value}", _FRAGMENT_KEYS, _FRAGMENT_VALUES),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=40).map("\n".join))
def test_toml_ish_text_gives_a_script_or_a_calldesk_error(text):
    try:
        script = parse_script(text)
    except CalldeskError as exc:
        assert "\n" not in str(exc)
    else:
        assert tuple(q.element for q in script.questions) == BANT


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gives_a_script_or_a_calldesk_error(text):
    try:
        parse_script(text)
    except CalldeskError:
        pass


_EN_LINES = resources.files("calldesk").joinpath("scripts", "en.toml").read_text(encoding="utf-8").splitlines()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, len(_EN_LINES) - 1), max_size=6), st.sampled_from(['', 'x = 1', '"""', '[[questions]]',
                                                                                  'value = "Yes"', 'tips = 3']))
def test_a_damaged_shipped_script_gives_a_script_or_a_calldesk_error(dropped, inserted):
    lines = [line for n, line in enumerate(_EN_LINES) if n not in set(dropped)]
    lines.insert(len(lines) // 2, inserted)
    try:
        parse_script("\n".join(lines))
    except CalldeskError as exc:
        assert "\n" not in str(exc)


# --- qualification ------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "missing"), [
    ({"budget": "no"}, "budget ruled out"),
    ({"authority": "no"}, "not talking to a decision-maker"),
    ({"authority": ""}, "authority unknown"),
    ({"need": "maybe"}, "need not confirmed"),
    ({"need": ""}, "need not confirmed"),
    ({"need": "no"}, "no need"),
    ({"timing": "12m"}, "timing beyond 6 months"),
    ({"timing": "none"}, "no plans to start"),
    ({"timing": "unknown"}, "timing unknown"),
    ({"timing": ""}, "timing unknown"),
])
def test_each_condition_failing_alone_names_what_is_missing(change, missing):
    bant = {k: v for k, v in {**HOT, **change}.items() if v}
    verdict = qualify(bant, RULE)
    assert not verdict.qualified
    assert verdict.missing == (missing,)


@pytest.mark.parametrize("bant", [
    HOT,
    {**HOT, "budget": "unknown"},
    {k: v for k, v in HOT.items() if k != "budget"},
    {**HOT, "authority": "involved"},
    {**HOT, "timing": "now"},
    {**HOT, "timing": "6m"},
    {"Budget": " Yes ", "AUTHORITY": "Decision_Maker", "need": "YES", "timing": "3M"},
])
def test_qualifies_as_a_hot_lead(bant):
    assert qualify(bant, RULE) == Verdict(True, (), Outcome.qualified, "qualified")


def test_missing_answers_come_in_bant_order():
    assert qualify({}, RULE).missing == ("authority unknown", "need not confirmed", "timing unknown")
    assert qualify({"budget": "no", "authority": "no", "need": "no", "timing": "12m"}, RULE).missing == (
        "budget ruled out", "not talking to a decision-maker", "no need", "timing beyond 6 months")


def test_a_rule_from_the_config_changes_the_verdict():
    bant = {"authority": "involved", "need": "maybe", "timing": "12m"}
    assert not qualify(bant, RULE).qualified
    rule = parse_config('[qualification]\nneed = ["yes", "maybe"]\ntiming_within_months = 12\n').qualification
    assert qualify(bant, rule).qualified
    strict = parse_config('[qualification]\nauthority = ["decision_maker"]\nbudget_ruled_out = ["no", "unknown"]\n'
                          'timing_within_months = 0\n').qualification
    assert qualify({**HOT, "budget": "unknown", "authority": "involved", "timing": "3m"}, strict).missing == (
        "budget ruled out", "not talking to a decision-maker", "timing beyond 0 months")
    assert qualify({**HOT, "timing": "now"}, strict).qualified


@pytest.mark.parametrize(("bant", "suggestion", "closing"), [
    ({}, None, "not_qualified"),
    ({"authority": "decision_maker"}, None, "not_qualified"),  # the right person, no interest shown yet
    ({"budget": "unknown", "timing": "none"}, None, "not_qualified"),
    ({"need": "maybe"}, Outcome.interested, "interested"),
    ({"need": "yes", "authority": "no"}, Outcome.interested, "interested"),
    ({"budget": "yes"}, Outcome.interested, "interested"),
    ({"timing": "3m"}, Outcome.interested, "interested"),
    ({"need": "no"}, Outcome.not_interested, "not_qualified"),
    ({**HOT, "need": "no"}, Outcome.not_interested, "not_qualified"),
    (HOT, Outcome.qualified, "qualified"),
])
def test_suggested_outcome_and_closing(bant, suggestion, closing):
    verdict = qualify(bant, RULE)
    assert (verdict.suggestion, verdict.closing_key) == (suggestion, closing)


@pytest.mark.parametrize(("value", "months"), [
    ("now", 0), ("0m", 0), ("3m", 3), ("6m", 6), ("12m", 12), (" 9M ", 9),
    ("none", None), ("unknown", None), ("", None), ("soon", None), ("m", None), ("-3m", None),
])
def test_timing_months(value, months):
    assert timing_months(value) == months


# --- placeholders -------------------------------------------------------------------------


def test_render_fills_known_placeholders_and_leaves_the_rest():
    text = "Hello {contact}, this is {caller} about {company} ({unknown}, {}, {{company}}, {0})."
    assert render(text, caller="Anne", company="Bakkerij Jansen", contact="Piet") == (
        "Hello Piet, this is Anne about Bakkerij Jansen ({unknown}, {}, {Bakkerij Jansen}, {0}).")
    assert render("{caller}", caller="{company}", company="X") == "{company}"  # no second pass
    assert render("no placeholders") == "no placeholders"


@given(st.text(), st.dictionaries(st.sampled_from(["caller", "company", "contact", "x"]), st.text()))
def test_render_never_raises(text, values):
    assert isinstance(render(text, **values), str)
