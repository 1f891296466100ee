"""The calldesk Textual app."""

from __future__ import annotations

from datetime import datetime

from textual.app import App
from textual.binding import Binding

from calldesk.config import Config
from calldesk.db.engine import Store
from calldesk.screens.leads import LeadsScreen


class CalldeskApp(App[None]):
    CSS_PATH = "calldesk.tcss"
    TITLE = "calldesk"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, *, store: Store, config: Config, caller: str, now: datetime) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.caller = caller
        self.now = now  # the moment the desk works at (--at previews another)
        self.sub_title = f"{caller} · {store.name}"

    def on_mount(self) -> None:
        self.push_screen(LeadsScreen())
