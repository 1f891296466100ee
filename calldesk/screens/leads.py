"""The lead list: a window of the warmest leads (the call queue replaces it as home)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from calldesk.db.leads import count_leads, top_leads
from calldesk.db.models import Lead
from calldesk.phones import display

if TYPE_CHECKING:
    from calldesk.screens.app import CalldeskApp

# Fixed widths: a long company name must not push stage and source off the screen.
COLUMNS = (("Company", 30), ("Contact", 22), ("Role", 20), ("Phone", 17), ("Type", 9),
           ("Stage", 11), ("Source", 10))
WINDOW = 200  # rows shown: a DataTable with 100k rows takes ~25 s to paint


class LeadsScreen(Screen[None]):
    app: CalldeskApp
    BINDINGS = [Binding("r", "refresh", "Refresh", id="refresh")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading leads…", id="status")
        table: DataTable[str] = DataTable(id="leads", cursor_type="row", zebra_stripes=True)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load_leads()

    @work(thread=True, exclusive=True, group="leads")
    def load_leads(self) -> None:
        leads = top_leads(self.app.store, WINDOW)
        total = count_leads(self.app.store)
        self.app.call_from_thread(self.show_leads, leads, total)

    def show_leads(self, leads: list[Lead], total: int) -> None:
        table = self.query_one("#leads", DataTable)
        table.clear()
        region = self.app.config.region
        for lead in leads:
            table.add_row(
                lead.company or "—",
                lead.contact_name,
                lead.role,
                display(lead.phone_e164, region),
                lead.phone_type.replace("_", " "),
                lead.stage.replace("_", " "),
                lead.source,
                key=str(lead.id),
            )
        shown = f"showing the first {len(leads)}" if total > len(leads) else "all shown"
        status = f"{total} leads ({shown})" if total else "No leads yet: calldesk import FILE.csv"
        self.query_one("#status", Static).update(status)
