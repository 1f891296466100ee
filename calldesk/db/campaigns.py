"""Clients and their campaigns: the companies the desk calls for, their calling projects, and
who calls for which. Every lead belongs to one campaign.

Every change is a team lead's (checked in its own transaction, as calldesk.db.team does).
Names are trimmed and unique regardless of case; they are compared in Python (casefold), not
by the database's lower(), which on SQLite knows ASCII only: the tables are small. Settings
and scripts are TOML texts, stored as given: calldesk.rules.campaigns reads and validates them,
and the command line does so before it calls here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from types import EllipsisType
from typing import Any

import sqlalchemy as sa

from calldesk.db.engine import Store
from calldesk.db.rows import CampaignRow, ClientRow
from calldesk.db.tables import callers, campaign_callers, campaigns, clients, leads
from calldesk.db.team import _require_team_lead, caller_name
from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.kinds import CampaignStatus

DEFAULT = "default"  # the client and campaign every store has (migration 0009)
MAX_NAME = 80
MAX_PRIORITY = 10_000  # either way: a priority orders campaigns, it is no amount
_STATUSES = tuple(status.value for status in CampaignStatus)
_ACTIVE = CampaignStatus.active.value


def _clean(text: str, empty: str, too_long: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise CalldeskError(empty)
    if len(name) > MAX_NAME:
        raise CalldeskError(too_long.format(max=MAX_NAME))
    return name


def client_name(text: str) -> str:
    """A client's name as stored: trimmed, inner spaces single, 1 to MAX_NAME characters."""
    return _clean(text, _("a client's name can't be empty"), _("a client's name is at most {max} characters"))


def campaign_name(text: str) -> str:
    """A campaign's name as stored, as client_name."""
    return _clean(text, _("a campaign's name can't be empty"), _("a campaign's name is at most {max} characters"))


def _listed(names: Iterable[str]) -> str:
    return ", ".join(sorted(names, key=str.casefold)) or _("none")


def _find(conn: sa.Connection, table: sa.Table, name: str) -> tuple[int, str] | None:
    """(id, stored name) of the row named so, regardless of case and spacing."""
    wanted = " ".join(name.split()).casefold()
    for row_id, stored in conn.execute(sa.select(table.c.id, table.c.name)):
        if stored.casefold() == wanted:
            return row_id, stored
    return None


def _names(conn: sa.Connection, table: sa.Table) -> list[str]:
    return list(conn.execute(sa.select(table.c.name)).scalars())


def _client(conn: sa.Connection, name: str) -> int:
    found = _find(conn, clients, name)
    if found is None:
        raise CalldeskError(_("no client named {name} (clients: {names})").format(
            name=repr(name.strip()), names=_listed(_names(conn, clients))))
    return found[0]


def _campaign(conn: sa.Connection, name: str) -> int:
    found = _find(conn, campaigns, name)
    if found is None:
        raise CalldeskError(_("no campaign named {name} (campaigns: {names})").format(
            name=repr(name.strip()), names=_listed(_names(conn, campaigns))))
    return found[0]


def _check_dates(name: str, starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise CalldeskError(_("campaign {name} can't end ({end}) before it starts ({start})").format(
            name=name, end=ends_on.isoformat(), start=starts_on.isoformat()))


def _check_priority(priority: int) -> None:
    if not -MAX_PRIORITY <= priority <= MAX_PRIORITY:
        raise CalldeskError(_("a campaign's priority is a whole number from -{max} to {max}").format(
            max=MAX_PRIORITY))


# -- reading -----------------------------------------------------------------------------------


def _client_rows(conn: sa.Connection, *where: sa.ColumnElement[bool]) -> list[ClientRow]:
    count = (sa.select(sa.func.count()).select_from(campaigns).where(campaigns.c.client_id == clients.c.id)
             .scalar_subquery())
    rows = conn.execute(sa.select(clients, count.label("campaign_count")).where(*where)).all()
    return sorted(ClientRow.all(rows), key=lambda row: row.name.casefold())


def _campaign_rows(conn: sa.Connection, *where: sa.ColumnElement[bool]) -> list[CampaignRow]:
    # Counted per campaign on leads' campaign index: no pass over every lead.
    count = (sa.select(sa.func.count()).select_from(leads).where(leads.c.campaign_id == campaigns.c.id)
             .scalar_subquery())
    rows = conn.execute(
        sa.select(campaigns, clients.c.name.label("client"), count.label("lead_count"))
        .join(clients, clients.c.id == campaigns.c.client_id).where(*where)).all()
    ids = [row.id for row in rows]
    on: dict[int, list[str]] = {}
    if ids:
        for campaign_id, caller in conn.execute(
                sa.select(campaign_callers.c.campaign_id, campaign_callers.c.caller)
                .where(campaign_callers.c.campaign_id.in_(ids)).order_by(campaign_callers.c.caller)):
            on.setdefault(campaign_id, []).append(caller)
    found = [CampaignRow(**row._mapping, callers=tuple(on.get(row.id, ()))) for row in rows]
    return sorted(found, key=lambda row: row.name.casefold())


def _campaign_row(conn: sa.Connection, campaign_id: int) -> CampaignRow:
    return _campaign_rows(conn, campaigns.c.id == campaign_id)[0]


def _client_row(conn: sa.Connection, client_id: int) -> ClientRow:
    return _client_rows(conn, clients.c.id == client_id)[0]


def list_clients(store: Store) -> list[ClientRow]:
    """Every client, by name, with how many campaigns it has."""
    with store.read() as conn:
        return _client_rows(conn)


def get_client(store: Store, name: str) -> ClientRow:
    """The client of that name; CalldeskError naming the known ones when there is none."""
    with store.read() as conn:
        return _client_row(conn, _client(conn, name))


def client_settings(store: Store, client: str) -> str:
    """The client's settings text (TOML, '' for none)."""
    return get_client(store, client).settings


def list_campaigns(store: Store, *, client: str | None = None) -> list[CampaignRow]:
    """Every campaign (or one client's), by name, with its lead count and callers."""
    with store.read() as conn:
        if client is None:
            return _campaign_rows(conn)
        return _campaign_rows(conn, campaigns.c.client_id == _client(conn, client))


def get_campaign(store: Store, name: str) -> CampaignRow:
    """The campaign of that name; CalldeskError naming the known ones when there is none."""
    with store.read() as conn:
        return _campaign_row(conn, _campaign(conn, name))


def caller_campaigns(store: Store, caller: str) -> list[CampaignRow]:
    """The campaigns a caller calls for, by name (whatever their status)."""
    name = caller_name(caller)
    with store.read() as conn:
        mine = sa.select(campaign_callers.c.campaign_id).where(campaign_callers.c.caller == name)
        return _campaign_rows(conn, campaigns.c.id.in_(mine))


def campaign_for_leads(conn: sa.Connection, campaign: str | None) -> int:
    """The id of the campaign new leads go to: the one named, else the only active one (a
    store with one campaign needs no --campaign); CalldeskError when that is not one."""
    if campaign is not None:
        return _campaign(conn, campaign)
    active = conn.execute(sa.select(campaigns.c.id, campaigns.c.name).where(campaigns.c.status == _ACTIVE)).all()
    if len(active) == 1:
        return int(active[0].id)
    if active:
        raise CalldeskError(_("more than one campaign is active: pass --campaign (one of: {names})").format(
            names=_listed(row.name for row in active)))
    raise CalldeskError(_("no campaign is active: pass --campaign (campaigns: {names})").format(
        names=_listed(_names(conn, campaigns))))


# -- changing ----------------------------------------------------------------------------------


def _insert_named(conn: sa.Connection, table: sa.Table, values: dict[str, Any], taken: str) -> int:
    """Insert a row whose name must be new regardless of case; its id."""
    found = _find(conn, table, values["name"])
    if found is not None:
        raise CalldeskError(taken.format(name=found[1]))
    try:
        with conn.begin_nested():
            return int(conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar_one())
    except sa.exc.IntegrityError:  # PostgreSQL: another workstation added the name meanwhile
        raise CalldeskError(taken.format(name=values["name"])) from None


def add_client(store: Store, name: str, *, by: str, now: datetime, notes: str = "", settings: str = "") -> ClientRow:
    """A new client; `settings` its layer of the settings (TOML)."""
    name = client_name(name)
    with store.write() as conn:
        _require_team_lead(conn, by, _("add or change clients"))
        client_id = _insert_named(conn, clients, {"name": name, "notes": notes, "settings": settings,
                                                  "created_at": now},
                                  _("there is already a client named {name}"))
        return _client_row(conn, client_id)


def edit_client(store: Store, client: str, *, by: str, notes: str | None = None,
                settings: str | None = None) -> ClientRow:
    """Change a client's notes or its layer of the settings (TOML); None leaves one as it is."""
    values = {key: value for key, value in (("notes", notes), ("settings", settings)) if value is not None}
    with store.write() as conn:
        _require_team_lead(conn, by, _("add or change clients"))
        client_id = _client(conn, client)
        if values:
            conn.execute(sa.update(clients).where(clients.c.id == client_id).values(values))
        return _client_row(conn, client_id)


def add_campaign(store: Store, name: str, *, client: str, by: str, now: datetime, settings: str = "",
                 script: str = "", priority: int = 0, starts_on: date | None = None,
                 ends_on: date | None = None) -> CampaignRow:
    """A new campaign for a client, active from the start."""
    name = campaign_name(name)
    _check_dates(name, starts_on, ends_on)
    _check_priority(priority)
    with store.write() as conn:
        _require_team_lead(conn, by, _("add or change campaigns"))
        client_id = _client(conn, client)
        # Unique across clients: --campaign names one without its client.
        campaign_id = _insert_named(conn, campaigns, {
            "name": name, "client_id": client_id, "status": _ACTIVE, "starts_on": starts_on, "ends_on": ends_on,
            "priority": priority, "settings": settings, "script": script, "created_at": now,
        }, _("there is already a campaign named {name}"))
        return _campaign_row(conn, campaign_id)


def edit_campaign(store: Store, name: str, *, by: str, settings: str | None = None, script: str | None = None,
                  priority: int | None = None, starts_on: date | None | EllipsisType = ...,
                  ends_on: date | None | EllipsisType = ...) -> CampaignRow:
    """Change a campaign: what is None stays as it is, except the dates, where None clears one
    and `...` (the default) leaves it."""
    if priority is not None:
        _check_priority(priority)
    with store.write() as conn:
        _require_team_lead(conn, by, _("add or change campaigns"))
        campaign_id = _campaign(conn, name)
        row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id).with_for_update()).one()
        values: dict[str, Any] = {key: value for key, value in (
            ("settings", settings), ("script", script), ("priority", priority)) if value is not None}
        if not isinstance(starts_on, EllipsisType):
            values["starts_on"] = starts_on
        if not isinstance(ends_on, EllipsisType):
            values["ends_on"] = ends_on
        _check_dates(row.name, values.get("starts_on", row.starts_on), values.get("ends_on", row.ends_on))
        if values:
            conn.execute(sa.update(campaigns).where(campaigns.c.id == campaign_id).values(values))
        return _campaign_row(conn, campaign_id)


def set_campaign_status(store: Store, name: str, status: str, *, by: str) -> CampaignRow:
    """active, paused or archived (CampaignStatus's values)."""
    if status not in _STATUSES:
        raise CalldeskError(_("a campaign's status is one of: {statuses} (not {status})").format(
            statuses=", ".join(_STATUSES), status=repr(status)))
    with store.write() as conn:
        _require_team_lead(conn, by, _("add or change campaigns"))
        campaign_id = _campaign(conn, name)
        conn.execute(sa.update(campaigns).where(campaigns.c.id == campaign_id).values(status=str(status)))
        return _campaign_row(conn, campaign_id)


def set_campaign_callers(store: Store, name: str, *, add: Iterable[str] = (), remove: Iterable[str] = (),
                         by: str) -> CampaignRow:
    """Who calls for the campaign: `add` joins it, `remove` leaves it (one already on it, or
    not on it, is no change). Every name must be a caller the desk knows: a typo here must not
    add a new caller, as a first --caller does."""
    joining = {caller_name(text) for text in add}
    leaving = {caller_name(text) for text in remove}
    both = joining & leaving
    if both:
        raise CalldeskError(_("{names}: both added to and removed from the campaign").format(names=_listed(both)))
    with store.write() as conn:
        _require_team_lead(conn, by, _("choose who calls for a campaign"))
        campaign_id = _campaign(conn, name)
        known = set(conn.execute(sa.select(callers.c.name).where(callers.c.name.in_(joining | leaving))).scalars())
        unknown = (joining | leaving) - known
        if unknown:
            raise CalldeskError(_("not a caller: {names} (a team lead adds them with `calldesk caller add NAME`)").format(
                names=_listed(unknown)))
        on = set(conn.execute(sa.select(campaign_callers.c.caller)
                              .where(campaign_callers.c.campaign_id == campaign_id)).scalars())
        new = sorted(joining - on)
        if new:
            conn.execute(sa.insert(campaign_callers), [{"campaign_id": campaign_id, "caller": c} for c in new])
        gone = leaving & on
        if gone:
            conn.execute(sa.delete(campaign_callers).where(campaign_callers.c.campaign_id == campaign_id,
                                                           campaign_callers.c.caller.in_(gone)))
        return _campaign_row(conn, campaign_id)
