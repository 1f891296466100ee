"""Team leads' small modals: pick a caller (or the team), give a reason, move a stage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from calldesk.i18n import N_, _
from calldesk.rules.stages import Stage
from calldesk.screens.base import DeskModal
from calldesk.screens.modals import MODAL_CSS

TEAM = "team"  # what CallerPicker returns for "the whole team"


class CallerPicker(DeskModal[str | None]):
    """Choose a caller from a list (type to jump, Enter picks); returns a name, TEAM, or None.
    `labels` shows some choices under another name (a translated "Everyone")."""

    DEFAULT_CSS = MODAL_CSS.format(name="CallerPicker") + """
    CallerPicker OptionList { width: 48; height: auto; max-height: 16; }
    """
    AUTO_FOCUS = "#caller-options"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="caller_picker.cancel")]

    def __init__(self, title: str, callers: Sequence[str], *, allow_team: bool = True,
                 detail: str = "", labels: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.title_text, self.callers, self.allow_team, self.detail = title, list(callers), allow_team, detail
        self.labels = dict(labels or {})

    def compose(self) -> ComposeResult:
        options = [Option(self.labels.get(name, name), id=name) for name in self.callers]
        if self.allow_team:
            options.append(Option(_("the whole team"), id=TEAM))
        with Vertical():
            yield Static(self.title_text, classes="title", markup=False)
            if self.detail:
                yield Static(self.detail, markup=False)
            yield OptionList(*options, id="caller-options")
            yield Static(_("↑↓ choose · Enter pick · Escape cancel"), classes="hint", markup=False)

    def on_key(self, event) -> None:  # noqa: ANN001
        # A letter jumps to the first caller starting with it: lists of callers get long.
        if event.character and event.character.isalnum():
            options = self.query_one(OptionList)
            for index in range(options.option_count):
                option_id = options.get_option_at_index(index).id or ""
                if option_id != TEAM and option_id.startswith(event.character.lower()):
                    options.highlighted = index
                    event.stop()
                    return

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonPrompt(DeskModal[str | None]):
    """One line of text that must not be empty (a reason kept with the change)."""

    DEFAULT_CSS = MODAL_CSS.format(name="ReasonPrompt") + """
    ReasonPrompt Input { width: 60; }
    ReasonPrompt #reason-error { color: $error; height: auto; }
    """
    AUTO_FOCUS = "#reason"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="reason.cancel")]

    def __init__(self, title: str, detail: str = "", placeholder: str | None = None) -> None:
        super().__init__()
        self.title_text, self.detail, self.placeholder = title, detail, placeholder or _("Reason")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="title", markup=False)
            if self.detail:
                yield Static(self.detail, markup=False)
            yield Input(placeholder=self.placeholder, id="reason")
            yield Static("", id="reason-error", markup=False)
            yield Static(_("Enter save · Escape cancel"), classes="hint", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = " ".join(event.value.split())
        if not text:
            self.query_one("#reason-error", Static).update(_("A reason is needed: it is kept in the history."))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StagePicker(DeskModal[Stage | None]):
    """Choose the stage a team lead moves a lead to (any stage, backwards too)."""

    DEFAULT_CSS = MODAL_CSS.format(name="StagePicker") + """
    StagePicker OptionList { width: 40; height: auto; }
    """
    AUTO_FOCUS = "#stage-options"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="stage_picker.cancel")]

    def __init__(self, title: str, current: Stage) -> None:
        super().__init__()
        self.title_text, self.current = title, current

    def compose(self) -> ComposeResult:
        options = [Option(stage.ui_label + ("  " + _("(now)") if stage is self.current else ""), id=stage.value,
                          disabled=stage is self.current) for stage in Stage]
        with Vertical():
            yield Static(self.title_text, classes="title", markup=False)
            yield OptionList(*options, id="stage-options")
            yield Static(_("↑↓ choose · Enter pick · Escape cancel"), classes="hint", markup=False)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Stage(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
