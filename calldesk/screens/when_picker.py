"""A keyboard-only modal for choosing a moment: a callback (for me or the team) or an appointment.

The rules live in calldesk.rules.schedule; this screen only shows them. Keys: a bare 1–6 picks a
quick choice (↑/↓ step through them); anything else typed goes to the Type box, from the first
key (a letter, `+`, `:`, or a digit followed by more: "24-11 14:00" is a date, not choice 2).
Enter saves what was typed (when the moment is outside calling hours it first shows why, and a
second Enter saves it anyway); Tab moves between the choices, the box and the note; ctrl+t
switches between only me and the team; Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, format_day
from calldesk.rules.config import CallingHours
from calldesk.rules.schedule import PAST_GRACE, Choice, check_when, parse_when, quick_choices
from calldesk.rules.windows import local_time, zones_of
from calldesk.screens.base import DeskModal
from calldesk.screens.keys import KeysFooter
from calldesk.screens.translate import translate_bindings


@dataclass(frozen=True)
class When:
    at: datetime  # aware UTC
    team: bool  # True: for the whole team; False: only me
    note: str


def _day(local: datetime, year: int) -> str:
    return format_day(local, year=year)


class _Choices(Static, can_focus=True):
    """The quick choices; focusable so that arrows and a bare digit pick one. Any other typing
    goes to the Type box: a caller types "morgen 10:00" without Tab first."""

    BINDINGS = [
        Binding("up", "screen.step(-1)", N_("Previous"), show=False),
        Binding("down", "screen.step(1)", N_("Next"), show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - Static's own
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def on_key(self, event: events.Key) -> None:
        screen = self.screen
        if not isinstance(screen, WhenPicker):
            return
        if event.is_printable and event.character:
            event.stop()  # the screen's digit bindings must not pick a choice as well
            event.prevent_default()
            screen.typed_on_choices(event.character)
        else:
            screen.pending_digit = None  # Enter, arrows, Tab: a digit typed before was a pick


class WhenPicker(DeskModal[When | None]):
    AUTO_FOCUS = "#when-choices"
    DEFAULT_CSS = """
    WhenPicker {
        align: center middle;
    }
    WhenPicker #when-dialog {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: thick $primary;
        border-title-style: bold;
        background: $surface;
    }
    WhenPicker #when-now, WhenPicker #when-help {
        color: $text-muted;
    }
    WhenPicker #when-choices {
        height: auto;
        padding: 0 1;
        border: round $panel;
    }
    WhenPicker #when-choices:focus {
        border: round $accent;
    }
    WhenPicker .when-row {
        height: auto;
    }
    WhenPicker .when-row Label {
        width: 10;
        padding: 1 0 0 1;
    }
    /* Fewer than 30 rows: one-line boxes, so that it all fits in 24. */
    WhenPicker.-short .when-row {
        margin-top: 1;
    }
    WhenPicker.-short .when-row Input {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    WhenPicker.-short .when-row Input:focus {
        background: $accent 30%;
    }
    WhenPicker.-short .when-row Label {
        padding: 0 0 0 1;
    }
    WhenPicker .when-row Input {
        width: 1fr;
    }
    WhenPicker #when-error {
        height: 1;
        color: $error;
        padding: 0 1;
    }
    WhenPicker #when-preview {
        text-style: bold;
        padding: 0 1;
    }
    WhenPicker #when-warnings {
        color: $warning;
        padding: 0 1;
    }
    WhenPicker #when-team {
        padding: 0 1;
    }
    """
    BINDINGS = [
        # Priority: Enter must reach the screen even from an Input; check_action decides which.
        Binding("enter", "read_entry", N_("Save"), priority=True, id="when.read"),
        Binding("enter", "confirm", N_("Confirm"), priority=True, id="when.confirm"),
        Binding("escape", "cancel", N_("Cancel"), id="when.cancel"),
        # ctrl+t, not t: letters are typed moments ("tomorrow 10:00"), wherever the focus is.
        Binding("ctrl+t", "set_team(True)", N_("For the team"), key_display="^t", priority=True, id="when.team"),
        Binding("ctrl+t", "set_team(False)", N_("Only me"), key_display="^t", priority=True, id="when.only_me"),
        Binding("1", "pick('1')", N_("Pick"), key_display="1–6", id="when.pick"),
        *(Binding(str(n), f"pick('{n}')", show=False) for n in range(2, 10)),
    ]

    def __init__(
        self,
        *,
        title: str,
        now: datetime,
        zone: str | None,
        country: str,
        hours: CallingHours,
        region: str,
        caller_zone: str,
        allow_team: bool = True,
        team: bool = False,
        note: str = "",
    ) -> None:
        super().__init__()
        self._title_text = title
        self._now = now
        self._zone = zone
        self._country = country
        self._hours = hours
        self._region = region
        self._caller_zone = caller_zone
        self._allow_team = allow_team
        self.team = team and allow_team
        self._initial_note = note
        self.choices: list[Choice] = quick_choices(now, zone, country, hours, region)
        self.chosen: datetime | None = None
        self.chosen_from = ""  # a choice's key, or "typed"
        self.read_text = ""  # the entry text behind a typed moment
        # A digit just picked on the choices, and what was chosen before it: if more typing
        # follows, the digit was the start of a typed moment ("24-11 14:00"), not a pick.
        self.pending_digit: tuple[str, datetime | None, str] | None = None
        self.warned_text: str | None = None  # the typed text whose warnings were shown on Enter

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="when-dialog") as dialog:
            dialog.border_title = self._title_text
            yield Static(self._now_line(), id="when-now")
            choices = _Choices(self._choice_lines(), id="when-choices")
            choices.border_title = _("Quick choices")
            yield choices
            with Horizontal(classes="when-row"):
                yield Label(_("Type"))
                # No select-all on focus: the first key typed on the choices lands in the box, and
                # selecting it would let the second key replace it.
                yield Input(placeholder=_("e.g. morgen 10:00 · 24-11 14:00 · ma 9:30 · +2h"), id="when-entry",
                            select_on_focus=False)
            yield Static("", id="when-error")
            yield Static("", id="when-preview")
            yield Static("", id="when-warnings")
            yield Static("", id="when-team")
            with Horizontal(classes="when-row"):
                yield Label(_("Note"))
                yield Input(self._initial_note, placeholder=_("optional"), id="when-note")
            yield Static(self._help_line(), id="when-help")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#when-team").display = self._allow_team
        self._show()

    # -- what is shown -------------------------------------------------------------------
    def _lead_zone_name(self) -> str:
        name = str(local_time(self._zone, self._now, self._region).tzinfo)
        count = len(zones_of(self._zone))
        if count > 1:  # their number could be in any of these: the first stands in, said so
            return _("{zone}, one of {count} zones they could be in").format(zone=name, count=count)
        return name if self._zone == name else _("{zone}, zone unknown").format(zone=name)

    def _year(self) -> int:
        return local_time(self._zone, self._now, self._region).year

    def _now_line(self) -> str:
        local = local_time(self._zone, self._now, self._region)
        return _("Lead's clock now: {moment} ({zone})").format(
            moment=f"{_day(local, local.year)} {local:%H:%M}", zone=self._lead_zone_name())

    def _choice_lines(self) -> Content:
        year, lines = self._year(), []
        width = max(len(choice.label) for choice in self.choices)
        for choice in self.choices:
            local = local_time(self._zone, choice.at, self._region)
            chosen = self.chosen_from == choice.key
            warnings = check_when(choice.at, self._now, self._zone, self._country, self._hours, self._region)
            lines.append(Content.assemble(
                ("▸ " if chosen else "  ", "bold $accent"),
                (choice.key, "bold $accent"),
                "  ",
                (choice.label.ljust(width), "bold" if chosen else ""),
                "   ",
                (f"{_day(local, year)} {local:%H:%M}".ljust(18), "bold" if chosen else "$text-muted"),
                (warnings[0] if warnings else "", "$text-warning"),
            ))
        return Content("\n").join(lines)

    def _help_line(self) -> str:
        keys = [_("1–{last} pick").format(last=self.choices[-1].key), _("↑↓ step"), _("Tab next field"),
                _("Enter save")]
        if self._allow_team:
            keys.append(_("^t me / team"))
        return " · ".join(keys + [_("Esc cancel")])

    def _preview(self) -> str:
        if self.chosen is None:
            if self.chosen_from == "typed":
                return _("Press Enter to save what you typed")
            return _("No moment chosen yet: press 1–{last} or type one").format(last=self.choices[-1].key)
        lead = local_time(self._zone, self.chosen, self._region)
        you = local_time(self._caller_zone, self.chosen, self._region)
        year = self._year()
        yours = f"{you:%H:%M}" if you.date() == lead.date() else f"{_day(you, year)} {you:%H:%M}"
        return _("{lead_time} lead ({lead_zone}) · {your_time} you ({your_zone})").format(
            lead_time=f"{_day(lead, year)} {lead:%H:%M}", lead_zone=self._lead_zone_name(), your_time=yours,
            your_zone=you.tzinfo)

    def _show(self) -> None:
        self.query_one("#when-choices", Static).update(self._choice_lines())
        self.query_one("#when-preview", Static).update(self._preview())
        warnings = [] if self.chosen is None else check_when(
            self.chosen, self._now, self._zone, self._country, self._hours, self._region)
        warning_line = self.query_one("#when-warnings", Static)
        warning_line.update(Content("⚠ " + " · ".join(warnings)) if warnings else "")
        warning_line.display = bool(warnings)
        team, other = (_("the team"), _("only me")) if self.team else (_("only me"), _("the team"))
        self.query_one("#when-team", Static).update(
            Content.assemble(_("For:") + " ", (team, "bold"), f"   (^t: {other})"))
        self.refresh_bindings()

    def _error(self, message: str) -> None:
        self.query_one("#when-error", Static).update(Content(message))

    # -- keys ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        entry_focused = self.focused is not None and self.focused.id == "when-entry"
        if action == "read_entry":
            return entry_focused
        if action == "confirm":
            return not entry_focused
        if action == "set_team":
            return self._allow_team and parameters[0] != self.team
        if action == "pick":
            return any(choice.key == parameters[0] for choice in self.choices)
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # Enter's meaning follows the focus

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def typed_on_choices(self, character: str) -> None:
        """A printable key on the quick choices: a bare digit picks; anything else (and a digit
        followed by more) goes to the Type box, the picked digit with it."""
        entry = self.query_one("#when-entry", Input)
        keys = {choice.key for choice in self.choices}
        if character in keys and self.pending_digit is None and not entry.value:
            self.pending_digit = (character, self.chosen, self.chosen_from)
            self.action_pick(character)
            return
        text = character
        if self.pending_digit is not None:
            text, self.chosen, self.chosen_from = self.pending_digit[0] + character, *self.pending_digit[1:]
            self.pending_digit = None
        target = self.focused
        if not isinstance(target, Input):  # on the choices: the box; else where an earlier key went
            target = entry
            target.focus()
        target.insert_text_at_cursor(text)
        self._show()

    def action_pick(self, key: str) -> None:
        choice = next(choice for choice in self.choices if choice.key == key)
        self.chosen, self.chosen_from = choice.at, choice.key
        self._error("")
        self._show()

    def action_step(self, delta: int) -> None:
        keys = [choice.key for choice in self.choices]
        if self.chosen_from in keys:
            index = (keys.index(self.chosen_from) + delta) % len(keys)
        else:
            index = 0 if delta > 0 else len(keys) - 1
        self.action_pick(keys[index])

    def action_set_team(self, team: bool) -> None:
        self.team = team
        self._show()

    def _after_typing(self, then: Callable[[], None]) -> None:
        # Enter is a priority binding, so it runs as soon as it arrives, while keys typed just
        # before it (a paste, a fast typist, a slow link) may still wait in the focused box's
        # queue. Reading the box through that queue sees everything typed before Enter.
        # Keys typed on the choices may wait in their queue too (they go on to the box): drain
        # the choices', the box's and the note's queues, in the order keys travel through them.
        choices, entry, note = (self.query_one(f"#when-{name}") for name in ("choices", "entry", "note"))
        choices.call_later(entry.call_later, note.call_later, then)

    def action_read_entry(self) -> None:
        self._after_typing(self._read_entry)

    def _read_entry(self) -> None:
        if not self.is_current:
            return  # Enter already confirmed it
        if self._read_typed():
            self._confirm()

    def _read_typed(self) -> bool:
        """Read the Type box into the chosen moment; False when the picker must stay open: the
        text is not a moment (the error says why), or its warnings are shown for the first time
        (a second Enter saves it anyway). An empty box keeps what was chosen."""
        text = self.query_one("#when-entry", Input).value
        if not text.strip():
            return True
        if self.chosen_from == "typed" and text == self.read_text and self.chosen is not None:
            moment = self.chosen
        else:
            try:
                moment = parse_when(text, self._now, self._zone, self._region)
            except CalldeskError as exc:
                # The text stays for fixing; the moment clears so an older one is never saved.
                self.chosen, self.chosen_from = None, ""
                self._error(str(exc))
                self._show()
                return False
        self.chosen, self.chosen_from, self.read_text = moment, "typed", text
        self._error("")
        self._show()
        if self.warned_text != text and check_when(moment, self._now, self._zone, self._country, self._hours,
                                                     self._region):
            self.warned_text = text
            self._error(_("Press Enter again to save it anyway"))
            return False
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        # The box's text now, not the event's: a burst of typing read at once by Enter sends its
        # Changed events after the read, each with a shorter text than was read.
        if event.input.id != "when-entry":
            return
        text = event.input.value
        if self.chosen_from == "typed" and text == self.read_text and self.chosen is not None:
            return
        if not text.strip():
            if self.chosen_from == "typed":
                self.chosen, self.chosen_from = None, ""
        else:
            # Read as it is typed: the preview and warnings show before Enter; errors wait for it.
            try:
                self.chosen = parse_when(text, self._now, self._zone, self._region)
            except CalldeskError:
                self.chosen = None  # never a moment other than the text says
            self.chosen_from, self.read_text = "typed", text if self.chosen is not None else ""
        self._show()

    def action_confirm(self) -> None:
        self._after_typing(self._confirm)

    def _confirm(self) -> None:
        if not self.is_current:
            return  # already confirmed (two Enters in one batch)
        entry = self.query_one("#when-entry", Input).value
        if entry.strip() and not (self.chosen_from == "typed" and entry == self.read_text):
            # Typed, then Tab to the note and Enter: what was typed is what is meant.
            if not self._read_typed():
                return
        if self.chosen is None:
            self._error(_("Choose a moment first: press 1–{last} or type one").format(last=self.choices[-1].key))
            return
        if self.chosen < self._now - PAST_GRACE:
            # Saving would refuse it after the picker closed, and the caller starts over.
            self._error(_("That moment has passed: pick one from now on"))
            return
        note = self.query_one("#when-note", Input).value.strip()
        self.dismiss(When(self.chosen, self.team and self._allow_team, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
