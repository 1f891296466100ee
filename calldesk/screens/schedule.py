"""The callback schedule: open callbacks by day and by caller, and the team lead's changes to them.

Team leads see everyone's callbacks (or one caller's, or the team's), select some with space
and reassign (r), reschedule (s) or cancel (c) them; with nothing selected, a change applies to
the row under the cursor. Callers see their own callbacks and the team's, and change nothing
here. g reloads (r is taken by reassign), Escape goes back to the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from calldesk.db.agenda import TEAM, AgendaItem, agenda
from calldesk.db.team import (CallerInfo, cancel_callbacks, get_caller, list_callers, reassign_callbacks,
                              release_overdue, reschedule_callbacks)
from calldesk.errors import CalldeskError
from calldesk.phones import display
from calldesk.screens import team_modals
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt
from calldesk.screens.when_picker import When, WhenPicker
from calldesk.windows import home_zone, local_time

if TYPE_CHECKING:
    from calldesk.screens.app import CalldeskApp

# Fixed English names: strftime's %a/%b follow the process locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Caller names are stored lower-case, so this choice in the filter can never be somebody's name.
EVERYONE = "Everyone"
# Widths add up to what a 140-column terminal shows without scrolling sideways.
COLUMNS = (("mark", "", 1), ("group", "Group", 9), ("due", "Due", 16), ("for", "For", 25),
           ("company", "Company", 20), ("contact", "Contact", 14), ("lead_time", "Lead's time", 13),
           ("note", "Note", 15), ("set_by", "Set by", 6))
LEAD_ACTIONS = {"toggle", "select_all", "filter", "reassign", "reschedule", "cancel"}
CHANGES = {"reassign", "reschedule", "cancel"}


def _day(moment: datetime, year: int) -> str:
    text = f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"
    return text if moment.year == year else f"{text} {moment.year}"


def _callbacks(count: int) -> str:
    return f"{count} callback" + ("" if count == 1 else "s")


def _why(exc: Exception) -> str:
    """One line: calldesk's own errors as they are, anything else with its type."""
    return str(exc) if isinstance(exc, CalldeskError) else f"{type(exc).__name__}: {exc}"


def _for_text(item: AgendaItem) -> str:
    who = item.caller or "team"
    return f"{who}, released from {item.released_from}" if item.released_from else who


def _filter_label(view: str | None) -> str:
    if view is None:
        return "everyone's callbacks"
    if view == TEAM:
        return "team callbacks only"
    return f"{view}'s callbacks and the team's"


class ScheduleScreen(Screen[None]):
    app: CalldeskApp
    TITLE = "Callback schedule"
    AUTO_FOCUS = "#agenda"
    DEFAULT_CSS = """
    ScheduleScreen #schedule-status {
        height: 1;
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
    """
    BINDINGS = [
        Binding("space", "toggle", "Select", id="schedule.toggle"),
        Binding("a", "select_all", "All/none", id="schedule.select_all"),
        Binding("f", "filter", "Filter", id="schedule.filter"),
        Binding("r", "reassign", "Reassign", id="schedule.reassign"),
        Binding("s", "reschedule", "Reschedule", id="schedule.reschedule"),
        Binding("c", "cancel", "Cancel callback", id="schedule.cancel"),
        Binding("g", "refresh", "Refresh", id="schedule.refresh"),
        Binding("question_mark", "app.toggle_help", "Keys", id="schedule.help", key_display="?"),
        Binding("escape", "back", "Back", id="schedule.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[AgendaItem] = []
        self.callers: list[CallerInfo] = []
        self.marked: set[int] = set()  # selected callback ids
        self.view_filter: str | None = None  # a team lead's filter: None everyone, a name, or TEAM
        self.shown_view: str | None = None  # the filter the shown items were read with
        self.loaded = False
        self.busy = False  # a change is being written

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the callbacks…", id="schedule-status", markup=False)
        table: DataTable[str | Text] = DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
        for key, label, width in COLUMNS:
            table.add_column(label, width=width, key=key)
        yield table
        yield Static("", id="schedule-empty", markup=False)
        yield Static("", id="schedule-detail", markup=False)
        yield Footer()

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

    @work(thread=True, exclusive=True, group="schedule")
    def load(self, view_filter: str | None) -> None:
        app = self.app
        now = app.now()
        try:
            # Read the role here too: the schedule must not depend on the queue having loaded.
            me = get_caller(app.store, app.caller)
            release_overdue(app.store, now, app.config.callbacks.release_after)
            lead = me is not None and me.is_team_lead
            view = view_filter if lead else app.caller
            items = agenda(app.store, now, app.config, caller=view)
            callers = list_callers(app.store)
        except Exception as exc:  # noqa: BLE001 - the screen stays; g tries again
            app.call_from_thread(self.notify, f"Could not load the callbacks: {_why(exc)}", severity="error")
            return
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
        table = self.query_one("#agenda", DataTable)
        current, row = self._cursor_item(), table.cursor_row
        table.clear()
        region = self.app.config.region
        year = local_time(None, now, region).year
        previous_group = None
        for item in items:
            overdue = "bold red" if item.overdue else ""
            group = Text(item.group, style=overdue or "bold") if item.group != previous_group else ""
            previous_group = item.group
            desk = local_time(None, item.due_at, region)
            lead = item.due_local
            lead_time = f"{lead:%H:%M} {lead.tzname()}"
            if lead.date() != desk.date():  # the lead's clock is on another day than the desk's
                lead_time = f"{_DAYS[lead.weekday()]} {lead_time}"
            table.add_row(
                self._mark(item), group, Text(f"{_day(desk, year)} {desk:%H:%M}", style=overdue),
                Text(_for_text(item), style="italic" if item.released_from else ""),
                item.company or "—", item.contact, lead_time, item.note, item.created_by,
                key=str(item.callback_id),
            )
        if current is not None and str(current.callback_id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(current.callback_id)))
        elif items:  # the row went (cancelled, moved out of the filter): stay at the same place
            table.move_cursor(row=min(max(row, 0), len(items) - 1))
        empty = self.query_one("#schedule-empty", Static)
        empty.update("No open callbacks" + ("" if view is None else f" ({_filter_label(view)})") + ".")
        empty.display = not items
        self.show_status()
        self.show_detail()
        self.refresh_bindings()

    def _mark(self, item: AgendaItem) -> Text:
        return Text("✓", style="bold green") if item.callback_id in self.marked else Text(" ")

    def show_status(self) -> None:
        app = self.app
        overdue = sum(item.overdue for item in self.items)
        released = sum(item.released_from is not None for item in self.items)
        if app.team_lead:
            parts = [f"{app.caller} (team lead)", _filter_label(self.shown_view)]
        else:
            parts = [f"{app.caller}: your callbacks and the team's (view only)"]
        parts += [f"{len(self.items)} open", f"{overdue} overdue"]
        if released:
            parts.append(f"{released} released to the team")
        if app.team_lead:
            parts.append(f"{len(self.marked)} selected")
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
        lines = [f"{item.company or '(no company)'} · {item.contact or '(no contact)'} · "
                 f"{display(item.phone_e164, region)} · due {_day(desk, desk.year)} {desk:%H:%M}, "
                 f"lead's time {lead:%H:%M} {lead.tzname()}"]
        who = f"For {item.caller or 'the team'} · set by {item.created_by}"
        if item.released_from:
            when = local_time(None, item.released_at, region) if item.released_at else None
            who += f" · released from {item.released_from} to the team" + (
                f" {_day(when, desk.year)} {when:%H:%M}" if when else "")
        lines.append(who)
        if item.note:
            lines.append(f"Note: {item.note}")
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
        names = [item.company or item.contact or f"lead {item.lead_id}" for item in targets[:3]]
        more = len(targets) - len(names)
        return ", ".join(names) + (f" and {more} more" if more else "")

    # -- filtering ---------------------------------------------------------------------------
    def action_filter(self) -> None:
        def picked(choice: str | None) -> None:
            if choice is None:
                return
            self.view_filter = None if choice == EVERYONE else choice  # team_modals.TEAM is agenda's TEAM
            self.action_refresh()

        names = [EVERYONE] + [caller.name for caller in self.callers]
        self.app.push_screen(CallerPicker("Show the callbacks of", names, allow_team=True,
                                          detail=f"Now: {_filter_label(self.view_filter)}. A caller's view "
                                                 "includes the team's callbacks."), picked)

    # -- changes -----------------------------------------------------------------------------
    def _when_picker(self, title: str, first: AgendaItem) -> WhenPicker:
        app, config = self.app, self.app.config
        return WhenPicker(title=title, now=app.now(), zone=first.time_zone, country="", hours=config.calling_hours,
                          region=config.region, caller_zone=home_zone(config.region), allow_team=False)

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
            self.change(lambda: f"{_callbacks(reassign_callbacks(app.store, ids, to, by=app.caller, now=app.now()))} "
                                f"moved to {to or 'the team'}")

        active = [caller.name for caller in self.callers if caller.active]
        app.push_screen(CallerPicker(f"Reassign {_callbacks(len(targets))} to", active, allow_team=True,
                                     detail=self._which(targets)), picked)

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
            self.change(lambda: f"{_callbacks(reschedule_callbacks(app.store, ids, when.at, by=app.caller, now=now))}"
                                f" rescheduled to {self._desk_time(when.at)}")

        first = targets[0]
        # The picker shows one lead's clock: the first selected one's.
        title = f"Reschedule {_callbacks(len(targets))}" + (
            f" (times on {first.company or first.contact}'s clock)" if len(targets) > 1 else "")
        app.push_screen(self._when_picker(title, first), picked)

    def action_cancel(self) -> None:
        targets = self._targets()
        if not targets:
            return
        app = self.app
        ids = [item.callback_id for item in targets]

        def given(reason: str | None) -> None:
            if reason is not None:
                self.change(lambda: f"{_callbacks(cancel_callbacks(app.store, ids, reason, by=app.caller))} "
                                    "cancelled")

        app.push_screen(ReasonPrompt(f"Cancel {_callbacks(len(targets))}", detail=self._which(targets),
                                     placeholder="Why? (kept with the callbacks)"), given)

    def change(self, do: Callable[[], str]) -> None:
        """Run `do` (database calls returning what to tell the team lead) in a thread."""
        self.busy = True
        self.refresh_bindings()
        self.write(do)

    @work(thread=True, exclusive=True, group="schedule-change")
    def write(self, do: Callable[[], str]) -> None:
        app = self.app
        try:
            done = do()
        except Exception as exc:  # noqa: BLE001 - the schedule stays on screen whatever went wrong
            app.call_from_thread(self.changed, None, _why(exc))
            return
        app.call_from_thread(self.changed, done, None)

    def changed(self, done: str | None, error: str | None) -> None:
        self.busy = False
        if error is not None:
            self.notify(error, title="Not changed", severity="error", timeout=10)
        else:
            self.notify(done or "", title="Callbacks")
            self.marked.clear()
        if self in self.app.screen_stack:
            self.refresh_bindings()
            self.action_refresh()  # also after an error: someone else may have changed them
