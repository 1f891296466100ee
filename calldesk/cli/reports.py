"""For team leads and planning: the pipeline report, and the open callbacks by day (or as .ics)."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calldesk.cli.context import make_context
from calldesk.cli.options import AtOpt, ConfigOpt, DbOpt, in_years
from calldesk.cli.output import Format, cannot_write, cell, columns, print_csv, print_json
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from collections.abc import Sequence

    from calldesk.db.agenda import AgendaItem
    from calldesk.db.reports import CallerFigures, Report
    from calldesk.rules.config import Config

app = typer.Typer()

FromOpt = Annotated[str | None, typer.Option("--from", help=N_("First day, YYYY-MM-DD on the desk's calendar (the desk's zone: config `timezone`, default the region's)."), show_default=False)]
ToOpt = Annotated[str | None, typer.Option("--to", help=N_("Last day, YYYY-MM-DD, included, on the desk's calendar."), show_default=False)]


def _desk_days(from_: str | None, to: str | None, config: Config) -> tuple[datetime | None, datetime | None]:
    """--from/--to as [start, end) in UTC: the first day's and the day after the last day's
    local midnight in the desk's zone (config.desk_zone); None where not given."""
    from datetime import date, timedelta

    from calldesk.rules.windows import local_midnight

    days: list[date | None] = []
    for option, text in (("--from", from_), ("--to", to)):
        if text is None:
            days.append(None)
            continue
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise CalldeskError(_("{option} {text}: expected a date as YYYY-MM-DD, e.g. 2026-11-23").format(
                option=option, text=repr(text))) from None
        days.append(day)
        in_years(day.year, option, text)
    first, last = days
    if first and last and first > last:
        raise CalldeskError(_("--from {first} is after --to {last}").format(first=first, last=last))
    region, zone = config.region, config.desk_zone
    return (local_midnight(first, region, zone) if first else None,
            local_midnight(last + timedelta(days=1), region, zone) if last else None)


def _report_dict(result: Report) -> dict[str, object]:
    def figures(rows: Sequence[CallerFigures]) -> list[dict[str, object]]:
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


def _report_table(result: Report, region: str) -> None:
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
    (step_head, step_w), *steps = columns([(N_("step"), 27), (N_("in step"), 9), (N_("reached next"), 14),
                                           (N_("rate"), 8)])
    typer.echo(f"  {step_head:<{step_w}}" + "".join(f"{head:>{w}}" for head, w in steps))
    for c in result.conversion:
        step = f"{c.from_stage.ui_label} → {c.to_stage.ui_label}"
        conversion = (c.base, c.converted, percent(c.rate))
        typer.echo(f"  {step:<{step_w}}" + "".join(f"{v:>{w}}" for v, (_head, w) in zip(conversion, steps, strict=True)))
    for title, rows in ((_("Callers today"), result.today), (_("Callers this week"), result.week)):
        typer.echo("\n" + title)  # each caller's own goal is in their row: goals differ per caller
        if not rows:
            typer.echo("  " + _("no calls"))
            continue
        (name_head, name_w), *figures = columns([
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
        (last_head, last_w), (days_head, days_w) = columns([
            (N_("id"), 7), (N_("company"), 26), (N_("stage"), 11), (N_("owner"), 12), (N_("last activity"), 16),
            (N_("days"), 5)])
    if result.stuck:
        typer.echo(f"  {id_head:>{id_w}}  {company_head:<{company_w}}  {stage_head:<{stage_w}}  "
                   f"{owner_head:<{owner_w}}  {last_head:<{last_w}}  {days_head:>{days_w}}")
    for s in result.stuck:
        company = s.company if len(s.company) <= company_w else s.company[:company_w - 1] + "…"
        owner = s.owner or ""
        owner = owner if len(owner) <= owner_w else owner[:owner_w - 1] + "…"
        typer.echo(f"  {s.lead_id:>{id_w}}  {company:<{company_w}}  {s.stage.ui_label:<{stage_w}}  "
                   f"{owner:<{owner_w}}  {desk(s.last_activity_at):<{last_w}}  {s.idle_days:>{days_w}}")


@app.command(help=N_("The pipeline for team leads: leads per stage, conversion over a period (default: this "
           "week up to now), each caller's figures today and this week, calls per hour, stuck leads."))
def report(
    typer_ctx: typer.Context,
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

    ctx = make_context(typer_ctx, db, config, None, at)
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
    with ctx.store() as store:
        from calldesk.db.team import require_team_lead

        require_team_lead(store, ctx.caller, "read the pipeline report")
        result = pipeline_report(store, ctx.now, ctx.config, start=start, end=end,
                                 day_start=day_bounds(ctx.now, region)[0], week_start=monday, stuck_limit=stuck_limit)
    if format_ is Format.json:
        print_json(_report_dict(result))
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


def _agenda_rows(items: Sequence[AgendaItem]) -> list[dict[str, object]]:
    return [{"group": i.group, "due_at": i.due_at.isoformat(), "caller": i.caller, "callback_id": i.callback_id,
             "lead_id": i.lead_id, "company": i.company, "contact": i.contact, "phone": i.phone_e164,
             "time_zone": i.time_zone, "lead_local_time": i.due_local.isoformat(), "note": i.note,
             "created_by": i.created_by, "released_from": i.released_from} for i in items]


def _agenda_table(items: Sequence[AgendaItem], region: str) -> None:
    from calldesk.i18n import format_day_time
    from calldesk.rules.windows import local_time

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
    typer_ctx: typer.Context,
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

    ctx = make_context(typer_ctx, db, config, None, at)
    region = ctx.config.region
    start, end = _desk_days(from_, to, ctx.config)
    who = caller.strip().lower() if caller and caller.strip() else None
    target = ctx.output(ics, "--ics") if ics is not None else None
    with ctx.store() as store:
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
    if ics is not None:
        try:
            write_ics(items, meetings, target, now=ctx.now, store=this_store, closed=closed)
        except OSError as exc:
            raise cannot_write(ics, exc) from None
        callbacks_text = ngettext("{count} callback", "{count} callbacks", len(items)).format(count=len(items))
        meetings_text = ngettext("{count} appointment", "{count} appointments", len(meetings)).format(
            count=len(meetings))
        typer.echo(_("{callbacks} and {appointments} written to {path}").format(
            callbacks=callbacks_text, appointments=meetings_text, path=ics), err=True)
        return
    rows = _agenda_rows(items)
    if format_ is Format.json:
        print_json({"at": ctx.now.isoformat(), "caller": who, "callbacks": rows})
        return
    if format_ is Format.csv:
        print_csv(list(_AGENDA_FIELDS), rows)
    else:
        _agenda_table(items, region)
    if not rows:
        typer.echo(_("no open callbacks"), err=True)
