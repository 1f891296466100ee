"""Phone numbers: what people type → E.164 with type and time zone, and back for display.

All parsing and validation is the phonenumbers library's; we only add the repairs for what
spreadsheets do to numbers (a lost leading zero or plus) and readable rejection reasons. A
repair never moves a number to another country than the one it is read in: a lost "+" is put
back only when the digits start with that country's own calling code.

Zones: the zones a number could be in (phonenumbers' zones that lie in the number's country,
else the country's zones from the tz database), zones that keep the same UTC offsets merged
into one. Stored as one zone name, or several separated by spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult
from phonenumbers.timezone import time_zones_for_geographical_number, time_zones_for_number

from calldesk.errors import CalldeskError
from calldesk.i18n import N_, _, pgettext


class PhoneType(StrEnum):
    mobile = "mobile"
    fixed = "fixed"
    fixed_or_mobile = "fixed_or_mobile"
    voip = "voip"
    company = "company"  # Dutch 088 and other universal access numbers
    toll_free = "toll_free"
    premium = "premium"
    shared_cost = "shared_cost"
    personal = "personal"
    pager = "pager"
    voicemail = "voicemail"
    unknown = "unknown"


_TYPES = {
    PhoneNumberType.MOBILE: PhoneType.mobile,
    PhoneNumberType.FIXED_LINE: PhoneType.fixed,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneType.fixed_or_mobile,
    PhoneNumberType.VOIP: PhoneType.voip,
    PhoneNumberType.UAN: PhoneType.company,
    PhoneNumberType.TOLL_FREE: PhoneType.toll_free,
    PhoneNumberType.PREMIUM_RATE: PhoneType.premium,
    PhoneNumberType.SHARED_COST: PhoneType.shared_cost,
    PhoneNumberType.PERSONAL_NUMBER: PhoneType.personal,
    PhoneNumberType.PAGER: PhoneType.pager,
    PhoneNumberType.VOICEMAIL: PhoneType.voicemail,
}

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: N_("unknown country code"),
    NumberParseException.NOT_A_NUMBER: N_("not a phone number"),
    NumberParseException.TOO_SHORT_AFTER_IDD: N_("too short after the international prefix"),
    NumberParseException.TOO_SHORT_NSN: N_("too short"),
    NumberParseException.TOO_LONG: N_("too long"),
}

_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: N_("too short"),
    ValidationResult.TOO_LONG: N_("too long"),
    ValidationResult.INVALID_LENGTH: N_("wrong length"),
    ValidationResult.INVALID_COUNTRY_CODE: N_("unknown country code"),
}


# What Excel shows after it has read 31612345678 as a number: the digits are gone.
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+?\d+$")


_SINGLE_REGION: dict[int, str] = {}
_CODE_ZONES: dict[int, tuple[str, ...]] = {}
# Kept out of a paying or an invented number unless the import is told otherwise.
PREMIUM_KINDS = frozenset({"premium", "shared_cost"})
_SEPARATORS = re.compile(r"[\s\-./()]")


class PhoneError(CalldeskError):
    """A number that cannot be called; the message is the reason, fit for a rejects file."""


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str  # as typed, kept for the record
    e164: str
    region: str  # ISO 3166 code of the number's country ("NL"), or "001" for non-geographic
    kind: PhoneType
    # The zones the number could be in, space-separated ("Europe/Amsterdam", or
    # "America/New_York America/Chicago …" for a US mobile); None when unknown (+800…).
    time_zone: str | None

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(self.time_zone.split()) if self.time_zone else ()


def is_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def normalize(raw: str, region: str = "NL") -> Phone:
    """Parse what a person typed, as a number of `region` unless it says otherwise ("+32…");
    raise PhoneError with the reason when it can't be called."""
    text = raw.strip()
    if not text:
        raise PhoneError(_("missing phone number"))
    if _SCIENTIFIC.match(text):
        raise PhoneError(_("number was mangled by a spreadsheet (scientific notation)"))
    region = region.upper()
    if text[0] == "+":  # written internationally: nothing to repair
        return _normalize(text, region)
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit():
        return _normalize(text, region)
    # A spreadsheet dropped the + of +491754066683: digits that start with the country's own
    # calling code and form a valid number after it are read that way, before the national
    # reading (in Germany 491754066683 is also a valid, but far less likely, national number).
    code = _calling_code(region)
    if code != "0" and digits.startswith(code):
        try:
            return _normalize("+" + digits, region, raw=text)
        except PhoneError:
            pass
    try:
        return _normalize(text, region)
    except PhoneError as exc:
        first = exc
    if not digits.startswith("0"):  # a lost leading 0 (612345678); 0 + 0… would dial abroad
        try:
            repaired = _normalize("0" + digits, region, raw=text)
        except PhoneError:
            pass
        else:
            if repaired.e164.startswith("+" + code):  # calling codes are prefix-free
                return repaired
    # A + in front would make it another country's number: say so, but never pick it.
    try:
        other = _normalize("+" + digits, region, raw=text)
    except PhoneError:
        raise first from None
    raise PhoneError(_("{reason}; with a + it would be {number}, a number in {country}: write the + (and that Country) if so"
                       ).format(reason=first, number=display(other.e164, region), country=other.region)) from None


@lru_cache(maxsize=512)
def _calling_code(region: str) -> str:
    return str(phonenumbers.country_code_for_region(region))


def _normalize(text: str, region: str, raw: str | None = None) -> Phone:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(_(_PARSE_REASONS.get(exc.error_type, "not a phone number"))) from None
    # number_type() is UNKNOWN exactly when is_valid_number() is False (same metadata match),
    # so one call validates and classifies; the reason is worked out only for a bad number.
    code = number.country_code
    assert code is not None  # parse() sets it on every number it returns
    ntype = phonenumbers.number_type(number)
    if ntype == PhoneNumberType.UNKNOWN:
        # Named after the country it was read in (an Ecuador row says EC, +1 in Canada says CA).
        if code == phonenumbers.country_code_for_region(region):
            country = region
        else:
            country = _region(number, code)
        length = phonenumbers.is_possible_number_with_reason(number)
        reason = _LENGTH_REASONS.get(length)
        if reason is None:
            raise PhoneError(_("not a valid {country} number").format(country=country))
        raise PhoneError(_("{reason} for a {country} number").format(reason=_(reason), country=country))
    number_region = _region(number, code)
    if phonenumbers.is_number_type_geographical(ntype, code):
        zones = tuple(time_zones_for_geographical_number(number))
    else:
        # Mobiles and the like: the calling code's zones, one lookup per code, not per row.
        known = _CODE_ZONES.get(code)
        if known is None:
            known = _CODE_ZONES[code] = tuple(time_zones_for_number(number))
        zones = known
    return Phone(
        raw=raw if raw is not None else text,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=number_region,
        kind=_TYPES.get(ntype, PhoneType.unknown),
        time_zone=_zone_text(number_region, zones),
    )


def zones_for(e164: str, region: str = "") -> str | None:
    """The stored zone text for a stored number (what an import computes; migrations use it)."""
    try:
        return normalize(e164, region or "NL").time_zone
    except PhoneError:
        return None


# -- zones ------------------------------------------------------------------------------------
# Zones agree when their UTC offsets are the same at every moment of these years (checked per
# day, transitions found to the second): London, Jersey, Guernsey and the Isle of Man do.
_AGREE_YEARS = (2026, 2036)


@lru_cache(maxsize=1)
def _tz_countries() -> dict[str, tuple[str, ...]]:
    """Country → its zones from the tz database's zone.tab, principal zone first; the same
    files zoneinfo reads (the system's, else the tzdata package's), Babel's copy if neither."""
    text = None
    for folder in TZPATH:
        try:
            with open(f"{folder}/zone.tab", encoding="utf-8") as tab:
                text = tab.read()
            break
        except OSError:
            continue
    if text is None:
        try:
            from importlib.resources import files

            text = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
        except (ModuleNotFoundError, OSError):
            from babel.core import get_global

            return {k: tuple(v) for k, v in get_global("territory_zones").items()}
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            out.setdefault(parts[0], []).append(parts[2])
    return {k: tuple(v) for k, v in out.items()}


def country_zones(country: str) -> tuple[str, ...]:
    """The tz database's zones of a country (principal first); () for none or unknown."""
    return _tz_countries().get(country.upper(), ())


@lru_cache(maxsize=1024)
def _offsets(zone: str) -> tuple | None:
    """The zone's UTC offsets over _AGREE_YEARS, as (moment, offset) at each change."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    start = int(datetime(_AGREE_YEARS[0], 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(_AGREE_YEARS[1], 1, 1, tzinfo=UTC).timestamp())

    def offset(t: int) -> timedelta | None:
        return datetime.fromtimestamp(t, tz).utcoffset()

    changes = [(start, offset(start))]
    step = 86400
    for t in range(start + step, end, step):
        now = offset(t)
        if now != changes[-1][1]:
            low, high = t - step, t  # the change lies in (low, high]: find its second
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == now:
                    high = middle
                else:
                    low = middle
            changes.append((high, now))
    return tuple(changes)


@lru_cache(maxsize=4096)
def _zone_text(country: str, listed: tuple[str, ...]) -> str | None:
    return " ".join(candidate_zones(country, listed)) or None


def zones_agree(first: str, second: str) -> bool:
    """Two zones keep the same clock (UTC offsets) at every moment of _AGREE_YEARS."""
    return _offsets(first) is not None and _offsets(first) == _offsets(second)


@lru_cache(maxsize=4096)
def candidate_zones(country: str, listed: tuple[str, ...]) -> tuple[str, ...]:
    """The zones a number could be in: phonenumbers' zones for it (`listed`) that lie in its
    country, else the country's zones from the tz database. Agreeing zones are one; the
    country's principal zone stands for them."""
    own = country_zones(country)
    if not own:
        return ()  # non-geographic (+800) or a country the tz database does not know
    order = {zone: i for i, zone in enumerate(own)}
    named = set(listed)
    groups: dict[object, str] = {}
    # One zone stands for those that agree: the first one phonenumbers names, in tz order.
    for zone in sorted(own, key=lambda z: (z not in named, order[z])):
        groups.setdefault(_offsets(zone), zone)
    chosen = {zone for zone in listed if zone in order}
    if not chosen and len(listed) == 1:
        # phonenumbers names a link (Europe/Kiev) or a neighbour's zone: its twin here, if any.
        twin = groups.get(_offsets(listed[0]))
        if twin is not None:
            chosen = {twin}
    if not chosen:
        chosen = set(own)
    merged = {groups[_offsets(zone)] for zone in chosen}
    return tuple(sorted(merged, key=lambda zone: order.get(zone, len(order))))


def _region(number: phonenumbers.PhoneNumber, code: int) -> str:
    """The number's country (code: its calling code); cached for calling codes that belong to
    one region (+31 → NL)."""
    region = _SINGLE_REGION.get(code)
    if region is None:
        regions = phonenumbers.region_codes_for_country_code(code)
        if len(regions) == 1:
            region = _SINGLE_REGION[code] = regions[0]
        else:  # +1, +44, +7…: the number itself decides (US or CA, GB or JE)
            region = phonenumbers.region_code_for_number(number) or (regions[0] if regions else "ZZ")
    return region


def kind_label(kind: str) -> str:
    """A stored PhoneType value as the screens show it, in the UI language ("fixed or mobile")."""
    labels = {
        "mobile": pgettext("phone type", "mobile"),
        "fixed": pgettext("phone type", "fixed"),
        "fixed_or_mobile": pgettext("phone type", "fixed or mobile"),
        "voip": pgettext("phone type", "voip"),
        "company": pgettext("phone type", "company"),
        "toll_free": pgettext("phone type", "toll free"),
        "premium": pgettext("phone type", "premium"),
        "shared_cost": pgettext("phone type", "shared cost"),
        "personal": pgettext("phone type", "personal"),
        "pager": pgettext("phone type", "pager"),
        "voicemail": pgettext("phone type", "voicemail"),
        "unknown": pgettext("phone type", "unknown"),
    }
    return labels.get(kind, kind.replace("_", " "))


@lru_cache(maxsize=4096)
def display(e164: str, home_region: str = "NL") -> str:
    """National format for numbers of the home region (020 123 4567), international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == home_region.upper():
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


# An extension after the number: "x 2117", "ext. 5", "toestel 12", "tst. 12", "#12", "poste 3".
_EXTENSION = re.compile(
    r"[\s,;/-]*(?:\b(?:toestel(?:nummer|nr)?|tst|ext(?:ension)?|extn|poste|durchwahl|dw)\b\.?|x|#)\s*[:.]?\s*(\d{1,7})\s*$",
    re.IGNORECASE)


_MARKER = re.compile(r"[^\d\s()+./-]")


def split_extension(text: str) -> tuple[str, str]:
    """(the number, its extension or ""): the extension is dialled after the call connects, so
    it is kept beside the number, never in it."""
    if _MARKER.search(text) is None:  # most numbers: no letter and no #, so no extension
        return text, ""
    match = _EXTENSION.search(text)
    if match is None or not any(ch.isdigit() for ch in text[:match.start()]):
        return text, ""
    return text[:match.start()].strip(), match[1]


def with_extension(shown: str, extension: str) -> str:
    """A number as shown, with the extension to dial after it ("020 123 4567 ext. 12")."""
    return _("{phone} ext. {extension}").format(phone=shown, extension=extension) if extension else shown


def home_zone(region: str) -> str:
    """The time zone of the home region (NL → Europe/Amsterdam); "UTC" when it has none."""
    number = phonenumbers.example_number(region.upper())
    if number is None:
        return "UTC"
    zones = time_zones_for_number(number)
    if not zones or zones[0] == "Etc/Unknown":
        return "UTC"
    return zones[0]
