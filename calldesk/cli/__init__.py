"""The `calldesk` command: the Typer app with its commands by group (one module each), the
options given before a command, and main(): the language first, then one line for any error.

Each module imports what is heavy (the store, the app, the server) inside its commands, so
`calldesk --help` stays fast (tests/test_cli_imports.py)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calldesk.cli import campaigns, desk, leads, privacy, reports, serve, store, team
from calldesk.cli.context import Given, State, load_config, make_context
from calldesk.cli.holiday_cache import kept_holidays
from calldesk.cli.options import AtOpt, CallerOpt, ConfigOpt, DbOpt
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _

if TYPE_CHECKING:  # only for annotations: Typer carries its own Click, `click` may not be installed
    import click

__all__ = ["app", "early_language", "kept_holidays", "main", "translate_help"]

app = typer.Typer(
    name="calldesk",
    help=N_("A keyboard-driven call desk for telephone lead follow-up. With no command: open the app."),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# `calldesk --help` lists the commands in this order, then the groups.
for commands in (leads.app, desk.app, privacy.app, reports.app, team.app, serve.app, store.app):
    app.add_typer(commands)
app.add_typer(store.db_app, name="db")
app.add_typer(desk.dnc_app, name="dnc")
app.add_typer(team.caller_app, name="caller")
app.add_typer(campaigns.client_app, name="client")
app.add_typer(campaigns.campaign_app, name="campaign")


class Language(StrEnum):
    en = "en"
    nl = "nl"


@app.callback(invoke_without_command=True)
def root(
    typer_ctx: typer.Context,
    db: DbOpt = None,
    config: ConfigOpt = None,
    caller: CallerOpt = None,
    at: AtOpt = None,
    lang: Annotated[Language | None, typer.Option("--lang", help=N_("Language of the app and the call script [default: the config's, else the locale's, else en]."), show_default=False)] = None,
    version: Annotated[bool, typer.Option("--version", help=N_("Print the version and exit."))] = False,
) -> None:
    State.of(typer_ctx).given = Given(db=db, config=config, caller=caller, at=at, lang=lang.value if lang else None)
    if version:
        from calldesk import __version__

        typer.echo(f"calldesk {__version__}")
        raise typer.Exit()
    if typer_ctx.invoked_subcommand is None:
        ctx = make_context(typer_ctx, db, config, caller, at)
        with ctx.store() as desk_store:
            ctx.open_app(desk_store)


def early_language(argv: list[str]) -> str:
    """The language before Typer parses anything (help texts are made then): --lang in `argv`,
    else the config's `language` (--config, CALLDESK_CONFIG or the default file), else the locale."""
    from calldesk.i18n import resolve_language

    def option(name: str) -> str | None:
        for i, arg in enumerate(argv):
            if arg == "--":
                break
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(name + "="):
                return arg.partition("=")[2]
        return None

    try:
        explicit = option("--config")
        config_lang = load_config(Path(explicit) if explicit else None).language
    except Exception:  # noqa: BLE001 - a bad config is reported by the command itself, in English at worst
        config_lang = None
    return resolve_language(option("--lang"), config_lang, os.environ)


_CLICK_HELP = N_("Show this message and exit.")  # Click's --help text, for the catalog


def translate_help(command: click.Command) -> None:
    """Put the help texts of `command` and everything under it in the current language (Typer made
    them in English at import; they are marked with N_ for the catalog)."""
    for attr in ("help", "short_help"):
        if text := getattr(command, attr, None):
            setattr(command, attr, _(text))
    for param in command.params:
        if text := getattr(param, "help", None):
            param.help = _(text)
    make_help_option = command.get_help_option

    def get_help_option(ctx: click.Context) -> click.Option | None:
        option = make_help_option(ctx)
        if option is not None and option.help:
            option.help = _(option.help)  # Click's own text, the same in every command
        return option

    command.get_help_option = get_help_option  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


def undecodable_input(args: list[str], env: Mapping[str, str]) -> str | None:
    """Bytes that are not text in the locale's encoding reach Python as lone surrogates; no
    store can hold them, so say which argument (or variable) it is before anything runs."""
    def bad(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False

    for number, arg in enumerate(args, 1):
        if bad(arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            return _("argument {number} ({text}) is not valid text: use UTF-8").format(number=number, text=repr(shown))
    for name in ("CALLDESK_DB", "CALLDESK_CONFIG", "CALLDESK_CALLER", "USER", "LOGNAME"):
        if bad(env.get(name, "")):
            return _("the environment variable {name} is not valid text: use UTF-8").format(name=name)
    return None


def fault_message(exc: BaseException, store: str | None) -> str | None:
    """One line for a fault of the machine met mid-command (disk full, a folder gone); None for
    anything else, which is a bug to report. The store's own faults arrive as CalldeskError
    (db.engine.StoreFault), already one line."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename or store
        return f"{where}: {exc.strerror}" if where else exc.strerror
    return None


def main() -> None:
    from calldesk.i18n import set_language

    set_language(early_language(sys.argv[1:]))
    # psycopg logs its own cleanup after a lost connection ("error ignored terminating …"); the
    # fault itself is told in one line below.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    logging.getLogger("psycopg").propagate = False
    if (message := undecodable_input(sys.argv[1:], os.environ)) is not None:
        typer.echo(_("calldesk: error: {message}").format(message=message), err=True)
        sys.exit(1)
    command = typer.main.get_command(app)
    translate_help(command)
    state = State()  # the command's ctx.obj; kept here to name the store it opened if it fails
    try:
        with kept_holidays():
            command(prog_name="calldesk", obj=state)
    except CalldeskError as exc:
        typer.echo(_("calldesk: error: {message}").format(message=exc), err=True)
        sys.exit(1)
    except Exception as exc:
        message = fault_message(exc, state.opened[-1] if state.opened else None)
        if message is None:
            raise  # a bug: its traceback is what a report needs
        typer.echo(_("calldesk: error: {message}").format(message=message), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo(_("calldesk: interrupted"), err=True)
        sys.exit(130)
