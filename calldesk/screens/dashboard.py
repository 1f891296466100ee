"""The pipeline dashboard for team leads: the funnel, conversion, callers' figures today and this
week, calls per hour, and the stuck leads, which a team lead assigns, takes back or moves.

The figures are `calldesk report`'s (`pipeline_report`), computed in a worker thread; every
change goes through `calldesk.db.team`, which checks the team lead again in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Sparkline, Static

from calldesk.db.leads import lead_detail
from calldesk.db.reports import CallerFigures, HourCount, Report, StuckLead, pipeline_report
from calldesk.db.team import CallerInfo, assign_leads, list_callers, move_stage, unassign_leads
from calldesk.i18n import N_, _, format_day, format_day_time, format_number, format_percent, ngettext
from calldesk.rules.config import Config
from calldesk.rules.stages import Stage
from calldesk.rules.windows import day_bounds, local_midnight, local_time, week_start
from calldesk.screens.base import DeskModal, DeskScreen, Failure, back_key, desk_work, help_key
from calldesk.screens.keys import KeysFooter
from calldesk.screens.leadview import lead_view
from calldesk.screens.modals import MODAL_CSS
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt, StagePicker

STUCK_LIMIT = 100  # rows listed; the title counts them all
REFRESH_SECONDS = 60  # figures move as the team calls, without a key press
FUNNEL_BAR = 22  # the widest bar (the largest stage)
HOUR_COLUMNS = 3  # sparkline columns per hour: room for an "09" label under each
PERIODS = (N_("this week"), N_("last 30 days"))  # English ids; shown translated

# (label, width) per figure; the same seven for today and for this week.
FIGURES = ((N_("Calls"), 5), (N_("Conn"), 5), (N_("Rate"), 5), (N_("Hot"), 4), (N_("Appt"), 4), (N_("Wins"), 4),
           (N_("Goal"), 8))
CALLER_WIDTH = 12
STUCK_COLUMNS = (("mark", "", 1), ("id", N_("Id"), 6), ("company", N_("Company"), 34), ("stage", N_("Stage"), 11),
                 ("owner", N_("Owner"), 12), ("idle", N_("Idle days"), 9), ("last", N_("Last activity"), 16))
RIGHT = {"id", "idle"}  # numbers, right-aligned
MUTATIONS = {"assign", "take_back", "move"}


def percent(value: float | None) -> str:
    """As `calldesk report` prints it: whole percents, a decimal below 10% (the UI language's
    decimal comma or point)."""
    return format_percent(value)


def leads(count: int) -> str:
    return ngettext("{count} lead", "{count} leads", count).format(count=format_number(count))


@dataclass(frozen=True)
class Loaded:
    report: Report
    callers: list[CallerInfo]
    period: str


class LeadCard(DeskModal[None]):
    """One lead's card, read-only: the stuck lead under the cursor. Escape closes it."""

    DEFAULT_CSS = MODAL_CSS.format(name="LeadCard") + """
    LeadCard > Vertical > VerticalScroll { width: 84; height: auto; max-height: 30; }
    """
    BINDINGS = [Binding("escape", "close", N_("Close"), id="lead_card.close")]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Lead {id}").format(id=self.lead_id), classes="title", markup=False)
            with VerticalScroll():
                yield Static(_("Loading…"), id="lead-card")
            yield Static(_("Escape close"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.load()

    @desk_work(group="card", exclusive=True, failed=N_("The lead could not be read: {why}"))
    def load(self) -> None:
        app = self.app
        detail = lead_detail(app.store, self.lead_id)
        view = (lead_view(detail, app.now(), app.config.region, app.script) if detail is not None
                else Text(_("Lead {id} no longer exists").format(id=self.lead_id)))
        app.call_from_thread(self.query_one("#lead-card", Static).update, view)

    def worker_failed(self, failure: Failure) -> None:
        self.query_one("#lead-card", Static).update(Text(failure.line))  # the card says so; the dashboard stays

    def action_close(self) -> None:
        self.dismiss(None)


class DashboardScreen(DeskScreen[None]):
    AUTO_FOCUS = "#stuck"
    DEFAULT_CSS = """
    DashboardScreen #dash-status {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    DashboardScreen #refusal {
        display: none;
        height: auto;
        padding: 1 2;
        color: $warning;
    }
    DashboardScreen #top {
        height: 8;
    }
    DashboardScreen #top > Vertical {
        padding: 0 1;
    }
    DashboardScreen #funnel-box { width: 46; }
    DashboardScreen #conversion-box {
        width: 46;
        border-left: vkey $primary-background;
    }
    DashboardScreen #hours-box {
        width: 1fr;
        border-left: vkey $primary-background;
    }
    DashboardScreen .section {
        height: 1;
        text-style: bold;
    }
    DashboardScreen #dash-body > .section {
        padding: 0 1;
        background: $boost;
    }
    DashboardScreen #dash-body > #callers-title {
        padding: 0;  /* its headings line up with the table's columns */
    }
    DashboardScreen #hours { height: 3; width: auto; }
    DashboardScreen #hour-labels, DashboardScreen #hours-summary { height: 1; color: $text-muted; }
    DashboardScreen #callers {
        height: auto;
        max-height: 9;
    }
    DashboardScreen #stuck {
        height: 1fr;
        min-height: 5;
    }
    """
    BINDINGS = [
        # Priority: the table's own Enter would otherwise take it (and hide it from the footer).
        Binding("enter", "open", N_("Open lead"), id="dashboard.open", priority=True),
        Binding("space", "select", N_("Select"), id="dashboard.select"),
        Binding("g", "assign", N_("Assign to…"), id="dashboard.assign"),
        Binding("t", "take_back", N_("Take back"), id="dashboard.take_back"),
        Binding("m", "move", N_("Move stage"), id="dashboard.move"),
        Binding("w", "period", N_("Conversion period"), id="dashboard.period"),
        Binding("r", "refresh", N_("Refresh"), id="dashboard.refresh"),
        help_key("dashboard"),
        back_key("dashboard"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stuck: list[StuckLead] = []
        self.marked: set[int] = set()  # lead ids selected with space
        self.callers: list[CallerInfo] = []
        self.period = PERIODS[0]
        self.allowed = False  # a team lead (decided on mount)
        self.stuck_head = _("Stuck leads")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading the pipeline…"), id="dash-status", markup=False)
        yield Static("", id="refusal", markup=False)
        with Vertical(id="dash-body"):
            with Horizontal(id="top"):
                with Vertical(id="funnel-box"):
                    yield Static(_("Leads per stage"), classes="section")
                    yield Static("", id="funnel")
                with Vertical(id="conversion-box"):
                    yield Static(_("Conversion"), id="conversion-title", classes="section", markup=False)
                    yield Static("", id="conversion")
                with Vertical(id="hours-box"):
                    yield Static(_("Calls per hour today"), classes="section")
                    yield Sparkline([], id="hours")
                    yield Static("", id="hour-labels", markup=False)
                    yield Static("", id="hours-summary", markup=False)
            yield Static("", id="callers-title", classes="section", markup=False)
            callers: DataTable[str | Text] = DataTable(id="callers", cursor_type="row", zebra_stripes=True,
                                                      show_cursor=False)
            callers.add_column(_("Caller"), width=CALLER_WIDTH, key="caller")
            for window in ("today", "week"):
                for label, width in FIGURES:
                    callers.add_column(Text(_(label), justify="right"), width=width, key=f"{window}.{label.lower()}")
            yield callers
            yield Static(_("Stuck leads"), id="stuck-title", classes="section", markup=False)
            stuck: DataTable[str | Text] = DataTable(id="stuck", cursor_type="row", zebra_stripes=True)
            for key, label, width in STUCK_COLUMNS:
                shown = _(label) if label else ""
                stuck.add_column(Text(shown, justify="right") if key in RIGHT else shown, width=width, key=key)
            yield stuck
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#callers-title", Static).update(self._callers_title())
        self.allowed = self.app.team_lead
        if not self.allowed:
            # The queue does not open this screen for callers; shown if anything else does.
            self.query_one("#dash-body").display = False
            self.query_one("#dash-status", Static).update(f"{self.app.caller}  ·  " + _("pipeline dashboard"))
            refusal = self.query_one("#refusal", Static)
            refusal.update(_("The pipeline dashboard is for team leads: it shows no figures to {caller}, and leads "
                             "are assigned and moved by a team lead. Escape goes back to the queue.").format(
                caller=self.app.caller))
            refusal.display = True
            self.refresh_bindings()
            return
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def _callers_title(self) -> str:
        # Group headings over the two sets of columns (each column is its width + 2 of padding).
        group = sum(width + 2 for _, width in FIGURES)
        first = CALLER_WIDTH + 2
        return ((" " + _("Callers")).ljust(first) + f"─ {_('today')} ".ljust(group - 1, "─") + " "
                + f"─ {_('this week')} ".ljust(group - 1, "─"))

    # -- keys --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MUTATIONS | {"select", "open", "period", "refresh"} and not self.allowed:
            return None  # shown greyed: callers see the refusal only
        if action in MUTATIONS | {"select", "open"}:
            if not self.stuck or self.focused is not self.query_one("#stuck", DataTable):
                return None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        if self.allowed:
            self.load(self.period)

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.action_refresh()

    # -- loading -----------------------------------------------------------------------------
    # The dashboard stays open when the figures can't be read; its timer and r try again.
    @desk_work(group="dashboard", exclusive=True, failed=N_("The pipeline could not be read: {why}"))
    def load(self, period: str) -> None:
        app = self.app
        now, config = app.now(), app.config
        region = config.region
        monday = week_start(now, region)
        if period == PERIODS[0]:
            start = monday
        else:
            start = local_midnight(local_time(None, now, region).date() - timedelta(days=30), region)
        report = pipeline_report(app.store, now, config, start=start, end=now,
                                 day_start=day_bounds(now, region)[0], week_start=monday, stuck_limit=STUCK_LIMIT)
        callers = list_callers(app.store, active_only=True)
        app.call_from_thread(self.show, Loaded(report, callers, period))

    def show(self, loaded: Loaded) -> None:
        report, config = loaded.report, self.app.config
        self.callers = loaded.callers
        region = config.region
        now_local = local_time(None, report.now, region)
        self.query_one("#funnel", Static).update(funnel_content(report.funnel))
        start = local_time(None, report.start, region)
        self.query_one("#conversion-title", Static).update(
            _("Conversion {period} (from {day})").format(period=_(loaded.period), day=format_day(start, pad=True)))
        self.query_one("#conversion", Static).update(conversion_content(report))
        self._show_hours(report.calls_per_hour, config)
        self._show_callers(report, loaded.callers, config)
        self._show_stuck(report)
        self.query_one("#dash-status", Static).update(
            _("Pipeline at {moment} ({zone})").format(moment=format_day_time(now_local, pad=True),
                                                    zone=now_local.tzinfo)
            + "  ·  " + leads(sum(report.funnel.values()))
            + "  ·  " + _("{count} stuck").format(count=format_number(report.stuck_total)))
        self.refresh_bindings()

    def _show_hours(self, hours: list[HourCount], config: Config) -> None:
        shown = shown_hours(hours, config)
        spark = self.query_one("#hours", Sparkline)
        spark.data = [float(h.calls) for h in shown for _ in range(HOUR_COLUMNS)]
        spark.styles.width = max(len(shown) * HOUR_COLUMNS, 1)
        self.query_one("#hour-labels", Static).update(
            "".join(f"{h.hour:%H}".ljust(HOUR_COLUMNS) for h in shown))
        total = sum(h.calls for h in hours)
        if not total:
            summary = _("no calls yet today")
        else:
            busiest = max(hours, key=lambda h: h.calls)  # the earliest of equals
            summary = ngettext("{count} call today · most at {hour}:00 ({calls})",
                               "{count} calls today · most at {hour}:00 ({calls})", total).format(
                count=format_number(total), hour=f"{busiest.hour:%H}", calls=busiest.calls)
        self.query_one("#hours-summary", Static).update(summary)

    def _show_callers(self, report: Report, callers: list[CallerInfo], config: Config) -> None:
        table = self.query_one("#callers", DataTable)
        table.clear()
        today = {f.caller: f for f in report.today}
        week = {f.caller: f for f in report.week}
        # The report lists every active caller (and anyone else with figures).
        names = set(today) | set(week)
        for name in sorted(names):
            cells: list[str | Text] = [name]
            for figures in (today.get(name), week.get(name)):
                cells += figure_cells(figures or CallerFigures(name, 0, 0, 0, 0, 0, goal=0))
            table.add_row(*cells, key=name)
        title = self._callers_title()
        if not names:
            title += "   " + _("no callers yet")
        self.query_one("#callers-title", Static).update(title)

    def _show_stuck(self, report: Report) -> None:
        table = self.query_one("#stuck", DataTable)
        current = self._cursor_lead()
        self.stuck = report.stuck
        ids = {s.lead_id for s in report.stuck}
        self.marked &= ids  # a lead that is no longer stuck can't stay selected
        table.clear()
        region = self.app.config.region
        for s in report.stuck:
            table.add_row("✓" if s.lead_id in self.marked else "", Text(str(s.lead_id), justify="right"),
                          s.company or "—", s.stage.ui_label, s.owner or _("team"),
                          Text(str(s.idle_days), justify="right"),
                          format_day_time(local_time(None, s.last_activity_at, region), pad=True), key=str(s.lead_id))
        if current is not None and current.lead_id in ids:
            table.move_cursor(row=table.get_row_index(str(current.lead_id)))
        counts = ", ".join(f"{stage.ui_label} {format_number(n)}" for stage, n in report.stuck_counts.items())
        head = _("Stuck leads: {count} ({stages})  ·  oldest first").format(
            count=format_number(report.stuck_total), stages=counts)
        if len(report.stuck) < report.stuck_total:
            head += ", " + _("{count} listed").format(count=len(report.stuck))
        self.stuck_head = head
        self._show_selection()

    def _show_selection(self) -> None:
        self.query_one("#stuck-title", Static).update(
            self.stuck_head + ("  ·  " + _("{count} selected").format(count=len(self.marked)) if self.marked else ""))

    # -- the stuck leads ---------------------------------------------------------------------
    def _cursor_lead(self) -> StuckLead | None:
        table = self.query_one("#stuck", DataTable)
        if not self.stuck or not 0 <= table.cursor_row < len(self.stuck):
            return None
        return self.stuck[table.cursor_row]

    def _targets(self) -> list[int]:
        """The selected leads, or the one under the cursor when none are."""
        if self.marked:
            return sorted(self.marked)
        lead = self._cursor_lead()
        return [lead.lead_id] if lead is not None else []

    def action_select(self) -> None:
        lead = self._cursor_lead()
        if lead is None:
            return
        self.marked ^= {lead.lead_id}
        table = self.query_one("#stuck", DataTable)
        table.update_cell(str(lead.lead_id), "mark", "✓" if lead.lead_id in self.marked else "")
        table.action_cursor_down()  # on to the next, as file managers do: selecting a run is quick
        self._show_selection()

    def action_open(self) -> None:
        lead = self._cursor_lead()
        if lead is not None:
            self.app.push_screen(LeadCard(lead.lead_id))

    def action_assign(self) -> None:
        ids = self._targets()
        if not ids:
            return
        names = [c.name for c in self.callers]
        lead = self._cursor_lead()
        if len(ids) == 1 and lead is not None and lead.lead_id == ids[0] and lead.company:
            what = lead.company
        else:
            what = leads(len(ids))

        def picked(name: str | None) -> None:
            if name:
                self.assign(ids, name)

        self.app.push_screen(CallerPicker(_("Assign {what} to").format(what=what), names, allow_team=False,
                                          detail=_("They go to this caller's queue, whoever had them.")), picked)

    @desk_work(group="change", exclusive=True)  # a refused change is a notice, never a crash
    def assign(self, ids: list[int], name: str) -> None:
        app = self.app
        count = assign_leads(app.store, name, by=app.caller, now=app.now(), lead_ids=ids)
        app.call_from_thread(self.changed, _("{leads} assigned to {caller}").format(leads=leads(count), caller=name))

    def action_take_back(self) -> None:
        ids = self._targets()
        if ids:
            self.take_back(ids)

    @desk_work(group="change", exclusive=True)
    def take_back(self, ids: list[int]) -> None:
        app = self.app
        count = unassign_leads(app.store, by=app.caller, now=app.now(), lead_ids=ids)
        unowned = len(ids) - count
        message = _("{leads} taken back into the shared pool").format(leads=leads(count))
        if unowned:
            message += " " + _("({count} had no owner)").format(count=unowned)
        app.call_from_thread(self.changed, message)

    def action_move(self) -> None:
        lead = self._cursor_lead()
        if lead is None:
            return
        name = lead.company or _("lead {id}").format(id=lead.lead_id)

        # Callbacks, not a waiting worker: nothing stays pending while a modal is open.
        def stage_picked(stage: Stage | None) -> None:
            if stage is not None:
                self.app.push_screen(ReasonPrompt(
                    _("Why move {lead} from {before} to {after}?").format(
                        lead=name, before=lead.stage.ui_label, after=stage.ui_label),
                    detail=_("The reason is kept in the lead's history."), placeholder=_("Reason")),
                    lambda reason: reason and self.move(lead.lead_id, stage, reason))

        self.app.push_screen(StagePicker(_("Move {lead} ({stage}) to").format(lead=name, stage=lead.stage.ui_label),
                                         lead.stage), stage_picked)

    @desk_work(group="change", exclusive=True)
    def move(self, lead_id: int, stage: Stage, reason: str) -> None:
        app = self.app
        moved = move_stage(app.store, lead_id, stage, reason, by=app.caller, now=app.now(), config=app.config)
        who = moved.company or _("Lead {id}").format(id=moved.lead_id)
        app.call_from_thread(self.changed, f"{who}: {moved.from_stage.ui_label} → {moved.to_stage.ui_label}")

    def changed(self, message: str) -> None:
        self.notify(message, title=_("Done"))
        self.marked.clear()
        self.action_refresh()


# -- what the panels show ---------------------------------------------------------------------


def funnel_content(funnel: dict[Stage, int]) -> Content:
    """One centred bar per stage, as wide as its share of the largest: a funnel, lost last."""
    most = max(funnel.values(), default=0)
    lines = []
    for stage, count in funnel.items():
        width = max(1, round(FUNNEL_BAR * count / most)) if count and most else 0
        left = (FUNNEL_BAR - width) // 2
        bar = " " * left + "█" * width + " " * (FUNNEL_BAR - width - left)
        style = "$error" if stage is Stage.lost else "$success" if stage is Stage.customer else "$primary"
        lines.append(Content.assemble(f"{stage.ui_label:<12}", (bar, style), f"{format_number(count):>7}"))
    return Content("\n").join(lines)


def conversion_content(report: Report) -> Content:
    lines = []
    for c in report.conversion:
        step = f"{c.from_stage.ui_label} → {c.to_stage.ui_label}"
        lines.append(Content.assemble(f"{step:<25}", (f"{c.converted:>5}/{c.base:<5}", "bold"),
                                      f"{percent(c.rate):>6}"))
    lines.append(Content.styled(_("reached the next stage / in the stage"), "$text-muted"))
    return Content("\n").join(lines)


def figure_cells(f: CallerFigures) -> list[str | Text]:
    """calls, connects, connect rate, hot leads, appointments, wins, calls/goal: right-aligned."""
    cells = [Text(value, justify="right") for value in (
        str(f.calls), str(f.connects), percent(f.connect_rate), str(f.hot_leads), str(f.appointments), str(f.wins))]
    reached = f.goal and f.calls >= f.goal
    return [*cells, Text(f"{f.calls}/{f.goal}", justify="right", style="green" if reached else "")]


def shown_hours(hours: list[HourCount], config: Config) -> list[HourCount]:
    """From the calling day's first hour (or an earlier hour with calls) up to now's hour:
    the quiet night says nothing."""
    if not hours:
        return []
    starts = [i for i, h in enumerate(hours) if h.calls][:1]
    starts += [i for i, h in enumerate(hours) if h.hour.hour >= config.calling_hours.start.hour][:1]
    return hours[min(starts, default=len(hours) - 1):]

