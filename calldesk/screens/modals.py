"""Small keyboard modals: a yes/no question, the outcome picker, logging contact outside a call."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Input, Static

from calldesk.i18n import N_, _, pgettext
from calldesk.rules.outcomes import KEY_OF, OUTCOME_KEYS, Outcome
from calldesk.screens.base import DeskModal

MODAL_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: auto;
    max-width: 90;
    height: auto;
    padding: 1 2;
    background: $panel;
    border: round $primary;
}}
{name} > Vertical > Static {{
    width: auto;  /* a 1fr child of an auto-width box would collapse it to nothing */
    max-width: 84;  /* the box's 90 less its border and padding: longer text wraps */
}}
{name} .title {{
    text-style: bold;
    margin-bottom: 1;
}}
{name} .hint {{
    color: $text-muted;
    margin-top: 1;
}}
"""


class Confirm(DeskModal[bool]):
    """A yes/no question: `y` (and `j`, ja) answers yes, `n` or Escape no."""

    DEFAULT_CSS = MODAL_CSS.format(name="Confirm") + """
    Confirm > Vertical { border: round $warning; }
    """
    BINDINGS = [
        # j too: Dutch callers answer "ja", and y keeps working in every language.
        Binding("y,j", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        self.question, self.detail = question, detail
        self.yes, self.no = yes or _("yes"), no or _("no")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="title", markup=False)
            if self.detail:
                yield Static(self.detail, markup=False)
            # Translators: the key that answers yes, as the hint shows it ("j" for ja; y works too).
            yes_key = pgettext("confirm key", "y")
            yield Static(f"{yes_key}  {self.yes}    n  {self.no}", classes="hint", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


# The picker's layout: what happened on the line, then the conversation, then the result.
_COLUMNS: tuple[tuple[str, tuple[Outcome, ...]], ...] = (
    (N_("Not reached"), (Outcome.no_answer, Outcome.busy, Outcome.voicemail, Outcome.wrong_number)),
    (N_("Conversation"), (Outcome.callback, Outcome.interested, Outcome.not_interested, Outcome.no_fit)),
    (N_("Result"), (Outcome.qualified, Outcome.appointment, Outcome.won, Outcome.do_not_call)),
)
_LABELS = {
    Outcome.interested: N_("interested (info sent)"),
    Outcome.no_fit: N_("no fit (outside ICP)"),
    Outcome.qualified: N_("qualified (hot lead)"),
    Outcome.appointment: N_("appointment…"),
    Outcome.won: N_("won (customer)"),
    Outcome.callback: N_("callback…"),
}


def outcome_label(outcome: Outcome) -> str:
    """The outcome as the picker names it, in the UI language."""
    return _(_LABELS[outcome]) if outcome in _LABELS else outcome.ui_label


class OutcomePicker(DeskModal[Outcome | None]):
    """One key per outcome; Escape goes back to the call."""

    DEFAULT_CSS = MODAL_CSS.format(name="OutcomePicker") + """
    OutcomePicker Grid {
        grid-size: 3;
        grid-columns: 28 28 28;  /* room for the longest Dutch label */
        height: auto;
    }
    OutcomePicker .suggested { color: $success; margin-top: 1; }
    /* Below 100 columns: the whole width, three columns sharing it (a long label wraps). */
    OutcomePicker.-narrow > Vertical {
        width: 100%;
        max-width: 100%;
        padding: 0 1;
    }
    OutcomePicker.-narrow > Vertical > Static { max-width: 100%; }
    OutcomePicker.-narrow Grid { grid-columns: 1fr 1fr 1fr; grid-gutter: 0 1; }
    """
    BINDINGS = [
        *(Binding(key, f"pick('{outcome.value}')", outcome.label, show=False) for key, outcome in OUTCOME_KEYS.items()),
        Binding("escape", "pick('')", N_("Back to the call"), id="outcome.cancel"),
    ]

    def __init__(self, suggestion: Outcome | None = None) -> None:
        super().__init__()  # the outcomes' own labels are in the catalog (calldesk.rules.outcomes)
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Outcome of the call"), classes="title")
            with Grid():
                for title, outcomes in _COLUMNS:
                    lines = [f"[b]{_(title)}[/b]"]
                    lines += [f"[b $accent]{KEY_OF[o]}[/]  {outcome_label(o)}" for o in outcomes]
                    yield Static("\n".join(lines))
            if self.suggestion is not None:
                yield Static(_("Suggested by the script: {key}  {outcome}").format(
                    key=KEY_OF[self.suggestion], outcome=outcome_label(self.suggestion)),
                    classes="suggested", markup=False)
            yield Static(_("Press a key · Escape: back to the call"), classes="hint", markup=False)

    def action_pick(self, value: str) -> None:
        self.dismiss(Outcome(value) if value else None)


class LogContact(DeskModal[tuple[str, str] | None]):
    """Contact outside a call: `e` an e-mail sent or `l` a LinkedIn message, then a note."""

    DEFAULT_CSS = MODAL_CSS.format(name="LogContact") + """
    LogContact Input { width: 60; }
    """
    AUTO_FOCUS = "#contact-kind"  # the first key chooses the kind; then the note box takes the typing
    BINDINGS = [
        Binding("e", "kind('email')", N_("E-mail sent"), id="contact.email"),
        Binding("l", "kind('linkedin')", N_("LinkedIn message"), id="contact.linkedin"),
        Binding("escape", "cancel", N_("Cancel"), id="contact.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Log contact outside a call"), classes="title")
            kind = Static(_("e  an e-mail sent    l  a LinkedIn message"), id="contact-kind", markup=False)
            kind.can_focus = True
            yield kind
            yield Input(placeholder=_("Note (optional), Enter saves"), id="contact-note")
            yield Static(_("Escape  cancel"), classes="hint", markup=False)

    def action_kind(self, kind: str) -> None:
        self.kind = kind
        logging = _("Logging an e-mail sent") if kind == "email" else _("Logging a LinkedIn message")
        self.query_one("#contact-kind", Static).update(logging)
        self.query_one("#contact-note", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.kind:
            self.dismiss((self.kind, event.value.strip()))
        else:
            event.input.blur()
            self.notify(_("First press e (e-mail) or l (LinkedIn)"), severity="warning")
