"""What every screen shares, and all that a screen knows of the app.

The screens never import the app (calldesk.screens.app). They read the desk's state from
DeskApp: the store, the config, who calls, the clocks, the script and this caller's row. They
ask for another screen with a message the app handles (OpenCall, OpenSchedule, OpenDashboard).
And they do their store work in `desk_work` threads, whose failures all end in one place
(`worker_failed`): one line on screen, and the desk goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, get_current_worker

from calldesk.db.engine import Store
from calldesk.db.team import CallerInfo
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, set_language
from calldesk.rules.config import Config
from calldesk.rules.script import Answer, Script, builtin_script
from calldesk.screens import textual_hooks
from calldesk.screens.translate import translate_bindings

if TYPE_CHECKING:
    from calldesk.db.calls import Recorded
    from calldesk.db.leads import LeadDetail

# Notes and BANT answers typed on a call that was undone, for the reopened call.
Typed = tuple[str, Mapping[str, Answer]]
R = TypeVar("R")
P = ParamSpec("P")


def why(exc: BaseException) -> str:
    """Any error in one line for the screen: calldesk's own as it is, anything else (a driver's
    error: the server restarted, the file moved, the disk full) with its type. Only the first
    line: a driver's message goes on with the SQL and a link."""
    message = str(exc).strip()
    if not isinstance(exc, CalldeskError):
        message = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return message.splitlines()[0] if message else type(exc).__name__


@dataclass(frozen=True)
class Failure:
    """A desk_work worker that raised, as its screen's worker_failed gets it."""

    worker: Callable[..., Any]  # the method that failed: compare with `is` (CallScreen.save)
    args: tuple[Any, ...]  # what it was called with
    why: str  # the error in one line
    line: str  # what is shown: the worker's `failed` text with `why` in it, else `why`
    severity: SeverityLevel
    error: Exception


class ShowsFailures(Protocol):
    """What runs desk_work: a screen or the app."""

    @property
    def app(self) -> App[Any]: ...

    def worker_failed(self, failure: Failure) -> None: ...


S = TypeVar("S", bound=ShowsFailures)


def desk_work(*, group: str, exclusive: bool = False, failed: str = "", severity: SeverityLevel = "error"
              ) -> Callable[[Callable[Concatenate[S, P], None]], Callable[Concatenate[S, P], Worker[None]]]:
    """The one way a screen (or the app) works on the store: a thread worker that never ends the
    app. Whatever it raises, calldesk's own refusal or a driver's error, goes to the node's
    `worker_failed` on the UI's thread, with the line to show: `failed` (marked with N_, with a
    {why} in it) or else the error itself. A worker cancelled meanwhile (replaced by a newer
    one, its screen closed) says nothing: the newer one speaks."""

    def decorate(method: Callable[Concatenate[S, P], None]) -> Callable[Concatenate[S, P], Worker[None]]:
        @wraps(method)
        def guarded(node: S, *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                method(node, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the one failure path of every worker
                if get_current_worker().is_cancelled:
                    return
                reason = why(exc)
                failure = Failure(run, args, reason, _(failed).format(why=reason) if failed else reason,
                                  severity, exc)
                node.app.call_from_thread(node.worker_failed, failure)

        # exit_on_error=False: should even the failure path fail (the app is closing), the
        # worker ends quietly instead of taking the app down.
        run = work(thread=True, exclusive=exclusive, group=group, exit_on_error=False)(guarded)
        return run

    return decorate


class DeskApp(App[None]):
    """The desk as the screens see it: the store, the config, who calls, the clocks, the script
    and this caller's row. calldesk.screens.app.CalldeskApp is the real one: it adds the screens
    and the messages that open them."""

    def __init__(self, *, store: Store, config: Config, caller: str, clock: Callable[[], datetime],
                 script: Script | None = None, ticks: Callable[[], float] = time.monotonic) -> None:
        """The UI speaks `config.language` when it names one (the CLI fills in --lang or the
        locale), else the language already set; the built-in script follows it."""
        if config.language:
            set_language(config.language)  # before anything is made: screens translate when made
        super().__init__()
        self.set_keymap(config.keymap)  # the config's [keys]: actions moved to other keys (rules.keys)
        translate_bindings(self)
        self.store = store
        self.config = config
        self.caller = caller
        self.now = clock  # the live clock, or a fixed moment with --at (and in tests)
        self.ticks = ticks  # seconds for the call timer (runs even when --at fixes the clock)
        self.script = script or builtin_script()
        self.sub_title = f"{caller} · {store.name}"
        self.me: CallerInfo | None = None  # this caller's row (role, goal), read by the queue's worker

    @property
    def team_lead(self) -> bool:
        return self.me is not None and self.me.is_team_lead

    def started(self) -> None:
        """The first queue is on screen (the queue calls this after every load)."""

    def prune_watchers(self) -> int:
        """Let closed screens and redrawn footers go (see textual_hooks); returns how many
        watchers were dropped. The queue calls this after every call and every refresh."""
        nodes = (self, *(node for screen in self.screen_stack for node in screen.walk_children(with_self=True)))
        dropped = textual_hooks.prune_watchers(nodes)
        textual_hooks.clear_styles_cache()
        return dropped

    def worker_failed(self, failure: Failure) -> None:
        """Where every worker's failure ends: its line as a notice; the desk goes on."""
        self.notify(failure.line, severity=failure.severity)


def help_key(screen: str) -> Binding:
    """`?` on every screen: the key panel, which lists all the keys (a narrow footer leaves some out)."""
    return Binding("question_mark", "app.toggle_help", N_("Keys"), id=f"{screen}.help", key_display="?")


def back_key(screen: str) -> Binding:
    """Escape: back to the screen underneath (the screen's action_back)."""
    return Binding("escape", "back", N_("Back"), id=f"{screen}.back")


if TYPE_CHECKING:
    _AScreen = Screen[Any]
else:
    _AScreen = object  # a mixin at run time: Textual's CSS follows a screen's first DOMNode base only


class _DeskPart(_AScreen):
    """What DeskScreen and DeskModal share."""

    app: DeskApp

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        translate_bindings(self)

    def worker_failed(self, failure: Failure) -> None:
        self.app.worker_failed(failure)


class DeskScreen(_DeskPart, Screen[R]):
    """A screen of the desk: its keys in the UI language from the start (translate.py), and its
    workers' failures shown instead of fatal. A screen whose worker leaves something half done
    when it fails (a flag set, a form waiting) overrides worker_failed to put it right."""


class DeskModal(_DeskPart, ModalScreen[R]):
    """A modal of the desk: the same, over the screen that opened it."""


# -- asking the app for another screen ---------------------------------------------------------


class OpenCall(Message):
    """Open the call screen on a lead the caller has claimed; `ended` gets what was recorded
    (None: the caller backed out). detail: the lead as the claim's worker loaded it (None: the
    call screen loads it). typed: notes and answers to start from (a call that was undone)."""

    def __init__(self, lead_id: int, detail: LeadDetail | None, ended: Callable[[Recorded | None], None],
                 typed: Typed | None = None) -> None:
        super().__init__()
        self.lead_id, self.detail, self.ended, self.typed = lead_id, detail, ended, typed


class OpenSchedule(Message):
    """Open the callback schedule; `closed` runs when it is left."""

    def __init__(self, closed: Callable[[None], None]) -> None:
        super().__init__()
        self.closed = closed


class OpenDashboard(Message):
    """Open the pipeline dashboard (team leads); `closed` runs when it is left."""

    def __init__(self, closed: Callable[[None], None]) -> None:
        super().__init__()
        self.closed = closed
