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

