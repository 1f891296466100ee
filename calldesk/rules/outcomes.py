"""Call outcomes (dispositions): a fixed vocabulary, each with the key that sets it."""

from __future__ import annotations

from enum import StrEnum

from calldesk.i18n import N_, _


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
        """English, as stored (a stage change's reason, a lost reason) and exported."""
        return self.value.replace("_", " ")

    @property
    def ui_label(self) -> str:
        """The label in the UI language: for screens, never for what is stored."""
        return _(self.label)


# Every outcome's label, for the catalog (Outcome.ui_label translates them).
_LABELS = (N_("no answer"), N_("busy"), N_("voicemail"), N_("wrong number"), N_("not interested"), N_("no fit"),
           N_("callback"), N_("interested"), N_("qualified"), N_("appointment"), N_("won"), N_("do not call"))


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

