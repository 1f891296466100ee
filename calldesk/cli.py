"""The `calldesk` command."""

from __future__ import annotations

import csv
import getpass
import json
import logging
import os
import shlex
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import platformdirs
import typer

if TYPE_CHECKING:  # only for annotations: Typer carries its own Click, `click` may not be installed
    import click

from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, ngettext
from calldesk.rules.config import MAX_DAILY_GOAL, Config, parse_config
from calldesk.rules.kinds import Role
from calldesk.rules.stages import Stage

app = typer.Typer(
    name="calldesk",
    help=N_("A keyboard-driven call desk for telephone lead follow-up. With no command: open the app."),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help=N_("Store maintenance: schema status and upgrades."), no_args_is_help=True)
app.add_typer(db_app, name="db")

DbOpt = Annotated[str | None, typer.Option("--db", help=N_("Store: a file path or postgresql:// URL [env: CALLDESK_DB]."), show_default=False)]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help=N_("Config file (TOML) [env: CALLDESK_CONFIG]."), show_default=False)]
CallerOpt = Annotated[str | None, typer.Option("--caller", help=N_("Who is working [env: CALLDESK_CALLER; default: your login name]."), show_default=False)]
AtOpt = Annotated[str | None, typer.Option("--at", help=N_("Act as if it were this moment (e.g. 2026-11-23T09:00); a time without a zone is the desk's zone (config `timezone`, default the region's, Europe/Amsterdam for NL), not this machine's."), show_default=False)]


# Ids and counts as both stores hold them (PostgreSQL's INTEGER): a bigger one is a typo, and
# the drivers would fail on it with a traceback.
MAX_ID = 2**31 - 1


class Language(StrEnum):
    en = "en"
    nl = "nl"


@dataclass
class Context:
    config: Config
    store_target: str
    default_store: bool
    caller: str
    now: datetime
    fixed: bool = False  # --at given: the desk stays at that moment

    def script(self):  # noqa: ANN201
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

    def open_store(self):  # noqa: ANN201 (keeps sqlalchemy off --help)
        from calldesk.db.engine import open_store

        timeouts = self.config.store
        store = open_store(self.store_target, create_parent=self.default_store,
                           connect_timeout=timeouts.connect_timeout.total_seconds(),
                           statement_timeout=timeouts.statement_timeout.total_seconds())
        _opened.append(store.describe())  # named by main() if the store fails mid-command
        return store

    def output(self, path: Path, option: str) -> Path:
        """Where --out/--ics writes: never over the store's own files (see db.files)."""
        from calldesk.db.engine import to_url
        from calldesk.db.files import output_path, store_files

        url = to_url(self.store_target)
        return output_path(path, option, store_files(url.database) if url.get_backend_name() == "sqlite" else ())

    @contextmanager
    def working_store(self) -> Iterator:  # noqa: ANN201
        """The store, with the day's warmth decay applied first (what queue and next see);
        CalldeskError for a caller a team lead made inactive (they get no work)."""
        from calldesk.db.team import start_work

        store = self.open_store()
        try:
            me = start_work(store, self.caller, self.now, self.config)
            if me.why_no_work:
                raise CalldeskError(me.why_no_work)
            yield store
        finally:
            store.close()


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


def parse_moment(text: str, option: str, config: Config, now: datetime) -> datetime:
    """A moment option, read as the app's picker reads it (calldesk.rules.schedule.read_moment): an
    ISO time, or 'morgen 10:00', '+2h', …; a time without a zone is the desk's zone
    (config.desk_zone), never this machine's, so a UTC server and a laptop in Amsterdam agree."""
    from calldesk.rules.schedule import read_moment

    if not text.strip():
        raise CalldeskError(_("{option} {text}: expected a moment such as 2026-11-23T09:00").format(
            option=option, text=repr(text)))
    try:
        moment = read_moment(text, now, config.desk_zone, config.region)
    except CalldeskError as exc:
        raise CalldeskError(f"{option} {text!r}: {exc}") from None
    except (ValueError, OverflowError):  # an ISO time at the ends of the calendar
        moment = None
    if moment is None or not YEARS[0] <= moment.year <= YEARS[1]:
        raise CalldeskError(_("{option} {text}: expected a year from {first} to {last}").format(
            option=option, text=repr(text), first=YEARS[0], last=YEARS[1]))
    return moment


# Days are added to moments (retry delays, weeks of calling windows, calendar ranges): near
# year 1 or 9999 that overflows, and no call desk plans that far.
YEARS = (1900, 2999)


def _in_years(year: int, option: str, text: str) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise CalldeskError(_("{option} {text}: expected a year from {first} to {last}").format(
            option=option, text=repr(text), first=YEARS[0], last=YEARS[1]))


# Options given before the command (`calldesk --caller anne --lang nl demo`) hold for it too;
# the command's own options win.
_root: dict[str, object] = {}
_opened: list[str] = []  # the stores this command opened, for fault_message


def make_context(db: str | None, config: Path | None, caller: str | None = None,
                 at: str | None = None) -> Context:
    db, config = db or _root.get("db"), config or _root.get("config")  # type: ignore[assignment]
    caller = caller or _root.get("caller")  # type: ignore[assignment]
    at = _root.get("at") if at is None else at  # type: ignore[assignment]  # '' is given, and refused
    cfg = load_config(config)
    from calldesk.i18n import resolve_language, set_language

    # --lang, else the config, else the locale; the app and the built-in script follow it.
    lang = resolve_language(_root.get("lang"), cfg.language, os.environ)
    cfg = cfg.model_copy(update={"language": lang})
    set_language(lang)
    from calldesk.db.engine import resolve_target

    target = resolve_target(db, os.environ, cfg.database)
    default_store = not (db or os.environ.get("CALLDESK_DB") or cfg.database)
    who = caller or os.environ.get("CALLDESK_CALLER") or _login_name()
    from calldesk.db.team import caller_name

    # The rule `caller add` applies: a blank, 'team' or overlong name would log calls as nobody.
    return Context(cfg, target, default_store, caller_name(who), parse_at(at, cfg), fixed=at is not None)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "caller"


def run_app(ctx: Context, store) -> None:  # noqa: ANN001
    from calldesk.screens.app import CalldeskApp

    # --at freezes the desk at that moment (a preview); otherwise it follows the clock.
    clock = (lambda: ctx.now) if ctx.fixed else (lambda: datetime.now(UTC))
    CalldeskApp(store=store, config=ctx.config, caller=ctx.caller, clock=clock, script=ctx.script(),
                freeze_startup=True).run()


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
    _root.clear()
    _root.update(db=db, config=config, caller=caller, at=at, lang=lang.value if lang else None)
    if version:
        from calldesk import __version__

        typer.echo(f"calldesk {__version__}")
        raise typer.Exit()
    if typer_ctx.invoked_subcommand is None:
        ctx = make_context(db, config, caller, at)
        store = ctx.open_store()
        try:
            run_app(ctx, store)
        finally:
            store.close()


@app.command(help=N_("Load demo leads into a fresh store and open the app on it.\n\nWithout --db the demo store "
           "is demo.db in calldesk's data folder, made anew each time."))
def demo(
    db: DbOpt = None,
    config: ConfigOpt = None,
    caller: CallerOpt = None,
    at: AtOpt = None,
    count: Annotated[int, typer.Option(min=1, max=100_000, help=N_("How many demo leads."))] = 300,
    open_app: Annotated[bool, typer.Option("--open/--no-open", help=N_("Open the app afterwards."))] = True,
) -> None:
    ctx = make_context(db, config, caller, at)
    if (db or _root.get("db")) is None:
        from calldesk.db.engine import default_store_path

        path = default_store_path().with_name("demo.db")
        for stale in (path, path.with_name("demo.db-wal"), path.with_name("demo.db-shm")):
            stale.unlink(missing_ok=True)
        ctx.store_target, ctx.default_store = str(path), True
    store = ctx.open_store()
    try:
        from calldesk.db.demo import load_demo
        from calldesk.db.leads import count_leads

        if count_leads(store):
            raise CalldeskError(_("store {store} already holds leads; the demo needs a fresh store").format(
                store=store.describe()))
        summary = load_demo(store, ctx.now, count=count, config=ctx.config, team_lead=ctx.caller)
        typer.echo(ngettext("Demo store {store}: {count} lead with calls, callbacks and signals.",
                            "Demo store {store}: {count} leads with calls, callbacks and signals.",
                            summary.imported).format(store=store.describe(), count=summary.imported))
        if open_app:
            run_app(ctx, store)
    finally:
        store.close()


@app.command("import", help=N_("Import leads from a CSV file. Duplicates (same number) only fill empty fields."))
def import_(
    file: Annotated[Path, typer.Argument(help=N_("CSV file: comma, semicolon or tab; UTF-8 or Excel's cp1252."), show_default=False)],
    region: Annotated[str | None, typer.Option(help=N_("Country for numbers without a country code [default: config region, NL]."), show_default=False)] = None,
    source: Annotated[str | None, typer.Option(help=N_("Name of this list [default: the file name]."), show_default=False)] = None,
    owner: Annotated[str | None, typer.Option(help=N_("Give new leads without an owner to this caller."), show_default=False)] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help=N_("COLUMN=FIELD for a header calldesk doesn't know (FIELD 'ignore' skips it; a file without a header names its columns 'column 1', 'column 2', …). Repeatable."), show_default=False)] = None,
    map_owner: Annotated[list[str] | None, typer.Option("--map-owner", help=N_("'CRM NAME=CALLER': leads the CRM gives to CRM NAME go to this caller. Repeatable."), show_default=False)] = None,
    strict_owners: Annotated[bool, typer.Option("--strict-owners", help=N_("Reject a row whose owner is not a caller [default: its lead goes to the shared pool]."))] = False,
    map_stage: Annotated[list[str] | None, typer.Option("--map-stage", help=N_("'VALUE=STAGE' for a stage or lead status calldesk doesn't know, e.g. 'Lost Lead=lost'. Repeatable."), show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Count what would happen; write nothing."))] = False,
    rejects: Annotated[Path | None, typer.Option(help=N_("Where rejected rows go [default: FILE.rejects.csv beside the input]."), show_default=False)] = None,
    allow_premium: Annotated[bool, typer.Option("--allow-premium", help=N_("Keep premium-rate and shared-cost numbers (0900, 09…): refused by default."))] = False,
    duplicates: Annotated[Path | None, typer.Option(help=N_("Where rows folded into an existing lead are listed [default: FILE.duplicates.csv beside the input]."), show_default=False)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
    caller: CallerOpt = None,
    at: AtOpt = None,
) -> None:
    from calldesk.rules.phones import is_region

    ctx = make_context(db, config, caller, at)
    if region and not is_region(region):
        raise CalldeskError(_("--region {region}: expected a two-letter country code such as NL").format(
            region=repr(region)))
    overrides = _parse_map(map_ or [])
    owner_map = _parse_pairs(map_owner or [], "--map-owner", "'Jan Jansen=jan'")
    from calldesk.rules.mapping import parse_stage_map

    stage_map = parse_stage_map(_parse_pairs(map_stage or [], "--map-stage", "'Lost Lead=lost'"))
    store = ctx.open_store()
    try:
        from calldesk.db.imports import import_csv

        with _Progress(file) as progress:
            summary = import_csv(
                store, file, now=ctx.now, by=ctx.caller, config=ctx.config,
                region=(region or ctx.config.region).upper(),
                source=source, owner=owner, overrides=overrides, dry_run=dry_run,
                stage_map=stage_map, owner_map=owner_map, strict_owners=strict_owners,
                rejects_path=rejects, duplicates_path=duplicates, progress=progress, allow_premium=allow_premium,
            )
    finally:
        store.close()
    _print_summary(summary)


def _parse_map(items: list[str]) -> dict[str, str]:
    overrides = {}
    for item in items:
        column, sep, field = item.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise CalldeskError(_("--map {item}: expected COLUMN=FIELD, e.g. --map 'Tel. werk=phone'").format(item=repr(item)))
        overrides[column.strip()] = field.strip().lower()
    return overrides


def _parse_pairs(items: list[str], option: str, example: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        left, sep, right = item.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise CalldeskError(_("{option} {item}: expected VALUE=NAME, e.g. {option} {example}").format(
                option=option, item=repr(item), example=example))
        pairs[left.strip()] = right.strip()
    return pairs


class _Progress:
    """A progress bar on a terminal, nothing when output goes to a file or pipe."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.bar = None

    def __enter__(self):  # noqa: ANN204
        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self.bar = Progress("{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                            transient=True)
        self.bar.start()
        task = self.bar.add_task(_("Importing {file}").format(file=self.file.name), total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# The import's counts as the summary names them (the field names stay English in the code).
_IMPORT_COUNTS = {"imported": N_("imported"), "updated": N_("updated"), "duplicates": N_("duplicates"),
                  "rejected": N_("rejected"), "suppressed": N_("suppressed")}


_OWNERS_SHOWN = 10  # unknown owners named in the summary, most leads first


def _print_summary(summary) -> None:  # noqa: ANN001
    if summary.dry_run:
        typer.echo(_("Dry run: nothing was written."))
    typer.echo(ngettext("{file}: {count} row read ({encoding}, delimiter {delimiter})",
                        "{file}: {count} rows read ({encoding}, delimiter {delimiter})", summary.rows_read).format(
        file=summary.file, count=summary.rows_read, encoding=summary.encoding, delimiter=repr(summary.delimiter)))
    from calldesk.db.imports import COUNTS

    labels = {name: _(_IMPORT_COUNTS.get(name, name)) for name in COUNTS[1:]}
    width = max(11, *(len(text) + 1 for text in labels.values()))
    for label in COUNTS[1:]:
        line = f"  {labels[label]:<{width}}{getattr(summary, label):>8}"
        if label == "rejected" and summary.rejects_path:
            line += f"   → {summary.rejects_path}"
        if label in ("updated", "duplicates") and summary.duplicates_path and getattr(summary, label):
            line += f"   → {summary.duplicates_path}"
        typer.echo(line)
    if summary.shape == "vicidial":
        typer.echo("  " + _("read as a VICIdial lead file (no header row; phone_code is the country calling code)"))
    elif summary.shape:
        typer.echo("  " + _("read without a header row: line 1 is a lead"))
    elif summary.skipped_lines:
        typer.echo("  " + ngettext("header found on line {line} (the line above it skipped)",
                                   "header found on line {line} (the lines above it skipped)",
                                   summary.skipped_lines).format(line=summary.skipped_lines + 1))
    owners = sorted(summary.unknown_owners.items(), key=lambda item: (-item[1], item[0]))
    for name, count in owners[:_OWNERS_SHOWN]:
        typer.echo("  " + ngettext(
            "owner {name} is not a caller: {count} lead went to the shared pool (give them to a caller with "
            "--map-owner {example})",
            "owner {name} is not a caller: {count} leads went to the shared pool (give them to a caller with "
            "--map-owner {example})", count).format(
            name=repr(name), count=count, example=shlex.quote(f"{name}=CALLER")))
    if len(owners) > _OWNERS_SHOWN:
        rest = owners[_OWNERS_SHOWN:]
        typer.echo("  " + ngettext("… and {count} more owner that is not a caller ({leads} leads in the pool)",
                                   "… and {count} more owners that are not callers ({leads} leads in the pool)",
                                   len(rest)).format(count=len(rest), leads=sum(c for _n, c in rest)))
    for line, reason in summary.first_rejects:
        typer.echo("  " + _("line {line}: {reason}").format(line=line, reason=reason))
    if summary.rejected > len(summary.first_rejects):
        more = summary.rejected - len(summary.first_rejects)
        typer.echo("  " + ngettext("… and {count} more rejected row", "… and {count} more rejected rows",
                                   more).format(count=more))


@app.command(help=N_("Export leads as CSV (formula-safe for spreadsheets)."))
def export(
    out: Annotated[Path | None, typer.Option(help=N_("Write to this file [default: standard output]."), show_default=False)] = None,
    stage: Annotated[str | None, typer.Option(help=N_("Only leads in this stage (suspect, prospect, hot_lead, opportunity, customer, lost)."), show_default=False)] = None,
    excel: Annotated[bool, typer.Option("--excel", help=N_("For Excel-NL: semicolons, a UTF-8 BOM, and phones a spreadsheet keeps as text (+31 6 52965724)."))] = False,
    person: Annotated[str | None, typer.Option("--person", metavar="PHONE", help=N_("Instead: everything stored about the person with this number, as JSON (an access request)."), show_default=False)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    ctx = make_context(db, config)
    if person is not None:
        if stage or excel:
            raise CalldeskError(_("--person exports one person as JSON: it goes without --stage and --excel"))
        _export_person(ctx, person, out)
        return
    try:
        wanted = Stage(stage) if stage else None
    except ValueError:
        raise CalldeskError(_("--stage {stage}: expected one of {stages}").format(
            stage=repr(stage), stages=", ".join(s.value for s in Stage))) from None
    target = ctx.output(out, "--out") if out is not None else None  # refused before anything is read
    store = ctx.open_store()
    try:
        from calldesk.db.exports import export_leads

        delimiter = ";" if excel else ","
        if target is None:
            if excel:  # `> file.csv` is how most write it: Excel needs the BOM there too
                sys.stdout.write("\ufeff")
            export_leads(store, sys.stdout, stage=wanted, delimiter=delimiter, spreadsheet=excel)
            return
        from calldesk.db.files import replacing

        try:
            with replacing(target, encoding="utf-8-sig" if excel else "utf-8", newline="") as handle:
                count = export_leads(store, handle, stage=wanted, delimiter=delimiter, spreadsheet=excel)
        except OSError as exc:
            raise CalldeskError(_("cannot write {path}: {error}").format(path=out, error=exc.strerror or exc)) from None
        typer.echo(ngettext("{count} lead written to {path}", "{count} leads written to {path}", count).format(
            count=count, path=out), err=True)
    finally:
        store.close()


def _export_person(ctx: Context, phone: str, out: Path | None) -> None:
    from calldesk.db.privacy import person_record
    from calldesk.rules.phones import PhoneError

    target = ctx.output(out, "--out") if out is not None else None  # refused before any reading
    store = ctx.open_store()
    try:
        record = person_record(store, phone, region=ctx.config.region, now=ctx.now)
    except PhoneError as exc:
        raise _phone_error(phone, exc) from None
    finally:
        store.close()
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if target is None:
        sys.stdout.write(text)
    else:
        from calldesk.db.files import replacing

        try:
            with replacing(target, encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise CalldeskError(_("cannot write {path}: {error}").format(path=out, error=exc.strerror or exc)) from None
        typer.echo(ngettext("{number}: {count} lead written to {path}", "{number}: {count} leads written to {path}",
                            len(record["leads"])).format(number=record["number"], count=len(record["leads"]), path=out),
                   err=True)
    if not record["leads"] and record["do_not_call"] is None:
        typer.echo(_("nothing stored about {number}").format(number=record["number"]), err=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class NextFormat(StrEnum):
    text = "text"
    json = "json"


def _queue_rows(entries, ctx: Context) -> list[dict[str, object]]:  # noqa: ANN001
    from calldesk.rules.windows import local_time, their_span, zones_of

    rows = []
    for e in entries:
        local = local_time(e.time_zone, ctx.now, ctx.config.region)
        several = len(zones_of(e.time_zone)) > 1  # no one zone is theirs: the span of their clocks
        rows.append({
            "id": e.lead_id, "company": e.company, "contact": e.contact_name, "phone": e.phone_e164,
            "local_time": their_span(e.time_zone, ctx.now, ctx.config.region) if several
            else local.strftime("%a %H:%M ") + (local.tzname() or ""),
            "stage": e.stage.value, "warmth": e.warmth,
            "reasons": "; ".join(f"{text} {points:+d}" for text, points in e.reasons),
            "next_action": e.next_action,
            "callback_due": e.callback_due_at.isoformat() if e.callback_due_at else "",
        })
    return rows


@app.command(help=N_("The caller's queue in order: due callbacks first, then the warmest callable leads."))
def queue(
    caller: CallerOpt = None,
    at: AtOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help=N_("How many leads."))] = 50,
    format_: Annotated[Format, typer.Option("--format", help=N_("Output format."))] = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.queue import queue as load_queue

    ctx = make_context(db, config, caller, at)
    with ctx.working_store() as store:
        result = load_queue(store, ctx.caller, ctx.now, ctx.config, limit)
    rows = _queue_rows(result.entries, ctx)
    if format_ is Format.json:
        typer.echo(json.dumps({"caller": ctx.caller, "at": ctx.now.isoformat(), "leads": rows,
                               "why_empty": result.why_empty}, ensure_ascii=False, indent=2))
        return
    if format_ is Format.csv:
        from calldesk.db.exports import neutralise

        writer = csv.DictWriter(sys.stdout, fieldnames=list(_QUEUE_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralise(str(v)) for k, v in row.items()} for row in rows)
    else:
        _print_table(_shown_rows(rows, result.entries, ctx))
    if not rows:
        typer.echo(result.why_empty, err=True)


def _shown_rows(rows: list[dict[str, object]], entries, ctx: Context) -> list[dict[str, object]]:  # noqa: ANN001
    """The table for people: stage, next action and warmth reasons in the UI language (JSON
    and CSV keep the stored English, for scripts)."""
    from calldesk.i18n import format_weekday_time
    from calldesk.rules.warmth import reason_text
    from calldesk.rules.windows import local_time

    shown = []
    for row, e in zip(rows, entries, strict=True):
        local = local_time(e.time_zone, ctx.now, ctx.config.region)
        shown.append({**row, "local_time": f"{format_weekday_time(local)} {local.tzname() or ''}".rstrip(),
                      "stage": e.stage.ui_label, "next_action": _(e.next_action),
                      "reasons": "; ".join(f"{reason_text(text)} {points:+d}" for text, points in e.reasons)})
    return shown


_QUEUE_COLUMNS = {"id": 6, "company": 28, "contact": 20, "phone": 15, "local_time": 14, "stage": 11,
                  "warmth": 6, "next_action": 13, "callback_due": 25, "reasons": 60}


def _print_table(rows: list[dict[str, object]]) -> None:
    def cell(value: object, width: int) -> str:
        text = str(value)
        return (text[: width - 1] + "…" if len(text) > width else text).ljust(width)

    typer.echo("  ".join(cell(name, w) for name, w in _QUEUE_COLUMNS.items()).rstrip())
    for row in rows:
        typer.echo("  ".join(cell(row[name], w) for name, w in _QUEUE_COLUMNS.items()).rstrip())


@app.command("next", help=N_("Claim the next lead and print it (for a softphone or dialer). Exit status 3: nothing "
           "callable."))
def next_(
    caller: CallerOpt = None,
    at: AtOpt = None,
    format_: Annotated[NextFormat, typer.Option("--format", help=N_("text: id, phone, company, extension (tab-separated); json."))] = NextFormat.text,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.queue import claim_next

    ctx = make_context(db, config, caller, at)
    from calldesk.db.leads import lead_detail

    with ctx.working_store() as store:
        entry, why = claim_next(store, ctx.caller, ctx.now, ctx.config, clock=datetime.now(UTC))
        detail = lead_detail(store, entry.lead_id, calls=0) if entry is not None else None
    if entry is None:
        typer.echo(f"calldesk: {why}", err=True)
        raise typer.Exit(3)
    extension = detail.lead.phone_extension if detail is not None else ""  # dialled once the call connects
    if format_ is NextFormat.json:
        typer.echo(json.dumps({**_queue_rows([entry], ctx)[0], "extension": extension}, ensure_ascii=False))
    else:
        typer.echo(f"{entry.lead_id}\t{entry.phone_e164}\t{entry.company}\t{extension}")


def _parse_bant(text: str | None, script) -> dict:  # noqa: ANN001
    """--bant budget=yes,authority=decision_maker,need=yes,timing=3m, checked against the script."""
    from calldesk.rules.script import Answer

    answers = {}
    options = {q.element: [o.value for o in q.options] for q in script.questions}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        element, sep, value = (x.strip().lower() for x in item.partition("="))
        if not sep or not value:
            raise CalldeskError(_("--bant {item}: expected ELEMENT=VALUE, e.g. --bant budget=yes,timing=3m").format(
                item=repr(item)))
        if element not in options:
            raise CalldeskError(_("--bant {element}: expected one of {elements}").format(
                element=repr(element), elements=", ".join(options)))
        if value not in options[element]:
            raise CalldeskError(_("--bant {element}={value}: expected one of {values}").format(
                element=element, value=value, values=", ".join(options[element])))
        answers[element] = Answer(value)
    return answers


@app.command("log", help=N_("Record a call's outcome, exactly as the call screen does (for scripts and dialers)."))
def log_outcome(
    lead_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help=N_("The lead's id (as `calldesk queue` and `next` print it)."), show_default=False)],
    outcome: Annotated[str, typer.Argument(help=N_("no_answer, busy, voicemail, wrong_number, not_interested, no_fit, callback, interested, qualified, appointment, won, do_not_call."), show_default=False)],
    note: Annotated[str, typer.Option(help=N_("Notes on the call."))] = "",
    callback: Annotated[str | None, typer.Option(help=N_("Call back at this moment (needed for `callback`): 2026-11-24T14:00, or as typed in the app ('morgen 10:00', '+2h'); a time without a zone is the desk's zone (config `timezone`)."), show_default=False)] = None,
    team: Annotated[bool, typer.Option("--team", help=N_("The callback is for the whole team, not only you."))] = False,
    appointment: Annotated[str | None, typer.Option(help=N_("The appointment's moment (needed for `appointment`), as --callback; a time without a zone is the desk's zone."), show_default=False)] = None,
    bant: Annotated[str | None, typer.Option(help=N_("Answers, e.g. budget=yes,authority=decision_maker,need=yes,timing=3m."), show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", help=N_("Record `qualified` even when the qualification rule doesn't hold."))] = False,
    again: Annotated[bool, typer.Option("--again", help=N_("Record it even if you logged this outcome on this lead less than a minute ago (otherwise that is taken as the same call sent twice)."))] = False,
    request_id: Annotated[str | None, typer.Option("--request-id", metavar="KEY", help=N_("Your id for this request: sending the same KEY again records nothing, however much later."), show_default=False)] = None,
    as_team_lead: Annotated[bool, typer.Option("--as-team-lead", help=N_("Record it on a lead another caller owns (team leads only)."))] = False,
    caller: CallerOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.rules.outcomes import Outcome, parse_outcome

    ctx = make_context(db, config, caller, at)
    chosen = parse_outcome(outcome)
    if chosen is None:
        raise CalldeskError(_("unknown outcome {outcome}: expected one of {outcomes}").format(
            outcome=repr(outcome), outcomes=", ".join(o.value for o in Outcome)))
    answers = _parse_bant(bant, ctx.script())
    # Read before the store opens: a mistyped time writes nothing.
    callback_at = None if callback is None else parse_moment(callback, "--callback", ctx.config, ctx.now)
    appointment_at = None if appointment is None else parse_moment(appointment, "--appointment", ctx.config, ctx.now)
    if team and not callback:
        raise CalldeskError(_("--team goes with --callback"))
    store = ctx.open_store()
    try:
        from calldesk.db.calls import CallbackRequest, record_outcome
        from calldesk.db.leads import lead_detail
        from calldesk.db.team import ensure_caller
        from calldesk.rules.script import qualify

        ensure_caller(store, ctx.caller, ctx.now)

        if chosen is Outcome.qualified and not yes:
            detail = lead_detail(store, lead_id)
            known = {**(detail.bant if detail else {}), **{k: a.value for k, a in answers.items()}}
            verdict = qualify(known, ctx.config.qualification)
            if detail is not None and not verdict.qualified:
                raise CalldeskError(_("lead {id} doesn't qualify yet ({missing}); add --bant answers, or --yes "
                                      "to record it anyway").format(id=lead_id, missing="; ".join(verdict.missing)))
        recorded = record_outcome(
            store, lead_id, chosen, caller=ctx.caller, now=ctx.now, config=ctx.config, notes=note, bant=answers,
            callback=CallbackRequest(callback_at, team, note) if callback_at else None,
            appointment_at=appointment_at,
            again=again, request_id=request_id, as_team_lead=as_team_lead,
            clock=datetime.now(UTC),  # claims are judged on the real time, whatever --at says
        )
    finally:
        store.close()
    if recorded.call_id is None:  # the request's call was undone since
        typer.echo(recorded.summary(ctx.config.region))
    else:
        typer.echo(_("call {id}: {summary}").format(id=recorded.call_id, summary=recorded.summary(ctx.config.region)))


dnc_app = typer.Typer(help=N_("The do-not-call list: numbers never offered again, whatever lead they come back under."),
                      no_args_is_help=True)
app.add_typer(dnc_app, name="dnc")
PhoneArg = Annotated[str, typer.Argument(help=N_("The number, as typed (06-12345678, +32 2 512 34 56, …)."), show_default=False)]
RegionOpt = Annotated[str | None, typer.Option(help=N_("Country for a number without a country code [default: config region]."), show_default=False)]


def _region(ctx: Context, region: str | None) -> str:
    from calldesk.rules.phones import is_region

    if region and not is_region(region):
        raise CalldeskError(_("--region {region}: expected a two-letter country code such as NL").format(
            region=repr(region)))
    return (region or ctx.config.region).upper()


def _phone_error(phone: str, exc: CalldeskError) -> CalldeskError:
    return CalldeskError(_("{phone} is not a number calldesk can use: {reason}").format(phone=repr(phone), reason=exc))


@dnc_app.command("add", help=N_("Put a number on the do-not-call list."))
def dnc_add(phone: PhoneArg, reason: Annotated[str, typer.Option(help=N_("Why (kept with the number)."))] = "asked not to be called",
            region: RegionOpt = None, caller: CallerOpt = None, at: AtOpt = None, db: DbOpt = None,
            config: ConfigOpt = None) -> None:
    from calldesk.db.calls import dnc_add as add
    from calldesk.rules.phones import PhoneError

    ctx = make_context(db, config, caller, at)
    store = ctx.open_store()
    try:
        number, added = add(store, phone, now=ctx.now, by=ctx.caller, region=_region(ctx, region), reason=reason)
    except PhoneError as exc:
        raise _phone_error(phone, exc) from None
    finally:
        store.close()
    typer.echo((_("{number} added to the do-not-call list") if added
                else _("{number} was already on the do-not-call list")).format(number=number))


@dnc_app.command("remove", help=N_("Take a number off the do-not-call list (only when the person asked to be called again)."))
def dnc_remove(phone: PhoneArg, region: RegionOpt = None, db: DbOpt = None, config: ConfigOpt = None) -> None:
    from calldesk.db.calls import dnc_remove as remove
    from calldesk.rules.phones import PhoneError

    ctx = make_context(db, config)
    store = ctx.open_store()
    try:
        number, removed = remove(store, phone, region=_region(ctx, region))
    except PhoneError as exc:
        raise _phone_error(phone, exc) from None
    finally:
        store.close()
    if not removed:
        raise CalldeskError(_("{number} is not on the do-not-call list").format(number=number))
    typer.echo(_("{number} removed from the do-not-call list").format(number=number))


@dnc_app.command("list", help=N_("Every number on the do-not-call list: number, added (UTC), by whom, why."))
def dnc_list(db: DbOpt = None, config: ConfigOpt = None) -> None:
    from calldesk.db.calls import dnc_list as entries

    ctx = make_context(db, config)
    store = ctx.open_store()
    try:
        rows = entries(store)
    finally:
        store.close()
    for row in rows:
        typer.echo(f"{row.phone_e164}\t{row.added_at:%Y-%m-%d %H:%M}\t{row.added_by}\t{row.reason}")
    # The count on stderr: stdout stays one number per line for scripts.
    typer.echo(ngettext("{count} number on the do-not-call list", "{count} numbers on the do-not-call list",
                        len(rows)).format(count=len(rows)), err=True)


# -- privacy: erasure and retention ------------------------------------------------------------

# Functions, not pairs: ngettext needs the literal texts where it is called, for the catalog.
_ROW_NAMES = {"calls": lambda n: ngettext("{count} call", "{count} calls", n),
              "bant_answers": lambda n: ngettext("{count} BANT answer", "{count} BANT answers", n),
              "callbacks": lambda n: ngettext("{count} callback", "{count} callbacks", n),
              "signals": lambda n: ngettext("{count} signal", "{count} signals", n),
              "activities": lambda n: ngettext("{count} e-mail/LinkedIn message", "{count} e-mails/LinkedIn messages", n),
              "stage_changes": lambda n: ngettext("{count} stage change", "{count} stage changes", n)}


def _rows_text(rows: dict[str, int]) -> str:
    parts = [name_of(rows[name]).format(count=rows[name]) for name, name_of in _ROW_NAMES.items() if rows.get(name)]
    return ", ".join(parts) or _("no history")


def _scrub_warning(scrubbed: bool | None) -> None:
    if scrubbed is False:
        typer.echo(_("calldesk: warning: {message}").format(message=_(
            "the store file could not be rewritten or its write-ahead log emptied (another calldesk is using "
            "it): old copies of the deleted rows stay in those files until every calldesk on this store has "
            "closed")), err=True)


@app.command(help=N_("Erase everything stored about a person (team leads only): their lead with its calls, "
           "notes, BANT answers, callbacks, signals and history. A number on the do-not-call list "
           "stays suppressed, as a keyed hash only. A SQLite store is rewritten so no copy stays in "
           "the file."))
def erase(
    lead_or_phone: Annotated[str, typer.Argument(help=N_("The lead's id, or the person's number as typed (06-12345678, +32 2 512 34 56, …)."), show_default=False)],
    objected: Annotated[bool, typer.Option("--objected", help=N_("They object to being called: keep the number suppressed (as a keyed hash) even if it was not on the do-not-call list."))] = False,
    region: RegionOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.privacy import erase as erase_person

    ctx = make_context(db, config, None, at)
    store = ctx.open_store()
    try:
        done = erase_person(store, lead_or_phone, by=ctx.caller, now=ctx.now, region=_region(ctx, region),
                            objected=objected)
    finally:
        store.close()
    what = (_("lead {id} ({company}) erased with {rows}").format(
                id=done.lead_ids[0], company=done.company or _("no company"), rows=_rows_text(done.rows))
            if done.lead_ids else _("no lead has {number}").format(number=done.number))
    kept = (_("the number stays on the do-not-call list as a keyed hash only") if done.suppressed
            else _("the number is not on the do-not-call list"))
    typer.echo(f"{what}; {kept}")
    _scrub_warning(done.scrubbed)


@app.command(help=N_("Remove lost leads kept longer than [privacy] retain_lost_months (default 24) since they "
           "were lost, with their history (--apply: team leads only). Numbers on the do-not-call "
           "list stay suppressed, as keyed hashes."))
def purge(
    apply: Annotated[bool, typer.Option("--apply", help=N_("Delete them; without it, only list what would go."))] = False,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.privacy import purge_lost

    ctx = make_context(db, config, None, at)
    months = ctx.config.privacy.retain_lost_months
    store = ctx.open_store()
    try:
        done = purge_lost(store, now=ctx.now, months=months, by=ctx.caller, apply=apply)
    finally:
        store.close()
    values = {"leads": ngettext("{count} lead", "{count} leads", len(done.leads)).format(count=len(done.leads)),
              "cutoff": f"{done.cutoff:%Y-%m-%d}", "months": months}
    if not done.applied:
        typer.echo((_("Dry run: {leads} lost before {cutoff} (kept {months} months) would be removed; "
                      "--apply removes them.") if done.leads
                    else _("Dry run: {leads} lost before {cutoff} (kept {months} months) would be removed."))
                   .format(**values))
    else:
        text = (_("{leads} lost before {cutoff} (kept {months} months) removed with {rows}") if done.leads
                else _("{leads} lost before {cutoff} (kept {months} months) removed"))
        if done.kept_suppressed:
            text += "; " + _("{count} kept on the do-not-call list as keyed hashes")
        typer.echo(text.format(**values, rows=_rows_text(done.rows), count=done.kept_suppressed))
    if done.leads:
        company_head, lost_head = _("company"), _("lost since")
        typer.echo(f"  {'id':>7}  {company_head:<30}  {lost_head}")
    for item in done.leads:
        company = item.company if len(item.company) <= 30 else item.company[:29] + "…"
        typer.echo(f"  {item.lead_id:>7}  {company:<30}  {item.lost_since:%Y-%m-%d}")
    _scrub_warning(done.scrubbed)


FromOpt = Annotated[str | None, typer.Option("--from", help=N_("First day, YYYY-MM-DD on the desk's calendar (the desk's zone: config `timezone`, default the region's)."), show_default=False)]
ToOpt = Annotated[str | None, typer.Option("--to", help=N_("Last day, YYYY-MM-DD, included, on the desk's calendar."), show_default=False)]


def _desk_days(from_: str | None, to: str | None, config: Config) -> tuple[datetime | None, datetime | None]:
    """--from/--to as [start, end) in UTC: the first day's and the day after the last day's
    local midnight in the desk's zone (config.desk_zone); None where not given."""
    from datetime import date, timedelta

    from calldesk.rules.windows import local_midnight

    days = []
    for option, text in (("--from", from_), ("--to", to)):
        if text is None:
            days.append(None)
            continue
        try:
            days.append(date.fromisoformat(text.strip()))
        except ValueError:
            raise CalldeskError(_("{option} {text}: expected a date as YYYY-MM-DD, e.g. 2026-11-23").format(
                option=option, text=repr(text))) from None
        _in_years(days[-1].year, option, text)
    first, last = days
    if first and last and first > last:
        raise CalldeskError(_("--from {first} is after --to {last}").format(first=first, last=last))
    region, zone = config.region, config.desk_zone
    return (local_midnight(first, region, zone) if first else None,
            local_midnight(last + timedelta(days=1), region, zone) if last else None)


def _report_dict(result) -> dict[str, object]:  # noqa: ANN001
    def figures(rows) -> list[dict[str, object]]:  # noqa: ANN001
        return [{"caller": f.caller, "calls": f.calls, "connects": f.connects, "connect_rate": f.connect_rate,
                 "hot_leads": f.hot_leads, "appointments": f.appointments, "wins": f.wins, "goal": f.goal,
                 "of_goal": f.of_goal} for f in rows]

    return {
        "at": result.now.isoformat(), "period": {"start": result.start.isoformat(), "end": result.end.isoformat()},
        "day_start": result.day_start.isoformat(), "week_start": result.week_start.isoformat(),
        "funnel": {stage.value: count for stage, count in result.funnel.items()},
        "conversion": [{"from": c.from_stage.value, "to": c.to_stage.value, "base": c.base,
                        "converted": c.converted, "rate": c.rate} for c in result.conversion],
        "today": figures(result.today), "week": figures(result.week),
        "calls_per_hour": [{"hour": h.hour.isoformat(), "calls": h.calls} for h in result.calls_per_hour],
        "stuck_counts": {stage.value: count for stage, count in result.stuck_counts.items()},
        "stuck": [{"id": s.lead_id, "company": s.company, "contact": s.contact, "phone": s.phone_e164,
                   "stage": s.stage.value, "owner": s.owner, "last_activity": s.last_activity_at.isoformat(),
                   "idle_days": s.idle_days} for s in result.stuck],
    }


def _report_csv(data: dict) -> None:
    """One long table (section, subject, metric, value): every figure a row, for spreadsheets."""
    from calldesk.db.exports import neutralise

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["section", "subject", "metric", "value"])
    rows: list[tuple[object, ...]] = [("funnel", stage, "leads", n) for stage, n in data["funnel"].items()]
    for c in data["conversion"]:
        step = f"{c['from']}>{c['to']}"
        rows += [("conversion", step, "base", c["base"]), ("conversion", step, "converted", c["converted"]),
                 ("conversion", step, "rate", "" if c["rate"] is None else round(c["rate"], 4))]
    for section in ("today", "week"):
        for f in data[section]:
            rows += [(section, f["caller"], metric, "" if value is None else round(value, 4))
                     for metric, value in f.items() if metric != "caller"]
    rows += [("calls_per_hour", h["hour"], "calls", h["calls"]) for h in data["calls_per_hour"]]
    rows += [("stuck", stage, "leads", n) for stage, n in data["stuck_counts"].items()]
    for s in data["stuck"]:
        rows += [("stuck_lead", s["id"], metric, "" if value is None else value)
                 for metric, value in s.items() if metric != "id"]
    writer.writerows([neutralise(str(value)) for value in row] for row in rows)


def _columns(heads: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(heading, width) in the current language: a column grows when its heading needs more room."""
    return [(_(head), max(width, len(_(head)) + 1)) for head, width in heads]


def _report_table(result, region: str) -> None:  # noqa: ANN001
    from calldesk.i18n import format_day_time, format_percent
    from calldesk.rules.windows import local_time

    def desk(moment: datetime) -> str:
        return format_day_time(local_time(None, moment, region), pad=True)

    def percent(value: float | None) -> str:
        return "" if value is None else format_percent(value)

    def bar(count: int, most: int, width: int = 40) -> str:
        return "█" * max(1, round(width * count / most)) if count and most else ""

    zone = local_time(None, result.now, region).tzinfo
    typer.echo(_("Pipeline report at {moment} ({zone})").format(moment=desk(result.now), zone=zone))
    typer.echo("\n" + _("Leads per stage"))
    most = max(result.funnel.values(), default=0)
    for stage, count in result.funnel.items():
        typer.echo(f"  {stage.ui_label:<12}{count:>9}  {bar(count, most)}".rstrip())
    typer.echo("\n" + _("Conversion {start} – {end}").format(start=desk(result.start), end=desk(result.end)))
    (step_head, step_w), *steps = _columns([(N_("step"), 27), (N_("in step"), 9), (N_("reached next"), 14),
                                            (N_("rate"), 8)])
    typer.echo(f"  {step_head:<{step_w}}" + "".join(f"{head:>{w}}" for head, w in steps))
    for c in result.conversion:
        step = f"{c.from_stage.ui_label} → {c.to_stage.ui_label}"
        values = (c.base, c.converted, percent(c.rate))
        typer.echo(f"  {step:<{step_w}}" + "".join(f"{v:>{w}}" for v, (_head, w) in zip(values, steps, strict=True)))
    for title, rows in ((_("Callers today"), result.today), (_("Callers this week"), result.week)):
        typer.echo("\n" + title)  # each caller's own goal is in their row: goals differ per caller
        if not rows:
            typer.echo("  " + _("no calls"))
            continue
        (name_head, name_w), *figures = _columns([
            (N_("caller"), 16), (N_("calls"), 7), (N_("connects"), 10), (N_("connect %"), 11), (N_("hot leads"), 11),
            (N_("appointments"), 14), (N_("wins"), 6), (N_("goal"), 6), (N_("of goal"), 9)])
        typer.echo(f"  {name_head:<{name_w}}" + "".join(f"{head:>{w}}" for head, w in figures))
        for f in rows:
            name = f.caller if len(f.caller) < name_w else f.caller[:name_w - 2] + "…"
            values = (f.calls, f.connects, percent(f.connect_rate), f.hot_leads, f.appointments, f.wins, f.goal,
                      percent(f.of_goal))
            typer.echo(f"  {name:<{name_w}}" + "".join(f"{v:>{w}}" for v, (_head, w) in zip(values, figures, strict=True)))
    typer.echo("\n" + _("Calls per hour today"))
    busy = [h for h in result.calls_per_hour if h.calls]
    if not busy:
        typer.echo("  " + _("no calls"))
    else:
        # From the first hour with calls to now's hour: the quiet night hours say nothing.
        shown = [h for h in result.calls_per_hour if h.hour >= busy[0].hour]
        most = max(h.calls for h in shown)
        for h in shown:
            typer.echo(f"  {h.hour:%H:%M}{h.calls:>7}  {bar(h.calls, most)}".rstrip())
    counts = ", ".join(f"{stage.ui_label} {n}" for stage, n in result.stuck_counts.items())
    heading = _("Stuck leads: {count} ({stages})").format(count=result.stuck_total, stages=counts)
    if len(result.stuck) < result.stuck_total:
        heading += "; " + _("the oldest {count}").format(count=len(result.stuck))
    typer.echo("\n" + heading)
    (id_head, id_w), (company_head, company_w), (stage_head, stage_w), (owner_head, owner_w), \
        (last_head, last_w), (days_head, days_w) = _columns([
            (N_("id"), 7), (N_("company"), 26), (N_("stage"), 11), (N_("owner"), 12), (N_("last activity"), 16),
            (N_("days"), 5)])
    if result.stuck:
        typer.echo(f"  {id_head:>{id_w}}  {company_head:<{company_w}}  {stage_head:<{stage_w}}  "
                   f"{owner_head:<{owner_w}}  {last_head:<{last_w}}  {days_head:>{days_w}}")
    for s in result.stuck:
        company = s.company if len(s.company) <= company_w else s.company[:company_w - 1] + "…"
        owner = (s.owner or "") if len(s.owner or "") <= owner_w else s.owner[:owner_w - 1] + "…"
        typer.echo(f"  {s.lead_id:>{id_w}}  {company:<{company_w}}  {s.stage.ui_label:<{stage_w}}  "
                   f"{owner:<{owner_w}}  {desk(s.last_activity_at):<{last_w}}  {s.idle_days:>{days_w}}")


@app.command(help=N_("The pipeline for team leads: leads per stage, conversion over a period (default: this "
           "week up to now), each caller's figures today and this week, calls per hour, stuck leads."))
def report(
    from_: FromOpt = None,
    to: ToOpt = None,
    stuck_limit: Annotated[int, typer.Option("--stuck-limit", min=0, max=100_000, help=N_("How many stuck leads to list (all are counted)."))] = 50,
    format_: Annotated[Format, typer.Option("--format", help=N_("Output format."))] = Format.table,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.reports import pipeline_report
    from calldesk.rules.windows import day_bounds, week_start

    ctx = make_context(db, config, None, at)
    region = ctx.config.region
    start, end = _desk_days(from_, to, ctx.config)
    monday = week_start(ctx.now, region)
    start, end = start or monday, end or ctx.now
    if start >= end and from_ is None:  # only --to, before this week began
        raise CalldeskError(_("--to {last} ends before this week's Monday, where the period starts without "
                              "--from: give --from too").format(last=to))
    if start >= end:
        raise CalldeskError(_("--from {first} is not before the end of the period ({end} UTC)").format(
            first=from_, end=f"{end:%Y-%m-%d %H:%M}"))
    store = ctx.open_store()
    try:
        from calldesk.db.team import require_team_lead

        require_team_lead(store, ctx.caller, "read the pipeline report")
        result = pipeline_report(store, ctx.now, ctx.config, start=start, end=end,
                                 day_start=day_bounds(ctx.now, region)[0], week_start=monday, stuck_limit=stuck_limit)
    finally:
        store.close()
    if format_ is Format.json:
        typer.echo(json.dumps(_report_dict(result), ensure_ascii=False, indent=2))
    elif format_ is Format.csv:
        _report_csv(_report_dict(result))
    else:
        _report_table(result, region)


# Key: (heading, width); 100 columns with the indent.
_AGENDA_COLUMNS = {"due": (N_("due (desk)"), 16), "lead_time": (N_("lead time"), 9), "lead": (N_("lead"), 5),
                   "company": (N_("company"), 18), "phone": (N_("phone"), 15), "note": (N_("note"), 15),
                   "set_by": (N_("set by"), 7)}


_AGENDA_FIELDS = ("group", "due_at", "caller", "callback_id", "lead_id", "company", "contact", "phone",
                  "time_zone", "lead_local_time", "note", "created_by", "released_from")


def _agenda_rows(items) -> list[dict[str, object]]:  # noqa: ANN001
    return [{"group": i.group, "due_at": i.due_at.isoformat(), "caller": i.caller, "callback_id": i.callback_id,
             "lead_id": i.lead_id, "company": i.company, "contact": i.contact, "phone": i.phone_e164,
             "time_zone": i.time_zone, "lead_local_time": i.due_local.isoformat(), "note": i.note,
             "created_by": i.created_by, "released_from": i.released_from} for i in items]


def _agenda_table(items, region: str) -> None:  # noqa: ANN001
    from calldesk.i18n import format_day_time
    from calldesk.rules.windows import local_time

    def cell(value: object, width: int) -> str:
        text = str(value)
        return (text[: width - 1] + "…" if len(text) > width else text).ljust(width)

    typer.echo("  " + "  ".join(cell(_(head), w) for head, w in _AGENDA_COLUMNS.values()).rstrip())
    group = caller = object()  # neither matches the first item
    for i in items:
        if i.group != group:
            group, caller = i.group, object()
            typer.echo(f"{_(i.group).upper()} ({sum(1 for x in items if x.group == i.group)})")  # stored English
        if i.caller != caller:
            caller = i.caller
            typer.echo(" " + (i.caller or _("team")))
        if i.released_from:
            values_note = _("from {caller}: {note}").format(caller=i.released_from, note=i.note)
        else:
            values_note = i.note
        values = {"due": format_day_time(local_time(None, i.due_at, region), pad=True),
                  "lead_time": f"{i.due_local:%H:%M} {i.due_local.tzname()}", "lead": i.lead_id,
                  "company": i.company, "phone": i.phone_e164, "note": values_note, "set_by": i.created_by}
        typer.echo("  " + "  ".join(cell(values[name], w) for name, (_head, w) in _AGENDA_COLUMNS.items()).rstrip())


@app.command(help=N_("Open callbacks by day (overdue, today, tomorrow, this week, later) and by caller, with "
           "the lead, its time, the note and who set it. Times in the table are the desk's."))
def callbacks(
    caller: Annotated[str | None, typer.Option("--caller", help=N_("NAME: that caller's callbacks and the team's; 'team': team callbacks only [default: everyone's]."), show_default=False)] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Only callbacks already due."))] = False,
    format_: Annotated[Format, typer.Option("--format", help=N_("Output format."))] = Format.table,
    ics: Annotated[Path | None, typer.Option("--ics", help=N_("Write an iCalendar file instead (callbacks and appointments; re-importing it updates the events)."), show_default=False)] = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.agenda import agenda, appointments, closed_callbacks, store_id, write_ics
    from calldesk.rules.windows import day_bounds

    ctx = make_context(db, config, None, at)
    region = ctx.config.region
    start, end = _desk_days(from_, to, ctx.config)
    who = caller.strip().lower() if caller and caller.strip() else None
    target = ctx.output(ics, "--ics") if ics is not None else None
    store = ctx.open_store()
    try:
        from calldesk.db.team import get_caller, is_team_lead, release_overdue

        if not is_team_lead(store, ctx.caller):  # callers see their own and the team's
            if who not in (None, "team", ctx.caller):
                raise CalldeskError(_("only a team lead can see {who}'s callbacks ({caller} is not one)").format(
                    who=who, caller=ctx.caller))
            who = who or ctx.caller
        elif who not in (None, "team") and get_caller(store, who) is None:  # a typo would show the team's
            raise CalldeskError(_("no caller named {name} (see calldesk caller list)").format(name=who))
        release_overdue(store, ctx.now, ctx.config)
        items = agenda(store, ctx.now, ctx.config, caller=who, start=start, end=end, overdue_only=overdue)
        meetings = [] if ics is None or overdue else appointments(
            store, ctx.config, caller=who, start=start or day_bounds(ctx.now, region)[0], end=end)
        closed = [] if ics is None else closed_callbacks(store, ctx.now, caller=who)
        this_store = store_id(store) if ics is not None else ""
    finally:
        store.close()
    if ics is not None:
        try:
            write_ics(items, meetings, target, now=ctx.now, store=this_store, closed=closed)
        except OSError as exc:
            raise CalldeskError(_("cannot write {path}: {error}").format(path=ics, error=exc.strerror or exc)) from None
        callbacks_text = ngettext("{count} callback", "{count} callbacks", len(items)).format(count=len(items))
        meetings_text = ngettext("{count} appointment", "{count} appointments", len(meetings)).format(
            count=len(meetings))
        typer.echo(_("{callbacks} and {appointments} written to {path}").format(
            callbacks=callbacks_text, appointments=meetings_text, path=ics), err=True)
        return
    rows = _agenda_rows(items)
    if format_ is Format.json:
        typer.echo(json.dumps({"at": ctx.now.isoformat(), "caller": who, "callbacks": rows},
                              ensure_ascii=False, indent=2))
        return
    if format_ is Format.csv:
        from calldesk.db.exports import neutralise

        writer = csv.DictWriter(sys.stdout, fieldnames=list(_AGENDA_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralise("" if v is None else str(v)) for k, v in row.items()} for row in rows)
    else:
        _agenda_table(items, region)
    if not rows:
        typer.echo(_("no open callbacks"), err=True)


# -- callers, assignment, stages by hand (team leads) ----------------------------------------

caller_app = typer.Typer(help=N_("Who works the desk: callers and team leads, with their daily goals."),
                         no_args_is_help=True)
app.add_typer(caller_app, name="caller")


_ROLES = {"caller": N_("caller"), "team_lead": N_("team lead")}  # as shown; stored and in JSON: the value


@caller_app.command("add", help=N_("Add a caller, or change one's role, goal or whether they are active (team leads only; a "
           "desk's first team lead may be added by anyone)."))
def caller_add(
    name: Annotated[str, typer.Argument(help=N_("The caller's name (as they give it with --caller or CALLDESK_CALLER)."), show_default=False)],
    role: Annotated[Role | None, typer.Option("--role", help=N_("caller or team_lead [new callers: caller]."), show_default=False)] = None,
    goal: Annotated[int | None, typer.Option("--goal", min=0, max=MAX_DAILY_GOAL, help=N_("Calls a day [default: the config's daily_goal]."), show_default=False)] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help=N_("An inactive caller gets no work (kept for the figures)."), show_default=False)] = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import save_caller

    ctx = make_context(db, config, None, at)
    store = ctx.open_store()
    try:
        saved, created = save_caller(store, name, by=ctx.caller, now=ctx.now, role=role,
                                     goal=goal, active=active)
    finally:
        store.close()
    parts = [saved.name, _(_ROLES[saved.role.value]),
             (_("goal {goal}") if saved.daily_goal is not None else _("goal {goal} (config)")).format(
                 goal=saved.goal(ctx.config))]
    if not saved.active:
        parts.append(_("inactive"))
    typer.echo((_("added: {caller}") if created else _("changed: {caller}")).format(caller=", ".join(parts)))


@caller_app.command("list", help=N_("Every caller: name, role, daily goal, active."))
def caller_list(
    format_: Annotated[Format, typer.Option("--format", help=N_("Output format."))] = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import list_callers

    ctx = make_context(db, config)
    store = ctx.open_store()
    try:
        callers = list_callers(store)
    finally:
        store.close()
    rows = [{"name": c.name, "role": c.role.value, "daily_goal": c.goal(ctx.config),
             "own_goal": c.daily_goal is not None, "active": c.active} for c in callers]
    if format_ is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif format_ is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["name"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        (name_head, name_w), (role_head, role_w), (goal_head, goal_w) = _columns(
            [(N_("name"), 20), (N_("role"), 10), (N_("goal"), 5)])
        typer.echo(f"{name_head:<{name_w}}  {role_head:<{role_w}}  {goal_head:>{goal_w}}  " + _("active"))
        for row in rows:
            goal_text = f"{row['daily_goal']}{'' if row['own_goal'] else '*'}"
            role, active = _(_ROLES[row["role"]]), _("yes") if row["active"] else _("no")
            typer.echo(f"{row['name']:<{name_w}}  {role:<{role_w}}  {goal_text:>{goal_w}}  {active}")
        if any(not row["own_goal"] for row in rows):
            typer.echo(_("* the config's daily_goal"))
    if not rows:
        typer.echo(_("no callers yet: they are added when they first open the desk, or with `calldesk caller add`"),
                   err=True)


StageOpt = Annotated[Stage | None, typer.Option("--stage", help=N_("Only leads in this stage."), show_default=False)]
SourceOpt = Annotated[str | None, typer.Option("--source", help=N_("Only leads from this source (as imported)."), show_default=False)]
IndustryOpt = Annotated[str | None, typer.Option("--industry", help=N_("Only leads in this industry."), show_default=False)]
CountOpt = Annotated[int | None, typer.Option("--count", min=1, max=MAX_ID, help=N_("At most this many (the warmest first)."), show_default=False)]
LeadOpt = Annotated[list[int] | None, typer.Option("--lead", min=1, max=MAX_ID, help=N_("This lead (repeatable) instead of filters."), show_default=False)]


@app.command(help=N_("Give leads from the shared pool to a caller (team leads only; who you are: the --caller "
           "before the command, CALLDESK_CALLER or your login name). Without --stage, lost leads and "
           "customers are left out. --lead names leads directly, whoever has them."))
def assign(
    to: Annotated[str, typer.Option("--caller", help=N_("The caller who gets the leads."), show_default=False)],
    stage: StageOpt = None,
    source: SourceOpt = None,
    industry: IndustryOpt = None,
    count: CountOpt = None,
    lead: LeadOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import assign_leads, caller_name

    ctx = make_context(db, config, None, at)
    store = ctx.open_store()
    try:
        done = assign_leads(store, caller_name(to), by=ctx.caller, now=ctx.now, lead_ids=lead or None,
                            stage=stage, source=source, industry=industry, count=count)
    finally:
        store.close()
    typer.echo(ngettext("{count} lead assigned to {caller}", "{count} leads assigned to {caller}", done).format(
        count=done, caller=caller_name(to)))


@app.command(help=N_("Take leads back into the shared pool: a caller's (filtered), or the ones named with "
           "--lead (team leads only)."))
def unassign(
    from_: Annotated[str | None, typer.Option("--caller", help=N_("Whose leads to take back."), show_default=False)] = None,
    stage: StageOpt = None,
    source: SourceOpt = None,
    industry: IndustryOpt = None,
    count: CountOpt = None,
    lead: LeadOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import caller_name, unassign_leads

    ctx = make_context(db, config, None, at)
    store = ctx.open_store()
    try:
        done = unassign_leads(store, by=ctx.caller, now=ctx.now, caller=caller_name(from_) if from_ else None,
                              lead_ids=lead or None, stage=stage, source=source, industry=industry,
                              count=count)
    finally:
        store.close()
    typer.echo(ngettext("{count} lead back in the shared pool", "{count} leads back in the shared pool",
                        done).format(count=done))


@app.command("stage", help=N_("Move a lead's stage by hand (team leads only): the one way a stage goes backwards."))
def stage_move(
    lead_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help=N_("The lead's id."), show_default=False)],
    to: Annotated[Stage, typer.Argument(help=N_("The stage to move it to (backwards too)."), show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why (kept in the lead's history)."), show_default=False)],
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import move_stage

    ctx = make_context(db, config, None, at)
    store = ctx.open_store()
    try:
        moved = move_stage(store, lead_id, to, reason, by=ctx.caller, now=ctx.now, config=ctx.config)
    finally:
        store.close()
    typer.echo(_("lead {id} ({company}): {before} → {after}").format(
        id=moved.lead_id, company=moved.company or _("no company"), before=moved.from_stage.ui_label,
        after=moved.to_stage.ui_label))


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may well reach other machines


def serve_exposure(host: str, public: bool) -> str | None:
    """None for a loopback address; for any other, the warning to print. Without --public that
    address is refused: the page has no login of its own."""
    if _is_loopback(host):
        return None
    if not public:
        raise CalldeskError(_("--host {host} lets other machines reach the desk, and the page has no login of "
                              "its own: add --public to allow it (and put it behind an authenticating proxy)")
                            .format(host=host))
    return _("the desk is reachable from other machines at {host}, and the page has no login of its own: anyone "
              "who reaches it works as the server's caller. Put it behind an authenticating proxy.").format(host=host)


def serve_url(host: str, port: int, url: str | None) -> str:
    """The address browsers open; the page points its websocket at it, so it must be reachable."""
    if url:
        return url.rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.gethostname()  # every address: name the machine rather than 0.0.0.0
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve_origins(url: str, host: str, port: int) -> set[str]:
    """The origins whose pages may open a desk: the served address (and loopback's other names)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = parts.hostname or ""
    netloc = f"[{netloc}]" if ":" in netloc else netloc
    if parts.port and parts.port != default_port:
        netloc = f"{netloc}:{parts.port}"
    origins = {f"{parts.scheme}://{netloc}".lower()}
    if _is_loopback(host):
        origins |= {f"http://{name}:{port}" for name in ("localhost", "127.0.0.1", "[::1]")}
    return origins


def serve_child(ctx: Context, config: Path | None) -> tuple[str, dict[str, str]]:
    """The command each browser tab runs (the app), and the environment naming its store, config
    and caller: the store goes in the environment so a database password stays out of `ps`."""
    import shlex

    env = {"CALLDESK_DB": ctx.store_target, "CALLDESK_CALLER": ctx.caller}
    path, named = config_path(config or _root.get("config"))  # type: ignore[arg-type]
    if named:
        env["CALLDESK_CONFIG"] = str(path.expanduser().absolute())
    args = [sys.executable, "-m", "calldesk"]
    if _root.get("lang"):
        args += ["--lang", str(_root["lang"])]
    if ctx.fixed:
        args += ["--at", ctx.now.isoformat()]
    return shlex.join(args), env


# A browser terminal this size is already beyond any screen; a bigger one only costs memory.
SERVE_MAX_COLUMNS, SERVE_MAX_ROWS = 500, 200


def _desk_server(command: str, host: str, port: int, url: str, max_desks: int = 20):  # noqa: ANN202 (keeps aiohttp off --help)
    import asyncio

    from aiohttp import web
    from textual_serve.server import Server

    origins = serve_origins(url, host, port)
    tabs: set[asyncio.Task] = set()  # the open tabs' websocket handlers

    def full() -> web.HTTPServiceUnavailable:
        return web.HTTPServiceUnavailable(text=_(
            "calldesk: all {count} desks of this server are in use; close a tab or try again later").format(
            count=max_desks))

    def fits(query: dict, name: str, most: int) -> bool:
        value = query.get(name, "1")
        return value.isdigit() and 1 <= int(value) <= most

    class DeskServer(Server):
        async def handle_index(self, request: web.Request):  # noqa: ANN202
            if len(tabs) >= max_desks:
                raise full()  # said on the page, before it opens a websocket that would be refused
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            # Any page a user visits, and any program on this machine, may open a websocket to
            # this address: only the desk's own page may, and it always names its origin.
            origin = request.headers.get("Origin")
            if origin is None or origin.lower() not in origins:
                raise web.HTTPForbidden(text=_("calldesk: this page may not open a desk"))
            if not (fits(request.query, "width", SERVE_MAX_COLUMNS) and fits(request.query, "height", SERVE_MAX_ROWS)):
                raise web.HTTPBadRequest(text=_("calldesk: a terminal of at most {columns}×{rows}").format(
                    columns=SERVE_MAX_COLUMNS, rows=SERVE_MAX_ROWS))
            if len(tabs) >= max_desks:
                raise full()  # each desk is a process of its own: no more than the machine was given
            task = asyncio.current_task()
            tabs.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                tabs.discard(task)

        async def _process_messages(self, websocket: web.WebSocketResponse, app_service) -> None:  # noqa: ANN001
            # textual-serve passes a resize straight on: clamp it as the opening size is checked.
            # (A private hook of textual-serve 1.1, as its Server calls it from handle_websocket.)
            resize = app_service.set_terminal_size

            async def clamped(width: int, height: int) -> None:
                await resize(max(1, min(int(width), SERVE_MAX_COLUMNS)), max(1, min(int(height), SERVE_MAX_ROWS)))

            app_service.set_terminal_size = clamped
            await super()._process_messages(websocket, app_service)

        async def on_shutdown(self, app: web.Application) -> None:
            # Otherwise aiohttp waits up to a minute for open tabs; cancelled, each quits its app.
            for task in tabs:
                task.cancel()
            if tabs:
                await asyncio.wait(tabs, timeout=10)

    return DeskServer(command, host=host, port=port, title="calldesk", public_url=url)


@app.command(help=N_("Serve the app in a browser (textual-serve): each browser tab is its own desk, as the "
           "server's caller, on the server's store and config. Ctrl+C stops it."))
def serve(
    host: Annotated[str, typer.Option("--host", help=N_("Address to listen on; anything but loopback needs --public."))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=N_("Port to listen on."))] = 8000,
    public: Annotated[bool, typer.Option("--public", help=N_("Allow a non-loopback --host. The page has no login of its own: put it behind an authenticating proxy."))] = False,
    url: Annotated[str | None, typer.Option("--url", help=N_("The address browsers open, when not http://HOST:PORT (e.g. the proxy's https:// address)."), show_default=False)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
    caller: CallerOpt = None,
    at: AtOpt = None,
) -> None:
    host = host.strip("[]")  # [::1] as written in a URL
    warning = serve_exposure(host, public)
    ctx = make_context(db, config, caller, at)
    store = ctx.open_store()  # fails here once, not in every tab; brings the schema up to date
    store.close()
    command, env = serve_child(ctx, config)
    public_url = serve_url(host, port, url)
    if warning:
        typer.echo(_("calldesk: warning: {message}").format(message=warning), err=True)
    os.environ.update(env)  # textual-serve hands its environment to each tab's process
    server = _desk_server(command, host, port, public_url, max_desks=ctx.config.serve.max_desks)
    typer.echo(_("calldesk: serving {store} as {caller} at {url}").format(
        store=store.describe(), caller=ctx.caller, url=public_url))
    try:
        server.serve()
    except OSError as exc:
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise CalldeskError(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=reason)) from None


@db_app.command("upgrade", help=N_("Bring the store's schema up to this calldesk's (done automatically on open too)."))
def db_upgrade(db: DbOpt = None, config: ConfigOpt = None) -> None:
    ctx = make_context(db, config)
    store = ctx.open_store()
    store.close()
    from calldesk.db.engine import SCHEMA_HEAD

    typer.echo(_("store {store} is at schema {revision} (current)").format(
        store=store.describe(), revision=SCHEMA_HEAD))


@db_app.command("status", help=N_("Show which store is used and its schema revision, without changing it."))
def db_status(db: DbOpt = None, config: ConfigOpt = None) -> None:
    from sqlalchemy.exc import DBAPIError

    from calldesk.db.engine import SCHEMA_HEAD, Store, schema_revision, store_error, to_url

    ctx = make_context(db, config)
    store = Store(to_url(ctx.store_target))
    try:
        if store.path and not store.path.exists():
            typer.echo(_("store {store}: does not exist yet (created on first use)").format(store=store.describe()))
            return
        try:
            revision = schema_revision(store.engine)
        except DBAPIError as exc:
            raise store_error(store, exc) from None
        state = _("current") if revision == SCHEMA_HEAD else _("calldesk needs {revision}").format(
            revision=SCHEMA_HEAD)
        typer.echo(_("store {store}: schema {revision} ({state})").format(
            store=store.describe(), revision=revision or _("none"), state=state))
    finally:
        store.close()


class ConfigFormat(StrEnum):
    toml = "toml"
    json = "json"


@app.command("config", help=N_("Show which config file is read and the settings in effect, as TOML: a config "
                               "file that gives the same settings (--format json for scripts)."))
def show_config(
    format_: Annotated[ConfigFormat, typer.Option("--format", help=N_("Output format."))] = ConfigFormat.toml,
    config: ConfigOpt = None,
) -> None:
    from calldesk.rules.config import config_data, config_toml

    path, _named = config_path(config)
    cfg = load_config(config)
    if format_ is ConfigFormat.json:
        # Every key, unset ones as null; the same values a config file takes ("3h", "09:00").
        typer.echo(json.dumps(config_data(cfg, nulls=True), ensure_ascii=False, indent=2))
        return
    typer.echo("# " + (_("config file: {path}") if path.exists()
                       else _("config file: {path} (not there: defaults)")).format(path=path))
    if cfg.language is None:
        typer.echo("# " + _("language not set: --lang, else the environment's locale decides"))
    typer.echo(config_toml(cfg), nl=False)


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


HOLIDAY_CACHE = "holidays.json"  # in the user's cache folder (see kept_holidays)


@contextmanager
def kept_holidays(path: Path | None = None) -> Iterator[None]:
    """Holiday dates kept between runs: each `calldesk next` or app start would compute them
    again (~0.1 s: the holidays package loads a module per country). Keyed by that package's
    version. A cache file that can't be read or written is passed over: it only saves time."""
    from importlib.metadata import version

    from calldesk.rules.windows import give_holidays, holidays_known

    path = path or platformdirs.user_cache_path("calldesk", appauthor=False) / HOLIDAY_CACHE
    stamp = version("holidays")
    given: dict[tuple[str, int], list[date]] = {}
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["holidays"] == stamp:
            given = {(country, int(year)): [date.fromisoformat(day) for day in days]
                     for country, years in kept["dates"].items() for year, days in years.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        given = {}  # none yet, or not ours to trust
    give_holidays(given)
    try:
        yield
    finally:
        known = holidays_known()
        if known.keys() - given.keys():
            dates: dict[str, dict[str, list[str]]] = {}
            for (country, year), days in sorted(known.items()):
                dates.setdefault(country, {})[str(year)] = sorted(day.isoformat() for day in days)
            from calldesk.db.files import replacing

            with suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                with replacing(path, encoding="utf-8") as handle:  # whole or not at all, whichever writes last
                    handle.write(json.dumps({"holidays": stamp, "dates": dates}))


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
    """One line for a fault of the machine or the store met mid-command (disk full, a server
    gone, a store damaged by hand); None for anything else, which is a bug to report."""
    dbapi = getattr(sys.modules.get("sqlalchemy.exc"), "DBAPIError", None)
    if dbapi is not None and isinstance(exc, dbapi):
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None and str(exc.orig).strip() else type(
            exc.orig).__name__
        if store is None:
            return _("store: {error}").format(error=detail)
        return _("store {store}: {error}").format(store=store, error=detail)
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
    try:
        with kept_holidays():
            command(prog_name="calldesk")
    except CalldeskError as exc:
        typer.echo(_("calldesk: error: {message}").format(message=exc), err=True)
        sys.exit(1)
    except Exception as exc:
        message = fault_message(exc, _opened[-1] if _opened else None)
        if message is None:
            raise  # a bug: its traceback is what a report needs
        typer.echo(_("calldesk: error: {message}").format(message=message), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo(_("calldesk: interrupted"), err=True)
        sys.exit(130)
