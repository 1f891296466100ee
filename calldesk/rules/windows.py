"""Calling windows: whether a lead may be called now, in its own time zone, and when next.

A lead is callable on the configured weekdays, from `start` up to (not including) `end` by the
wall clock of its own zone, and, when `skip_holidays` is set, not on a public holiday of its
country (the holidays package; "" / "001" / countries it does not know have none). Policy for an
unknown zone (None): use the home region's zone, because such numbers were typed without a
usable country or area code and the desk's own office hours are the safest guess; if the
country is empty too, the home region's holidays apply. A zone name the tz database does not
know is treated the same way. A lead whose number could be in several zones (a US mobile, a
Kazakh one before their zones agreed) stores them all, space-separated: it is callable only
when every one of them is inside calling hours. Pure: every function takes `now` (aware, any
zone); no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calldesk.i18n import _, format_day, format_weekday, format_weekday_time, language
from calldesk.rules.config import WEEKDAYS, CallingHours
from calldesk.rules.phones import home_zone

__all__ = [
    "WindowKey",
    "callable_day",
    "calling_time_after",
    "day_bounds",
    "describe_next",
    "give_holidays",
    "holiday_country",
    "holiday_dates",
    "holidays_known",
    "is_open",
    "local_midnight",
    "local_time",
    "next_opening",
    "open_keys",
    "their_span",
    "their_time",
    "week_start",
    "why_closed",
    "zones_of",
]

WindowKey = tuple[str | None, str]  # (time_zone, country) as stored on a lead

_MAX_DAYS = 400  # over a year: every weekday and every yearly holiday comes round again
_NO_HOLIDAY_COUNTRIES = {"", "001", "ZZ"}


@lru_cache(maxsize=256)

@lru_cache(maxsize=1024)
def zones_of(zone: str | None) -> tuple[str, ...]:
    """The zones of a stored zone text: () for unknown, one, or the candidates of a number."""
    return tuple(zone.split()) if zone else ()


@lru_cache(maxsize=1024)
def _tz(zone: str | None, region: str) -> ZoneInfo:
    # Several candidates: the first (the country's principal zone) stands in where one clock is
    # needed (the day of a callback); windows check each of them (is_open).
    zone = zone.split(" ", 1)[0] if zone else zone
    if zone:
        try:
            return ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a bad stored name is no better than none: fall back like None
    try:
        return ZoneInfo(home_zone(region))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# (country, year) -> its holidays: computed here, or given from an earlier run (give_holidays).
_HOLIDAYS: dict[tuple[str, int], frozenset[date]] = {}


def holiday_dates(country: str, year: int) -> frozenset[date]:
    """Public holidays of `country` in `year`; empty for non-geographic or unknown countries."""
    key = (country.upper(), year)
    known = _HOLIDAYS.get(key)
    if known is None:
        known = _HOLIDAYS[key] = _compute_holidays(*key)
    return known


def _compute_holidays(code: str, year: int) -> frozenset[date]:
    if code in _NO_HOLIDAY_COUNTRIES:
        return frozenset()
    import holidays  # here: a process given every date it needs never loads it (~20 ms)

    try:
        # A frozenset, not the HolidayBase: that one grows itself on lookups of other years.
        return frozenset(holidays.country_holidays(code, years=year))
    except (NotImplementedError, KeyError):
        return frozenset()


def give_holidays(known: Mapping[tuple[str, int], Iterable[date]]) -> None:
    """Holiday dates from an earlier run (the CLI keeps them between runs): computing them
    loads the holidays package and a module per country, ~0.1 s of every start."""
    for (country, year), days in known.items():
        _HOLIDAYS[country.upper(), year] = frozenset(days)


def holidays_known() -> dict[tuple[str, int], frozenset[date]]:
    """Every (country, year) this process has holidays for, given or computed."""
    return dict(_HOLIDAYS)


def holiday_country(key: WindowKey, region: str) -> str:
    zone, country = key
    # Unknown zone and country: the number was typed at home, so home holidays apply.
    if not zone and not country:
        return region
    return country


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now


def local_time(zone: str | None, now: datetime, region: str) -> datetime:
    """`now` on the wall clock of the lead's zone (the home zone when unknown)."""
    return _aware(now).astimezone(_tz(zone, region))


def local_midnight(day: date, region: str, zone: str | None = None) -> datetime:
    """The moment (UTC) the desk's day `day` begins: 00:00 in `zone` (the desk's, config
    `timezone`), else in the home region's zone.

    Where a zone skips midnight (a DST switch at 00:00) this is the first moment of the day.
    """
    return datetime.combine(day, datetime.min.time()).replace(tzinfo=_tz(zone, region)).astimezone(UTC)


def day_bounds(now: datetime, region: str) -> tuple[datetime, datetime]:
    """The desk's day around `now` as [start, end) in UTC: local midnights in the home zone."""
    today = local_time(None, now, region).date()
    return local_midnight(today, region), local_midnight(today + timedelta(days=1), region)


def week_start(now: datetime, region: str) -> datetime:
    """Monday 00:00 (UTC) of the desk's week around `now`, in the home region's zone."""
    today = local_time(None, now, region).date()
    return local_midnight(today - timedelta(days=today.weekday()), region)


def callable_day(day: date, hours: CallingHours, country: str) -> bool:
    if WEEKDAYS[day.weekday()] not in hours.days:
        return False
    return not (hours.skip_holidays and day in holiday_dates(country, day.year))


def _starts(day: date, hours: CallingHours, tz: ZoneInfo) -> tuple[datetime, ...]:
    """The UTC moments the wall clock of `tz` reaches `hours.start` on `day`, earliest first."""
    wall = datetime.combine(day, hours.start)
    first = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the offset before a switch
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first <= second:  # one moment, or two when the clock falls back over `start`
        return (first,) if first == second else (first, second)
    # Spring-forward skipped `start`: the window opens at the switch, found by bisection.
    # Whole seconds: zone switches happen on them. Wall clock before `start` at low, past at high.
    low, high = int(second.timestamp()), int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return (datetime.fromtimestamp(high, UTC),)


def is_open(key: WindowKey, now: datetime, hours: CallingHours, region: str) -> bool:
    """True when the lead's local time is inside calling hours on a callable day, in every
    zone the lead could be in."""
    country = holiday_country(key, region)
    for zone in zones_of(key[0]) or (None,):
        local = local_time(zone, now, region)
        if not hours.start <= local.time() < hours.end:
            return False
        if not callable_day(local.date(), hours, country):
            return False
    return True


def open_keys(
    keys: Iterable[WindowKey], now: datetime, hours: CallingHours, region: str
) -> set[WindowKey]:
    """The (zone, country) pairs whose window is open at `now`."""
    return {key for key in keys if is_open(key, now, hours, region)}


def next_opening(key: WindowKey, now: datetime, hours: CallingHours, region: str) -> datetime:
    """The first moment (UTC) at or after `now` when the window is open; `now` if open now.

    Raises ValueError when no weekday is allowed, or nothing opens within about a year.
    """
    if not hours.days:
        raise ValueError("calling_hours.days is empty: no day is callable")
    now_utc = _aware(now).astimezone(UTC)
    if is_open(key, now_utc, hours, region):
        return now_utc
    country = holiday_country(key, region)
    # Every zone must be open: the windows' overlap begins when the last of them opens, at one
    # zone's start; candidates of a day and the next are compared (a country's zones lie
    # within a day of each other).
    zones = [_tz(zone, region) for zone in zones_of(key[0])] or [_tz(None, region)]
    if len(zones) > 1 and not _can_overlap(tuple(zones), now_utc, hours):
        raise ValueError(f"the calling hours of {key!r} never overlap in all its zones")
    days = {tz: now_utc.astimezone(tz).date() for tz in zones}
    found: datetime | None = None
    found_on = 0
    for offset in range(_MAX_DAYS + 1):
        for tz in zones:
            day = days[tz] + timedelta(days=offset)
            if not callable_day(day, hours, country):
                continue
            for moment in _starts(day, hours, tz):
                # The check also rejects a start skipped by spring-forward that lands past `end`.
                if moment >= now_utc and (found is None or moment < found) and is_open(key, moment, hours, region):
                    found, found_on = moment, found_on if found is not None else offset
        if found is not None and (len(zones) == 1 or offset > found_on):
            return found
    raise ValueError(f"no calling window opens within {_MAX_DAYS} days for {key!r}")


def _closing(moment: datetime, hours: CallingHours, zones: list[ZoneInfo]) -> datetime:
    """The UTC moment the window open at `moment` shuts: `end` that day on the lead's clock,
    the first of its clocks to get there when it could be in several zones."""
    closes = []
    for tz in zones:
        wall = datetime.combine(moment.astimezone(tz).date(), hours.end)
        for fold in (0, 1):  # the clock falling back over `end`: the later of the two
            close = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
            if close > moment:
                closes.append(close)
                break
    # Nothing later cannot happen with start < end; never loop in place.
    return min(closes, default=moment + timedelta(minutes=1))


@lru_cache(maxsize=4096)
def calling_time_after(key: WindowKey, start: datetime, amount: timedelta, hours: CallingHours,
                       region: str) -> datetime:
    """The moment `amount` of calling time (the lead's open windows) has passed since `start`.

    The overdue-release clock: a callback missed at 17:25 has used 5 minutes of a 2 h grace by
    the window's close; the rest runs from the next opening (weekends and holidays skipped).
    """
    moment, left = _aware(start).astimezone(UTC), amount
    zones = [_tz(zone, region) for zone in zones_of(key[0])] or [_tz(None, region)]
    while True:
        moment = next_opening(key, moment, hours, region)
        close = _closing(moment, hours, zones)
        if moment + left <= close:
            return moment + left
        left -= close - moment
        moment = close


@lru_cache(maxsize=256)
def holiday_name(country: str, day: date, lang: str) -> str:
    """The holiday's name in `lang` where the holidays package has it ("Christmas Day" /
    "Eerste Kerstdag"), else in the country's own language; "" when unknown."""
    code = country.upper()
    if code in _NO_HOLIDAY_COUNTRIES:
        return ""
    import holidays  # only to name a holiday: most runs never need it

    try:
        found = holidays.country_holidays(code, years=day.year)
        spoken = [name for name in found.supported_languages if name.split("_")[0].lower() == lang]
        chosen = spoken[0] if spoken else found.default_language
        if chosen:  # explicit: the package otherwise follows the process's locale
            found = holidays.country_holidays(code, years=day.year, language=chosen)
    except (NotImplementedError, KeyError):
        return ""
    return found.get(day, "")


def why_closed(key: WindowKey, now: datetime, hours: CallingHours, region: str) -> str:
    """Why the lead's window is shut at `now`, in the UI language: the holiday by name
    ("Christmas Day in NL"), a day that is no calling day ("not a calling day (Sat)"), or
    "outside calling hours"."""
    day = local_time(key[0], now, region).date()
    country = holiday_country(key, region)
    if hours.skip_holidays and day in holiday_dates(country, day.year):
        name = holiday_name(country, day, language())
        if name:
            return _("{holiday} in {country}").format(holiday=name, country=country.upper())
        return _("a public holiday in {country}").format(country=country.upper())
    if WEEKDAYS[day.weekday()] not in hours.days:
        return _("not a calling day ({weekday})").format(weekday=format_weekday(day))
    return _("outside calling hours")


def _can_overlap(zones: tuple[ZoneInfo, ...], now: datetime, hours: CallingHours) -> bool:
    """Whether the zones' clocks ever lie close enough for calling hours to overlap (a Russian
    mobile spans Moscow to Kamchatka, nine hours: never), checked monthly for a year."""
    day = datetime.combine(date.min, hours.end) - datetime.combine(date.min, hours.start)
    for month in range(13):
        moment = now + timedelta(days=30 * month)
        offsets = [moment.astimezone(tz).utcoffset() or timedelta() for tz in zones]
        if max(offsets) - min(offsets) < day:
            return True
    return False


def describe_next(key: WindowKey, now: datetime, hours: CallingHours, region: str) -> str:
    """Short text such as "09:00 Europe/Amsterdam on Mon 23 Nov" (year added if not now's), in
    the UI language ("09:00 Europe/Amsterdam op ma 23 nov"); a lead of several zones is told
    on the desk's clock, as no one zone is theirs."""
    moment = next_opening(key, now, hours, region)
    tz = _tz(key[0] if len(zones_of(key[0])) < 2 else None, region)
    local = moment.astimezone(tz)
    day = format_day(local, year=local_time(key[0], now, region).year)
    return _("{time} {zone} on {day}").format(time=f"{local:%H:%M}", zone=tz.key, day=day)


def their_time(key: WindowKey, now: datetime, region: str, weekday: bool = False) -> str:
    """The lead's clock as the screens say it: "10:15 Europe/London", or for a number that
    could be in several zones the span of their clocks, "10:15–13:15 in all 8 US zones"."""
    zones = zones_of(key[0])
    if len(zones) < 2:
        local = local_time(key[0], now, region)
        return f"{_clock(local, weekday)} {zones[0] if zones else _('{zone}, zone unknown').format(zone=local.tzinfo)}"
    clocks = sorted((local_time(zone, now, region) for zone in zones), key=lambda t: t.replace(tzinfo=None))
    early, late = clocks[0], clocks[-1]
    span = f"{_clock(early, weekday)}–{_clock(late, early.date() != late.date())}"
    return _("{span} in all {count} {country} zones").format(span=span, count=len(zones), country=key[1] or "?")


def their_span(zone: str | None, now: datetime, region: str, narrow: bool = False) -> str:
    """The span for a table column: "Mon 04:30–09:30" (weekday of the earliest); `narrow`,
    for 9 characters: the earliest clock and how far the latest is ahead, "04:30+5h"."""
    clocks = sorted((local_time(z, now, region) for z in zones_of(zone) or (None,)),
                    key=lambda t: t.replace(tzinfo=None))
    early, late = clocks[0], clocks[-1]
    if narrow:
        ahead = int((late.replace(tzinfo=None) - early.replace(tzinfo=None)).total_seconds() // 60)
        hours, minutes = divmod(ahead, 60)
        return f"{early:%H:%M}+{hours}h" + (f"{minutes:02d}" if minutes else "")
    return f"{format_weekday_time(early)}–{_clock(late, early.date() != late.date())}"


def _clock(local: datetime, weekday: bool) -> str:
    return format_weekday_time(local) if weekday else f"{local:%H:%M}"
