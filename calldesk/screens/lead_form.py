"""A lead's details in a keyboard-only form: correcting a lead, or adding one by hand.

The form knows nothing of the store: `save` runs the db function (update_lead, add_lead) in a
thread, and its CalldeskError is shown in the form, which stays open with everything typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from calldesk.db.leads import EDITABLE_FIELDS
from calldesk.i18n import N_, _, ngettext
from calldesk.screens.base import DeskModal, Failure, desk_work
from calldesk.screens.modals import Confirm

LABELS = {
    "company": N_("Company"),
    "contact_name": N_("Contact"),
    "role": N_("Role"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "company_size": N_("Company size"),
    "industry": N_("Industry"),
}
PLACEHOLDERS = {
    "phone": N_("as you would dial it: 06-12345678, +44 20 7946 0018"),
    "email": N_("name@company.nl"),
    "company_size": N_("employees: 45, 11-50, 500+"),
}


def field_label(name: str) -> str:
    """A lead field's label in the UI language ("contact_name" → "Contact")."""
    return _(LABELS[name]) if name in LABELS else name

class LeadForm(DeskModal[dict[str, str] | None]):
    """Dismissed with the fields that changed (stripped), or None when cancelled."""

    DEFAULT_CSS = """
    LeadForm {
        align: center middle;
    }
    LeadForm > #lead-form {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 1 2 0 2;
        background: $panel;
        border: round $primary;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
    }
    LeadForm .field {
        height: 1;
        margin-bottom: 1;
    }
    LeadForm .field Label {
        width: 15;
        color: $text-muted;
    }
    /* The row itself must match :focus-within, or Textual won't restyle its label on focus. */
    LeadForm .field:focus-within {
        background: $primary 10%;
    }
    LeadForm .field:focus-within Label {
        color: $text;
        text-style: bold;
    }
    LeadForm .field Input {
        width: 1fr;
        background: $boost;
    }
    LeadForm .field Input:focus {
        background: $primary 30%;
    }
    LeadForm #form-message {
        height: auto;
        margin-bottom: 1;
        color: $error;
        text-style: bold;
    }
    LeadForm #form-message.-empty {
        display: none;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="lead_form.save"),
        Binding("escape", "cancel", N_("Cancel"), id="lead_form.cancel"),
        # Inputs are one line, so up and down are free to move between them.
        Binding("down", "app.focus_next", N_("Next field"), show=False),
        Binding("up", "app.focus_previous", N_("Previous field"), show=False),
    ]

    def __init__(self, *, title: str, values: Mapping[str, str], fields: Sequence[str] = EDITABLE_FIELDS,
                 required: Sequence[str] = (), save: Callable[[dict[str, str]], object]) -> None:
        super().__init__()
        if not fields or not set(fields) <= set(LABELS) or not set(required) <= set(fields):
            raise ValueError(f"LeadForm: fields {list(fields)} and required {list(required)} must be lead fields")
        self._form_title = title
        self._fields = tuple(fields)
        self._required = tuple(required)
        self._original = {name: (values.get(name) or "").strip() for name in self._fields}
        self._initial = {name: values.get(name) or "" for name in self._fields}
        self._on_save = save
        self._busy = False  # a save is running: a second ctrl+s or Escape waits for it
        self.saved: object = None  # what save returned (a new lead's id, for one)

    def compose(self) -> ComposeResult:
        with Vertical(id="lead-form") as form:
            form.border_title = self._form_title
            form.border_subtitle = _("ctrl+s save · Esc cancel · Tab/↑↓ move")
            labels = {name: field_label(name) + (" *" if name in self._required else "") for name in self._fields}
            # As wide as the longest label and a gap, in the language shown: "Bedrijfsgrootte"
            # filled a fixed column and ran into its placeholder.
            width = max(len(label) for label in labels.values()) + 2
            for name in self._fields:
                with Horizontal(classes="field"):
                    label = Label(labels[name])
                    label.styles.width = width
                    yield label
                    placeholder = _(PLACEHOLDERS[name]) if name in PLACEHOLDERS else ""
                    yield Input(self._initial[name], placeholder=placeholder, id=f"field-{name}", compact=True)
            yield Static("", id="form-message", classes="-empty", markup=False)

    # -- what was typed --------------------------------------------------------------------
    def current(self) -> dict[str, str]:
        return {name: self.query_one(f"#field-{name}", Input).value.strip() for name in self._fields}

    def changes(self) -> dict[str, str]:
        """The fields that differ from the values given (for a new lead: the non-empty ones)."""
        return {name: value for name, value in self.current().items() if value != self._original[name]}

    def show_message(self, text: str) -> None:
        message = self.query_one("#form-message", Static)
        message.update(text)
        message.set_class(not text, "-empty")

    # -- saving ----------------------------------------------------------------------------
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"field-{self._fields[-1]}":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self._busy:
            return
        values = self.current()
        missing = [name for name in self._required if not values[name]]
        if missing:
            # Translators: joins two field names ("Company and Phone"); keep the spaces.
            names = _(" and ").join(field_label(name) for name in missing)
            self.show_message(ngettext("{fields} is required", "{fields} are required", len(missing)).format(
                fields=names))
            self.query_one(f"#field-{missing[0]}", Input).focus()
            return
        changes = self.changes()
        if not changes:
            self.dismiss({})  # nothing to write
            return
        self._busy = True
        self.show_message("")
        self._run_save(changes)

    @desk_work(group="lead-form", exclusive=True)
    def _run_save(self, changes: dict[str, str]) -> None:
        result = self._on_save(dict(changes))
        self.app.call_from_thread(self._save_done, changes, result)

    def worker_failed(self, failure: Failure) -> None:
        """Shown in the form, which stays open with everything typed."""
        self._busy = False
        self.show_message(failure.why if str(failure.error).strip() else _("could not save"))

    def _save_done(self, changes: dict[str, str], result: object) -> None:
        self._busy = False
        self.saved = result
        self.dismiss(changes)

    # -- cancelling ------------------------------------------------------------------------
    def action_cancel(self) -> None:
        if self._busy:
            return  # the save decides whether the form closes
        if not self.changes():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(Confirm(_("Discard your changes?"), yes=_("discard them"), no=_("keep editing")),
                             answered)
