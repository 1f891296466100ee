"""The calldesk Textual app."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from calldesk.db.engine import Store
from calldesk.i18n import N_, _
from calldesk.rules.config import Config
from calldesk.rules.script import Script
from calldesk.screens import layout
from calldesk.screens.base import DeskApp, OpenCall, OpenDashboard, OpenSchedule, Typed, desk_work
from calldesk.screens.keys import shown_key
from calldesk.screens.queue import QueueScreen
from calldesk.screens.translate import translate_widget

if TYPE_CHECKING:
    from calldesk.db.calls import Recorded
    from calldesk.db.leads import LeadDetail
    from calldesk.screens.call import CallScreen

# Textual's own bindings and system commands, for the catalog: the app and the screens
# translate them with their own (the widgets' keys: translate.TEXTUAL_WIDGET_TEXTS).
TEXTUAL_TEXTS = (
    N_("palette"), N_("Open the command palette"), N_("Quit the app and return to the command prompt."),
    N_("Focus Next"), N_("Focus Previous"), N_("Copy selected text"),
    N_("Theme"), N_("Change the current theme"),
    N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)


YOUNG_COLLECTION_AFTER = 50_000  # allocations between collections of new objects (see settle_memory)
KEPT_CALL = "call"  # the name of the call screen the app keeps (open_call)

# Claims are 10-minute leases: an open call renews its claim well before it runs out.
RENEW_EVERY = timedelta(minutes=2)


class CalldeskApp(DeskApp):
    """The desk: the queue, and the screens it asks for (the messages of calldesk.screens.base)."""

    CSS_PATH = "calldesk.tcss"
    TITLE = "calldesk"
    BINDINGS = [Binding("q", "quit", N_("Quit"), id="app.quit")]
    # Size classes on every screen (see calldesk.screens.layout): the screens fit 80x24 and use 160+.
    HORIZONTAL_BREAKPOINTS = layout.HORIZONTAL
    VERTICAL_BREAKPOINTS = layout.VERTICAL

    def __init__(self, *, store: Store, config: Config, caller: str, clock: Callable[[], datetime],
                 script: Script | None = None, ticks: Callable[[], float] = time.monotonic,
                 freeze_startup: bool = False) -> None:
        """See DeskApp for the state. freeze_startup: the app owns its process (the CLI), see started()."""
        super().__init__(store=store, config=config, caller=caller, clock=clock, script=script, ticks=ticks)
        self._freeze_pending = freeze_startup
        self._kept_call: CallScreen | None = None  # see open_call

    def on_mount(self) -> None:
        self.push_screen(QueueScreen())
        self.check_first_run()
        # One timer for the app, not one per call: a screen's own long timer would keep every
        # closed call screen alive until it fell due (asyncio holds cancelled timer handles).
        self.set_interval(RENEW_EVERY.total_seconds(), self.renew_calls)

    @desk_work(group="first-run", exclusive=True)
    def check_first_run(self) -> None:
        """A store without leads opens with the first-run screen over the queue."""
        from calldesk.screens.first_run import desk_is_new

        empty, lead_wanted = desk_is_new(self)
        if empty:
            self.call_from_thread(self._show_first_run, lead_wanted)

    def _show_first_run(self, lead_wanted: bool) -> None:
        from calldesk.screens.first_run import FirstRun

        queue = self.screen

        def done(choice: str | None) -> None:
            if isinstance(queue, QueueScreen):
                queue.action_refresh()  # its header names a team lead made here
                if choice == "add":
                    queue.action_add_lead()

        if isinstance(queue, QueueScreen):  # not over a call or a modal a fast key opened
            self.push_screen(FirstRun(lead_wanted), done)

    def started(self) -> None:
        """The first queue is on screen: what exists now (modules, styles, the queue screen)
        lives as long as the app, so full garbage collections need not walk it again on every
        call (they paused the desk ~0.1-0.3 s); and collections run less often (settle_memory)."""
        if self._freeze_pending:
            self._freeze_pending = False
            self.call_after_refresh(self.settle_memory)  # after the queue's first paint, not before

    @staticmethod
    def settle_memory() -> None:
        """Once, when a desk is up: its process's objects so far are kept out of later
        collections (benchmarks' caller processes do it too, to measure a desk)."""
        gc.collect()  # garbage first: what is frozen is never collected
        gc.freeze()
        # Drawing a screen makes tens of thousands of short-lived objects (strips, segments,
        # styles): at Python's default of 700 the first frame of a call ran ~20 collections,
        # and a full one now and then put 100 ms on a key press.
        gc.set_threshold(YOUNG_COLLECTION_AFTER, *gc.get_threshold()[1:])

    # -- the screens the others ask for --------------------------------------------------------
    def on_open_call(self, message: OpenCall) -> None:
        self.open_call(message.lead_id, message.detail, message.ended, message.typed)

    def on_open_schedule(self, message: OpenSchedule) -> None:
        from calldesk.screens.schedule import ScheduleScreen

        # Callers see their own callbacks and the team's; team leads see and change everyone's.
        self.push_screen(ScheduleScreen(), message.closed)

    def on_open_dashboard(self, message: OpenDashboard) -> None:
        from calldesk.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen(), message.closed)

    def open_call(self, lead_id: int, detail: LeadDetail | None,
                  ended: Callable[[Recorded | None], None], typed: Typed | None = None) -> None:
        """Push the call screen on a claimed lead; `ended` gets what was recorded (None: backed out).

        One call screen is kept for the app's life and refilled for every call: composing,
        mounting and styling a new one was half of the time from `n` to the lead on screen.
        A lead that still has to load (detail None) gets a screen of its own, as before."""
        from calldesk.screens.call import CallScreen

        kept = self._kept_call
        if detail is not None and kept is not None and kept.reusable:
            kept.begin(lead_id, detail, typed)
            self.push_screen(kept, ended)
            return
        screen = CallScreen(lead_id, detail, typed)
        if detail is not None and kept is None:
            self.install_screen(screen, name=KEPT_CALL)  # installed: popping it keeps it
            self._kept_call = screen
        self.push_screen(screen, ended)

    def renew_calls(self) -> None:
        """Renew the claim of every call open on the stack (there is at most one)."""
        from calldesk.screens.call import CallScreen

        for screen in self.screen_stack:
            if isinstance(screen, CallScreen):
                screen.renew()

    async def action_quit(self) -> None:
        from calldesk.screens.call import CallScreen

        # Not in the middle of a call: Escape leaves it first (and asks about unsaved answers).
        # Here for ctrl+q, a priority binding; the call screen's own q hides the app's. Not a
        # check_action: that would follow self.screen, which changes while a screen is pushed,
        # and every footer would redraw its keys twice a call.
        if isinstance(self.screen, CallScreen):
            self.screen.say_how_to_leave()
            return
        await super().action_quit()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        translate_widget(event.widget)  # Textual's own widgets: their keys, as the key panel lists them

    def action_command_palette(self) -> None:
        """Textual's palette, with a placeholder in the UI language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers what the keys do (and Textual's own commands)."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.description:
                action = getattr(screen, f"action_{binding.action}", None)
                if action is not None:
                    key = shown_key(self, binding, self.config.keymap)
                    yield SystemCommand(_(binding.description), _("Key: {key}").format(key=key), action)
