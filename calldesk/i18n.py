"""Two languages: gettext catalogs for what calldesk says, Babel for dates and numbers.

English is the source text; Dutch comes from calldesk/locale/nl/LC_MESSAGES/calldesk.mo, which
ships in the package (calldesk/locale/README.md says how to extract and compile it). The
language is set once per process, before the app or a command speaks (`set_language`); `_()`
reads it on every call, so text made later follows it. What is stored (stages, outcomes, warmth
reasons, stage-change reasons) and what machines read (CSV and JSON fields, export headers)
stays English: it is translated where it is shown, never where it is written.

Pure: no Textual, no database; Babel is imported only when a date or number is formatted.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.core import Locale

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "format_day",
    "format_day_time",
    "format_number",
    "format_percent",
    "format_weekday",
    "format_weekday_time",
    "language",
    "ngettext",
    "pgettext",
    "resolve_language",
    "set_language",
    "using",
]

LANGUAGES: tuple[str, ...] = ("en", "nl")
DEFAULT_LANGUAGE = "en"
DOMAIN = "calldesk"
LOCALE_DIR = Path(__file__).parent / "locale"
# The environment's locale, most specific first (as gettext reads it); LANGUAGE may list several.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_language = DEFAULT_LANGUAGE
_switch = threading.Lock()  # `using` from two threads at once must not interleave


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    # English has no catalog: the fallback returns the source text unchanged.
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


_translations = _catalog(DEFAULT_LANGUAGE)


def _code(text: str | None) -> str | None:
    """'nl', 'nl_BE.UTF-8', 'NL', 'en-GB' → a supported language; None for anything else."""
    if not text:
        return None
    code = text.strip().lower().split(".")[0].split("@")[0].replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else None


def set_language(lang: str) -> None:
    """Speak `lang` ("en" or "nl", or a locale such as "nl_NL.UTF-8") from now on."""
    global _language, _translations
    code = _code(lang)
    if code is None:
        raise ValueError(f"unsupported language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    _language, _translations = code, _catalog(code)


def language() -> str:
    """The language spoken now: "en" or "nl"."""
    return _language


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block, then the language before it: English for text a machine
    reads (JSON, CSV) in a command that otherwise speaks Dutch. Not for the app's workers."""
    with _switch:
        before = _language
        set_language(lang)
        try:
            yield
        finally:
            set_language(before)


def resolve_language(cli_lang: str | None, config_lang: str | None, environ: Mapping[str, str]) -> str:
    """--lang, else the config's `language`, else the environment's locale; English when the
    locale is neither Dutch nor English (or is C/POSIX)."""
    # LANGUAGE is a priority list ("fr:nl"): its first supported entry wins.
    for chosen in (cli_lang, config_lang, *environ.get("LANGUAGE", "").split(":")):
        if code := _code(chosen):
            return code
    for name in _LOCALE_VARIABLES[1:]:
        value = environ.get(name, "")
        if value:  # the first one set decides, as for the C library: LC_ALL=C means C
            return _code(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


# --- gettext ------------------------------------------------------------------------------


def _(message: str) -> str:
    """`message` in the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language (format n in yourself)."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English word needs another
    translation in another place (the context tells them apart)."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the usual name for the marker
    """Mark `message` for the catalog without translating it now: for text defined at import
    (binding descriptions, tables of labels), translated with `_()` where it is shown."""
    return message


# --- dates and numbers (Babel) ------------------------------------------------------------


@cache
def _locale(lang: str) -> Locale:
    from babel.core import Locale

    return Locale.parse(lang)


def _format(moment: date, pattern: str) -> str:
    from babel.dates import format_date, format_datetime

    if not isinstance(moment, datetime):
        return format_date(moment, pattern, locale=_locale(_language))
    # The moment's own zone: callers pass a moment already on the clock they mean.
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=_locale(_language))


def format_weekday(moment: date) -> str:
    """"Mon" / "ma"."""
    return _format(moment, "EEE")


def format_weekday_time(moment: datetime) -> str:
    """"Mon 09:00" / "ma 09:00"."""
    return _format(moment, "EEE HH:mm")


def format_day(moment: date, *, year: int | None = None, pad: bool = False) -> str:
    """"Mon 23 Nov" / "ma 23 nov", the year added when it is not `year`; `pad`: "Mon 03 Dec",
    so that a column of days lines up."""
    pattern = "EEE dd MMM" if pad else "EEE d MMM"
    if year is not None and moment.year != year:
        pattern += " y"
    return _format(moment, pattern)


def format_day_time(moment: datetime, *, year: int | None = None, pad: bool = False) -> str:
    """"Mon 23 Nov 09:00" / "ma 23 nov 09:00" (`year` and `pad` as for format_day)."""
    return f"{format_day(moment, year=year, pad=pad)} {moment:%H:%M}"


def format_number(number: int | float) -> str:
    """1234 → "1,234" / "1.234"."""
    from babel.numbers import format_decimal

    return format_decimal(number, locale=_locale(_language))


def format_percent(value: float | None) -> str:
    """A rate as `calldesk report` shows it: whole percents, one decimal below 10%; "—" for none.
    Rounded as Python's own "%" format rounds it, so English reads exactly as before."""
    if value is None:
        return "—"
    from babel.numbers import format_percent as babel_percent

    hundredths = Decimal(repr(value * 100)).scaleb(-2)
    return babel_percent(hundredths, "0%" if value >= 0.1 else "0.0%", locale=_locale(_language))
