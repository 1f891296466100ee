"""The caller's home: the queue, warmest first, with the selected lead beside it."""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Input, Static

from calldesk.db.calls import Recorded, undo_last
from calldesk.db.leads import DeskStatus, LeadDetail, add_lead, desk_status, lead_detail
from calldesk.db.queue import Queue, QueueEntry, claim_lead, claim_next, queue
from calldesk.db.team import CallerInfo, assign_leads, list_callers, start_work
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, format_weekday_time
from calldesk.rules.windows import local_time, their_span, zones_of
from calldesk.screens.base import DeskScreen, OpenCall, OpenDashboard, OpenSchedule, Typed, desk_work, help_key, why
from calldesk.screens.keys import KeysFooter
from calldesk.screens.layout import Column, FitTable, Responsive, fit_columns
from calldesk.screens.leadview import CALLS_SHOWN, lead_line, lead_view

WINDOW = 150  # rows shown: a DataTable with 100k rows takes ~25 s to paint
REFRESH_SECONDS = 30  # a callback that falls due shows up without a key press
# Company and contact share the room a table has (at 80 columns the contact is beside the
# table instead, see #detail-line); the rest keep their width.
COLUMNS = (Column("company", N_("Company"), 14, grow=4, most=60),
           Column("contact", N_("Contact"), 12, grow=1, most=32, from_width=90),
           Column("local", N_("Local"), 9), Column("stage", N_("Stage"), 11), Column("warmth", N_("Warmth"), 6),
           Column("next", N_("Next"), 13))


class QueueScreen(Responsive, DeskScreen[None]):
    AUTO_FOCUS = "#queue"  # keys go to the queue, never to the (hidden) filter box
    BINDINGS = [
        Binding("n", "next_lead", N_("Next lead"), id="queue.next"),
        # Priority: the table's own Enter would otherwise take it (and hide it from the footer).
        Binding("enter", "open_selected", N_("Open"), id="queue.open", priority=True),
        # In the order the footer keeps them when it is narrow (keys.KeysFooter.fit); ? lists all.
        Binding("b", "schedule", N_("Callbacks"), id="queue.schedule"),
        Binding("slash", "filter", N_("Filter"), id="queue.filter", key_display="/"),
        Binding("u", "undo", N_("Undo"), id="queue.undo", tooltip=N_("Undo your last outcome (within 5 minutes)")),
        Binding("a", "add_lead", N_("Add lead"), id="queue.add"),
        Binding("p", "pipeline", N_("Pipeline"), id="queue.pipeline"),
        Binding("g", "assign", N_("Assign"), id="queue.assign", tooltip=N_("Give the selected lead to a caller (team leads)")),
        Binding("r", "refresh", N_("Refresh"), id="queue.refresh"),
        help_key("queue"),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False, id="queue.clear_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[QueueEntry] = []
        self._shown_at: datetime | None = None  # the moment the entries' local times are for
        self.search = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="status")
        yield Input(placeholder=_("Filter: company, contact or number — Enter to apply, Escape to clear"),
                    id="filter")
        with Horizontal(id="queue-body"):
            yield FitTable(self._fill_table, id="queue", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail-panel"):
                yield Static("", id="detail")
        yield Static("", id="detail-line", markup=False)
        yield Static("", id="empty")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_selected" and isinstance(self.focused, Input):
            return False  # Enter in the filter box applies the filter
        if action == "assign":
            return self.app.team_lead  # only team leads see it in the footer
        return True

    # -- loading -------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.app.prune_watchers()  # after every call and every 30 s: closed screens go
        self.load_queue()

    # A failed read keeps the queue as it was, says so, and the timer tries again.
    @desk_work(group="queue", exclusive=True, failed=N_("The queue could not be read: {why}"))
    def load_queue(self) -> None:
        app = self.app
        now = app.now()
        me = start_work(app.store, app.caller, now, app.config)
        result = queue(app.store, app.caller, now, app.config, WINDOW, self.search) if me.active else \
            Queue([], me.why_no_work)
        day = local_time(None, now, app.config.region).replace(hour=0, minute=0, second=0, microsecond=0)
        status = desk_status(app.store, app.caller, now, day, app.config)
        app.call_from_thread(self.show_queue, result, status, now, me)

    def show_queue(self, result: Queue, status: DeskStatus, now: datetime, me: CallerInfo | None = None) -> None:
        if me is not None:
            self.app.me = me
            self.refresh_bindings()  # the team lead's keys follow the role just read
        selected = self._selected()
        self.entries, self._shown_at = result.entries, now
        self._fill_table(selected)
        me = self.app.me
        goal = me.goal(self.app.config) if me else self.app.config.daily_goal
        who = self.app.caller + ("  " + _("(team lead)") if self.app.team_lead else "")
        parts = [who, _("calls today {done}/{goal}").format(done=status.calls_today, goal=goal),
                 _("callbacks due now {count}").format(count=status.callbacks_due)]
        if self.search:
            parts.append(_("filter: {text}").format(text=self.search))
        self.query_one("#status", Static).update("  ·  ".join(parts))
        empty = self.query_one("#empty", Static)
        empty.update(result.why_empty)
        empty.display = not result.entries
        if not result.entries:
            self.query_one("#detail", Static).update("")
            self.query_one("#detail-line", Static).update("")
        self.app.started()

    def _fill_table(self, selected: QueueEntry | None = None) -> None:
        """The entries in the columns the table's width has room for (again when it changes)."""
        table = self.query_one("#queue", FitTable)
        if selected is None and table.columns:
            selected = self._selected()
        table.clear(columns=True)
        fitted = fit_columns(COLUMNS, table.size.width or self.app.size.width)
        for column, width in fitted:
            table.add_column(_(column.label), width=width, key=column.key)
        region, now = self.app.config.region, self._shown_at
        for entry in self.entries:
            cells = {"company": entry.company or "—", "contact": entry.contact_name,
                     # A lead of several zones: the span of their clocks, never one as theirs.
                     "local": format_weekday_time(local_time(entry.time_zone, now, region))
                     if len(zones_of(entry.time_zone)) < 2 else their_span(entry.time_zone, now, region, narrow=True),
                     "stage": entry.stage.ui_label, "warmth": str(entry.warmth), "next": _(entry.next_action)}
            table.add_row(*(cells[column.key] for column, _width in fitted), key=str(entry.lead_id))
        if selected is not None and str(selected.lead_id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected.lead_id)))

    def _selected(self) -> QueueEntry | None:
        table = self.query_one("#queue", DataTable)
        if not self.entries or table.cursor_row < 0 or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    @on(DataTable.RowHighlighted, "#queue")
    def _highlighted(self) -> None:
        entry = self._selected()
        if entry is not None:
            self.load_detail(entry.lead_id)

    @desk_work(group="detail", exclusive=True, failed=N_("The lead could not be read: {why}"))
    def load_detail(self, lead_id: int) -> None:
        app = self.app
        detail = lead_detail(app.store, lead_id)
        if detail is not None:
            now, region = app.now(), app.config.region
            view, line = lead_view(detail, now, region, app.script), lead_line(detail, now, region)
            app.call_from_thread(self.query_one("#detail", Static).update, view)
            app.call_from_thread(self.query_one("#detail-line", Static).update, line)

    # -- taking a lead -------------------------------------------------------------------
    def action_next_lead(self) -> None:
        self.take_next()

    @desk_work(group="claim", exclusive=True, failed=N_("The lead could not be claimed: {why}"))
    def take_next(self) -> None:
        app = self.app
        if app.me is not None and app.me.why_no_work:
            app.call_from_thread(self.notify, app.me.why_no_work, title=_("Nothing to call"), severity="warning")
            return
        entry, why = claim_next(app.store, app.caller, app.now(), app.config)
        if entry is None:
            app.call_from_thread(self.notify, why, title=_("Nothing to call"), severity="warning")
        else:
            self._open_loaded(entry.lead_id)

    def action_open_selected(self) -> None:
        entry = self._selected()
        if entry is not None:
            self.take_selected(entry.lead_id)

    @desk_work(group="claim", exclusive=True, failed=N_("The lead could not be claimed: {why}"))
    def take_selected(self, lead_id: int) -> None:
        app = self.app
        holder = claim_lead(app.store, lead_id, app.caller, app.now())
        if holder is not None:
            app.call_from_thread(self.notify, _("{caller} has this lead open").format(caller=holder),
                                 severity="warning")
            app.call_from_thread(self.action_refresh)
        else:
            self._open_loaded(lead_id)

    def _open_loaded(self, lead_id: int, typed: Typed | None = None) -> None:
        """In the claim's worker: load the lead there too, so the call screen's first frame
        already shows it (no second worker round after the screen has mounted)."""
        app = self.app
        app.call_from_thread(self.open_lead, lead_id, lead_detail(app.store, lead_id, calls=CALLS_SHOWN), typed)

    def open_lead(self, lead_id: int, detail: LeadDetail | None = None, typed: Typed | None = None) -> None:
        self.post_message(OpenCall(lead_id, detail, self._call_ended, typed))

    def _call_ended(self, recorded: Recorded | None) -> None:
        if recorded is not None:
            self.notify(recorded.summary(self.app.config.region) + "  ·  " + _("u undoes it"), title=_("Recorded"))
        self.action_refresh()

    # -- team leads' screens ------------------------------------------------------------
    def action_schedule(self) -> None:
        self.post_message(OpenSchedule(lambda _: self.action_refresh()))

    def action_pipeline(self) -> None:
        if not self.app.team_lead:
            self.notify(_("The pipeline dashboard is for team leads."), severity="warning")
            return
        self.post_message(OpenDashboard(lambda _: self.action_refresh()))

    def action_assign(self) -> None:
        entry = self._selected()
        if entry is None or not self.app.team_lead:
            return
        self.pick_owner(entry)

    @desk_work(group="claim", exclusive=True)
    def pick_owner(self, entry: QueueEntry) -> None:
        callers = [c.name for c in list_callers(self.app.store, active_only=True)]
        self.app.call_from_thread(self._ask_owner, entry, callers)

    def _ask_owner(self, entry: QueueEntry, callers: list[str]) -> None:
        from calldesk.screens.team_modals import CallerPicker

        def picked(name: str | None) -> None:
            if name:
                self.give(entry, name)

        self.app.push_screen(CallerPicker(_("Give {company} to").format(company=entry.company or entry.lead_id),
                                          callers, allow_team=False), picked)

    @desk_work(group="claim", exclusive=True)
    def give(self, entry: QueueEntry, name: str) -> None:
        app = self.app
        assign_leads(app.store, name, by=app.caller, now=app.now(), lead_ids=[entry.lead_id])
        app.call_from_thread(self.notify, _("{company} assigned to {caller}").format(
            company=entry.company or entry.lead_id, caller=name))
        app.call_from_thread(self.action_refresh)

    # -- undo, adding a lead ---------------------------------------------------------------
    def action_undo(self) -> None:
        self.undo()

    @desk_work(group="claim", exclusive=True)
    def undo(self) -> None:
        app = self.app
        try:
            undone = undo_last(app.store, app.caller, app.now())
        except CalldeskError as exc:  # nothing (left) to undo: an answer, not a failure
            app.call_from_thread(self.notify, why(exc), title=_("Nothing undone"), severity="warning")
            return
        app.call_from_thread(self.notify, _("Undone: '{outcome}' on {lead}").format(
            outcome=undone.outcome.ui_label, lead=undone.company or undone.lead_id), title=_("Undo"))
        self._open_loaded(undone.lead_id, (undone.notes, undone.answers))  # as typed before the outcome

    def action_add_lead(self) -> None:
        from calldesk.screens.lead_form import LeadForm

        app = self.app

        def save(fields: dict[str, str]) -> None:
            values = dict(fields)
            phone = values.pop("phone")
            add_lead(app.store, phone=phone, now=app.now(), by=app.caller, config=app.config, **values)

        def done(fields: dict[str, str] | None) -> None:
            if fields:
                self.notify(_("Lead added: {company}").format(company=fields.get("company", "")))
                self.action_refresh()

        app.push_screen(LeadForm(title=_("Add a lead"), values={}, required=("company", "phone"), save=save), done)

    # -- filtering -----------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.search
        box.focus()

    @on(Input.Submitted, "#filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        self.search = event.value.strip()
        event.input.display = False
        self.query_one("#queue", DataTable).focus()
        self.action_refresh()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        if self.search:
            self.search = ""
            self.action_refresh()
        self.query_one("#queue", DataTable).focus()

