"""Driving the desk with Textual's Pilot: the app on a store at a fixed clock, waiting for its
workers, opening screens, and reading what a widget shows."""

import io

from rich.console import Console
from textual.widgets import Static
from textual.worker import WorkerCancelled

from calldesk.rules.config import Config
from calldesk.screens.app import CalldeskApp
from calldesk.screens.call import CallScreen
from tests.conftest import NOW


def make_app(store, caller="anne", now=NOW, config=None):
    return CalldeskApp(store=store, config=config or Config(), caller=caller, clock=lambda: now,
                       ticks=lambda: 0.0)


async def settle(pilot):
    """Wait for the app's workers; not for a modal flow (the call's outcome or leave
    questions), which waits on the screen the test drives."""
    # Exclusive workers cancel the one they replace; that is normal here, so wait again.
    for _ in range(3):
        busy = [w for w in pilot.app.workers if w.group != "flow" and not w.is_finished]
        try:
            if busy:  # an empty list would mean "every worker"
                await pilot.app.workers.wait_for_complete(busy)
        except WorkerCancelled:
            continue
        await pilot.pause()


async def open_screen(pilot, key: str, kind):
    """Press key on the queue once it has loaded; the screen that opens must be a kind."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


async def take_next(pilot):
    """n on the queue: the call screen opens; its lead's id."""
    screen = await open_screen(pilot, "n", CallScreen)
    return screen.lead_id


def text_of(shown, width=200) -> str:
    """What a Static (or a Rich renderable) shows, as plain text."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(shown.content if isinstance(shown, Static) else shown)
    return console.export_text()
