"""The callback schedule: open callbacks by day and by caller, and the team lead's changes to them.

Team leads see everyone's callbacks (or one caller's, or the team's), select some with space
and reassign (r), reschedule (s) or cancel (c) them; with nothing selected, a change applies to
the row under the cursor. Callers see their own callbacks and the team's, and change nothing
here. g reloads (r is taken by reassign), Escape goes back to the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from calldesk.db.agenda import TEAM, AgendaItem, agenda
from calldesk.db.team import (
    CallerInfo,
    cancel_callbacks,
    get_caller,
    list_callers,
    reassign_callbacks,
    release_overdue,
    reschedule_callbacks,
)
from calldesk.i18n import N_, _, format_day, format_weekday, ngettext
from calldesk.rules.phones import display
from calldesk.rules.windows import local_time
from calldesk.screens import team_modals
from calldesk.screens.base import DeskScreen, Failure, back_key, desk_work, help_key
from calldesk.screens.keys import KeysFooter
from calldesk.screens.layout import Column, FitTable, Responsive, fit_columns
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt
from calldesk.screens.when_picker import When, WhenPicker

# Caller names are stored lower-case, so this choice in the filter can never be somebody's name
# (the shown word is translated; the id stays this).
EVERYONE = N_("Everyone")
# At 80 columns: when, the lead, its time and the note; the rest from 100 and 140 columns, and
# the room left over goes mostly to company names and notes (layout.fit_columns).
COLUMNS = (Column("mark", "", 1), Column("group", N_("Group"), 9, from_width=100), Column("due", N_("Due"), 16),
           Column("for", N_("For"), 12, grow=1, most=20, from_width=100),
           Column("company", N_("Company"), 14, grow=3, most=40),
           Column("contact", N_("Contact"), 12, grow=1, most=20, from_width=140),
           Column("lead_time", N_("Lead's time"), 13), Column("note", N_("Note"), 12, grow=4),
           Column("set_by", N_("Set by"), 6, from_width=140))
LEAD_ACTIONS = {"toggle", "select_all", "filter", "reassign", "reschedule", "cancel"}
CHANGES = {"reassign", "reschedule", "cancel"}


def _day(moment: datetime, year: int) -> str:
    return format_day(moment, year=year)


def _callbacks(count: int) -> str:
    return ngettext("{count} callback", "{count} callbacks", count).format(count=count)


def _for_text(item: AgendaItem) -> str:
    who = item.caller or _("team")
    if item.released_from:
        return _("{who}, released from {caller}").format(who=who, caller=item.released_from)
    return who


def _filter_label(view: str | None) -> str:
    if view is None:
        return _("everyone's callbacks")
    if view == TEAM:
        return _("team callbacks only")
    return _("{caller}'s callbacks and the team's").format(caller=view)


class ScheduleScreen(Responsive, DeskScreen[None]):
    TITLE = N_("Callback schedule")
    AUTO_FOCUS = "#agenda"
    DEFAULT_CSS = """
    ScheduleScreen #schedule-status {
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    ScheduleScreen #agenda {
        height: 1fr;
    }
    ScheduleScreen #schedule-empty {
        height: auto;
        padding: 1 2;
        color: $text-muted;
    }
    ScheduleScreen #schedule-detail {
        height: auto;
        max-height: 5;
        padding: 0 1;
        border-top: hkey $primary-background;
    }
    ScheduleScreen.-narrow #schedule-detail {
        max-height: 7;
    }
    """
    BINDINGS = [
        Binding("space", "toggle", N_("Select"), id="schedule.toggle"),
        Binding("a", "select_all", N_("All/none"), id="schedule.select_all"),
        Binding("f", "filter", N_("Filter"), id="schedule.filter"),
        Binding("g", "reassign", N_("Reassign"), id="schedule.reassign"),
        Binding("s", "reschedule", N_("Reschedule"), id="schedule.reschedule"),
        Binding("x", "cancel", N_("Cancel callback"), id="schedule.cancel"),
        Binding("r", "refresh", N_("Refresh"), id="schedule.refresh"),
        help_key("schedule"),
        back_key("schedule"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.title = _(self.TITLE)
        self.items: list[AgendaItem] = []
        self.callers: list[CallerInfo] = []
        self.marked: set[int] = set()  # selected callback ids
        self.view_filter: str | None = None  # a team lead's filter: None everyone, a name, or TEAM
        self.shown_view: str | None = None  # the filter the shown items were read with
        self.loaded = False
        self.now_shown: datetime | None = None  # the moment the items were read at
        self.busy = False  # a change is being written

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading the callbacks…"), id="schedule-status", markup=False)
        yield FitTable(self._fill_table, id="agenda", cursor_type="row", zebra_stripes=True)
        yield Static("", id="schedule-empty", markup=False)
        yield Static("", id="schedule-detail", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#schedule-empty").display = False
        self.action_refresh()

    # -- keys --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LEAD_ACTIONS:
            if not self.app.team_lead:
                return False  # callers view their callbacks; changes are the team lead's
            if self.busy or not self.loaded:
                return None  # greyed until the agenda is loaded and while a change is written
            if action in CHANGES | {"toggle", "select_all"} and not self.items:
                return None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    # -- loading -----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.load(self.view_filter)

    @desk_work(group="schedule", exclusive=True, failed=N_("Could not load the callbacks: {why}"))  # g tries again
    def load(self, view_filter: str | None) -> None:
        app = self.app
        now = app.now()
        # Read the role here too: the schedule must not depend on the queue having loaded.
        me = get_caller(app.store, app.caller)
        release_overdue(app.store, now, app.config)
        lead = me is not None and me.is_team_lead
        view = view_filter if lead else app.caller
        items = agenda(app.store, now, app.config, caller=view)
        callers = list_callers(app.store)
        app.call_from_thread(self.show, items, callers, me, now, view)

    def show(self, items: list[AgendaItem], callers: list[CallerInfo], me: CallerInfo | None, now: datetime,
             view: str | None) -> None:
        if self not in self.app.screen_stack:
            return  # left meanwhile
        if me is not None:
            self.app.me = me
        self.items, self.callers, self.shown_view, self.loaded = items, callers, view, True
        # A selection only ever holds what is on screen: what a change applies to is what is seen.
        self.marked &= {item.callback_id for item in items}
        self.now_shown = now
        self._fill_table(self._cursor_item())
        empty = self.query_one("#schedule-empty", Static)
        empty.update(_("No open callbacks.") if view is None
                     else _("No open callbacks ({view}).").format(view=_filter_label(view)))
        empty.display = not items
        self.show_status()
        self.show_detail()
        self.refresh_bindings()

    def _fill_table(self, current: AgendaItem | None = None) -> None:
        """The items in the columns the table's width has room for (again when it changes)."""
        table = self.query_one("#agenda", FitTable)
        if current is None:
            current = self._cursor_item()
        row = table.cursor_row
        table.clear(columns=True)
        fitted = fit_columns(COLUMNS, table.size.width or self.app.size.width)
        for column, width in fitted:
            table.add_column(_(column.label) if column.label else "", width=width, key=column.key)
        region = self.app.config.region
        year = local_time(None, self.now_shown, region).year if self.now_shown else 0
        previous_group = None
        for item in self.items:
            overdue = "bold red" if item.overdue else ""
            group = Text(_(item.group), style=overdue or "bold") if item.group != previous_group else ""
            previous_group = item.group
            desk = local_time(None, item.due_at, region)
            lead = item.due_local
            lead_time = f"{lead:%H:%M} {lead.tzname()}"
            if lead.date() != desk.date():  # the lead's clock is on another day than the desk's
                lead_time = f"{format_weekday(lead)} {lead_time}"
            cells = {"mark": self._mark(item), "group": group,
                     "due": Text(f"{_day(desk, year)} {desk:%H:%M}", style=overdue),
                     "for": Text(_for_text(item), style="italic" if item.released_from else ""),
                     "company": item.company or "—", "contact": item.contact, "lead_time": lead_time,
                     "note": item.note, "set_by": item.created_by}
            table.add_row(*(cells[column.key] for column, _width in fitted), key=str(item.callback_id))
        if current is not None and str(current.callback_id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(current.callback_id)))
        elif self.items:  # the row went (cancelled, moved out of the filter): stay at the same place
            table.move_cursor(row=min(max(row, 0), len(self.items) - 1))

    def _mark(self, item: AgendaItem) -> Text:
        return Text("✓", style="bold green") if item.callback_id in self.marked else Text(" ")

    def show_status(self) -> None:
        app = self.app
        overdue = sum(item.overdue for item in self.items)
        released = sum(item.released_from is not None for item in self.items)
        if app.team_lead:
            parts = [_("{caller} (team lead)").format(caller=app.caller), _filter_label(self.shown_view)]
        else:
            parts = [_("{caller}: your callbacks and the team's (view only)").format(caller=app.caller)]
        parts += [_("{count} open").format(count=len(self.items)), _("{count} overdue").format(count=overdue)]
        if released:
            parts.append(_("{count} released to the team").format(count=released))
        if app.team_lead:
            parts.append(_("{count} selected").format(count=len(self.marked)))
        self.query_one("#schedule-status", Static).update("  ·  ".join(parts))

    def _cursor_item(self) -> AgendaItem | None:
        table = self.query_one("#agenda", DataTable)
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    @on(DataTable.RowHighlighted, "#agenda")
    def show_detail(self) -> None:
        item = self._cursor_item()
        detail = self.query_one("#schedule-detail", Static)
        detail.display = item is not None
        if item is None:
            return
        region = self.app.config.region
        desk = local_time(None, item.due_at, region)
        lead = item.due_local
        lines = [f"{item.company or _('(no company)')} · {item.contact or _('(no contact)')} · "
                 f"{display(item.phone_e164, region)} · "
                 + _("due {moment}, lead's time {time}").format(
                     moment=f"{_day(desk, desk.year)} {desk:%H:%M}", time=f"{lead:%H:%M} {lead.tzname()}")]
        who = _("For {who} · set by {caller}").format(who=item.caller or _("the team"), caller=item.created_by)
        if item.released_from:
            when = local_time(None, item.released_at, region) if item.released_at else None
            if when:
                who += " · " + _("released from {caller} to the team {moment}").format(
                    caller=item.released_from, moment=f"{_day(when, desk.year)} {when:%H:%M}")
            else:
                who += " · " + _("released from {caller} to the team").format(caller=item.released_from)
        if item.note:  # before who and when: at 80 columns the lines wrap and the last may not fit
            lines.append(_("Note: {note}").format(note=item.note))
        lines.append(who)
        detail.update("\n".join(lines))

    # -- selecting ---------------------------------------------------------------------------
    def action_toggle(self) -> None:
        item = self._cursor_item()
        if item is None:
            return
        self.marked ^= {item.callback_id}
        self.query_one("#agenda", DataTable).update_cell(str(item.callback_id), "mark", self._mark(item))
        self.show_status()

    def action_select_all(self) -> None:
        shown = {item.callback_id for item in self.items}
        self.marked = set() if self.marked >= shown else shown
        table = self.query_one("#agenda", DataTable)
        for item in self.items:
            table.update_cell(str(item.callback_id), "mark", self._mark(item))
        self.show_status()

    def _targets(self) -> list[AgendaItem]:
        """The selected callbacks, or the one under the cursor when none is selected."""
        if self.marked:
            return [item for item in self.items if item.callback_id in self.marked]
        item = self._cursor_item()
        return [item] if item is not None else []

    @staticmethod
    def _which(targets: Sequence[AgendaItem]) -> str:
        names = [item.company or item.contact or _("lead {id}").format(id=item.lead_id) for item in targets[:3]]
        more = len(targets) - len(names)
        return ", ".join(names) + (" " + _("and {count} more").format(count=more) if more else "")

    # -- filtering ---------------------------------------------------------------------------
    def action_filter(self) -> None:
        def picked(choice: str | None) -> None:
            if choice is None:
                return
            self.view_filter = None if choice == EVERYONE else choice  # team_modals.TEAM is agenda's TEAM
            self.action_refresh()

        names = [EVERYONE] + [caller.name for caller in self.callers]
        detail = _("Now: {view}. A caller's view includes the team's callbacks.").format(
            view=_filter_label(self.view_filter))
        self.app.push_screen(CallerPicker(_("Show the callbacks of"), names, allow_team=True, detail=detail,
                                          labels={EVERYONE: _(EVERYONE)}), picked)

    # -- changes -----------------------------------------------------------------------------
    def _when_picker(self, title: str, first: AgendaItem) -> WhenPicker:
        app, config = self.app, self.app.config
        return WhenPicker(title=title, now=app.now(), zone=first.time_zone, country="", hours=config.calling_hours,
                          region=config.region, caller_zone=config.desk_zone, allow_team=False)

    def _desk_time(self, moment: datetime) -> str:
        region = self.app.config.region
        desk = local_time(None, moment, region)
        return f"{_day(desk, local_time(None, self.app.now(), region).year)} {desk:%H:%M}"

    def action_reassign(self) -> None:
        targets = self._targets()
        if not targets:
            return
        app = self.app
        ids = [item.callback_id for item in targets]

        def picked(choice: str | None) -> None:
            if choice is None:
                return
            to = None if choice == team_modals.TEAM else choice
            self.change(lambda: _("{callbacks} moved to {who}").format(
                callbacks=_callbacks(reassign_callbacks(app.store, ids, to, by=app.caller, now=app.now())),
                who=to or _("the team")))

        active = [caller.name for caller in self.callers if caller.active]
        app.push_screen(CallerPicker(_("Reassign {callbacks} to").format(callbacks=_callbacks(len(targets))), active,
                                     allow_team=True, detail=self._which(targets)), picked)

    def action_reschedule(self) -> None:
        targets = self._targets()
        if not targets:
            return
        app = self.app
        ids = [item.callback_id for item in targets]

        def picked(when: When | None) -> None:
            if when is None:
                return
            now = app.now()
            self.change(lambda: _("{callbacks} rescheduled to {moment}").format(
                callbacks=_callbacks(reschedule_callbacks(app.store, ids, when.at, by=app.caller, now=now)),
                moment=self._desk_time(when.at)))

        first = targets[0]
        # The picker shows one lead's clock: the first selected one's.
        title = _("Reschedule {callbacks}").format(callbacks=_callbacks(len(targets)))
        if len(targets) > 1:
            title += " " + _("(times on {lead}'s clock)").format(lead=first.company or first.contact)
        app.push_screen(self._when_picker(title, first), picked)

    def action_cancel(self) -> None:
        targets = self._targets()
        if not targets:
            return
        app = self.app
        ids = [item.callback_id for item in targets]

        def given(reason: str | None) -> None:
            if reason is not None:
                self.change(lambda: _("{callbacks} cancelled").format(
                    callbacks=_callbacks(cancel_callbacks(app.store, ids, reason, by=app.caller))))

        app.push_screen(ReasonPrompt(_("Cancel {callbacks}").format(callbacks=_callbacks(len(targets))),
                                     detail=self._which(targets), placeholder=_("Why? (kept with the callbacks)")),
                        given)

    def change(self, do: Callable[[], str]) -> None:
        """Run `do` (database calls returning what to tell the team lead) in a thread."""
        self.busy = True
        self.refresh_bindings()
        self.write(do)

    @desk_work(group="schedule-change", exclusive=True)
    def write(self, do: Callable[[], str]) -> None:
        self.app.call_from_thread(self.changed, do(), None)

    def worker_failed(self, failure: Failure) -> None:
        if failure.worker is ScheduleScreen.write:  # the schedule stays, and reads again what is now so
            self.changed(None, failure.why)
            return
        super().worker_failed(failure)

    def changed(self, done: str | None, error: str | None) -> None:
        self.busy = False
        if error is not None:
            self.notify(error, title=_("Not changed"), severity="error", timeout=10)
        else:
            self.notify(done or "", title=_("Callbacks"))
            self.marked.clear()
        if self in self.app.screen_stack:
            self.refresh_bindings()
            self.action_refresh()  # also after an error: someone else may have changed them
