"""The calldesk Textual app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from calldesk.config import Config
from calldesk.db.engine import Store
from calldesk.db.team import CallerInfo
from calldesk.screens.queue import QueueScreen
from calldesk.script import Script, builtin_script


class CalldeskApp(App[None]):
    CSS_PATH = "calldesk.tcss"
    TITLE = "calldesk"
    BINDINGS = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(self, *, store: Store, config: Config, caller: str, clock: Callable[[], datetime],
                 script: Script | None = None, ticks: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.caller = caller
        self.now = clock  # the live clock, or a fixed moment with --at (and in tests)
        self.ticks = ticks  # seconds for the call timer (runs even when --at fixes the clock)
        self.script = script or builtin_script(config.language)
        self.sub_title = f"{caller} · {store.name}"
        self.me: CallerInfo | None = None  # this caller's row (role, goal), read by the queue's worker

    @property
    def team_lead(self) -> bool:
        return self.me is not None and self.me.is_team_lead

    def on_mount(self) -> None:
        self.push_screen(QueueScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from calldesk.screens.call import CallScreen

        # Not in the middle of a call: Escape leaves it first (and asks about unsaved answers).
        if action == "quit" and isinstance(self.screen, CallScreen):
            return False
        return True

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers what the keys do (and Textual's own commands)."""
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.description:
                action = getattr(screen, f"action_{binding.action}", None)
                if action is not None:
                    yield SystemCommand(binding.description, f"Key: {binding.key_display or binding.key}", action)
