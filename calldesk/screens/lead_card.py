"""A claimed lead, read-only (the call screen with outcomes replaces it); Escape lets it go."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from calldesk.db.leads import lead_detail
from calldesk.db.queue import release_claim, renew_claim
from calldesk.screens.leadview import lead_view

if TYPE_CHECKING:
    from calldesk.screens.app import CalldeskApp

# Claims are 10-minute leases: the open card renews its claim well before it runs out.
RENEW_EVERY = timedelta(minutes=2)


class LeadCardScreen(Screen[None]):
    app: CalldeskApp
    BINDINGS = [Binding("escape", "back", "Back (release the lead)", id="card.back")]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("Loading…", id="card")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.set_interval(RENEW_EVERY.total_seconds(), self.renew)

    @work(thread=True, exclusive=True, group="card")
    def load(self) -> None:
        app = self.app
        detail = lead_detail(app.store, self.lead_id, calls=10)
        if detail is not None:
            app.call_from_thread(self.query_one("#card", Static).update,
                                 lead_view(detail, app.now(), app.config.region))

    @work(thread=True, group="claim")
    def renew(self) -> None:
        app = self.app
        if not renew_claim(app.store, self.lead_id, app.caller, app.now()):
            app.call_from_thread(self.notify, "Your claim on this lead ran out and another caller has it",
                                 severity="error")

    def action_back(self) -> None:
        self.let_go()

    @work(thread=True, exclusive=True, group="claim")
    def let_go(self) -> None:
        app = self.app
        release_claim(app.store, self.lead_id, app.caller)
        app.call_from_thread(self.dismiss)
