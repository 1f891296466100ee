"""`calldesk serve`: the app in browser tabs (textual-serve), and what keeps that safe: loopback
unless --public, only the desk's own page may open a desk, at most max_desks, terminals of a sane size."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calldesk.cli.context import Context, config_path, make_context
from calldesk.cli.options import AtOpt, CallerOpt, ConfigOpt, DbOpt
from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server

app = typer.Typer()


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

    given = ctx.state.given
    env = {"CALLDESK_DB": ctx.store_target, "CALLDESK_CALLER": ctx.caller}
    path, named = config_path(config or given.config)
    if named:
        env["CALLDESK_CONFIG"] = str(path.expanduser().absolute())
    args = [sys.executable, "-m", "calldesk"]
    if given.lang:
        args += ["--lang", str(given.lang)]
    if ctx.fixed:
        args += ["--at", ctx.now.isoformat()]
    return shlex.join(args), env


# A browser terminal this size is already beyond any screen; a bigger one only costs memory.
SERVE_MAX_COLUMNS, SERVE_MAX_ROWS = 500, 200


def _desk_server(command: str, host: str, port: int, url: str, max_desks: int = 20) -> Server:
    import asyncio

    from aiohttp import web  # here, as textual_serve: keeps aiohttp off --help
    from textual_serve.server import Server

    origins = serve_origins(url, host, port)
    tabs: set[asyncio.Task] = set()  # the open tabs' websocket handlers

    def full() -> web.HTTPServiceUnavailable:
        return web.HTTPServiceUnavailable(text=_(
            "calldesk: all {count} desks of this server are in use; close a tab or try again later").format(
            count=max_desks))

    def fits(query: Mapping[str, str], name: str, most: int) -> bool:
        value = query.get(name, "1")
        return value.isdigit() and 1 <= int(value) <= most

    class DeskServer(Server):
        async def handle_index(self, request: web.Request) -> web.StreamResponse:
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
    typer_ctx: typer.Context,
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
    ctx = make_context(typer_ctx, db, config, caller, at)
    with ctx.store() as store:  # fails here once, not in every tab; brings the schema up to date
        described = store.describe()
    command, env = serve_child(ctx, config)
    public_url = serve_url(host, port, url)
    if warning:
        typer.echo(_("calldesk: warning: {message}").format(message=warning), err=True)
    os.environ.update(env)  # textual-serve hands its environment to each tab's process
    server = _desk_server(command, host, port, public_url, max_desks=ctx.config.serve.max_desks)
    typer.echo(_("calldesk: serving {store} as {caller} at {url}").format(
        store=described, caller=ctx.caller, url=public_url))
    try:
        server.serve()
    except OSError as exc:
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise CalldeskError(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=reason)) from None
