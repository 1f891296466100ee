"""Privacy: erasing a person on request, and purging lost leads kept past their retention."""

from __future__ import annotations

from typing import Annotated

import typer

from calldesk.cli.context import make_context
from calldesk.cli.options import AtOpt, ConfigOpt, DbOpt, RegionOpt, region_of
from calldesk.i18n import N_, _, ngettext

app = typer.Typer()


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
    typer_ctx: typer.Context,
    lead_or_phone: Annotated[str, typer.Argument(help=N_("The lead's id, or the person's number as typed (06-12345678, +32 2 512 34 56, …)."), show_default=False)],
    objected: Annotated[bool, typer.Option("--objected", help=N_("They object to being called: keep the number suppressed (as a keyed hash) even if it was not on the do-not-call list."))] = False,
    region: RegionOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.privacy import erase as erase_person

    ctx = make_context(typer_ctx, db, config, None, at)
    with ctx.store() as store:
        done = erase_person(store, lead_or_phone, by=ctx.caller, now=ctx.now, region=region_of(region, ctx.config),
                            objected=objected)
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
    typer_ctx: typer.Context,
    apply: Annotated[bool, typer.Option("--apply", help=N_("Delete them; without it, only list what would go."))] = False,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.privacy import purge_lost

    ctx = make_context(typer_ctx, db, config, None, at)
    months = ctx.config.privacy.retain_lost_months
    with ctx.store() as store:
        done = purge_lost(store, now=ctx.now, months=months, by=ctx.caller, apply=apply)
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
