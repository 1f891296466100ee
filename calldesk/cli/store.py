"""Which store and settings a desk uses: `db status`/`db upgrade` for the store's schema, `config`."""

from __future__ import annotations

from contextlib import closing
from enum import StrEnum
from typing import Annotated

import typer

from calldesk.cli.context import config_path, load_config, make_context
from calldesk.cli.options import ConfigOpt, DbOpt
from calldesk.cli.output import print_json
from calldesk.i18n import N_, _

app = typer.Typer()
db_app = typer.Typer(help=N_("Store maintenance: schema status and upgrades."), no_args_is_help=True)


@db_app.command("upgrade", help=N_("Bring the store's schema up to this calldesk's (done automatically on open too)."))
def db_upgrade(typer_ctx: typer.Context, db: DbOpt = None, config: ConfigOpt = None) -> None:
    ctx = make_context(typer_ctx, db, config)
    with ctx.store() as store:
        described = store.describe()
    from calldesk.db.engine import SCHEMA_HEAD

    typer.echo(_("store {store} is at schema {revision} (current)").format(store=described, revision=SCHEMA_HEAD))


@db_app.command("status", help=N_("Show which store is used and its schema revision, without changing it."))
def db_status(typer_ctx: typer.Context, db: DbOpt = None, config: ConfigOpt = None) -> None:
    from calldesk.db.engine import SCHEMA_HEAD, Store, to_url

    ctx = make_context(typer_ctx, db, config)
    with closing(Store(to_url(ctx.store_target))) as store:  # as it is: not opened, so not upgraded
        if store.path and not store.path.exists():
            typer.echo(_("store {store}: does not exist yet (created on first use)").format(store=store.describe()))
            return
        revision = store.revision()
        state = _("current") if revision == SCHEMA_HEAD else _("calldesk needs {revision}").format(
            revision=SCHEMA_HEAD)
        typer.echo(_("store {store}: schema {revision} ({state})").format(
            store=store.describe(), revision=revision or _("none"), state=state))


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
        print_json(config_data(cfg, nulls=True))
        return
    typer.echo("# " + (_("config file: {path}") if path.exists()
                       else _("config file: {path} (not there: defaults)")).format(path=path))
    if cfg.language is None:
        typer.echo("# " + _("language not set: --lang, else the environment's locale decides"))
    typer.echo(config_toml(cfg), nl=False)
