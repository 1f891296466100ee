"""What a command works with: the state in `ctx.obj` (the options given before the command, the
stores opened), and the Context a command resolves from it: store, config, caller, moment."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import typer

from calldesk.cli.options import parse_moment
from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.config import Config, parse_config

if TYPE_CHECKING:
    from calldesk.db.engine import Store
    from calldesk.rules.script import Script


@dataclass(frozen=True)
class Given:
    """Options given before the command (`calldesk --caller anne --lang nl demo`): they hold for
    it too; the command's own options win."""

    db: str | None = None
    config: Path | None = None
    caller: str | None = None
    at: str | None = None
    lang: str | None = None


@dataclass
class State:
    """`ctx.obj`, one per run: made by main() so it can name the store a failed command opened."""

    given: Given = field(default_factory=Given)
    opened: list[str] = field(default_factory=list)  # the stores this command opened, for fault_message

    @classmethod
    def of(cls, typer_ctx: typer.Context) -> State:
        return typer_ctx.ensure_object(cls)


@dataclass
class Context:
    """One command's desk (make_context): its options over those given before it, resolved. The
    config carries the language in effect."""

    config: Config
    store_target: str
    default_store: bool
    caller: str
    now: datetime
    state: State
    fixed: bool = False  # --at given: the desk stays at that moment

    def script(self) -> Script:
        """The BANT script: the config's own file, else the built-in one for the language."""
        from calldesk.rules.script import builtin_script, parse_script

        path = self.config.script.path
        if not path:
            return builtin_script(self.config.language)
        file = Path(path).expanduser()
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CalldeskError(_("script.path: {file} does not exist").format(file=file)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CalldeskError(_("script.path: cannot read {file}: {error}").format(file=file, error=exc)) from None
        return parse_script(text, str(file))

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store, open for the block (its schema brought up to date), closed after it."""
        from calldesk.db.engine import open_store  # here: keeps SQLAlchemy off --help

        timeouts = self.config.store
        store = open_store(self.store_target, create_parent=self.default_store,
                           connect_timeout=timeouts.connect_timeout.total_seconds(),
                           statement_timeout=timeouts.statement_timeout.total_seconds())
        self.state.opened.append(store.describe())  # named by main() if the store fails mid-command
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def working_store(self) -> Iterator[Store]:
        """The store, with the day's warmth decay applied first (what queue and next see);
        CalldeskError for a caller a team lead made inactive (they get no work)."""
        from calldesk.db.team import start_work

        with self.store() as store:
            me = start_work(store, self.caller, self.now, self.config)
            if me.why_no_work:
                raise CalldeskError(me.why_no_work)
            yield store

    def output(self, path: Path, option: str) -> Path:
        """Where --out/--ics writes: never over the store's own files (see db.files)."""
        from calldesk.db.engine import to_url
        from calldesk.db.files import output_path, store_files

        url = to_url(self.store_target)
        return output_path(path, option, store_files(url.database) if url.get_backend_name() == "sqlite" else ())

    def open_app(self, store: Store) -> None:
        """The app on `store`, in the foreground until it quits."""
        from calldesk.screens.app import CalldeskApp

        # --at freezes the desk at that moment (a preview); otherwise it follows the clock.
        clock = (lambda: self.now) if self.fixed else (lambda: datetime.now(UTC))
        CalldeskApp(store=store, config=self.config, caller=self.caller, clock=clock, script=self.script(),
                    freeze_startup=True).run()


def make_context(typer_ctx: typer.Context, db: str | None, config: Path | None, caller: str | None = None,
                 at: str | None = None) -> Context:
    state = State.of(typer_ctx)
    given = state.given
    db, config = db or given.db, config or given.config
    caller = caller or given.caller
    at = given.at if at is None else at  # '' is given, and refused
    cfg = load_config(config)
    from calldesk.i18n import resolve_language, set_language

    # --lang, else the config, else the locale; the app and the built-in script follow it.
    lang = resolve_language(given.lang, cfg.language, os.environ)
    cfg = cfg.model_copy(update={"language": lang})
    set_language(lang)
    from calldesk.db.engine import resolve_target

    target = resolve_target(db, os.environ, cfg.database)
    default_store = not (db or os.environ.get("CALLDESK_DB") or cfg.database)
    who = caller or os.environ.get("CALLDESK_CALLER") or _login_name()
    from calldesk.db.team import caller_name

    # The rule `caller add` applies: a blank, 'team' or overlong name would log calls as nobody.
    return Context(cfg, target, default_store, caller_name(who), parse_at(at, cfg), state, fixed=at is not None)


def config_path(explicit: Path | None) -> tuple[Path, bool]:
    """The config file and whether the user named it (then it must exist)."""
    if explicit:
        return explicit, True
    if os.environ.get("CALLDESK_CONFIG"):
        return Path(os.environ["CALLDESK_CONFIG"]), True
    return platformdirs.user_config_path("calldesk", appauthor=False) / "config.toml", False


def load_config(explicit: Path | None) -> Config:
    path, named = config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if named:
            raise CalldeskError(_("config file {path} does not exist").format(path=path)) from None
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise CalldeskError(_("cannot read config file {path}: {error}").format(path=path, error=exc)) from None
    return parse_config(text, str(path))


def parse_at(text: str | None, config: Config) -> datetime:
    """--at, or the clock when it is not given (an empty --at is an error, not "now")."""
    now = datetime.now(UTC)
    return now if text is None else parse_moment(text, "--at", config, now)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "caller"
