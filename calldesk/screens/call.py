"""The call: the lead card, the BANT script, notes, a timer, and one-key outcomes.

Opened on a lead the caller has claimed. The claim is renewed while the screen is open and
released when the caller backs out; recording an outcome releases it in the same transaction.
Nothing typed is thrown away silently: leaving with answers or notes asks first, and a failed
save keeps the call on screen with the error.
"""

from __future__ import annotations

from datetime import datetime

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static, TextArea

from calldesk.db.calls import CallbackRequest, Recorded, log_activity, record_outcome
from calldesk.db.leads import LeadDetail, lead_detail, update_lead
from calldesk.db.queue import release_claim, renew_claim
from calldesk.i18n import N_, _
from calldesk.rules.kinds import ActivityKind
from calldesk.rules.outcomes import Outcome
from calldesk.rules.phones import display, with_extension
from calldesk.rules.windows import local_time, their_time, zones_of
from calldesk.screens.base import DeskScreen, Failure, Typed, back_key, desk_work, help_key
from calldesk.screens.keys import KeysFooter
from calldesk.screens.layout import MEDIUM, Responsive
from calldesk.screens.leadview import CALLS_SHOWN, lead_line, lead_view, stage_label
from calldesk.screens.modals import Confirm, LogContact, OutcomePicker, outcome_label
from calldesk.screens.script_panel import ScriptPanel
from calldesk.screens.when_picker import WhenPicker


class CallScreen(Responsive, DeskScreen[Recorded | None]):
    """Dismissed with what was recorded, or None when the caller backed out."""

    AUTO_FOCUS = "#script"
    BINDINGS = [
        # In the order the footer keeps them when it is narrow (keys.KeysFooter.fit); ? lists all.
        Binding("o", "outcome", N_("Outcome"), id="call.outcome"),
        Binding("tab", "notes", N_("Notes"), id="call.notes"),
        # The lead card beside the script; below 100 columns one line that c opens.
        Binding("c", "card", N_("Card"), id="call.card"),
        Binding("e", "edit", N_("Edit lead"), id="call.edit"),
        Binding("l", "log_contact", N_("Log contact"), id="call.log_contact"),
        help_key("call"),
        back_key("call"),
        # The app's q (quit) stays out of reach, and out of the footer, during a call.
        Binding("q", "stay", show=False, system=True),  # system: not in the key panel either
    ]

    def __init__(self, lead_id: int, detail: LeadDetail | None = None, typed: Typed | None = None) -> None:
        """detail: the lead as loaded by the claim's worker, shown from the first frame; without
        it the screen loads the lead itself. typed: notes and answers to start from (a call
        that was undone)."""
        super().__init__()
        self.lead_id = lead_id
        self.preloaded = detail
        self._typed = typed
        self.detail: LeadDetail | None = None
        self.started_at: datetime | None = None
        self.started_tick = 0.0
        self.saving = False  # an outcome is being recorded
        self.leaving = False  # the claim is being released on the way back to the queue
        self._styled_in: str | None = None  # the theme the screen was last styled in

    def compose(self) -> ComposeResult:
        given, app = self.preloaded, self.app
        yield Header()
        yield Static(_("Loading…"), id="call-bar")
        yield Static(self._card_line(given) if given else "", id="card-line")
        with Horizontal(id="call-body"):
            with VerticalScroll(id="call-card"):
                yield Static(lead_view(given, app.now(), app.config.region, app.script) if given else "", id="card")
            if given:
                yield self._script_panel(given)
            else:
                yield Static(_("Loading the script…"), id="script-slot")
        yield TextArea(id="notes", soft_wrap=True, show_line_numbers=False, placeholder=_("Notes on this call (Tab)"))
        yield KeysFooter()

    def _fresh_notices(self) -> None:
        # What the queue last said ("Recorded …" of the call before) would sit over this call's
        # notes box for seconds: a new call starts without it (u on the queue still undoes).
        # A call reopened by undo keeps the notice that says so.
        if self._typed is None:
            self.app.clear_notifications()

    def on_mount(self) -> None:
        self._fresh_notices()
        self._start_timer()
        if self.preloaded is not None:
            self.detail, self.preloaded = self.preloaded, None
            self.show_bar()
            self._restore()
        else:
            self.load()
        self.set_interval(1, self.tick)  # the claim is renewed by the app's timer (renew_calls)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen it shows again, for app-wide style changes
        # made while it was away: a fifth of an `n` press on the kept screen. Its own changes
        # (classes, focus, disabled keys) restyle their widgets as they are made, so only a
        # theme changed meanwhile needs the whole pass. (Runs before Screen's own handler.)
        if self._styled_in == self.app.theme:
            event.refresh_styles = False
        self._styled_in = self.app.theme

    def _start_timer(self) -> None:
        self.started_at = self.app.now()
        self.started_tick = self.app.ticks()

    @property
    def reusable(self) -> bool:
        """Closed, with its script in place: begin() can take the next call on it."""
        return self.panel is not None and self not in self.app.screen_stack

    def _restore(self) -> None:
        """Start from what was typed on the call that was undone (see __init__)."""
        typed, self._typed = self._typed, None
        if typed is None:
            return
        notes, answers = typed
        if answers and self.panel is not None:
            self.panel.restore(answers)
        if notes:
            self.query_one("#notes", TextArea).load_text(notes)

    def begin(self, lead_id: int, detail: LeadDetail, typed: Typed | None = None) -> None:
        """The next call on this screen, kept from the last one (see CalldeskApp.open_call).
        Nothing of the last call stays: card, answers, notes, timer and flags."""
        assert self.reusable, "begin() on a call in progress"
        panel, app = self.panel, self.app
        self.lead_id, self.detail = lead_id, detail
        self.saving = self.leaving = False
        self._typed = typed
        self._fresh_notices()
        self._start_timer()
        self.query_one("#card", Static).update(lead_view(detail, app.now(), app.config.region, app.script))
        self.query_one("#call-card", VerticalScroll).scroll_home(animate=False)
        self.remove_class("-card-toggled")  # each call starts with the card as the width has it
        self._show_card_line()
        panel.reset(detail.bant, self._script_values(detail))
        self.query_one("#notes", TextArea).load_text("")  # its undo history goes too
        self._typed = typed
        self._restore()
        self.set_focus(panel)
        self.show_bar()

    # -- showing the lead ----------------------------------------------------------------
    @desk_work(group="card", exclusive=True, failed=N_("The lead could not be read: {why}"))
    def load(self) -> None:
        detail = lead_detail(self.app.store, self.lead_id, calls=CALLS_SHOWN)
        self.app.call_from_thread(self.show, detail)

    def show(self, detail: LeadDetail | None) -> None:
        if detail is None:
            self.notify(_("Lead {id} no longer exists").format(id=self.lead_id), severity="error")
            self.close(None)
            return
        first = self.detail is None
        fixed = not first and self.detail.lead.phone_bad and not detail.lead.phone_bad
        self.detail = detail
        if fixed:  # the call starts now that there is a number to ring
            self._start_timer()
            self.refresh_bindings()
        app = self.app
        self.query_one("#card", Static).update(lead_view(detail, app.now(), app.config.region, app.script))
        self._show_card_line()
        if first:  # the script keeps its answers when the card reloads after an edit
            panel = self._script_panel(detail)
            slot = self.query_one("#script-slot")
            self.query_one("#call-body").mount(panel, after=slot)
            slot.remove()
            panel.focus()
            self.call_after_refresh(self._restore)  # once the panel has its questions
        self.show_bar()

    def _card_line(self, detail: LeadDetail) -> Content:
        """The card in one line, after the key that opens or folds the whole card."""
        app = self.app
        # The app's width, not the size classes: a screen shown again gets those after begin().
        shown = (self.app.size.width < MEDIUM) == self.has_class("-card-toggled")
        return Content.assemble(("▾ " if shown else "▸ ", "$accent"), ("c", "bold $accent"), " ", _("Card"), "  ",
                                lead_line(detail, app.now(), app.config.region, phone=False))

    def _show_card_line(self) -> None:
        if self.detail is not None:
            self.query_one("#card-line", Static).update(self._card_line(self.detail))

    def action_card(self) -> None:
        self.toggle_class("-card-toggled")
        self._show_card_line()

    def on_resize(self, event: events.Resize) -> None:
        self._show_card_line()  # what c does depends on the width

    def _script_panel(self, detail: LeadDetail) -> ScriptPanel:
        app = self.app
        return ScriptPanel(app.script, app.config.qualification, detail.bant, id="script",
                           values=self._script_values(detail))

    def _script_values(self, detail: LeadDetail) -> dict[str, str]:
        """What the script's {placeholders} say for this lead."""
        lead = detail.lead
        return {"caller": self.app.caller.title(), "company": lead.company,
                "contact": lead.contact_name or lead.company}

    def tick(self) -> None:
        if self.is_current:  # the kept screen's timer runs between calls too
            self.show_bar()

    def show_bar(self) -> None:
        if self.detail is None:
            return
        lead, app = self.detail.lead, self.app
        bar = self.query_one("#call-bar", Static)
        bar.set_class(lead.phone_bad, "-wrong-number")
        if lead.phone_bad:  # opened from / to be fixed: nothing to ring, so no timer and no outcome
            bar.update(_("wrong number — press e to fix it   {company} · {contact}   {phone}").format(
                company=lead.company or _("(no company)"), contact=lead.contact_name or _("(no contact)"),
                phone=display(lead.phone_e164, app.config.region)))
            return
        seconds = int(max(app.ticks() - self.started_tick, 0))
        local = local_time(lead.time_zone, app.now(), app.config.region)
        clock = f"{local:%H:%M}" if len(zones_of(lead.time_zone)) < 2 else \
            their_time((lead.time_zone, lead.country), app.now(), app.config.region)
        bar.update(
            _("call {timer}   {company} · {contact}   {phone}   their time {time}   {stage}").format(
                timer=f"{seconds // 60:02d}:{seconds % 60:02d}", company=lead.company or _("(no company)"),
                contact=lead.contact_name or _("(no contact)"),
                phone=with_extension(display(lead.phone_e164, app.config.region), lead.phone_extension),
                time=clock, stage=stage_label(lead.stage))
        )

    @property
    def panel(self) -> ScriptPanel | None:
        found = self.query("#script")
        return found.first(ScriptPanel) if found else None

    def notes(self) -> str:
        return self.query_one("#notes", TextArea).text.strip()

    # A missed renewal must not end the call: the next one may work, before the claim runs out.
    @desk_work(group="claim", failed=N_("Could not renew your claim on this lead: {why}"), severity="warning")
    def renew(self) -> None:
        app = self.app
        if not renew_claim(app.store, self.lead_id, app.caller, app.now()):
            app.call_from_thread(self.notify, _("Your claim on this lead ran out and another caller has it"),
                                 severity="error")

    # -- keys ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("outcome", "edit", "log_contact") and (self.detail is None or self.saving or self.leaving):
            return None  # shown greyed: not until the lead has loaded, nor while saving or leaving
        if action == "outcome" and self.detail.lead.phone_bad:
            return None  # a wrong number: fixed first (e), then called
        if action == "back" and (self.saving or self.leaving):
            return None  # the save or the release closes the call; a second close would close the queue
        return True

    def action_stay(self) -> None:
        """q in a call: nothing typed may be lost by quitting; Escape leaves the call first."""
        self.say_how_to_leave()

    def say_how_to_leave(self) -> None:
        self.notify(_("A call is open: record its outcome (o) or leave it (Escape) before quitting"),
                    severity="warning")

    def action_notes(self) -> None:
        notes = self.query_one("#notes", TextArea)
        if notes.has_focus and self.panel is not None:
            self.panel.focus()
        else:
            notes.focus()

    def action_back(self) -> None:
        if self.query_one("#notes", TextArea).has_focus and self.panel is not None:
            self.panel.focus()  # Escape in the notes leaves the notes, not the call
            return
        self.leave()

    def leave(self) -> None:
        panel = self.panel
        if (panel is not None and panel.dirty) or self.notes():
            self.ask_to_leave()
        else:
            self.release()

    @work(exclusive=True, group="flow")
    async def ask_to_leave(self) -> None:
        if await self.app.push_screen_wait(
                Confirm(_("Leave this call without an outcome?"),
                        _("Your answers and notes on this call are not saved."), _("leave, discard them"),
                        _("stay on the call"))):
            self.release()

    def release(self) -> None:
        # Set before the release runs, so that keys pressed meanwhile (a second Escape, o)
        # can't open a modal that the call's dismiss would close instead of the call.
        self.leaving = True
        self.refresh_bindings()
        self.let_go()

    # A failed release closes the call too (worker_failed): the claim runs out by itself.
    @desk_work(group="claim", exclusive=True, severity="warning",
               failed=N_("Could not release the lead ({why}): other callers get it when your claim runs out"))
    def let_go(self) -> None:
        app = self.app
        release_claim(app.store, self.lead_id, app.caller)
        app.call_from_thread(self.close, None)

    def worker_failed(self, failure: Failure) -> None:
        if failure.worker is CallScreen.save:  # the call stays on screen with all that was typed
            self.save_failed(failure.args[0], failure.why)
            return
        super().worker_failed(failure)
        if failure.worker is CallScreen.let_go:
            self.close(None)

    def close(self, result: Recorded | None) -> None:
        """Back to the queue with `result`. Screen.dismiss pops whatever is on top, so a modal
        still open over the call (the palette, a picker a fast key opened) closes first."""
        app = self.app
        if self not in app.screen_stack:
            return  # already closed
        while app.screen is not self:
            app.pop_screen()
        self.dismiss(result)

    # -- the outcome -------------------------------------------------------------------------
    def action_outcome(self) -> None:
        self.choose_outcome()

    @work(exclusive=True, group="flow")
    async def choose_outcome(self) -> None:
        panel, app = self.panel, self.app
        verdict = panel.verdict if panel is not None else None
        outcome = await app.push_screen_wait(OutcomePicker(verdict.suggestion if verdict else None))
        if outcome is None:
            return
        callback: CallbackRequest | None = None
        appointment_at: datetime | None = None
        appointment_note = ""
        if outcome is Outcome.qualified and verdict is not None and not verdict.qualified:
            sure = await app.push_screen_wait(Confirm(
                _("Record as qualified (hot lead) anyway?"),
                _("Missing: {what}").format(what="; ".join(verdict.missing)),
                _("record as qualified"), _("back to the call")))
            if not sure:
                return
        if outcome in (Outcome.callback, Outcome.appointment):
            when = await app.push_screen_wait(self._when_picker(outcome))
            if when is None:
                return
            if outcome is Outcome.callback:
                callback = CallbackRequest(when.at, when.team, when.note)
            else:
                appointment_at, appointment_note = when.at, when.note
        self.saving = True
        self.refresh_bindings()
        self.save(outcome, callback, appointment_at, appointment_note)

    def _when_picker(self, outcome: Outcome) -> WhenPicker:
        lead, config = self.detail.lead, self.app.config
        return WhenPicker(
            title=_("Callback") if outcome is Outcome.callback else _("Appointment"), now=self.app.now(),
            zone=lead.time_zone, country=lead.country, hours=config.calling_hours, region=config.region,
            caller_zone=config.desk_zone, allow_team=outcome is Outcome.callback,
        )

    @desk_work(group="save", exclusive=True)
    def save(self, outcome: Outcome, callback: CallbackRequest | None, appointment_at: datetime | None,
             appointment_note: str = "") -> None:
        app = self.app
        panel = self.panel
        # Stored with the call's notes: the prefix stays English whatever the screens speak.
        notes = "\n".join(filter(None, (self.notes(), f"Appointment: {appointment_note}" if appointment_note else "")))
        recorded = record_outcome(
            app.store, self.lead_id, outcome, caller=app.caller, now=app.now(), config=app.config,
            started_at=self.started_at, notes=notes, bant=panel.answers if panel else {},
            callback=callback, appointment_at=appointment_at,
        )
        app.call_from_thread(self.close, recorded)

    def save_failed(self, outcome: Outcome, message: str) -> None:
        self.saving = False
        self.refresh_bindings()
        self.notify(_("'{outcome}' was not recorded: {why}").format(outcome=outcome_label(outcome), why=message),
                    title=_("Not saved"), severity="error", timeout=10)

    # -- correcting the lead, contact outside calls --------------------------------------------
    def action_edit(self) -> None:
        from calldesk.db.leads import EDITABLE_FIELDS
        from calldesk.screens.lead_form import LeadForm, field_label

        lead, app = self.detail.lead, self.app
        values = {name: str(getattr(lead, name) or "") for name in EDITABLE_FIELDS if name != "phone"}
        values["phone"] = display(lead.phone_e164, app.config.region)

        def save(changes: dict[str, str]) -> None:
            update_lead(app.store, self.lead_id, changes, now=app.now(), by=app.caller, config=app.config)

        def done(changes: dict[str, str] | None) -> None:
            if changes:
                self.notify(_("Lead updated: {fields}").format(
                    fields=", ".join(field_label(name) for name in sorted(changes))))
                self.load()

        app.push_screen(LeadForm(title=_("Edit lead {id}").format(id=self.lead_id), values=values, save=save), done)

    def action_log_contact(self) -> None:
        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.save_contact(*result)

        self.app.push_screen(LogContact(), done)

    @desk_work(group="contact", failed=N_("Not logged: {why}"))  # the call goes on
    def save_contact(self, kind: str, note: str) -> None:
        app = self.app
        log_activity(app.store, self.lead_id, ActivityKind(kind), caller=app.caller, now=app.now(), note=note)
        app.call_from_thread(self.notify, _("E-mail logged") if kind == "email" else _("LinkedIn message logged"))
        app.call_from_thread(self.load)

