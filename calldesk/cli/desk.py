"""The desk from the command line: the queue, the next lead, logging a call, the do-not-call list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from calldesk.cli.context import Context, make_context
from calldesk.cli.options import (
    MAX_ID,
    AtOpt,
    CallerOpt,
    ConfigOpt,
    DbOpt,
    RegionOpt,
    parse_moment,
    phone_error,
    region_of,
)
from calldesk.cli.output import Format, cell, print_csv, print_json
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from collections.abc import Sequence

    from calldesk.db.queue import QueueEntry
    from calldesk.rules.script import Answer, Script

app = typer.Typer()
dnc_app = typer.Typer(help=N_("The do-not-call list: numbers never offered again, whatever lead they come back under."),
                      no_args_is_help=True)


class NextFormat(StrEnum):
    text = "text"
    json = "json"


def _queue_rows(entries: Sequence[QueueEntry], ctx: Context) -> list[dict[str, object]]:
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
    typer_ctx: typer.Context,
    caller: CallerOpt = None,
    at: AtOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help=N_("How many leads."))] = 50,
    format_: Annotated[Format, typer.Option("--format", help=N_("Output format."))] = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.queue import queue as load_queue

    ctx = make_context(typer_ctx, db, config, caller, at)
    with ctx.working_store() as store:
        result = load_queue(store, ctx.caller, ctx.now, ctx.config, limit)
    rows = _queue_rows(result.entries, ctx)
    if format_ is Format.json:
        print_json({"caller": ctx.caller, "at": ctx.now.isoformat(), "leads": rows, "why_empty": result.why_empty})
        return
    if format_ is Format.csv:
        print_csv(list(_QUEUE_COLUMNS), rows)
    else:
        _print_table(_shown_rows(rows, result.entries, ctx))
    if not rows:
        typer.echo(result.why_empty, err=True)


def _shown_rows(rows: list[dict[str, object]], entries: Sequence[QueueEntry], ctx: Context) -> list[dict[str, object]]:
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
    typer.echo("  ".join(cell(name, w) for name, w in _QUEUE_COLUMNS.items()).rstrip())
    for row in rows:
        typer.echo("  ".join(cell(row[name], w) for name, w in _QUEUE_COLUMNS.items()).rstrip())


@app.command("next", help=N_("Claim the next lead and print it (for a softphone or dialer). Exit status 3: nothing "
           "callable."))
def next_(
    typer_ctx: typer.Context,
    caller: CallerOpt = None,
    at: AtOpt = None,
    format_: Annotated[NextFormat, typer.Option("--format", help=N_("text: id, phone, company, extension (tab-separated); json."))] = NextFormat.text,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.queue import claim_next

    ctx = make_context(typer_ctx, db, config, caller, at)
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


def _parse_bant(text: str | None, script: Script) -> dict[str, Answer]:
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
    typer_ctx: typer.Context,
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

    ctx = make_context(typer_ctx, db, config, caller, at)
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
    with ctx.store() as store:
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
    if recorded.call_id is None:  # the request's call was undone since
        typer.echo(recorded.summary(ctx.config.region))
    else:
        typer.echo(_("call {id}: {summary}").format(id=recorded.call_id, summary=recorded.summary(ctx.config.region)))


PhoneArg = Annotated[str, typer.Argument(help=N_("The number, as typed (06-12345678, +32 2 512 34 56, …)."), show_default=False)]


@dnc_app.command("add", help=N_("Put a number on the do-not-call list."))
def dnc_add(typer_ctx: typer.Context, phone: PhoneArg,
            reason: Annotated[str, typer.Option(help=N_("Why (kept with the number)."))] = "asked not to be called",
            region: RegionOpt = None, caller: CallerOpt = None, at: AtOpt = None, db: DbOpt = None,
            config: ConfigOpt = None) -> None:
    from calldesk.db.calls import dnc_add as add
    from calldesk.rules.phones import PhoneError

    ctx = make_context(typer_ctx, db, config, caller, at)
    with ctx.store() as store:
        try:
            number, added = add(store, phone, now=ctx.now, by=ctx.caller, region=region_of(region, ctx.config), reason=reason)
        except PhoneError as exc:
            raise phone_error(phone, exc) from None
    typer.echo((_("{number} added to the do-not-call list") if added
                else _("{number} was already on the do-not-call list")).format(number=number))


@dnc_app.command("remove", help=N_("Take a number off the do-not-call list (only when the person asked to be called again)."))
def dnc_remove(typer_ctx: typer.Context, phone: PhoneArg, region: RegionOpt = None, db: DbOpt = None,
               config: ConfigOpt = None) -> None:
    from calldesk.db.calls import dnc_remove as remove
    from calldesk.rules.phones import PhoneError

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        try:
            number, removed = remove(store, phone, region=region_of(region, ctx.config))
        except PhoneError as exc:
            raise phone_error(phone, exc) from None
    if not removed:
        raise CalldeskError(_("{number} is not on the do-not-call list").format(number=number))
    typer.echo(_("{number} removed from the do-not-call list").format(number=number))


@dnc_app.command("list", help=N_("Every number on the do-not-call list: number, added (UTC), by whom, why."))
def dnc_list(typer_ctx: typer.Context, db: DbOpt = None, config: ConfigOpt = None) -> None:
    from calldesk.db.calls import dnc_list as entries

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        rows = entries(store)
    for row in rows:
        typer.echo(f"{row.phone_e164}\t{row.added_at:%Y-%m-%d %H:%M}\t{row.added_by}\t{row.reason}")
    # The count on stderr: stdout stays one number per line for scripts.
    typer.echo(ngettext("{count} number on the do-not-call list", "{count} numbers on the do-not-call list",
                        len(rows)).format(count=len(rows)), err=True)
