"""Phone numbers: what people type → E.164 with type and time zone, and back for display.

All parsing and validation is the phonenumbers library's; we only add the repairs for what
spreadsheets do to numbers (a lost leading zero or plus) and readable rejection reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import ValidationResult
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


# Zones of non-geographic numbers depend on the country code alone (phonenumbers.timezone).
_COUNTRY_ZONES: dict[int, tuple[str, ...]] = {}
_SINGLE_REGION: dict[int, str] = {}


class PhoneError(CalldeskError):
    """A number that cannot be called; the message is the reason, fit for a rejects file."""


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str  # as typed, kept for the record
    e164: str
    region: str  # ISO 3166 code of the number's country ("NL"), or "001" for non-geographic
    kind: PhoneType
    time_zone: str | None  # None when unknown or ambiguous (the number spans zones)


def is_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def normalize(raw: str, region: str = "NL") -> Phone:
    """Parse what a person typed; raise PhoneError with the reason when it can't be called."""
    text = raw.strip()
    if not text:
        raise PhoneError(_("missing phone number"))
    if _SCIENTIFIC.match(text):
        raise PhoneError(_("number was mangled by a spreadsheet (scientific notation)"))
    try:
        return _normalize(text, region)
    except PhoneError:
        if text.isdigit():
            # Spreadsheets drop the leading 0 of 0612345678 and the + of +31612345678.
            for repaired in ("0" + text, "+" + text):
                try:
                    return _normalize(repaired, region, raw=text)
                except PhoneError:
                    pass
        raise


def _normalize(text: str, region: str, raw: str | None = None) -> Phone:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(_(_PARSE_REASONS.get(exc.error_type, "not a phone number"))) from None
    # number_type() is UNKNOWN exactly when is_valid_number() is False (same metadata match),
    # so one call validates and classifies; the reason is worked out only for a bad number.
    ntype = phonenumbers.number_type(number)
    number_region = _region(number)
    if ntype == PhoneNumberType.UNKNOWN:
        length = phonenumbers.is_possible_number_with_reason(number)
        reason = _LENGTH_REASONS.get(length)
        if reason is None:
            raise PhoneError(_("not a valid {country} number").format(country=number_region))
        raise PhoneError(_("{reason} for a {country} number").format(reason=_(reason), country=number_region))
    if phonenumbers.is_number_type_geographical(ntype, number.country_code):
        zones = time_zones_for_geographical_number(number)
    else:
        # Mobiles and the like get their country's zones: one lookup per country, not per row.
        zones = _COUNTRY_ZONES.get(number.country_code)
        if zones is None:
            zones = _COUNTRY_ZONES[number.country_code] = tuple(time_zones_for_number(number))
    zone = zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None
    return Phone(
        raw=raw if raw is not None else text,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=number_region,
        kind=_TYPES.get(ntype, PhoneType.unknown),
        time_zone=zone,
    )


def _region(number: phonenumbers.PhoneNumber) -> str:
    """The number's country; cached for country codes that belong to one region (+31 → NL)."""
    code = number.country_code
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
