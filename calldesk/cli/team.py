"""The team (team leads): callers and their goals, giving leads out and taking them back, stages by hand."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer

from calldesk.cli.context import make_context
from calldesk.cli.options import MAX_ID, AtOpt, ConfigOpt, DbOpt
from calldesk.cli.output import Format, columns, print_json
from calldesk.i18n import N_, _, ngettext
from calldesk.rules.config import MAX_DAILY_GOAL
from calldesk.rules.kinds import Role
from calldesk.rules.stages import Stage

app = typer.Typer()
caller_app = typer.Typer(help=N_("Who works the desk: callers and team leads, with their daily goals."),
                         no_args_is_help=True)


_ROLES = {"caller": N_("caller"), "team_lead": N_("team lead")}  # as shown; stored and in JSON: the value


@caller_app.command("add", help=N_("Add a caller, or change one's role, goal or whether they are active (team leads only; a "
           "desk's first team lead may be added by anyone)."))
def caller_add(
    typer_ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The caller's name (as they give it with --caller or CALLDESK_CALLER)."), show_default=False)],
    role: Annotated[Role | None, typer.Option("--role", help=N_("caller or team_lead [new callers: caller]."), show_default=False)] = None,
    goal: Annotated[int | None, typer.Option("--goal", min=0, max=MAX_DAILY_GOAL, help=N_("Calls a day [default: the config's daily_goal]."), show_default=False)] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help=N_("An inactive caller gets no work (kept for the figures)."), show_default=False)] = None,
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import save_caller

    ctx = make_context(typer_ctx, db, config, None, at)
    with ctx.store() as store:
        saved, created = save_caller(store, name, by=ctx.caller, now=ctx.now, role=role,
                                     goal=goal, active=active)
    parts = [saved.name, _(_ROLES[saved.role.value]),
             (_("goal {goal}") if saved.daily_goal is not None else _("goal {goal} (config)")).format(
                 goal=saved.goal(ctx.config))]
    if not saved.active:
        parts.append(_("inactive"))
    typer.echo((_("added: {caller}") if created else _("changed: {caller}")).format(caller=", ".join(parts)))


@caller_app.command("list", help=N_("Every caller: name, role, daily goal, active."))
def caller_list(
    typer_ctx: typer.Context,
    format_: Annotated[Format, typer.Option("--format", help=N_("Output format."))] = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import list_callers

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        callers = list_callers(store)
    rows = [{"name": c.name, "role": c.role.value, "daily_goal": c.goal(ctx.config),
             "own_goal": c.daily_goal is not None, "active": c.active} for c in callers]
    if format_ is Format.json:
        print_json(rows)
    elif format_ is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["name"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        (name_head, name_w), (role_head, role_w), (goal_head, goal_w) = columns(
            [(N_("name"), 20), (N_("role"), 10), (N_("goal"), 5)])
        typer.echo(f"{name_head:<{name_w}}  {role_head:<{role_w}}  {goal_head:>{goal_w}}  " + _("active"))
        for row in rows:
            goal_text = f"{row['daily_goal']}{'' if row['own_goal'] else '*'}"
            role, active = _(_ROLES[str(row["role"])]), _("yes") if row["active"] else _("no")
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
    typer_ctx: typer.Context,
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

    ctx = make_context(typer_ctx, db, config, None, at)
    with ctx.store() as store:
        done = assign_leads(store, caller_name(to), by=ctx.caller, now=ctx.now, lead_ids=lead or None,
                            stage=stage, source=source, industry=industry, count=count)
    typer.echo(ngettext("{count} lead assigned to {caller}", "{count} leads assigned to {caller}", done).format(
        count=done, caller=caller_name(to)))


@app.command(help=N_("Take leads back into the shared pool: a caller's (filtered), or the ones named with "
           "--lead (team leads only)."))
def unassign(
    typer_ctx: typer.Context,
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

    ctx = make_context(typer_ctx, db, config, None, at)
    with ctx.store() as store:
        done = unassign_leads(store, by=ctx.caller, now=ctx.now, caller=caller_name(from_) if from_ else None,
                              lead_ids=lead or None, stage=stage, source=source, industry=industry,
                              count=count)
    typer.echo(ngettext("{count} lead back in the shared pool", "{count} leads back in the shared pool",
                        done).format(count=done))


@app.command("stage", help=N_("Move a lead's stage by hand (team leads only): the one way a stage goes backwards."))
def stage_move(
    typer_ctx: typer.Context,
    lead_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help=N_("The lead's id."), show_default=False)],
    to: Annotated[Stage, typer.Argument(help=N_("The stage to move it to (backwards too)."), show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why (kept in the lead's history)."), show_default=False)],
    at: AtOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.team import move_stage

    ctx = make_context(typer_ctx, db, config, None, at)
    with ctx.store() as store:
        moved = move_stage(store, lead_id, to, reason, by=ctx.caller, now=ctx.now, config=ctx.config)
    typer.echo(_("lead {id} ({company}): {before} → {after}").format(
        id=moved.lead_id, company=moved.company or _("no company"), before=moved.from_stage.ui_label,
        after=moved.to_stage.ui_label))
