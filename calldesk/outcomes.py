"""Call outcomes (dispositions): a fixed vocabulary, each with the key that sets it."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    no_answer = "no_answer"
    busy = "busy"
    voicemail = "voicemail"
    wrong_number = "wrong_number"
    not_interested = "not_interested"
    no_fit = "no_fit"
    callback = "callback"
    interested = "interested"
    qualified = "qualified"
    appointment = "appointment"
    won = "won"
    do_not_call = "do_not_call"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# One key each in the outcome picker (the call issue's table).
OUTCOME_KEYS: dict[str, Outcome] = {
    "n": Outcome.no_answer,
    "b": Outcome.busy,
    "v": Outcome.voicemail,
    "w": Outcome.wrong_number,
    "x": Outcome.not_interested,
    "f": Outcome.no_fit,
    "c": Outcome.callback,
    "i": Outcome.interested,
    "h": Outcome.qualified,
    "a": Outcome.appointment,
    "k": Outcome.won,
    "d": Outcome.do_not_call,
}
KEY_OF: dict[Outcome, str] = {outcome: key for key, outcome in OUTCOME_KEYS.items()}


def parse_outcome(text: str) -> Outcome | None:
    """An outcome from its name ("no_answer", "no answer", "no-answer") or its picker key."""
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    if word in OUTCOME_KEYS:
        return OUTCOME_KEYS[word]
    try:
        return Outcome(word)
    except ValueError:
        return None

