"""Choosing a moment for a callback or an appointment: quick choices, free entry, warnings.

Every moment is read and shown on the LEAD's wall clock (its zone; None or an unknown zone:
the home region's zone, as in `calldesk.rules.windows`) and returned as an aware UTC datetime.
Pure: every function takes `now` (aware, any zone); no I/O, no wall clock.

Quick choices (fixed keys, so fingers learn them; a key is absent only when it has no use):

    1  in 1 hour                 now + 60 minutes
    2  tomorrow 09:00            calling_hours.start tomorrow, even on a weekend or holiday
                                 (check_when warns)
    3  next calling day 09:00    only when tomorrow is not a calling day: the first opening
                                 after today (windows.next_opening)
    4  in 2 days                 the same wall-clock time two days on
    5  next Monday 09:00         the first Monday after today
    6  in a week                 the same wall-clock time seven days on

Free entry (`parse_when`), case-insensitive, English or Dutch; a time is always required
(`calling_hours.start` is not known here, and a guessed 09:00 hides a typo):

    2026-11-24 14:00   2026-11-24T14:00   24-11 14:00   24/11 14:00   24-11-2026 14:00
    24-11-26 14:00     24.11 14:00   24.11.2026 14:00   24 nov 14:00   24 november 2026 14:00
    nov 24 14:00
    14:00   14.00   9:30   2pm   10 uur   14u30                (today)
    tomorrow 10:00   morgen 10:00   morgen om 10   overmorgen 10:00   today/vandaag 16:00
    mon 10:00   ma 10:00   monday 10:00   maandag 10:00   next monday 10:00   volgende ma 10:00
    di 24-11 10:00     (a weekday before a date must match it)
    10:00 tomorrow     (the time may also come first)
    +2h   +30m   +3d   +1w   +1h30m   in 2 hours   in an hour   over 2 uur   over een week

A bare hour ("10") counts only after a day ("morgen 10", "ma om 9"). A day-month without a
year is the next such date (today included); moments over ten years away are refused as
typos. Hours and minutes are elapsed time; days and weeks step the lead's calendar, keeping
its wall-clock time across a DST switch. Relative moments are cut to the whole minute.

DST: a wall time that does not exist (the spring-forward gap) is moved forward by the gap
(02:30 → 03:30); a wall time that occurs twice (the autumn overlap) is the first of the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, format_weekday
from calldesk.rules.config import WEEKDAYS, CallingHours
from calldesk.rules.windows import callable_day, holiday_country, holiday_dates, local_time, next_opening

__all__ = ["AGENDA_GROUPS", "Choice", "agenda_group", "check_when", "parse_when", "quick_choices", "read_moment"]

MAX_DISTANCE = timedelta(days=3660)  # about ten years: anything further is a typo
# A callback may be set this far in the past: the moment it was chosen, a few seconds before saving.
PAST_GRACE = timedelta(minutes=1)
_NO_HOLIDAY_COUNTRIES = {"", "001", "ZZ"}


@dataclass(frozen=True)
class Choice:
    key: str  # "1".."9"
    label: str  # "in 1 hour", "tomorrow 09:00", … (UI language)
    at: datetime  # aware, UTC


# --- shared helpers -----------------------------------------------------------------------


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


def _zone(zone: str | None, now: datetime, region: str) -> tzinfo:
    # windows resolves the zone (unknown or bad name → home zone); reuse its answer.
    tz = local_time(zone, now, region).tzinfo
    assert tz is not None
    return tz


def _to_utc(day: date, clock: time, tz: tzinfo) -> datetime:
    # fold=0: in a gap the offset before the switch applies, which lands after it by the gap's
    # length; in an overlap it picks the first occurrence.
    return datetime.combine(day, clock).replace(tzinfo=tz, fold=0).astimezone(UTC)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@lru_cache(maxsize=256)
def _holiday_names(country: str, year: int) -> dict[date, str]:
    """Holiday names in the country's own language (the package otherwise follows the locale)."""
    import holidays  # only when a warning names a holiday: `calldesk log` need not load it

    code = country.upper()
    if code in _NO_HOLIDAY_COUNTRIES:
        return {}
    try:
        found = holidays.country_holidays(code, years=year)
        if found.default_language:
            found = holidays.country_holidays(code, years=year, language=found.default_language)
    except (NotImplementedError, KeyError):
        return {}
    return dict(found.items())


# --- quick choices ------------------------------------------------------------------------


def quick_choices(
    now: datetime, zone: str | None, country: str, hours: CallingHours, region: str
) -> list[Choice]:
    """The fixed-key choices of the module docstring, on the lead's clock, in key order."""
    now_utc = _aware(now, "now").astimezone(UTC)
    tz = _zone(zone, now_utc, region)
    local = now_utc.astimezone(tz)
    today = local.date()
    start = f"{hours.start:%H:%M}"
    wall = local.time().replace(second=0, microsecond=0, tzinfo=None)
    tomorrow = today + timedelta(days=1)

    choices = [
        Choice("1", _("in 1 hour"), _minute(now_utc + timedelta(hours=1))),
        Choice("2", _("tomorrow {time}").format(time=start), _to_utc(tomorrow, hours.start, tz)),
    ]
    if not callable_day(tomorrow, hours, holiday_country((zone, country), region)):
        midnight = _to_utc(tomorrow, time(0), tz)
        try:
            opening = next_opening((zone, country), midnight, hours, region)
        except ValueError:
            pass  # no calling day at all in the config: nothing to offer
        else:
            choices.append(Choice("3", _("next calling day {time}").format(time=start), opening))
    monday = today + timedelta(days=(7 - today.weekday()) or 7)
    choices += [
        Choice("4", _("in 2 days"), _to_utc(today + timedelta(days=2), wall, tz)),
        Choice("5", _("next Monday {time}").format(time=start), _to_utc(monday, hours.start, tz)),
        Choice("6", _("in a week"), _to_utc(today + timedelta(days=7), wall, tz)),
    ]
    return choices


# --- free entry ---------------------------------------------------------------------------

_WEEKDAY_WORDS = {
    **dict.fromkeys(("mon", "monday", "ma", "maa", "maandag"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday", "di", "din", "dinsdag"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday", "wo", "woe", "woensdag"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday", "do", "don", "donderdag"), 3),
    **dict.fromkeys(("fri", "friday", "vr", "vri", "vrijdag"), 4),
    **dict.fromkeys(("sat", "saturday", "za", "zat", "zaterdag"), 5),
    **dict.fromkeys(("sun", "sunday", "zo", "zon", "zondag"), 6),
}
_DAY_WORDS = {"today": 0, "vandaag": 0, "tomorrow": 1, "morgen": 1, "overmorgen": 2}
_NEXT_WORDS = {"next", "volgende", "komende", "on", "op"}
_MONTH_WORDS = {
    **dict.fromkeys(("jan", "january", "januari"), 1),
    **dict.fromkeys(("feb", "february", "februari"), 2),
    **dict.fromkeys(("mar", "mrt", "march", "maart"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("may", "mei"), 5),
    **dict.fromkeys(("jun", "june", "juni"), 6),
    **dict.fromkeys(("jul", "july", "juli"), 7),
    **dict.fromkeys(("aug", "august", "augustus"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("oct", "okt", "october", "oktober"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dec", "december"), 12),
}
_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuut", "minuten"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "u", "uur", "uren"), "hours"),
    **dict.fromkeys(("d", "day", "days", "dag", "dagen"), "days"),
    **dict.fromkeys(("w", "wk", "week", "weeks", "weken"), "weeks"),
}
_ONE = {"a", "an", "one", "een", "één"}
_CONNECTORS = {"om", "at", "@"}

# re.ASCII: \d must not accept other scripts' digits, which int() would quietly read.
_A = re.ASCII
_RELATIVE = re.compile(r"(?:\+|(?:in|over)\s+)(.+)", _A)
_AMOUNT = re.compile(r"\s*(\d{1,6}|[a-zé]+)\s*([a-z]+)", _A)
_CLOCK = re.compile(r"(\d{1,2})(?:([:.u])(\d{2})(?::(\d{2}))?)?(am|pm|u|uur)?", _A)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", _A)
_DAY_MONTH = re.compile(r"(\d{1,2})([-/])(\d{1,2})(?:\2(\d{4}|\d{2}))?", _A)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})?)?", _A)  # only where a day goes
_NUMBER = re.compile(r"\d{1,2}", _A)
_HOUR_MINUTE = re.compile(r"\d{1,2}(?:[:.]\d{2})?", _A)
_YEAR = re.compile(r"\d{4}", _A)


class _Unreadable(Exception):
    """Why the text is not a moment; parse_when turns it into one CalldeskError line."""


def _examples() -> str:
    return _("expected e.g. 'tomorrow 10:00', '24-11 14:00' or '+2h'")


def _too_far() -> str:
    return _("more than ten years from now")


def parse_when(text: str, now: datetime, zone: str | None, region: str) -> datetime:
    """Read a typed moment on the lead's wall clock (forms in the module docstring); UTC.

    Raises CalldeskError with one line when the text is not a moment.
    """
    now_utc = _aware(now, "now").astimezone(UTC)
    shown = " ".join(text.split())
    if not shown:
        raise CalldeskError(_("enter a moment: {examples}").format(examples=_examples()))
    if len(shown) > 40:
        shown = shown[:39] + "…"
    tz = _zone(zone, now_utc, region)
    try:
        moment = _parse(_normalise(text), now_utc, tz)
        if abs(moment - now_utc) > MAX_DISTANCE:
            raise _Unreadable(_too_far())
    except _Unreadable as exc:
        raise CalldeskError(_("can't read '{text}' as a moment: {reason}").format(text=shown, reason=exc)) from None
    except (ValueError, OverflowError) as exc:
        # date()/time() name the bad part ("day is out of range for month"); a year or an
        # overflow out of range is simply too far away.
        reason = str(exc)  # Python's own words, in English
        if isinstance(exc, OverflowError) or "year" in reason:
            reason = _too_far()
        raise CalldeskError(_("can't read '{text}' as a moment: {reason}").format(text=shown, reason=reason)) from None
    return moment


def read_moment(text: str, now: datetime, zone: str | None, region: str) -> datetime:
    """A moment typed at the CLI or in the app: an ISO time with an offset ("…T09:00+01:00",
    "…Z") is that instant; anything else is read by `parse_when` on the wall clock of `zone`
    (the desk's zone for the CLI's options), with the same DST rule as the picker.

    An ISO time is not held to ten years from `now` (the CLI's --at checks its own years).
    """
    try:
        given = datetime.fromisoformat(text.strip())
    except ValueError:
        return parse_when(text, now, zone, region)
    if given.tzinfo is not None and given.utcoffset() is not None:
        return given.astimezone(UTC)
    # Naive ISO: the picker's rule for a gap or an overlap, so CLI and app agree to the second.
    return _to_utc(given.date(), given.time(), _zone(zone, _aware(now, "now"), region))


def _normalise(text: str) -> list[str]:
    words = text.lower().replace(",", " ").replace("@", " @ ").split()
    joined = " ".join(words)
    joined = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", joined, flags=_A)  # ISO "T"
    return joined.split()


def _parse(words: list[str], now: datetime, tz: tzinfo) -> datetime:
    relative = _RELATIVE.fullmatch(" ".join(words))
    if relative:
        return _relative(relative[1], now, tz)
    words = _join_suffixes(words)
    if not words:
        raise _Unreadable(_examples())
    today = now.astimezone(tz).date()
    clock, rest = _split_clock(words, today)
    if clock is None:
        if _day(words, today) is None:
            raise _Unreadable(_examples())
        joined = " ".join(words)
        example = f"'{joined} 10:00'" if len(joined) <= 20 else "10:00"
        raise _Unreadable(_("add a time, e.g. {example}").format(example=example))
    day = _day(rest, today)
    if day is None:
        raise _Unreadable(_examples())
    return _to_utc(day, clock, tz)


def _relative(text: str, now: datetime, tz: tzinfo) -> datetime:
    text = text.replace(" en ", " ").replace(" and ", " ")
    position, elapsed, days = 0, timedelta(0), 0
    while position < len(text):
        match = _AMOUNT.match(text, position)
        if not match:
            raise _Unreadable(_examples())
        amount_text, unit_text = match[1], match[2]
        if amount_text.isdigit():
            amount = int(amount_text)
        elif amount_text in _ONE:
            amount = 1
        else:
            raise _Unreadable(_examples())
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise _Unreadable(_("unknown unit '{unit}': use minutes, hours, days or weeks").format(unit=unit_text[:12]))
        if unit == "minutes":
            elapsed += timedelta(minutes=amount)
        elif unit == "hours":
            elapsed += timedelta(hours=amount)
        else:
            days += amount * (7 if unit == "weeks" else 1)
        position = match.end()
    base = now
    if days:
        # Days step the lead's calendar: the same wall-clock time after a DST switch.
        local = now.astimezone(tz)
        base = _to_utc(local.date() + timedelta(days=days), local.time().replace(tzinfo=None), tz)
    return _minute(base + elapsed)


def _clock(word: str, bare: bool) -> time | None:
    """`word` as a time of day, or None. A bare hour ("10") counts only when `bare`."""
    match = _CLOCK.fullmatch(word)
    if not match:
        return None
    hour_text, separator, minute_text, second_text, suffix = match.groups()
    if separator is None and suffix is None:
        if not bare or int(hour_text) > 23:
            return None  # "nov 24": a day, not a time
    if separator == "u" and suffix:
        return None  # "10u30u"
    hour, minute = int(hour_text), int(minute_text or 0)
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise _Unreadable(_("hour must be 1–12 with {suffix}").format(suffix=suffix))
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    return time(hour, minute, int(second_text or 0))


def _split_clock(words: list[str], today: date) -> tuple[time | None, list[str]]:
    """The time at the end (or the start) of the words, and the words naming the day."""
    last = _clock(words[-1], bare=False)
    if last is not None:
        return last, _drop_connector(words[:-1])
    first = _clock(words[0], bare=False)
    if first is not None:
        return first, words[1:]
    # A bare hour ("morgen om 10") only after words that name a day.
    if len(words) > 1 and (bare := _clock(words[-1], bare=True)) is not None:
        rest = _drop_connector(words[:-1])
        if _day(rest, today) is not None:
            return bare, rest
    return None, words


def _drop_connector(words: list[str]) -> list[str]:
    return words[:-1] if words and words[-1] in _CONNECTORS else words


def _join_suffixes(words: list[str]) -> list[str]:
    # "2 pm", "10 uur" → one word; "10 uur" after "over" never gets here (relative).
    joined: list[str] = []
    for word in words:
        if word in ("am", "pm", "uur", "u") and joined and _HOUR_MINUTE.fullmatch(joined[-1]):
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def _day(words: list[str], today: date) -> date | None:
    """The day named by the words (before the time), or None when they name no day."""
    if not words:
        return today
    if len(words) == 1 and words[0] in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[words[0]])
    if words == ["day", "after", "tomorrow"]:
        return today + timedelta(days=2)
    if words[0] in _NEXT_WORDS and len(words) == 2:
        words = words[1:]
    weekday = _WEEKDAY_WORDS.get(words[0].rstrip("."))
    if weekday is not None and len(words) == 1:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)  # never today
    if weekday is not None:
        words = words[1:]
    day = _date(words, today)
    if day is not None and weekday is not None and day.weekday() != weekday:
        typed = day + timedelta(days=weekday - day.weekday())  # a day with the weekday typed
        raise _Unreadable(_("{date} is a {weekday}, not a {typed}").format(
            date=f"{day:%d-%m-%Y}", weekday=format_weekday(day), typed=format_weekday(typed)))
    return day


def _date(words: list[str], today: date) -> date | None:
    text = " ".join(words)
    if match := _ISO_DATE.fullmatch(text):
        return date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH.fullmatch(text):
        return _day_month(int(match[1]), int(match[3]), match[4], today)
    if match := _DOTTED.fullmatch(text):
        return _day_month(int(match[1]), int(match[2]), match[3], today)
    if len(words) in (2, 3):
        # "24 nov [2026]" or "nov 24 [2026]"
        day_word, month_word = (words[0], words[1]) if words[0][:1].isdigit() else (words[1], words[0])
        month = _MONTH_WORDS.get(month_word.rstrip("."))
        year = words[2] if len(words) == 3 else None
        if month and _NUMBER.fullmatch(day_word) and (year is None or _YEAR.fullmatch(year)):
            return _day_month(int(day_word), month, year, today)
    return None


def _day_month(day: int, month: int, year: str | None, today: date) -> date:
    if year is not None:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    found = date(today.year, month, day)
    return found if found >= today else date(today.year + 1, month, day)


# --- warnings -----------------------------------------------------------------------------


def check_when(
    at: datetime, now: datetime, zone: str | None, country: str, hours: CallingHours, region: str
) -> list[str]:
    """Short warnings about a chosen moment, in the UI language (they warn, they don't block);
    [] when fine."""
    at_utc = _aware(at, "at").astimezone(UTC)
    now_utc = _aware(now, "now").astimezone(UTC)
    local = local_time(zone, at_utc, region)
    day = local.date()
    warnings = []
    if at_utc < now_utc:
        warnings.append(_("in the past"))
    if WEEKDAYS[day.weekday()] not in hours.days:
        warnings.append(_("not a calling day ({weekday})").format(weekday=format_weekday(day)))
    where = holiday_country((zone, country), region)
    if hours.skip_holidays and day in holiday_dates(where, day.year):
        name = _holiday_names(where, day.year).get(day, "")
        if name:
            warnings.append(_("a public holiday in {country}: {name}").format(country=where.upper(), name=name))
        else:
            warnings.append(_("a public holiday in {country}").format(country=where.upper()))
    if not hours.start <= local.time().replace(tzinfo=None) < hours.end:
        warnings.append(_("outside calling hours ({start}–{end} lead's time)").format(
            start=f"{hours.start:%H:%M}", end=f"{hours.end:%H:%M}"))
    return warnings


# --- the callback agenda ------------------------------------------------------------------

# Stored and exported in English; screens translate them (`_(group)`).
AGENDA_GROUPS = (N_("overdue"), N_("today"), N_("tomorrow"), N_("this week"), N_("later"))


def agenda_group(due: datetime, now: datetime, region: str) -> str:
    """Where a callback due at `due` sits in the team's agenda at `now` (one of AGENDA_GROUPS).

    Days are the DESK's days (the home region's zone), not the lead's: the agenda is the team's
    plan. Overdue: due before `now` (even earlier today). Today, tomorrow: by the desk's calendar
    date. This week: after tomorrow and before next Monday 00:00. Later: from then on.
    """
    due_utc = _aware(due, "due").astimezone(UTC)
    now_utc = _aware(now, "now").astimezone(UTC)
    if due_utc < now_utc:
        return "overdue"
    day = local_time(None, due_utc, region).date()
    today = local_time(None, now_utc, region).date()
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    if day < today + timedelta(days=7 - today.weekday()):
        return "this week"
    return "later"
