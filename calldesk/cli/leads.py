"""Leads in and out: the demo store, importing a CSV file, exporting (a list, or one person's record)."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calldesk.cli.context import Context, State, make_context
from calldesk.cli.options import AtOpt, CallerOpt, ConfigOpt, DbOpt, phone_error, region_of
from calldesk.cli.output import cannot_write
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, ngettext
from calldesk.rules.stages import Stage

if TYPE_CHECKING:
    from rich.progress import Progress

    from calldesk.db.imports import ImportSummary

app = typer.Typer()


@app.command(help=N_("Load demo leads into a fresh store and open the app on it.\n\nWithout --db the demo store "
           "is demo.db in calldesk's data folder, made anew each time."))
def demo(
    typer_ctx: typer.Context,
    db: DbOpt = None,
    config: ConfigOpt = None,
    caller: CallerOpt = None,
    at: AtOpt = None,
    count: Annotated[int, typer.Option(min=1, max=100_000, help=N_("How many demo leads."))] = 300,
    open_app: Annotated[bool, typer.Option("--open/--no-open", help=N_("Open the app afterwards."))] = True,
) -> None:
    ctx = make_context(typer_ctx, db, config, caller, at)
    if (db or State.of(typer_ctx).given.db) is None:
        from calldesk.db.engine import default_store_path

        path = default_store_path().with_name("demo.db")
        for stale in (path, path.with_name("demo.db-wal"), path.with_name("demo.db-shm")):
            stale.unlink(missing_ok=True)
        ctx = replace(ctx, store_target=str(path), default_store=True)
    with ctx.store() as store:
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
            ctx.open_app(store)


@app.command("import", help=N_("Import leads from a CSV file. Duplicates (same number) only fill empty fields."))
def import_(
    typer_ctx: typer.Context,
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
    campaign: Annotated[str | None, typer.Option("--campaign", help=N_("The campaign the leads are for [default: the only active one; required when more are active]."), show_default=False)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
    caller: CallerOpt = None,
    at: AtOpt = None,
) -> None:
    ctx = make_context(typer_ctx, db, config, caller, at)
    numbers_region = region_of(region, ctx.config)
    overrides = _parse_map(map_ or [])
    owner_map = _parse_pairs(map_owner or [], "--map-owner", "'Jan Jansen=jan'")
    from calldesk.rules.mapping import parse_stage_map

    stage_map = parse_stage_map(_parse_pairs(map_stage or [], "--map-stage", "'Lost Lead=lost'"))
    with ctx.store() as store:
        from calldesk.db.imports import import_csv

        with _Progress(file) as progress:
            summary = import_csv(
                store, file, now=ctx.now, by=ctx.caller, config=ctx.config, region=numbers_region,
                source=source, owner=owner, overrides=overrides, dry_run=dry_run,
                stage_map=stage_map, owner_map=owner_map, strict_owners=strict_owners,
                rejects_path=rejects, duplicates_path=duplicates, progress=progress, allow_premium=allow_premium,
                campaign=campaign,
            )
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
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[int, int | None], None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        bar = self.bar = Progress("{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                                  transient=True)
        bar.start()
        task = bar.add_task(_("Importing {file}").format(file=self.file.name), total=None)
        return lambda done, total: bar.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# The import's counts as the summary names them (the field names stay English in the code).
_IMPORT_COUNTS = {"imported": N_("imported"), "updated": N_("updated"), "duplicates": N_("duplicates"),
                  "rejected": N_("rejected"), "suppressed": N_("suppressed")}


_OWNERS_SHOWN = 10  # unknown owners named in the summary, most leads first


def _print_summary(summary: ImportSummary) -> None:
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
    for number, reason in summary.first_rejects:
        typer.echo("  " + _("line {line}: {reason}").format(line=number, reason=reason))
    if summary.rejected > len(summary.first_rejects):
        more = summary.rejected - len(summary.first_rejects)
        typer.echo("  " + ngettext("… and {count} more rejected row", "… and {count} more rejected rows",
                                   more).format(count=more))


@app.command(help=N_("Export leads as CSV (formula-safe for spreadsheets)."))
def export(
    typer_ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help=N_("Write to this file [default: standard output]."), show_default=False)] = None,
    stage: Annotated[str | None, typer.Option(help=N_("Only leads in this stage (suspect, prospect, hot_lead, opportunity, customer, lost)."), show_default=False)] = None,
    excel: Annotated[bool, typer.Option("--excel", help=N_("For Excel-NL: semicolons, a UTF-8 BOM, and phones a spreadsheet keeps as text (+31 6 52965724)."))] = False,
    person: Annotated[str | None, typer.Option("--person", metavar="PHONE", help=N_("Instead: everything stored about the person with this number, as JSON (an access request)."), show_default=False)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    ctx = make_context(typer_ctx, db, config)
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
    with ctx.store() as store:
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
            raise cannot_write(out, exc) from None
        typer.echo(ngettext("{count} lead written to {path}", "{count} leads written to {path}", count).format(
            count=count, path=out), err=True)


def _export_person(ctx: Context, phone: str, out: Path | None) -> None:
    from calldesk.db.privacy import person_record
    from calldesk.rules.phones import PhoneError

    target = ctx.output(out, "--out") if out is not None else None  # refused before any reading
    with ctx.store() as store:
        try:
            record = person_record(store, phone, region=ctx.config.region, now=ctx.now)
        except PhoneError as exc:
            raise phone_error(phone, exc) from None
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if target is None:
        sys.stdout.write(text)
    else:
        from calldesk.db.files import replacing

        try:
            with replacing(target, encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise cannot_write(out, exc) from None
        typer.echo(ngettext("{number}: {count} lead written to {path}", "{number}: {count} leads written to {path}",
                            len(record["leads"])).format(number=record["number"], count=len(record["leads"]), path=out),
                   err=True)
    if not record["leads"] and record["do_not_call"] is None:
        typer.echo(_("nothing stored about {number}").format(number=record["number"]), err=True)
