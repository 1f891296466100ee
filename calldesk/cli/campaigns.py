"""Clients (the companies we call for) and their campaigns: team leads set them up, anyone lists them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calldesk.cli.context import make_context
from calldesk.cli.options import ConfigOpt, DbOpt
from calldesk.cli.output import Format, cell, columns, print_csv, print_json
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _

if TYPE_CHECKING:
    from calldesk.db.engine import Store
    from calldesk.db.rows import CampaignRow
    from calldesk.rules.campaigns import Layered
    from calldesk.rules.config import Config

client_app = typer.Typer(help=N_("The companies on whose behalf the desk calls."), no_args_is_help=True)
campaign_app = typer.Typer(help=N_("Calling projects: one client's leads, settings, script and callers."),
                           no_args_is_help=True)

MAX_PRIORITY = 10_000  # as the store allows (calldesk.db.campaigns), without importing it here
SettingsOpt = Annotated[Path | None, typer.Option(
    "--settings", help=N_("A TOML file with any of the config's calling_hours, icp, warmth, retry, "
                          "qualification and daily_goal (the rest comes from the client and the desk)."),
    show_default=False)]
ScriptOpt = Annotated[Path | None, typer.Option(
    "--script", help=N_("The campaign's BANT script: a TOML file as calldesk/scripts/en.toml."), show_default=False)]
PriorityOpt = Annotated[int | None, typer.Option(
    "--priority", min=-MAX_PRIORITY, max=MAX_PRIORITY,
    help=N_("Warmth points its leads get when a caller works all their campaigns [new: 0]."), show_default=False)]
StartsOpt = Annotated[str | None, typer.Option(
    "--starts", help=N_("First calling day, YYYY-MM-DD (empty: none)."), show_default=False)]
EndsOpt = Annotated[str | None, typer.Option(
    "--ends", help=N_("Last calling day, YYYY-MM-DD (empty: none)."), show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", help=N_("Output format."))]
NameArg = Annotated[str, typer.Argument(help=N_("The campaign's name."), show_default=False)]
ClientArg = Annotated[str, typer.Argument(help=N_("The client's name."), show_default=False)]
ClientSettingsOpt = Annotated[Path | None, typer.Option(
    "--settings", help=N_("A TOML file with settings for all the client's campaigns (as campaign add's)."),
    show_default=False)]

_STATUS = {"active": N_("active"), "paused": N_("paused"), "archived": N_("archived")}  # as shown
_ORIGIN = {"desk": N_("desk"), "client": N_("client"), "campaign": N_("campaign")}


def _text_of(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CalldeskError(_("{path}: not UTF-8 text").format(path=path)) from None
    except OSError as exc:
        raise CalldeskError(_("cannot read {path}: {error}").format(path=path, error=exc.strerror or exc)) from None


def _day(text: str | None, option: str) -> date | None | EllipsisType:
    """`...`: not given (the store's "leave it"); None: given empty (no date); else the date."""
    if text is None:
        return ...
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CalldeskError(_("{option}: expected a date as YYYY-MM-DD, not {value}").format(
            option=option, value=repr(text))) from None


def _check_settings(config: Config, client: str, name: str, client_text: str, text: str | None) -> None:
    """The settings file's text must read right on its own and over the client's and the desk's."""
    from calldesk.rules.campaigns import layer, parse_settings

    if text is None:
        return
    source = _("campaign {name}: settings").format(name=name)
    settings = parse_settings(text, source, base=config)
    layer(config, parse_settings(client_text, _("client {name}: settings").format(name=client), base=config), settings,
          client_source=_("client {name}").format(name=client), campaign_source=source)


def _checked_script(name: str, text: str | None) -> str | None:
    from calldesk.rules.campaigns import check_campaign_script

    if text is None:
        return None
    return check_campaign_script(text, _("campaign {name}: script").format(name=name))


def _effective(store: Store, config: Config, campaign: CampaignRow) -> Layered:
    from calldesk.db.campaigns import client_settings
    from calldesk.rules.campaigns import layer, parse_settings

    client_text = client_settings(store, campaign.client)
    return layer(config,
                 parse_settings(client_text, _("client {name}: settings").format(name=campaign.client), base=config),
                 parse_settings(campaign.settings, _("campaign {name}: settings").format(name=campaign.name),
                                base=config))


def _dates(row: CampaignRow) -> str:
    if row.starts_on and row.ends_on:
        return f"{row.starts_on.isoformat()} – {row.ends_on.isoformat()}"
    if row.starts_on:
        return _("from {day}").format(day=row.starts_on.isoformat())
    if row.ends_on:
        return _("until {day}").format(day=row.ends_on.isoformat())
    return ""


def _plain(row: CampaignRow) -> dict[str, Any]:
    return {"name": row.name, "client": row.client, "status": row.status, "priority": row.priority,
            "starts_on": row.starts_on.isoformat() if row.starts_on else None,
            "ends_on": row.ends_on.isoformat() if row.ends_on else None,
            "leads": row.lead_count, "callers": list(row.callers)}


def _said(row: CampaignRow) -> str:
    parts = [row.name, _("client {name}").format(name=row.client), _(_STATUS[row.status]),
             _("priority {n}").format(n=row.priority)]
    if _dates(row):
        parts.append(_dates(row))
    return ", ".join(parts)


# -- clients -------------------------------------------------------------------------------------
@client_app.command("add", help=N_("Add a client: a company the desk calls for (team leads only)."))
def client_add(
    typer_ctx: typer.Context,
    name: ClientArg,
    notes: Annotated[str, typer.Option("--notes", help=N_("Anything callers should know about the client."))] = "",
    settings: ClientSettingsOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import add_client
    from calldesk.rules.campaigns import parse_settings

    ctx = make_context(typer_ctx, db, config)
    text = _text_of(settings)
    if text is not None:  # read over the desk's config, as its campaigns will
        parse_settings(text, _("client {name}: settings").format(name=name.strip()), base=ctx.config)
    with ctx.store() as store:
        row = add_client(store, name, by=ctx.caller, now=ctx.now, notes=notes, settings=text or "")
    typer.echo(_("added: client {name}").format(name=row.name))


@client_app.command("edit", help=N_("Change a client's notes or settings (team leads only)."))
def client_edit(
    typer_ctx: typer.Context,
    name: ClientArg,
    notes: Annotated[str | None, typer.Option("--notes", help=N_("Anything callers should know about the client."),
                                              show_default=False)] = None,
    settings: ClientSettingsOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import edit_client, list_campaigns
    from calldesk.rules.campaigns import layer, parse_settings

    ctx = make_context(typer_ctx, db, config)
    text = _text_of(settings)
    if text is None and notes is None:
        raise CalldeskError(_("nothing to change: give --notes or --settings"))
    source = _("client {name}: settings").format(name=name.strip())
    with ctx.store() as store:
        if text is not None:
            client_layer = parse_settings(text, source, base=ctx.config)
            for campaign in list_campaigns(store, client=name):  # each must still read right over it
                layer(ctx.config, client_layer,
                      parse_settings(campaign.settings, _("campaign {name}: settings").format(name=campaign.name),
                                     base=ctx.config),
                      client_source=source, campaign_source=_("campaign {name}").format(name=campaign.name))
        edit_client(store, name, by=ctx.caller, notes=notes, settings=text)
    typer.echo(_("changed: client {name}").format(name=name.strip()))


@client_app.command("list", help=N_("Every client with its number of campaigns."))
def client_list(
    typer_ctx: typer.Context,
    format_: FormatOpt = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import list_clients

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        clients = list_clients(store)
    rows = [{"name": c.name, "campaigns": c.campaign_count, "notes": c.notes} for c in clients]
    if format_ is Format.json:
        print_json(rows)
        return
    if format_ is Format.csv:
        print_csv(["name", "campaigns", "notes"], rows)
        return
    (name_head, name_w), (count_head, count_w) = columns([(N_("client"), 24), (N_("campaigns"), 9)])
    typer.echo(f"{name_head:<{name_w}}  {count_head:>{count_w}}  " + _("notes"))
    for row in rows:
        typer.echo(f"{cell(row['name'], name_w)}  {row['campaigns']:>{count_w}}  {row['notes']}")


# -- campaigns -----------------------------------------------------------------------------------
@campaign_app.command("add", help=N_("Add a campaign for a client (team leads only). Its settings and script are "
                                     "checked before anything is stored."))
def campaign_add(
    typer_ctx: typer.Context,
    name: NameArg,
    client: Annotated[str, typer.Option("--client", help=N_("The client it calls for."), show_default=False)],
    settings: SettingsOpt = None,
    script: ScriptOpt = None,
    priority: PriorityOpt = None,
    starts: StartsOpt = None,
    ends: EndsOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import add_campaign, client_settings

    ctx = make_context(typer_ctx, db, config)
    settings_text, script_text = _text_of(settings), _checked_script(name.strip(), _text_of(script))
    starts_on, ends_on = _day(starts, "--starts"), _day(ends, "--ends")
    with ctx.store() as store:
        _check_settings(ctx.config, client, name.strip(), client_settings(store, client), settings_text)
        row = add_campaign(store, name, client=client, by=ctx.caller, now=ctx.now, settings=settings_text or "",
                           script=script_text or "", priority=priority or 0,
                           starts_on=None if starts_on is ... else starts_on,
                           ends_on=None if ends_on is ... else ends_on)
    typer.echo(_("added: campaign {campaign}").format(campaign=_said(row)))


@campaign_app.command("edit", help=N_("Change a campaign's settings, script, priority or dates (team leads only)."))
def campaign_edit(
    typer_ctx: typer.Context,
    name: NameArg,
    settings: SettingsOpt = None,
    script: ScriptOpt = None,
    priority: PriorityOpt = None,
    starts: StartsOpt = None,
    ends: EndsOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import client_settings, edit_campaign, get_campaign

    ctx = make_context(typer_ctx, db, config)
    if settings is None and script is None and priority is None and starts is None and ends is None:
        raise CalldeskError(_("nothing to change: give --settings, --script, --priority, --starts or --ends"))
    settings_text, script_text = _text_of(settings), _checked_script(name.strip(), _text_of(script))
    starts_on, ends_on = _day(starts, "--starts"), _day(ends, "--ends")
    with ctx.store() as store:
        current = get_campaign(store, name)
        _check_settings(ctx.config, current.client, current.name, client_settings(store, current.client),
                        settings_text)
        row = edit_campaign(store, current.name, by=ctx.caller, settings=settings_text, script=script_text,
                            priority=priority, starts_on=starts_on, ends_on=ends_on)
    typer.echo(_("changed: campaign {campaign}").format(campaign=_said(row)))


@campaign_app.command("list", help=N_("Every campaign: client, status, priority, dates, leads and callers."))
def campaign_list(
    typer_ctx: typer.Context,
    client: Annotated[str | None, typer.Option("--client", help=N_("Only this client's."), show_default=False)] = None,
    format_: FormatOpt = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import list_campaigns

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        campaigns = list_campaigns(store, client=client)
    rows = [_plain(row) for row in campaigns]
    if format_ is Format.json:
        print_json(rows)
        return
    if format_ is Format.csv:
        print_csv(list(rows[0]) if rows else ["name"], [{**r, "callers": " ".join(r["callers"])} for r in rows])
        return
    heads = columns([(N_("campaign"), 18), (N_("client"), 14), (N_("status"), 12), (N_("prio"), 4),
                     (N_("leads"), 7)])
    (n_h, n_w), (c_h, c_w), (s_h, s_w), (p_h, p_w), (l_h, l_w) = heads
    typer.echo(f"{n_h:<{n_w}}  {c_h:<{c_w}}  {s_h:<{s_w}}  {p_h:>{p_w}}  {l_h:>{l_w}}  " + _("callers"))
    for row in campaigns:
        callers = ", ".join(row.callers) or _("team leads only")
        typer.echo(f"{cell(row.name, n_w)}  {cell(row.client, c_w)}  {cell(_(_STATUS[row.status]), s_w)}  "
                   f"{row.priority:>{p_w}}  {row.lead_count:>{l_w},}  {callers}")


@campaign_app.command("show", help=N_("A campaign's effective settings, and where each comes from: the desk's "
                                      "config, the client or the campaign."))
def campaign_show(
    typer_ctx: typer.Context,
    name: NameArg,
    format_: FormatOpt = Format.table,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import get_campaign
    from calldesk.rules.config import config_data

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        row = get_campaign(store, name)
        layered = _effective(store, ctx.config, row)
    settings = layered.rows()
    if format_ is Format.json:
        values = config_data(layered.config, nulls=True)
        print_json({**_plain(row), "script": "campaign" if row.script else "desk",
                    "settings": [{"key": key, "value": _at(values, key), "from": origin}
                                 for key, _value, origin in settings]})
        return
    if format_ is Format.csv:
        print_csv(["key", "value", "from"], [{"key": k, "value": v, "from": o} for k, v, o in settings])
        return
    typer.echo(_said(row))
    typer.echo(_("leads: {n}; callers: {callers}").format(n=f"{row.lead_count:,}",
                                                          callers=", ".join(row.callers) or _("team leads only")))
    typer.echo(_("script: {where}").format(where=_("the campaign's own") if row.script else _("the desk's")))
    width = max((len(key) for key, _value, _origin in settings), default=10)
    # key, value and origin fit 80 columns (the longest key is 35); --format json has them whole
    value_w = min(26, max((len(value) for _key, value, _origin in settings), default=10))
    for key, value, origin in settings:
        typer.echo(f"  {key:<{width}}  {cell(value, value_w)}  {_(_ORIGIN[origin])}")


def _at(data: dict[str, Any], key: str) -> Any:
    """The value at a dotted key ("calling_hours.start") of config_data."""
    for part in key.split("."):
        data = data[part]
    return data


def _status(typer_ctx: typer.Context, name: str, status: str, db: str | None, config: Path | None) -> None:
    from calldesk.db.campaigns import set_campaign_status

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        row = set_campaign_status(store, name, status, by=ctx.caller)
    typer.echo(_("campaign {name} is {status}").format(name=row.name, status=_(_STATUS[row.status])))


@campaign_app.command("pause", help=N_("Stop offering a campaign's leads until it is resumed (team leads only)."))
def campaign_pause(typer_ctx: typer.Context, name: NameArg, db: DbOpt = None, config: ConfigOpt = None) -> None:
    _status(typer_ctx, name, "paused", db, config)


@campaign_app.command("resume", help=N_("Offer a paused or archived campaign's leads again (team leads only)."))
def campaign_resume(typer_ctx: typer.Context, name: NameArg, db: DbOpt = None, config: ConfigOpt = None) -> None:
    _status(typer_ctx, name, "active", db, config)


@campaign_app.command("archive", help=N_("Close a campaign: its leads and figures are kept, nothing is offered "
                                         "(team leads only)."))
def campaign_archive(typer_ctx: typer.Context, name: NameArg, db: DbOpt = None, config: ConfigOpt = None) -> None:
    _status(typer_ctx, name, "archived", db, config)


@campaign_app.command("callers", help=N_("Who works a campaign: without options, list them; --add and --remove "
                                         "change them (team leads only). Team leads may work any campaign."))
def campaign_callers(
    typer_ctx: typer.Context,
    name: NameArg,
    add: Annotated[list[str] | None, typer.Option("--add", help=N_("A caller to add (repeatable)."),
                                                  show_default=False)] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help=N_("A caller to take off (repeatable)."),
                                                     show_default=False)] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    from calldesk.db.campaigns import get_campaign, set_campaign_callers

    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        if add or remove:
            row = set_campaign_callers(store, name, add=tuple(add or ()), remove=tuple(remove or ()),
                                       by=ctx.caller)
        else:
            row = get_campaign(store, name)
    typer.echo(_("campaign {name}: {callers}").format(name=row.name,
                                                      callers=", ".join(row.callers) or _("team leads only")))
