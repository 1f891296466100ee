"""The options several commands take, and how their values are read (moments, regions, numbers)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _

if TYPE_CHECKING:
    from calldesk.rules.config import Config

DbOpt = Annotated[str | None, typer.Option("--db", help=N_("Store: a file path or postgresql:// URL [env: CALLDESK_DB]."), show_default=False)]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help=N_("Config file (TOML) [env: CALLDESK_CONFIG]."), show_default=False)]
CallerOpt = Annotated[str | None, typer.Option("--caller", help=N_("Who is working [env: CALLDESK_CALLER; default: your login name]."), show_default=False)]
AtOpt = Annotated[str | None, typer.Option("--at", help=N_("Act as if it were this moment (e.g. 2026-11-23T09:00); a time without a zone is the desk's zone (config `timezone`, default the region's, Europe/Amsterdam for NL), not this machine's."), show_default=False)]
RegionOpt = Annotated[str | None, typer.Option(help=N_("Country for a number without a country code [default: config region]."), show_default=False)]


# Ids and counts as both stores hold them (PostgreSQL's INTEGER): a bigger one is a typo, and
# the drivers would fail on it with a traceback.
MAX_ID = 2**31 - 1

# Days are added to moments (retry delays, weeks of calling windows, calendar ranges): near
# year 1 or 9999 that overflows, and no call desk plans that far.
YEARS = (1900, 2999)


def in_years(year: int, option: str, text: str) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise CalldeskError(_("{option} {text}: expected a year from {first} to {last}").format(
            option=option, text=repr(text), first=YEARS[0], last=YEARS[1]))


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


def region_of(given: str | None, config: Config) -> str:
    """--region, checked, else the config's."""
    from calldesk.rules.phones import is_region

    if given and not is_region(given):
        raise CalldeskError(_("--region {region}: expected a two-letter country code such as NL").format(
            region=repr(given)))
    return (given or config.region).upper()


def phone_error(phone: str, exc: CalldeskError) -> CalldeskError:
    return CalldeskError(_("{phone} is not a number calldesk can use: {reason}").format(phone=repr(phone), reason=exc))
