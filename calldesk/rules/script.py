"""The BANT call script, and whether a lead's answers make it a hot lead.

A script is a TOML file: an opener, one question per BANT element (Budget, Authority, Need,
Timing) with numbered answer options and follow-up tips, and closing lines per verdict. Two ship
with calldesk (calldesk/scripts/en.toml and nl.toml; en.toml documents the format); a team may
point `[script] path` at its own. `qualify` applies the config's `[qualification]` rule.
Pure: the only I/O is reading the shipped scripts from the package.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from calldesk.errors import CalldeskError
from calldesk.i18n import _, language, ngettext
from calldesk.rules.config import Qualification
from calldesk.rules.outcomes import Outcome

BANT: tuple[str, ...] = ("budget", "authority", "need", "timing")
CLOSING_KEYS: tuple[str, ...] = ("qualified", "interested", "not_qualified")
PLACEHOLDERS: tuple[str, ...] = ("caller", "company", "contact")
MAX_OPTIONS = 9  # one per number key

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_VALUE = re.compile(r"[a-z0-9_]{1,40}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
_MONTHS = re.compile(r"(\d{1,3})m")


@dataclass(frozen=True)
class Answer:
    """What a caller picked for one element during a call."""

    value: str
    note: str = ""


@dataclass(frozen=True)
class Option:
    key: str  # "1".."9", the key that picks it
    value: str  # stored value, e.g. "yes", "decision_maker", "3m"
    label: str  # shown text, in the script's language


@dataclass(frozen=True)
class Question:
    element: str  # one of BANT
    title: str
    prompt: str  # what the caller asks
    options: tuple[Option, ...]
    tips: tuple[str, ...] = ()  # follow-up questions to ask through

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Script:
    name: str
    language: str
    opener: str
    questions: tuple[Question, ...]  # in BANT order, all four present
    # Excluded from the hash (a mapping has none); equality still compares it.
    closing: Mapping[str, str] = field(hash=False)  # CLOSING_KEYS -> what to say at the end

    def question(self, element: str) -> Question:
        return self.questions[BANT.index(element)]


@dataclass(frozen=True)
class Verdict:
    qualified: bool
    missing: tuple[str, ...]  # short texts of what is missing (UI language), in BANT order
    suggestion: Outcome | None
    closing_key: str  # one of CLOSING_KEYS


# --- placeholders -------------------------------------------------------------------------


def render(text: str, **values: str) -> str:
    """Fill the placeholders given in `values`; any other {word} stays as written."""
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)


# --- parsing ------------------------------------------------------------------------------


class _Bad(Exception):
    """One problem at one key; parse_script turns it into a CalldeskError line."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")


def parse_script(text: str, source: str = "script") -> Script:
    """A script from TOML text; a CalldeskError names the first bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalldeskError(_("{source}: not valid TOML: {error}").format(source=source, error=exc)) from None
    except RecursionError:  # tomllib recurses into nested arrays
        raise CalldeskError(_("{source}: not valid TOML: nested too deeply").format(source=source)) from None
    try:
        return _script(data)
    except _Bad as exc:
        raise CalldeskError(f"{source}: {exc}") from None


def _script(data: dict[str, Any]) -> Script:
    _only(data, {"name", "language", "opener", "questions", "closing"}, "")
    name = _text(data, "name", "")
    language = _text(data, "language", "")
    if not _LANGUAGE.fullmatch(language):
        raise _Bad("language", _("expected a language code such as 'en' or 'nl', got {value}").format(
            value=repr(language)))
    opener = _text(data, "opener", "")
    questions = _questions(data.get("questions"))
    closing = _closing(data.get("closing"))
    return Script(name, language, opener, questions, closing)


def _questions(raw: object) -> tuple[Question, ...]:
    if raw is None:
        raise _Bad("questions", _("required: one [[questions]] table per BANT element"))
    if not isinstance(raw, list) or not all(isinstance(q, dict) for q in raw):
        raise _Bad("questions", _("expected [[questions]] tables"))
    found: dict[str, Question] = {}
    for number, table in enumerate(raw, start=1):
        element = table.get("element")
        where = f"questions[{number}]"
        if element not in BANT:
            if element is None:
                raise _Bad(f"{where}.element", _("required: one of {elements}").format(elements=", ".join(BANT)))
            raise _Bad(f"{where}.element", _("expected one of {elements}, got {value}").format(
                elements=", ".join(BANT), value=repr(element)))
        if element in found:
            raise _Bad(f"{where}.element", _("{element} appears twice (one question per element)").format(element=element))
        found[element] = _question(table, element)
    absent = [element for element in BANT if element not in found]
    if absent:
        raise _Bad("questions", ngettext("missing the {elements} question", "missing the {elements} questions",
                                         len(absent)).format(elements=_(" and ").join(absent)))
    return tuple(found[element] for element in BANT)


def _question(table: dict[str, Any], element: str) -> Question:
    where = f"questions.{element}"
    _only(table, {"element", "title", "prompt", "tips", "options"}, where)
    title = _text(table, "title", where)
    prompt = _text(table, "prompt", where)
    tips_raw = table.get("tips", [])
    if not isinstance(tips_raw, list):
        raise _Bad(f"{where}.tips", _("expected a list of texts"))
    tips = tuple(_checked_text(tip, f"{where}.tips[{n}]") for n, tip in enumerate(tips_raw, start=1))
    options_raw = table.get("options")
    if options_raw is None or options_raw == []:
        raise _Bad(f"{where}.options", _("expected at least one option"))
    if not isinstance(options_raw, list) or not all(isinstance(o, dict) for o in options_raw):
        raise _Bad(f"{where}.options", _("expected [[questions.options]] tables"))
    if len(options_raw) > MAX_OPTIONS:
        raise _Bad(f"{where}.options", _("at most {max} options (one per number key), got {count}").format(
            max=MAX_OPTIONS, count=len(options_raw)))
    options: list[Option] = []
    for number, option in enumerate(options_raw, start=1):
        at = f"{where}.options[{number}]"
        _only(option, {"value", "label"}, at)
        value = _text(option, "value", at)
        if not _VALUE.fullmatch(value):
            raise _Bad(f"{at}.value", _("expected a lowercase word such as 'yes' or 'decision_maker', got {value}").format(
                value=repr(value)))
        if element == "timing" and value not in ("now", "none", "unknown") and not _MONTHS.fullmatch(value):
            raise _Bad(f"{at}.value", _("expected now, months such as 3m, none or unknown, got {value}").format(
                value=repr(value)))
        if any(o.value == value for o in options):
            raise _Bad(f"{at}.value", _("{value} appears twice").format(value=repr(value)))
        options.append(Option(str(number), value, _text(option, "label", at)))
    return Question(element, title, prompt, tuple(options), tips)


def _closing(raw: object) -> Mapping[str, str]:
    if raw is None:
        raise _Bad("closing", _("required: a [closing] table with {keys}").format(keys=", ".join(CLOSING_KEYS)))
    if not isinstance(raw, dict):
        raise _Bad("closing", _("expected a [closing] table"))
    _only(raw, set(CLOSING_KEYS), "closing")
    return MappingProxyType({key: _text(raw, key, "closing") for key in CLOSING_KEYS})


def _only(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise _Bad(f"{where}.{key}" if where else key, _("unknown key"))


def _text(table: dict[str, Any], key: str, where: str) -> str:
    path = f"{where}.{key}" if where else key
    if key not in table:
        raise _Bad(path, _("required"))
    return _checked_text(table[key], path)


def _checked_text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _Bad(path, _("expected text, got {type}").format(type=type(value).__name__))
    text = value.strip()
    if not text:
        raise _Bad(path, _("must not be empty"))
    # A misspelt placeholder would be read out to the lead as "{compnay}": catch it here.
    for match in _PLACEHOLDER.finditer(text):
        if match[1] not in PLACEHOLDERS:
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            raise _Bad(path, _("unknown placeholder {placeholder} (known: {known})").format(placeholder=match[0], known=known))
    return text


def builtin_script(lang: str | None = None) -> Script:
    """The script shipped for this language ("en" or "nl"; anything else gets "en"); None: the
    UI language, so that the script speaks as the screens do."""
    return _builtin_script("nl" if (lang or language()).strip().lower() == "nl" else "en")


@cache
def _builtin_script(name: str) -> Script:
    text = resources.files("calldesk").joinpath("scripts", f"{name}.toml").read_text(encoding="utf-8")
    return parse_script(text, f"calldesk/scripts/{name}.toml")


# --- qualification ------------------------------------------------------------------------


def timing_months(value: str) -> int | None:
    """How many months until the lead wants to start: "now" 0, "3m" 3; None when unknown or never."""
    word = str(value).strip().lower()
    if word == "now":
        return 0
    match = _MONTHS.fullmatch(word)  # "none", "unknown" and "" don't match
    return int(match[1]) if match else None


def qualify(bant: Mapping[str, str], rule: Qualification) -> Verdict:
    """Whether the latest known answers (element -> stored value) make a hot lead.

    The suggestion: qualified when the rule is met; not interested when there is no need;
    interested when an answer shows interest (budget available, a need or maybe one, timing
    within the rule); else None. Talking to a decision-maker alone shows no interest.
    """
    answers = {str(k).strip().lower(): str(v).strip().lower() for k, v in bant.items()}
    budget, authority = answers.get("budget", ""), answers.get("authority", "")
    need, timing = answers.get("need", ""), answers.get("timing", "")
    months = timing_months(timing)
    within = months is not None and months <= rule.timing_within_months

    missing: list[str] = []
    if budget in rule.budget_ruled_out:
        missing.append(_("budget ruled out"))
    if authority not in rule.authority:
        missing.append(_("not talking to a decision-maker") if authority else _("authority unknown"))
    if need not in rule.need:
        missing.append(_("no need") if need == "no" else _("need not confirmed"))
    if not within:
        if months is not None:
            limit = rule.timing_within_months
            missing.append(ngettext("timing beyond {n} month", "timing beyond {n} months", limit).format(n=limit))
        elif timing == "none":
            missing.append(_("no plans to start"))
        else:
            missing.append(_("timing unknown"))

    if not missing:
        return Verdict(True, (), Outcome.qualified, "qualified")
    if need == "no":
        return Verdict(False, tuple(missing), Outcome.not_interested, "not_qualified")
    budget_shown = budget not in ("", "unknown", "none") and budget not in rule.budget_ruled_out
    if budget_shown or need in rule.need or need == "maybe" or within:
        return Verdict(False, tuple(missing), Outcome.interested, "interested")
    return Verdict(False, tuple(missing), None, "not_qualified")
