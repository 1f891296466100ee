"""The desk's keys: every action a key runs, by id, its default key, and the screens it is on.

The config's `[keys]` section moves an action to other keys (posting's convention: an action id
→ a key, `"queue.next" = "n"`); `check_keys` refuses an unknown id, a key that is no key, and
two actions of one screen on one key. Pure data without Textual, so that the command line
(`calldesk config`, any command reading the config) refuses a bad `[keys]` with the same line
as the app, without loading the UI. The screens' BINDINGS are what Textual runs:
tests/test_keys.py checks that they and this table agree.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from calldesk.i18n import N_, _
from calldesk.rules.outcomes import OUTCOME_KEYS

# Action id → default key(s), in Textual's key names ("question_mark", not "?"), comma-separated
# when there are several. An id's first part is where its binding lives (a screen, a modal, the
# app, the call's script panel).
ACTIONS: dict[str, str] = {
    "app.quit": "q",
    "queue.next": "n", "queue.open": "enter", "queue.schedule": "b", "queue.filter": "slash",
    "queue.undo": "u", "queue.add": "a", "queue.pipeline": "p", "queue.assign": "g", "queue.refresh": "r",
    "queue.help": "question_mark", "queue.clear_filter": "escape",
    "call.outcome": "o", "call.notes": "tab", "call.card": "c", "call.edit": "e", "call.log_contact": "l",
    "call.help": "question_mark", "call.back": "escape",
    "script.clear": "backspace", "script.note": "m",
    "dashboard.open": "enter", "dashboard.select": "space", "dashboard.assign": "g", "dashboard.take_back": "t",
    "dashboard.move": "m", "dashboard.period": "w", "dashboard.refresh": "r", "dashboard.help": "question_mark",
    "dashboard.back": "escape",
    "lead_card.close": "escape",
    "schedule.toggle": "space", "schedule.select_all": "a", "schedule.filter": "f", "schedule.reassign": "g",
    "schedule.reschedule": "s", "schedule.cancel": "x", "schedule.refresh": "r", "schedule.help": "question_mark",
    "schedule.back": "escape",
    "first_run.team_lead": "t", "first_run.add": "a", "first_run.queue": "enter,escape",
    "first_run.help": "question_mark",
    "lead_form.save": "ctrl+s", "lead_form.cancel": "escape",
    "confirm.yes": "y,j", "confirm.no": "n,escape",
    "outcome.cancel": "escape",
    "contact.email": "e", "contact.linkedin": "l", "contact.cancel": "escape",
    "caller_picker.cancel": "escape", "reason.cancel": "escape", "stage_picker.cancel": "escape",
    "when.read": "enter", "when.confirm": "enter", "when.cancel": "escape",
    "when.team": "ctrl+t", "when.only_me": "ctrl+t", "when.pick": "1",
}

# Actions that share a key because only one of them is on at a time (the picker's Enter saves
# what was typed, else confirms the choice): moving one moves the others, unless they are given
# too. Textual drops a key's other bindings when one of them moves.
ALTERNATES: tuple[tuple[str, ...], ...] = (("when.read", "when.confirm"), ("when.team", "when.only_me"))

# Keys that run something without an id (not movable), for the clash check: key → what has it.
TEXTUAL = {"ctrl+q": N_("quitting"), "ctrl+c": N_("copying"), "super+c": N_("copying"),
           "ctrl+p": N_("the command palette"), "tab": N_("moving the focus"), "shift+tab": N_("moving the focus")}
_TABLE = N_("moving through the list")
TABLE = {key: _TABLE for key in ("up", "down", "left", "right", "home", "end", "pageup", "pagedown", "ctrl+pageup",
                                  "ctrl+pagedown", "ctrl+home", "ctrl+end", "enter")}
_CHOICES = N_("moving through the choices")
CHOICES = {key: _CHOICES for key in ("up", "down", "left", "right", "home", "end", "pageup", "pagedown",
                                      "ctrl+pageup", "ctrl+pagedown", "enter")}
SCRIPT = {"up": N_("the script's questions"), "down": N_("the script's questions"),
          **{str(n): N_("the script's answers") for n in range(1, 10)}}
OUTCOMES = {key: N_("the outcomes") for key in OUTCOME_KEYS}
WHEN = {"up": _CHOICES, "down": _CHOICES, **{str(n): N_("the quick choices") for n in range(2, 10)}}
FIELDS = {"up": N_("moving between fields"), "down": N_("moving between fields")}


@dataclass(frozen=True)
class KeyScreen:
    """What one screen's keys are: the actions there (by their ids' first part) and the keys taken."""

    sources: tuple[str, ...]
    taken: Mapping[str, str] = field(default_factory=dict)
    typing: bool = False  # its focused box takes every character key (a reason, a name, a moment)


# "Same screen": a screen's own actions, its widgets' (the call's script panel), and the app's
# unless it is a modal (Textual stops a modal's keys there). Taken: Textual's keys and those of
# the widget with the focus (a table's cursor keys, the script's answers).
SCREENS: dict[str, KeyScreen] = {
    "queue": KeyScreen(("queue", "app"), TEXTUAL | TABLE),
    "call": KeyScreen(("call", "script", "app"), TEXTUAL | SCRIPT),
    "dashboard": KeyScreen(("dashboard", "app"), TEXTUAL | TABLE),
    "schedule": KeyScreen(("schedule", "app"), TEXTUAL | TABLE),
    "first_run": KeyScreen(("first_run", "app"), TEXTUAL),
    "lead_card": KeyScreen(("lead_card",), TEXTUAL),
    "lead_form": KeyScreen(("lead_form",), TEXTUAL | FIELDS, typing=True),
    "confirm": KeyScreen(("confirm",), TEXTUAL),
    "outcome": KeyScreen(("outcome",), TEXTUAL | OUTCOMES),
    "contact": KeyScreen(("contact",), TEXTUAL),
    "caller_picker": KeyScreen(("caller_picker",), TEXTUAL | CHOICES, typing=True),  # a letter jumps to a caller
    "reason": KeyScreen(("reason",), TEXTUAL, typing=True),
    "stage_picker": KeyScreen(("stage_picker",), TEXTUAL | CHOICES),
    "when": KeyScreen(("when",), TEXTUAL | WHEN, typing=True),  # anything but a digit goes to the Type box
}

_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMED = frozenset({"escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup",
                    "pagedown", "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25))})
# Textual's short names for some characters' Unicode names (textual.keys.KEY_NAME_REPLACEMENTS).
_REPLACED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at", "hyphen_minus": "minus",
             "plus_sign": "plus", "low_line": "underscore"}


def _character_key(char: str) -> str:
    """Textual's name for a character's key: 'a', '1', '?' → 'question_mark'."""
    if char.isalnum():
        return char
    name = unicodedata.name(char, "").lower().replace("-", "_").replace(" ", "_")
    return _REPLACED.get(name, name)


_CHARACTERS = {_character_key(chr(code)): chr(code) for code in range(0x20, 0x7F) if not chr(code).isalnum()}
_CHARACTER_NAMES = frozenset(_CHARACTERS)


def shown(key: str) -> str:
    """A key as a message names it: 'question_mark' → '?', 'ctrl+slash' → 'ctrl+/'."""
    *modifiers, last = key.split("+")
    if last in _CHARACTERS and last != "space":
        last = _CHARACTERS[last]
    elif len(last) > 1 and last not in _NAMED:
        try:
            last = unicodedata.lookup(last.replace("_", " "))  # 'euro_sign' → '€'
        except KeyError:
            pass
    return repr("+".join([*modifiers, last]))


class KeysProblem(ValueError):
    """A `[keys]` entry that is refused; `where` is the action id it is about (None: the section)."""

    def __init__(self, where: str | None, message: str) -> None:
        super().__init__(message)
        self.where = where


def normalize_key(text: str) -> str | None:
    """One key in Textual's form ('?' → 'question_mark', 'Ctrl+S' → 'ctrl+s'), None if it is none."""
    if len(text) == 1:
        return (_character_key(text) or None) if text.isprintable() else None
    *modifiers, last = text.strip().split("+")
    modifiers = [modifier.strip().lower() for modifier in modifiers]
    if any(modifier not in _MODIFIERS for modifier in modifiers) or len(set(modifiers)) < len(modifiers):
        return None
    last = last.strip()
    if len(last) == 1 and last.isprintable() and not last.isspace() and _character_key(last):
        name = _character_key(last)
    elif last.lower() in _NAMED or last.lower() in _CHARACTER_NAMES:
        name = last.lower()
    else:
        return None
    return "+".join([*modifiers, name])


def split_keys(keys: str) -> list[str]:
    return [key for key in keys.split(",") if key]


def is_character(key: str) -> bool:
    """A key that types a character (no modifier): what a text box takes."""
    return "+" not in key and (key == "space" or key not in _NAMED)


def _keys_of(action: str, value: object) -> str:
    """The comma-separated keys of one entry, normalized and without repeats."""
    if not isinstance(value, str) or not value.strip():
        raise KeysProblem(action, _("expected a key such as 'n', 'f5' or 'ctrl+s', got {value}").format(
            value=repr(value)))
    # A lone ',' is the comma key; otherwise commas separate keys (Textual's and posting's way).
    texts = [value] if value.strip() == "," else value.split(",")
    keys: list[str] = []
    for text in texts:
        key = normalize_key(text if len(text) == 1 else text.strip())
        if key is None:
            raise KeysProblem(action, _("expected a key such as 'n', 'f5' or 'ctrl+s', got {value}").format(
                value=repr(text.strip() or value)))
        if key not in keys:
            keys.append(key)
    return ",".join(keys)


def _flatten(section: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """`[keys] queue.next = "n"` (a dotted TOML key: nested tables) reads as `"queue.next" = "n"`."""
    flat: dict[str, object] = {}
    for name, value in section.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _unknown(action: str) -> KeysProblem:
    examples = (difflib.get_close_matches(action, ACTIONS, n=3, cutoff=0.6)
                or [known for known in ACTIONS if known.split(".")[0] == action.split(".")[0]][:3]
                or list(ACTIONS)[:3])
    return KeysProblem(action, _("unknown action, expected one such as {examples} (`calldesk config` lists "
                                 "them all)").format(examples=", ".join(examples)))


def check_keys(section: object) -> dict[str, str]:
    """Every action's keys: the defaults with the section's changes (action id → keys), or
    KeysProblem for an unknown id, a bad key or a key two actions of one screen would share."""
    if not isinstance(section, Mapping):
        raise KeysProblem(None, _("expected a table of action = key, such as \"queue.next\" = \"n\""))
    given: dict[str, str] = {}
    for action, value in _flatten(section).items():
        if action not in ACTIONS:
            raise _unknown(action)
        given[action] = _keys_of(action, value)
    keys = dict(ACTIONS)
    for group in ALTERNATES:
        moved = next((given[action] for action in group if action in given), None)
        if moved is not None:
            keys.update({action: moved for action in group})
    keys.update(given)
    _check_clashes(keys, given)
    return keys


def _check_clashes(keys: Mapping[str, str], given: Mapping[str, str]) -> None:
    together = {action: set(group) for group in ALTERNATES for action in group}
    for name, screen in SCREENS.items():
        actions = [action for action in ACTIONS if action.split(".")[0] in screen.sources]
        # The actions left on their defaults hold their keys first: the entry that takes one is named.
        actions.sort(key=lambda action: (action in given, list(given).index(action) if action in given else 0))
        owned = {key for action in actions for key in split_keys(ACTIONS[action])}
        holder: dict[str, str] = {}
        for action in actions:
            for key in split_keys(keys[action]):
                other = holder.setdefault(key, action)
                if other != action and other not in together.get(action, ()):
                    raise KeysProblem(action, _("{key} is {other}'s key too, on the {screen} screen").format(
                        key=shown(key), other=other, screen=name))
                if key in owned:
                    continue
                if key in screen.taken:
                    raise KeysProblem(action, _("{key} is taken by {what} on the {screen} screen").format(
                        key=shown(key), what=_(screen.taken[key]), screen=name))
                if screen.typing and is_character(key):
                    raise KeysProblem(action, _("{key} is typed into the box on the {screen} screen").format(
                        key=shown(key), screen=name))


def changed(keys: Mapping[str, str]) -> dict[str, str]:
    """The actions whose keys differ from the defaults: the keymap for Textual's App.set_keymap
    (an empty one leaves Textual's binding lookups as they were)."""
    return {action: value for action, value in keys.items() if ACTIONS.get(action) != value}
